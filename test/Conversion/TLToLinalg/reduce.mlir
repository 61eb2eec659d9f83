// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg | FileCheck %s

// A reduction is a linalg.generic (so element-wise producers can be fused
// into its body) whose reduced axes, in any order, are reduction loops;
// min starts at +inf and folds with minnumf.
// CHECK-LABEL: func.func @min
// CHECK: %[[INF:.*]] = arith.constant 0x7FF0000000000000 : f64
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[INF]] : f64) outs(%{{.*}} : tensor<3xf64>)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]} ins(%{{.*}} : tensor<2x3x4xf64>) outs(%[[INIT]] : tensor<3xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[ACC:.*]]: f64):
// CHECK-NEXT: arith.minnumf %[[ACC]], %[[A]] : f64
func.func @min(%x: tensor<2x3x4xf64>) -> tensor<3xf64> {
  %0 = tl.reduce min %x axes = [2, 0] : tensor<2x3x4xf64> -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// mean over 2 x 4 elements divides by 8.
// CHECK-LABEL: func.func @mean
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: %[[EIGHT:.*]] = arith.constant 8.000000e+00 : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf32>)
// CHECK:   arith.divf %{{.*}}, %[[EIGHT]]
func.func @mean(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = tl.reduce mean %x axes = [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// axes = [] is the identity (G10).
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<2xf64>
// CHECK-NEXT: return %[[X]]
func.func @identity(%x: tensor<2xf64>) -> tensor<2xf64> {
  %0 = tl.reduce prod %x axes = [] : tensor<2xf64> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}
