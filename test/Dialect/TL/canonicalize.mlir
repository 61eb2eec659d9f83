// RUN: tl-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @multiply_one
// CHECK-SAME: (%[[X:.*]]: tensor<3xf64>)
// CHECK-NOT: tl.binary
// CHECK: return %[[X]], %[[X]]
func.func @multiply_one(%x: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %one = tl.constant dense<1.0> : tensor<f64>
  %0 = tl.binary multiply %x, %one : tensor<3xf64>, tensor<f64> -> tensor<3xf64>
  %1 = tl.binary multiply %one, %x : tensor<f64>, tensor<3xf64> -> tensor<3xf64>
  return %0, %1 : tensor<3xf64>, tensor<3xf64>
}

// -----

// CHECK-LABEL: func @add_sub_div_pow
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NOT: tl.binary
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @add_sub_div_pow(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %zero = tl.constant dense<0.0> : tensor<f32>
  %one = tl.constant dense<1.0> : tensor<f32>
  %0 = tl.binary add %zero, %x : tensor<f32>, tensor<3xf32> -> tensor<3xf32>
  %1 = tl.binary subtract %x, %zero : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
  %2 = tl.binary divide %x, %one : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
  %3 = tl.binary power %x, %one : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// The identity would change the shape: x (0-d) times ones (3,) is (3,).
// CHECK-LABEL: func @multiply_one_broadcasts
// CHECK: tl.binary multiply
func.func @multiply_one_broadcasts(%x: tensor<f64>) -> tensor<3xf64> {
  %ones = tl.constant dense<1.0> : tensor<3xf64>
  %0 = tl.binary multiply %x, %ones : tensor<f64>, tensor<3xf64> -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// 0 - x is not x.
// CHECK-LABEL: func @zero_minus
// CHECK: tl.binary subtract
func.func @zero_minus(%x: tensor<3xf64>) -> tensor<3xf64> {
  %zero = tl.constant dense<0.0> : tensor<f64>
  %0 = tl.binary subtract %zero, %x : tensor<f64>, tensor<3xf64> -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// CHECK-LABEL: func @involutions
// CHECK-SAME: (%[[X:.*]]: tensor<?xf64>)
// CHECK-NOT: tl.unary
// CHECK: return %[[X]], %[[X]]
func.func @involutions(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %0 = tl.unary one_minus %x : tensor<?xf64>
  %1 = tl.unary one_minus %0 : tensor<?xf64>
  %2 = tl.unary negate %x : tensor<?xf64>
  %3 = tl.unary negate %2 : tensor<?xf64>
  return %1, %3 : tensor<?xf64>, tensor<?xf64>
}

// -----

// relu is not an involution.
// CHECK-LABEL: func @relu_twice
// CHECK-COUNT-2: tl.unary relu
func.func @relu_twice(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tl.unary relu %x : tensor<?xf64>
  %1 = tl.unary relu %0 : tensor<?xf64>
  return %1 : tensor<?xf64>
}

// -----

// CHECK-LABEL: func @identity_einsum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf64>)
// CHECK-NOT: tl.einsum
// CHECK-NOT: tl.reduce
// CHECK: return %[[X]], %[[X]]
func.func @identity_einsum(%x: tensor<2x3xf64>) -> (tensor<2x3xf64>, tensor<2x3xf64>) {
  %0 = tl.einsum "ab->ab" %x : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %1 = tl.reduce sum %x axes = [] : tensor<2x3xf64> -> tensor<2x3xf64>
  return %0, %1 : tensor<2x3xf64>, tensor<2x3xf64>
}

// -----

// CHECK-LABEL: func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf64>)
// CHECK-NOT: tl.einsum
// CHECK: return %[[X]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf64>) -> tensor<2x3x4xf64> {
  %0 = tl.einsum "abc->bca" %x : (tensor<2x3x4xf64>) -> tensor<3x4x2xf64>
  %1 = tl.einsum "xyz->zxy" %0 : (tensor<3x4x2xf64>) -> tensor<2x3x4xf64>
  return %1 : tensor<2x3x4xf64>
}

// -----

// Two transposes that do not cancel become one.
// CHECK-LABEL: func @transposes_compose
// CHECK: %[[T:.*]] = tl.einsum "abc->cba" %{{.*}} : (tensor<2x3x4xf64>) -> tensor<4x3x2xf64>
// CHECK-NOT: tl.einsum
// CHECK: return %[[T]]
func.func @transposes_compose(%x: tensor<2x3x4xf64>) -> tensor<4x3x2xf64> {
  %0 = tl.einsum "abc->bac" %x : (tensor<2x3x4xf64>) -> tensor<3x2x4xf64>
  %1 = tl.einsum "xyz->zxy" %0 : (tensor<3x2x4xf64>) -> tensor<4x3x2xf64>
  return %1 : tensor<4x3x2xf64>
}

// -----

// A diagonal is not a transpose.
// CHECK-LABEL: func @diagonal_kept
// CHECK: tl.einsum "aa->a"
func.func @diagonal_kept(%x: tensor<3x3xf64>) -> tensor<3xf64> {
  %0 = tl.einsum "aa->a" %x : (tensor<3x3xf64>) -> tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// CHECK-LABEL: func @constant_fold
// CHECK-DAG: %[[A:.*]] = tl.constant dense<3.000000e+00> : tensor<f64>
// CHECK-DAG: %[[B:.*]] = tl.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf64>
// CHECK-DAG: %[[C:.*]] = tl.constant dense<5.000000e-01> : tensor<f64>
// CHECK-NOT: tl.binary
// CHECK-NOT: tl.unary
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @constant_fold() -> (tensor<f64>, tensor<2xf64>, tensor<f64>) {
  %one = tl.constant dense<1.0> : tensor<f64>
  %two = tl.constant dense<2.0> : tensor<f64>
  %0 = tl.binary add %one, %two : tensor<f64>, tensor<f64> -> tensor<f64>
  %v = tl.constant dense<[3.0, -1.0]> : tensor<2xf64>
  %1 = tl.unary step %v : tensor<2xf64>
  %z = tl.constant dense<0.0> : tensor<f64>
  %2 = tl.unary sigmoid %z : tensor<f64>
  return %0, %1, %2 : tensor<f64>, tensor<2xf64>, tensor<f64>
}

// -----

// A state that the body yields unchanged keeps its initial value: it
// leaves the fixpoint, its uses read the init.
// CHECK-LABEL: func @fixpoint_invariant_state
// CHECK-SAME: (%[[X:.*]]: tensor<3xf64>, %[[C:.*]]: tensor<3xf64>)
// CHECK: %[[R:.*]] = tl.fixpoint (%[[V:.*]] = %[[X]]) : tensor<3xf64> attributes {max_iterations = 7 : i64} {
// CHECK: %[[S:.*]] = tl.binary max %[[V]], %[[C]]
// CHECK: tl.yield %[[S]] : tensor<3xf64>
// CHECK: return %[[R]], %[[C]]
func.func @fixpoint_invariant_state(%x: tensor<3xf64>, %c: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %r:2 = tl.fixpoint (%v = %x, %w = %c) : tensor<3xf64>, tensor<3xf64> attributes {max_iterations = 7 : i64} {
    %s = tl.binary max %v, %w : tensor<3xf64>, tensor<3xf64> -> tensor<3xf64>
    tl.yield %s, %w : tensor<3xf64>, tensor<3xf64>
  }
  return %r#0, %r#1 : tensor<3xf64>, tensor<3xf64>
}

// -----

// With no state left the op goes.
// CHECK-LABEL: func @fixpoint_all_invariant
// CHECK-NOT: tl.fixpoint
// CHECK: return %arg0
func.func @fixpoint_all_invariant(%x: tensor<3xf64>) -> tensor<3xf64> {
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> {
    tl.yield %v : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}
