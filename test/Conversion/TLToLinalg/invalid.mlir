// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg --verify-diagnostics

// expected-error @+1 {{convert-tl-to-linalg needs ranked shapes, but @unranked has 'tensor<*xf64>'; run tl-specialize-shapes with the inputs' shapes first}}
func.func @unranked(%x: tensor<*xf64>) -> tensor<*xf64> {
  %0 = tl.unary exp %x : tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

// Shape-generic code: a broadcast label sized only by a later op has no
// operand to read its size from.
func.func @unsized_label(%x: tensor<?xf64>) -> tensor<?x?xf64> {
  // expected-error @+1 {{shape-generic code cannot size the broadcast label 'b' of 'tl.einsum' op (G7): a later op sets it; give the inputs' shapes}}
  %0 = tl.einsum "a->ab" %x : (tensor<?xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}
