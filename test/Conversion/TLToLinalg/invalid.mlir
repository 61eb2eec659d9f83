// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg --verify-diagnostics

// expected-error @+1 {{convert-tl-to-linalg needs static shapes, but @dynamic has 'tensor<?x3xf64>'; run tl-specialize-shapes with the inputs' shapes first}}
func.func @dynamic(%x: tensor<?x3xf64>) -> tensor<?x3xf64> {
  %0 = tl.unary exp %x : tensor<?x3xf64>
  return %0 : tensor<?x3xf64>
}
