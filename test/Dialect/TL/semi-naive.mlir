// RUN: tl-opt --tl-semi-naive --split-input-file %s | FileCheck %s

// Reachability as the equation front end writes it: the state starts at
// zeros (a broadcast scalar), the join grows paths at their end.
// CHECK-LABEL: func.func @reach
// CHECK: tl.fixpoint
// CHECK-SAME: tl.semi_naive
func.func @reach(%e: tensor<6x6xf32>) -> tensor<6x6xf32> {
  %z = tl.constant dense<0.0> : tensor<f32>
  %0 = tl.einsum "->ab" %z : (tensor<f32>) -> tensor<6x6xf32>
  %1 = tl.fixpoint (%r = %0) : tensor<6x6xf32> {
    %2 = tl.einsum "ab,bc->ac" %r, %e : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %3 = tl.binary add %e, %2 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %4 = tl.unary step %3 : tensor<6x6xf32>
    tl.yield %4 : tensor<6x6xf32>
  }
  return %1 : tensor<6x6xf32>
}

// -----

// Paths grown at their start (E R), the sum in the other order, a state
// started at the relation itself, a zero splat, other index names.
// CHECK-LABEL: func.func @left_linear
// CHECK-COUNT-2: tl.semi_naive
func.func @left_linear(%e: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<4x4xf64>) {
  %0 = tl.fixpoint (%r = %e) : tensor<?x?xf64> {
    %1 = tl.einsum "pq,qs->ps" %e, %r : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
    %2 = tl.binary add %1, %e : tensor<?x?xf64>, tensor<?x?xf64> -> tensor<?x?xf64>
    %3 = tl.unary step %2 : tensor<?x?xf64>
    tl.yield %3 : tensor<?x?xf64>
  }
  %z = tl.constant dense<0.0> : tensor<4x4xf64>
  %c = tl.constant dense<1.0> : tensor<4x4xf64>
  %4 = tl.fixpoint (%r = %z) : tensor<4x4xf64> {
    %5 = tl.einsum "ij,jk->ik" %r, %c : (tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
    %6 = tl.binary add %c, %5 : tensor<4x4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>
    %7 = tl.unary step %6 : tensor<4x4xf64>
    tl.yield %7 : tensor<4x4xf64>
  }
  return %0, %4 : tensor<?x?xf64>, tensor<4x4xf64>
}

// -----

// Not closures: the kernel would compute something else.
// CHECK-LABEL: func.func @others
// CHECK-NOT: tl.semi_naive
func.func @others(%e: tensor<5x5xf32>, %s: tensor<5x5xf32>) -> (tensor<5x5xf32>, tensor<5x5xf32>, tensor<5x5xf32>, tensor<5x5xf32>, tensor<5x5xf32>) {
  // A state that starts elsewhere than zeros or E.
  %0 = tl.fixpoint (%r = %s) : tensor<5x5xf32> {
    %1 = tl.einsum "ab,bc->ac" %r, %e : (tensor<5x5xf32>, tensor<5x5xf32>) -> tensor<5x5xf32>
    %2 = tl.binary add %e, %1 : tensor<5x5xf32>, tensor<5x5xf32> -> tensor<5x5xf32>
    %3 = tl.unary step %2 : tensor<5x5xf32>
    tl.yield %3 : tensor<5x5xf32>
  }
  // A tolerance of 1 stops a 0/1 state after the first iteration.
  %4 = tl.fixpoint (%r = %e) : tensor<5x5xf32> attributes {tolerance = 1.0 : f64} {
    %5 = tl.einsum "ab,bc->ac" %r, %e : (tensor<5x5xf32>, tensor<5x5xf32>) -> tensor<5x5xf32>
    %6 = tl.binary add %e, %5 : tensor<5x5xf32>, tensor<5x5xf32> -> tensor<5x5xf32>
    %7 = tl.unary step %6 : tensor<5x5xf32>
    tl.yield %7 : tensor<5x5xf32>
  }
  // The transposed join R[x,y] E[z,y] is not a path.
  %8 = tl.fixpoint (%r = %e) : tensor<5x5xf32> {
    %9 = tl.einsum "ab,cb->ac" %r, %e : (tensor<5x5xf32>, tensor<5x5xf32>) -> tensor<5x5xf32>
    %10 = tl.binary add %e, %9 : tensor<5x5xf32>, tensor<5x5xf32> -> tensor<5x5xf32>
    %11 = tl.unary step %10 : tensor<5x5xf32>
    tl.yield %11 : tensor<5x5xf32>
  }
  // The sum adds another relation than the join's.
  %12 = tl.fixpoint (%r = %e) : tensor<5x5xf32> {
    %13 = tl.einsum "ab,bc->ac" %r, %e : (tensor<5x5xf32>, tensor<5x5xf32>) -> tensor<5x5xf32>
    %14 = tl.binary add %s, %13 : tensor<5x5xf32>, tensor<5x5xf32> -> tensor<5x5xf32>
    %15 = tl.unary step %14 : tensor<5x5xf32>
    tl.yield %15 : tensor<5x5xf32>
  }
  // relu instead of step: real-valued, not a 0/1 relation.
  %16 = tl.fixpoint (%r = %e) : tensor<5x5xf32> {
    %17 = tl.einsum "ab,bc->ac" %r, %e : (tensor<5x5xf32>, tensor<5x5xf32>) -> tensor<5x5xf32>
    %18 = tl.binary add %e, %17 : tensor<5x5xf32>, tensor<5x5xf32> -> tensor<5x5xf32>
    %19 = tl.unary relu %18 : tensor<5x5xf32>
    tl.yield %19 : tensor<5x5xf32>
  }
  return %0, %4, %8, %12, %16 : tensor<5x5xf32>, tensor<5x5xf32>, tensor<5x5xf32>, tensor<5x5xf32>, tensor<5x5xf32>
}

// -----

// The relation is computed in the body: it could change per iteration.
// CHECK-LABEL: func.func @relation_in_body
// CHECK-NOT: tl.semi_naive
func.func @relation_in_body(%e: tensor<5x5xf32>) -> tensor<5x5xf32> {
  %0 = tl.fixpoint (%r = %e) : tensor<5x5xf32> {
    %1 = tl.unary relu %e : tensor<5x5xf32>
    %2 = tl.einsum "ab,bc->ac" %r, %1 : (tensor<5x5xf32>, tensor<5x5xf32>) -> tensor<5x5xf32>
    %3 = tl.binary add %1, %2 : tensor<5x5xf32>, tensor<5x5xf32> -> tensor<5x5xf32>
    %4 = tl.unary step %3 : tensor<5x5xf32>
    tl.yield %4 : tensor<5x5xf32>
  }
  return %0 : tensor<5x5xf32>
}

// -----

// A closure that returns its states at the limit with a warning needs
// the partial closure after max_iterations steps, which the loop computes
// and the kernel does not: left unmarked.
// CHECK-LABEL: func.func @warn_at_limit
// CHECK-NOT: tl.semi_naive
func.func @warn_at_limit(%e: tensor<6x6xf32>) -> tensor<6x6xf32> {
  %z = tl.constant dense<0.0> : tensor<6x6xf32>
  %1 = tl.fixpoint (%r = %z) : tensor<6x6xf32> attributes {max_iterations = 3 : i64, warn_at_limit} {
    %2 = tl.einsum "ab,bc->ac" %r, %e : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %3 = tl.binary add %e, %2 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %4 = tl.unary step %3 : tensor<6x6xf32>
    tl.yield %4 : tensor<6x6xf32>
  }
  return %1 : tensor<6x6xf32>
}

// -----

// Other rules linear in the state over the Boolean semiring,
// R = step(B + L R M) from zeros: same generation as tl-order-contractions
// leaves it (B = T^T T in the body, T^T R T split in two), reachability
// from given pairs (B is not the relation), and a general B + A R C.
// CHECK-LABEL: func.func @linear_rules
// CHECK-COUNT-3: tl.semi_naive
func.func @linear_rules(%t: tensor<6x6xf32>, %b: tensor<6x6xf32>, %c: tensor<6x6xf32>) -> (tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>) {
  %z = tl.constant dense<0.0> : tensor<f32>
  %0 = tl.einsum "->ab" %z : (tensor<f32>) -> tensor<6x6xf32>
  %1 = tl.fixpoint (%s = %0) : tensor<6x6xf32> {
    %2 = tl.einsum "ab,ac->bc" %t, %t : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %3 = tl.einsum "ab,ad->bd" %t, %s : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %4 = tl.einsum "bd,dc->bc" %3, %t : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %5 = tl.binary add %2, %4 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %6 = tl.unary step %5 : tensor<6x6xf32>
    tl.yield %6 : tensor<6x6xf32>
  }
  %7 = tl.fixpoint (%s = %0) : tensor<6x6xf32> {
    %8 = tl.einsum "xz,zy->xy" %s, %t : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %9 = tl.binary add %8, %b : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %10 = tl.unary step %9 : tensor<6x6xf32>
    tl.yield %10 : tensor<6x6xf32>
  }
  %11 = tl.fixpoint (%s = %0) : tensor<6x6xf32> {
    %12 = tl.einsum "xp,pq,qy->xy" %t, %s, %c : (tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %13 = tl.binary add %b, %12 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %14 = tl.unary step %13 : tensor<6x6xf32>
    tl.yield %14 : tensor<6x6xf32>
  }
  return %1, %7, %11 : tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>
}

// -----

// Not linear rules the kernel computes: the state joined with itself, a
// join under max-plus (not the pattern's join), another op reading the
// state, a rectangular state.
// CHECK-LABEL: func.func @not_linear
// CHECK-NOT: tl.semi_naive
func.func @not_linear(%t: tensor<6x6xf32>, %w: tensor<4x6xf32>) -> (tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>, tensor<4x6xf32>) {
  %z = tl.constant dense<0.0> : tensor<f32>
  %0 = tl.einsum "->ab" %z : (tensor<f32>) -> tensor<6x6xf32>
  %1 = tl.fixpoint (%s = %0) : tensor<6x6xf32> {
    %2 = tl.einsum "xp,pq,qy->xy" %s, %s, %t : (tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %3 = tl.binary add %t, %2 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %4 = tl.unary step %3 : tensor<6x6xf32>
    tl.yield %4 : tensor<6x6xf32>
  }
  %5 = tl.fixpoint (%s = %0) : tensor<6x6xf32> {
    %6 = tl.einsum "xz,zy->xy" combine add reduce max %s, %t : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %7 = tl.binary add %t, %6 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %8 = tl.unary step %7 : tensor<6x6xf32>
    tl.yield %8 : tensor<6x6xf32>
  }
  %9 = tl.fixpoint (%s = %0) : tensor<6x6xf32> {
    %10 = tl.einsum "xz,zy->xy" %s, %t : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6xf32>
    %11 = tl.unary relu %s : tensor<6x6xf32>
    %12 = tl.binary add %11, %10 : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
    %13 = tl.unary step %12 : tensor<6x6xf32>
    tl.yield %13 : tensor<6x6xf32>
  }
  %zw = tl.constant dense<0.0> : tensor<4x6xf32>
  %14 = tl.fixpoint (%s = %zw) : tensor<4x6xf32> {
    %15 = tl.einsum "xz,zy->xy" %s, %t : (tensor<4x6xf32>, tensor<6x6xf32>) -> tensor<4x6xf32>
    %16 = tl.binary add %w, %15 : tensor<4x6xf32>, tensor<4x6xf32> -> tensor<4x6xf32>
    %17 = tl.unary step %16 : tensor<4x6xf32>
    tl.yield %17 : tensor<4x6xf32>
  }
  return %1, %5, %9, %14 : tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>, tensor<4x6xf32>
}
