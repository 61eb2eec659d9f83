// RUN: tl-opt --tl-differentiate --split-input-file --verify-diagnostics %s | FileCheck %s

// A matmul under a sigmoid: the adjoint recomputes the forward ops, then
// d sigmoid = y (1 - y) and each matmul operand gets the einsum of the
// cotangent with the other operand onto its own labels.
// CHECK-LABEL: func.func @main_grad
// CHECK-SAME: (%[[P:.*]]: tensor<4x5xf64> {tl.name = "p"}, %[[Q:.*]]: tensor<5x3xf64> {tl.name = "q"}, %[[CT:.*]]: tensor<4x3xf64> {tl.name = "out.cotangent"})
// CHECK-SAME: -> (tensor<4x5xf64> {tl.name = "p"}, tensor<5x3xf64> {tl.name = "q"})
// CHECK: %[[MM:.*]] = tl.einsum "ab,bc->ac" %[[P]], %[[Q]]
// CHECK: %[[Y:.*]] = tl.unary sigmoid %[[MM]]
// CHECK: %[[OM:.*]] = tl.unary one_minus %[[Y]]
// CHECK: %[[D:.*]] = tl.binary multiply %[[Y]], %[[OM]]
// CHECK: %[[G:.*]] = tl.binary multiply %[[CT]], %[[D]]
// CHECK: %[[GP:.*]] = tl.einsum "ac,bc->ab" %[[G]], %[[Q]]
// CHECK: %[[GQ:.*]] = tl.einsum "ac,ab->bc" %[[G]], %[[P]]
// CHECK: return %[[GP]], %[[GQ]]
func.func @main(%p: tensor<4x5xf64> {tl.name = "p"}, %q: tensor<5x3xf64> {tl.name = "q"}) -> (tensor<4x3xf64> {tl.name = "out"}) {
  %0 = tl.einsum "ab,bc->ac" %p, %q : (tensor<4x5xf64>, tensor<5x3xf64>) -> tensor<4x3xf64>
  %1 = tl.unary sigmoid %0 : tensor<4x3xf64>
  return %1 : tensor<4x3xf64>
}

// -----

// A value used twice gets the sum of both cotangents; a broadcast operand
// (2 against 3x2) gets its gradient summed back by an einsum over the
// leading dimension; an argument nothing depends on gets zeros.
// CHECK-LABEL: func.func @main_grad
// CHECK: %[[A:.*]] = tl.binary multiply %arg0, %arg1 : tensor<3x2xf64>, tensor<2xf64> -> tensor<3x2xf64>
// CHECK: tl.einsum "ab->b" {{.*}} : (tensor<3x2xf64>) -> tensor<2xf64>
// CHECK: tl.binary add {{.*}} : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<3x2xf64>
// CHECK: %[[Z:.*]] = tl.constant dense<0.000000e+00> : tensor<7xf64>
// CHECK: return {{.*}}, {{.*}}, %[[Z]]
func.func @main(%x: tensor<3x2xf64> {tl.name = "x"}, %b: tensor<2xf64> {tl.name = "b"}, %unused: tensor<7xf64> {tl.name = "u"}) -> (tensor<3x2xf64> {tl.name = "out"}) {
  %0 = tl.binary multiply %x, %b : tensor<3x2xf64>, tensor<2xf64> -> tensor<3x2xf64>
  %1 = tl.binary add %0, %x : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<3x2xf64>
  return %1 : tensor<3x2xf64>
}

// -----

// A diagonal (G6) gets its gradient back on the diagonal through an
// identity matrix.
// CHECK-LABEL: func.func @main_grad
// CHECK: %[[G:.*]] = tl.einsum "->a" %arg1 : (tensor<f64>) -> tensor<3xf64>
// CHECK: %[[I:.*]] = tl.constant dense<{{\[}}[1.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<3x3xf64>
// CHECK: tl.einsum "a,aA->aA" %[[G]], %[[I]]
func.func @main(%x: tensor<3x3xf64> {tl.name = "x"}) -> (tensor<f64> {tl.name = "trace"}) {
  %0 = tl.einsum "aa->" %x : (tensor<3x3xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

func.func @main(%x: tensor<?xf64> {tl.name = "x"}) -> (tensor<?xf64> {tl.name = "y"}) {
  // expected-error @below {{G12: gradients need static shapes; run tl-specialize-shapes first}}
  %0 = tl.unary exp %x : tensor<?xf64>
  return %0 : tensor<?xf64>
}

// -----

// A fixpoint: its inits get the adjoint's first results, the values from
// above its body reads the others (a constant gets none); the adjoint
// region replays the body at the state and walks it backwards.
// CHECK-LABEL: func.func @main_grad
// CHECK-SAME: (%[[W:.*]]: tensor<3x3xf64> {tl.name = "w"}, %[[X0:.*]]: tensor<3xf64> {tl.name = "x0"}, %[[CT:.*]]: tensor<3xf64> {tl.name = "x.cotangent"})
// CHECK: %[[G:.*]]:2 = tl.fixpoint_adjoint(%[[X0]] : tensor<3xf64>) cotangents(%[[CT]] : tensor<3xf64>) captured(%[[W]] : tensor<3x3xf64>) attributes {max_iterations = 50 : i64, tolerance = 1.000000e-09 : f64} -> tensor<3xf64>, tensor<3x3xf64> {
// CHECK: ^bb0(%[[S:.*]]: tensor<3xf64>):
// CHECK: tl.einsum "ij,j->i" %[[W]], %[[S]]
// CHECK: } adjoint {
// CHECK: ^bb0(%[[S2:.*]]: tensor<3xf64>, %[[L:.*]]: tensor<3xf64>):
// CHECK: %[[J:.*]] = tl.einsum "ij,j->i" %[[W]], %[[S2]]
// CHECK: %[[T:.*]] = tl.unary tanh %[[J]]
// CHECK: tl.yield %{{.*}}, %{{.*}} : tensor<3xf64>, tensor<3x3xf64>
// CHECK: return %[[G]]#1, %[[G]]#0
func.func @main(%w: tensor<3x3xf64> {tl.name = "w"}, %x0: tensor<3xf64> {tl.name = "x0"}) -> (tensor<3xf64> {tl.name = "x"}) {
  %half = tl.constant dense<0.5> : tensor<f64>
  %x = tl.fixpoint (%s = %x0) : tensor<3xf64> attributes {tolerance = 1.0e-9 : f64, max_iterations = 50 : i64} {
    %j = tl.einsum "ij,j->i" %w, %s : (tensor<3x3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %t = tl.unary tanh %j : tensor<3xf64>
    %h = tl.binary multiply %t, %half : tensor<3xf64>, tensor<f64> -> tensor<3xf64>
    tl.yield %h : tensor<3xf64>
  }
  return %x : tensor<3xf64>
}
