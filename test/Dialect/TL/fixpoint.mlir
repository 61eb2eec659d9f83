// RUN: tl-opt %s | FileCheck %s
// RUN: tl-opt %s | tl-opt | FileCheck %s

// A recursive rule is a tl.fixpoint: the body's arguments are the current
// states, tl.yield gives the next ones, relations read from above.
// CHECK-LABEL: func.func @ancestor
// CHECK: %[[R:.*]] = tl.fixpoint (%[[A:.*]] = %[[P:.*]]) : tensor<4x4xf64> attributes {max_iterations = 100 : i64} {
// CHECK: tl.einsum "xy,yz->xz" %[[A]], %[[P]]
// CHECK: tl.yield %{{.*}} : tensor<4x4xf64>
// CHECK: return %[[R]]
func.func @ancestor(%parent: tensor<4x4xf64>) -> tensor<4x4xf64> {
  %anc = tl.fixpoint (%a = %parent) : tensor<4x4xf64> attributes {max_iterations = 100 : i64} {
    %j = tl.einsum "xy,yz->xz" %a, %parent : (tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
    %s = tl.binary add %parent, %j : tensor<4x4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>
    %n = tl.unary step %s : tensor<4x4xf64>
    tl.yield %n : tensor<4x4xf64>
  }
  return %anc : tensor<4x4xf64>
}

// Several states, a tolerance; default attributes are not printed.
// CHECK-LABEL: func.func @two_states
// CHECK: %{{.*}}:2 = tl.fixpoint (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) : tensor<3xf32>, tensor<f32> attributes {tolerance = 9.9999999999999995E-7 : f64} {
// CHECK-LABEL: func.func @defaults
// CHECK: tl.fixpoint (%{{.*}} = %{{.*}}) : tensor<3xf32> {
func.func @two_states(%x: tensor<3xf32>, %c: tensor<f32>) -> (tensor<3xf32>, tensor<f32>) {
  %r:2 = tl.fixpoint (%v = %x, %w = %c) : tensor<3xf32>, tensor<f32> attributes {tolerance = 1.0e-6 : f64} {
    %h = tl.binary multiply %v, %w : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
    tl.yield %h, %w : tensor<3xf32>, tensor<f32>
  }
  return %r#0, %r#1 : tensor<3xf32>, tensor<f32>
}
func.func @defaults(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r = tl.fixpoint (%v = %x) : tensor<3xf32> attributes {max_iterations = 1000 : i64, tolerance = 0.0 : f64} {
    tl.yield %v : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// The gradient form (tl-differentiate builds it): no states of its own,
// cotangents and captured values as operands, both regions printed.
// CHECK-LABEL: func.func @adjoint
// CHECK: %{{.*}}:2 = tl.fixpoint_adjoint(%{{.*}} : tensor<3xf64>) cotangents(%{{.*}} : tensor<3xf64>) captured(%{{.*}} : tensor<f64>) attributes {tolerance = 1.000000e-03 : f64} -> tensor<3xf64>, tensor<f64> {
// CHECK: ^bb0(%{{.*}}: tensor<3xf64>):
// CHECK: tl.yield
// CHECK: } adjoint {
// CHECK: ^bb0(%{{.*}}: tensor<3xf64>, %{{.*}}: tensor<3xf64>):
// CHECK: tl.yield %{{.*}}, %{{.*}} : tensor<3xf64>, tensor<f64>
func.func @adjoint(%x: tensor<3xf64>, %c: tensor<f64>, %ct: tensor<3xf64>) -> (tensor<3xf64>, tensor<f64>) {
  %g:2 = tl.fixpoint_adjoint (%x : tensor<3xf64>) cotangents (%ct : tensor<3xf64>) captured (%c : tensor<f64>) attributes {tolerance = 1.0e-3 : f64} -> tensor<3xf64>, tensor<f64> {
  ^bb0(%s: tensor<3xf64>):
    %h = tl.binary multiply %s, %c : tensor<3xf64>, tensor<f64> -> tensor<3xf64>
    tl.yield %h : tensor<3xf64>
  } adjoint {
  ^bb0(%s: tensor<3xf64>, %l: tensor<3xf64>):
    %ds = tl.binary multiply %l, %c : tensor<3xf64>, tensor<f64> -> tensor<3xf64>
    %p = tl.binary multiply %l, %s : tensor<3xf64>, tensor<3xf64> -> tensor<3xf64>
    %dc = tl.einsum "a->" %p : (tensor<3xf64>) -> tensor<f64>
    tl.yield %ds, %dc : tensor<3xf64>, tensor<f64>
  }
  return %g#0, %g#1 : tensor<3xf64>, tensor<f64>
}
