// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg | FileCheck %s

// relu is fmax(x, 0): relu(NaN) = 0 (G9).
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
// CHECK:   %[[R:.*]] = arith.maxnumf %[[X]], %{{.*}} : f64
// CHECK:   linalg.yield %[[R]]
func.func @relu(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %0 = tl.unary relu %x : tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

// step is 1 for x > 0 and 0 otherwise (NaN: 0): an ordered comparison.
// CHECK-LABEL: func.func @step
// CHECK: %[[C:.*]] = arith.cmpf ogt
// CHECK: arith.select %[[C]]
func.func @step(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tl.unary step %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// sigmoid is 1 / (1 + exp(-x)), in the interpreter's order.
// CHECK-LABEL: func.func @sigmoid
// CHECK: ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
// CHECK:   %[[N:.*]] = arith.negf %[[X]]
// CHECK:   %[[E:.*]] = math.exp %[[N]]
// CHECK:   %[[D:.*]] = arith.addf %{{.*}}, %[[E]]
// CHECK:   arith.divf %{{.*}}, %[[D]]
func.func @sigmoid(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = tl.unary sigmoid %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// NumPy broadcasting: the stretched unit dimension of %b is collapsed away
// so its map stays a projected permutation; the missing leading dimension
// of %c is not indexed.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf64> {{.*}}, %[[B:.*]]: tensor<1x4xf64> {{.*}})
// CHECK: %[[BC:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1]] : tensor<1x4xf64> into tensor<4xf64>
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]], {{.*}}} ins(%[[A]], %[[BC]] : tensor<3x4xf64>, tensor<4xf64>)
// CHECK:   arith.subf
func.func @broadcast(%a: tensor<3x4xf64>, %b: tensor<1x4xf64>) -> tensor<3x4xf64> {
  %0 = tl.binary subtract %a, %b : tensor<3x4xf64>, tensor<1x4xf64> -> tensor<3x4xf64>
  return %0 : tensor<3x4xf64>
}

// -----

// A 0-d operand collapses to nothing and is read at every point.
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @scalar_operand
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SCALAR]], #{{.*}}]
func.func @scalar_operand(%a: tensor<5xf64>, %s: tensor<f64>) -> tensor<5xf64> {
  %0 = tl.binary power %a, %s : tensor<5xf64>, tensor<f64> -> tensor<5xf64>
  return %0 : tensor<5xf64>
}

// -----

// eq is |a - b| < 1e-10, as a 0/1 float.
// CHECK-LABEL: func.func @eq
// CHECK: %[[D:.*]] = arith.subf
// CHECK: %[[A:.*]] = math.absf %[[D]]
// CHECK: %[[C:.*]] = arith.cmpf olt, %[[A]], %{{.*}}
// CHECK: arith.select %[[C]]
func.func @eq(%a: tensor<2xf64>, %b: tensor<2xf64>) -> tensor<2xf64> {
  %0 = tl.binary eq %a, %b : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf64>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf64> {
  %0 = tl.constant dense<[1.0, 2.0]> : tensor<2xf64>
  return %0 : tensor<2xf64>
}
