// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg | FileCheck %s

// A plain matrix product becomes linalg.matmul on a zero-filled init.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf64> {bufferization.writable = false}, %[[B:.*]]: tensor<8x16xf64> {bufferization.writable = false})
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f64) outs(%{{.*}} : tensor<4x16xf64>)
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf64>, tensor<8x16xf64>) outs(%[[INIT]] : tensor<4x16xf64>)
// CHECK: return %[[MM]]
func.func @matmul(%a: tensor<4x8xf64>, %b: tensor<8x16xf64>) -> tensor<4x16xf64> {
  %0 = tl.einsum "ik,kj->ij" %a, %b : (tensor<4x8xf64>, tensor<8x16xf64>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}

// -----

// CHECK-LABEL: func.func @batch
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<2x8x3xf32>)
func.func @batch(%a: tensor<2x4x8xf32>, %b: tensor<2x8x3xf32>) -> tensor<2x4x3xf32> {
  %0 = tl.einsum "bik,bkj->bij" %a, %b : (tensor<2x4x8xf32>, tensor<2x8x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// Still a matrix product with the operands transposed (the gradients of a
// matmul look like this): each transposed operand is copied by
// linalg.transpose, then linalg.matmul, which tl-select-kernels can send to
// oneDNN reading the matrix in place.
// CHECK-LABEL: func.func @transposed
// CHECK: %[[TA:.*]] = linalg.transpose ins(%arg0 : tensor<8x4xf64>) outs(%{{.*}} : tensor<4x8xf64>) permutation = [1, 0]
// CHECK: %[[TB:.*]] = linalg.transpose ins(%arg1 : tensor<16x8xf64>) outs(%{{.*}} : tensor<8x16xf64>) permutation = [1, 0]
// CHECK: linalg.matmul ins(%[[TA]], %[[TB]] : tensor<4x8xf64>, tensor<8x16xf64>)
func.func @transposed(%a: tensor<8x4xf64>, %b: tensor<16x8xf64>) -> tensor<4x16xf64> {
  %0 = tl.einsum "ki,jk->ij" %a, %b : (tensor<8x4xf64>, tensor<16x8xf64>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}

// -----

// A repeated label takes the diagonal: the operand is indexed by the same
// loop twice. max starts at -inf and folds with maxnumf (NaN skipped, G10).
// CHECK: #[[$DIAG:.*]] = affine_map<(d0, d1) -> (d1, d1, d0)>
// CHECK-LABEL: func.func @diagonal_max
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFFF0000000000000 : f64
// CHECK: linalg.fill ins(%[[NEGINF]] : f64)
// CHECK: linalg.generic {indexing_maps = [#[[$DIAG]], #{{.*}}], iterator_types = ["parallel", "reduction"]}
// CHECK:   arith.maxnumf
func.func @diagonal_max(%a: tensor<3x3x4xf64>) -> tensor<4xf64> {
  %0 = tl.einsum "iij->j" reduce max %a : (tensor<3x3x4xf64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// A broadcast label (z, G7) indexes no operand; nothing is reduced, so no
// init fill and no fold: the body is the combine alone (a + b - a * b).
// CHECK-DAG: #[[$U:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[$V:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @combine_broadcast
// CHECK-NOT: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[$U]], #[[$V]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: ^bb0(%[[X:.*]]: f64, %[[Y:.*]]: f64, %{{.*}}: f64):
// CHECK-DAG: %[[P:.*]] = arith.mulf %[[X]], %[[Y]]
// CHECK-DAG: %[[S:.*]] = arith.addf %[[X]], %[[Y]]
// CHECK: %[[R:.*]] = arith.subf %[[S]], %[[P]]
// CHECK: linalg.yield %[[R]]
// CHECK: -> tensor<3x2x4xf64>
func.func @combine_broadcast(%u: tensor<3xf64>, %v: tensor<4xf64>) -> tensor<3x2x4xf64> {
  %0 = tl.einsum "a,b->azb" combine or_prob_sum %u, %v : (tensor<3xf64>, tensor<4xf64>) -> tensor<3x2x4xf64>
  return %0 : tensor<3x2x4xf64>
}

// -----

// mean is a sum, then a division by the number of folded elements (5).
// CHECK-LABEL: func.func @mean
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK:   arith.addf
// CHECK: %[[FIVE:.*]] = arith.constant 5.000000e+00 : f64
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf64>)
// CHECK:   arith.divf %{{.*}}, %[[FIVE]]
func.func @mean(%a: tensor<3x5xf64>) -> tensor<3xf64> {
  %0 = tl.einsum "ab->a" reduce mean %a : (tensor<3x5xf64>) -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// Three operands multiply left to right; prod starts at 1.
// CHECK-LABEL: func.func @three_prod
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ONE]] : f32)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[Z:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK:   %[[XY:.*]] = arith.mulf %[[X]], %[[Y]]
// CHECK:   %[[XYZ:.*]] = arith.mulf %[[XY]], %[[Z]]
// CHECK:   arith.mulf %[[ACC]], %[[XYZ]]
func.func @three_prod(%a: tensor<2xf32>, %b: tensor<2xf32>, %c: tensor<2xf32>) -> tensor<f32> {
  %0 = tl.einsum "i,i,i->" reduce prod %a, %b, %c : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
