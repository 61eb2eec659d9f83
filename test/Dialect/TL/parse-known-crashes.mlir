// Text that MLIR 19's parser crashes on (found by tl-fuzz-mlir) is refused
// before it is parsed, by every tool (tl/Dialect/TL/IR/ParseSource.h).
// RUN: not tl-opt %s 2>&1 | FileCheck %s
// RUN: not tl-jit %s --input=x=2xf64=1 2>&1 | FileCheck %s
// RUN: not tl-translate --export-dot %s 2>&1 | FileCheck %s
// RUN: not tl-compile %s --input-shape=x=2 -o %t.tlm 2>&1 | FileCheck %s
// CHECK: parse-known-crashes.mlir:[[@LINE+4]]:20: {{(error: )?}}sparse elements attributes (sparse<...>) are not accepted
// CHECK-SAME: llvm-project#132891

func.func @main(%x: tensor<2xf64> {tl.name = "x"}) -> (tensor<2xf64> {tl.name = "y"}) {
  %0 = tl.constant sparse<[[0]], [1,0]> : tensor<2xf64>
  %1 = tl.binary add %x, %0 : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
  return %1 : tensor<2xf64>
}
