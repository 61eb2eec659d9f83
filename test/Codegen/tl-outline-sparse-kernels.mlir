// RUN: tl-opt %s --tl-outline-sparse-kernels | FileCheck %s
// The kernels compile through the sparsifier as functions of their own,
// which LLVM is told not to inline back:
// RUN: tl-opt %s --tl-outline-sparse-kernels --sparsifier="enable-runtime-library=false" | FileCheck %s --check-prefix=LLVM

#CSR = #sparse_tensor.encoding<{ map = (d0, d1) -> (d0 : dense, d1 : compressed) }>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Each linalg op on a sparse tensor becomes @<func>_sparse<N>, numbered in
// order; the relation read twice is one argument; the constants and the
// empty sparse result (here sized by tl-encode-sparsity's hint) are made
// in the kernel.
// CHECK-LABEL: func.func private @rules_sparse0(
// CHECK-SAME: %[[R:.*]]: tensor<8x8xf64, #[[$CSR:sparse[0-9]*]]>) -> tensor<8x8xf64, #[[$CSR]]>
// CHECK-SAME: attributes {passthrough = ["noinline"]}
// CHECK: %[[H:.*]] = arith.constant 20 : index
// CHECK: %[[E:.*]] = bufferization.alloc_tensor() size_hint=%[[H]] : tensor<8x8xf64, #[[$CSR]]>
// CHECK: linalg.matmul ins(%[[R]], %{{.*}} : {{.*}}) outs(%[[E]] :
// CHECK-LABEL: func.func private @rules_sparse1(
// CHECK-SAME: -> tensor<8x8xf64, #[[$CSR]]>
// CHECK-DAG: arith.constant 1.000000e+00 : f64
// CHECK-DAG: arith.constant 0.000000e+00 : f64
// CHECK: sparse_tensor.unary
// A dense op with a sparse operand is a kernel too; its dense init (a
// fill, not an empty tensor) comes from the caller:
// CHECK-LABEL: func.func private @rules_sparse2(
// CHECK-SAME: %{{.*}}: tensor<8x8xf64, #[[$CSR]]>, %{{.*}}: tensor<8x4xf64>, %{{.*}}: tensor<8x4xf64>) -> tensor<8x4xf64>
// CHECK-NOT: linalg.fill
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @rules(
// CHECK-NOT: arith.constant 20
// CHECK-NOT: tensor.empty() : tensor<8x8xf64, #
// CHECK-NOT: bufferization.alloc_tensor
// CHECK: %[[J:.*]] = call @rules_sparse0(%arg0)
// CHECK: %[[S:.*]] = call @rules_sparse1(%[[J]])
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: %[[D:.*]] = call @rules_sparse2(%arg0, %arg1, %[[F]])
// Dense work stays where it was:
// CHECK: linalg.generic {{.*}} ins(%[[D]] : tensor<8x4xf64>)
// CHECK: return %[[S]], %{{.*}}

// LLVM: llvm.func @rules_sparse0({{.*}}passthrough = ["noinline"]
// LLVM: llvm.func @rules_sparse1({{.*}}passthrough = ["noinline"]
// LLVM: llvm.func @rules_sparse2({{.*}}passthrough = ["noinline"]
// LLVM: llvm.func @rules(
// LLVM: llvm.call @rules_sparse0(
// LLVM: llvm.call @rules_sparse1(
// LLVM: llvm.call @rules_sparse2(

func.func @rules(%r: tensor<8x8xf64, #CSR>, %e: tensor<8x4xf64>)
    -> (tensor<8x8xf64, #CSR>, tensor<8x4xf64>) {
  %one = arith.constant 1.0 : f64
  %zero = arith.constant 0.0 : f64
  %hint = arith.constant 20 : index
  %empty = bufferization.alloc_tensor() size_hint=%hint : tensor<8x8xf64, #CSR>
  %join = linalg.matmul ins(%r, %r : tensor<8x8xf64, #CSR>, tensor<8x8xf64, #CSR>)
      outs(%empty : tensor<8x8xf64, #CSR>) -> tensor<8x8xf64, #CSR>
  %empty2 = tensor.empty() : tensor<8x8xf64, #CSR>
  %step = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%join : tensor<8x8xf64, #CSR>) outs(%empty2 : tensor<8x8xf64, #CSR>) {
  ^bb0(%in: f64, %out: f64):
    %u = sparse_tensor.unary %in : f64 to f64
      present = {
      ^bb0(%x: f64):
        %c = arith.cmpf ogt, %x, %zero : f64
        %s = arith.select %c, %one, %zero : f64
        sparse_tensor.yield %s : f64
      }
      absent = {}
    linalg.yield %u : f64
  } -> tensor<8x8xf64, #CSR>
  %dempty = tensor.empty() : tensor<8x4xf64>
  %fill = linalg.fill ins(%zero : f64) outs(%dempty : tensor<8x4xf64>) -> tensor<8x4xf64>
  %dense = linalg.matmul ins(%r, %e : tensor<8x8xf64, #CSR>, tensor<8x4xf64>)
      outs(%fill : tensor<8x4xf64>) -> tensor<8x4xf64>
  %dempty2 = tensor.empty() : tensor<8x4xf64>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%dense : tensor<8x4xf64>) outs(%dempty2 : tensor<8x4xf64>) {
  ^bb0(%in: f64, %out: f64):
    %m = arith.negf %in : f64
    linalg.yield %m : f64
  } -> tensor<8x4xf64>
  return %step, %neg : tensor<8x8xf64, #CSR>, tensor<8x4xf64>
}
