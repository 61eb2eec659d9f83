// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg | FileCheck %s

// A fixpoint is an scf.while on tensors that carries the states and an
// iteration count: the before-region runs the body (converted like any
// other tl ops), reduces the change of every state to one f64 with the
// reference's NaN rule, and goes on while it is above the tolerance and
// fewer than max_iterations ran. Leaving still changing reports the
// failure with the op's site number.
// CHECK-LABEL: func.func @closure
// CHECK-SAME: (%[[E:.*]]: tensor<4x4xf64>
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[LOOP:.*]]:3 = scf.while (%[[S:.*]] = %[[E]], %[[K:.*]] = %[[ZERO]]) : (tensor<4x4xf64>, i64) -> (tensor<4x4xf64>, i64, f64) {
// CHECK: %[[J:.*]] = linalg.matmul ins(%[[S]], %[[E]] :
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: %[[NEXT:.*]] = linalg.generic
// CHECK: arith.select
// CHECK: %[[DIFF:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[S]], %[[NEXT]] : tensor<4x4xf64>, tensor<4x4xf64>) outs(%{{.*}} : tensor<f64>)
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpf uno
// CHECK: arith.maxnumf
// CHECK: %[[C:.*]] = tensor.extract %[[DIFF]][] : tensor<f64>
// CHECK: %[[CHANGE:.*]] = arith.maxnumf %{{.*}}, %[[C]] : f64
// CHECK: %[[COUNT:.*]] = arith.addi %[[K]], %{{.*}} : i64
// CHECK: %[[MOVING:.*]] = arith.cmpf ogt, %[[CHANGE]], %[[TOL:.*]] : f64
// CHECK: %[[ROOM:.*]] = arith.cmpi slt, %[[COUNT]], %{{.*}} : i64
// CHECK: %[[MORE:.*]] = arith.andi %[[MOVING]], %[[ROOM]] : i1
// CHECK: scf.condition(%[[MORE]]) %[[NEXT]], %[[COUNT]], %[[CHANGE]] : tensor<4x4xf64>, i64, f64
// CHECK: } do {
// CHECK: ^bb0(%[[N:.*]]: tensor<4x4xf64>, %[[N1:.*]]: i64, %{{.*}}: f64):
// CHECK: scf.yield %[[N]], %[[N1]] : tensor<4x4xf64>, i64
// CHECK: %[[FAILED:.*]] = arith.cmpf ogt, %[[LOOP]]#2, %{{.*}} : f64
// CHECK: scf.if %[[FAILED]] {
// CHECK: tl.no_fixpoint %[[LOOP]]#1, %[[LOOP]]#2 {site = 3 : i64, tolerance = 0.000000e+00 : f64}
// CHECK: return %[[LOOP]]#0
func.func @closure(%e: tensor<4x4xf64>) -> tensor<4x4xf64> {
  %r = tl.fixpoint (%s = %e) : tensor<4x4xf64>
      attributes {max_iterations = 10 : i64, tl.fixpoint_site = 3 : i64} {
    %j = tl.einsum "xy,yz->xz" %s, %e : (tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
    %a = tl.binary add %e, %j : tensor<4x4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>
    %n = tl.unary step %a : tensor<4x4xf64>
    tl.yield %n : tensor<4x4xf64>
  }
  return %r : tensor<4x4xf64>
}

// -----

// Two states, f32: elements are widened to f64 before they are compared
// (the difference of two floats is exact there, as in the reference
// evaluator) and the largest change of all states decides; a fixpoint
// nested in another's body is a loop in the outer loop's before-region.
// Without tl.fixpoint_site the report says -1.
// CHECK-LABEL: func.func @nested
// CHECK: scf.while {{.*}} -> (tensor<3xf32>, tensor<3xf32>, i64, f64)
// CHECK: scf.while {{.*}} -> (tensor<3xf32>, i64, f64)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<f64>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f64):
// CHECK-NEXT: arith.extf %[[X]] : f32 to f64
// CHECK-NEXT: arith.extf %[[Y]] : f32 to f64
// CHECK: scf.condition
// CHECK: tl.no_fixpoint %{{.*}}, %{{.*}} {site = -1 : i64, tolerance = 1.000000e-03 : f64}
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: scf.condition
// CHECK: tl.no_fixpoint %{{.*}}, %{{.*}} {site = -1 : i64, tolerance = 0.000000e+00 : f64}
func.func @nested(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = tl.fixpoint (%a = %x, %b = %x) : tensor<3xf32>, tensor<3xf32> {
    %inner = tl.fixpoint (%c = %a) : tensor<3xf32>
        attributes {tolerance = 1.0e-3 : f64} {
      %h = tl.unary sqrt %c : tensor<3xf32>
      tl.yield %h : tensor<3xf32>
    }
    %m = tl.binary min %inner, %b : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
    tl.yield %m, %inner : tensor<3xf32>, tensor<3xf32>
  }
  return %r#0 : tensor<3xf32>
}

// -----

// A closure tl-semi-naive marked: the runtime's semi-naive kernel writes a
// new buffer from the relation's (passed in any layout, not copied), and
// the plain loop runs only where it declines (a relation not >= 0 and
// finite), storing into the same buffer; so does the computation of the
// loop's first state. The loop keeps the op's site and limits.
// CHECK-LABEL: func.func @semi_naive
// CHECK-SAME: (%[[E:.*]]: tensor<8x8xf32>
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<8x8xf32>
// CHECK: %[[M:.*]] = bufferization.to_memref %[[E]] read_only : memref<8x8xf32, strided<[?, ?], offset: ?>>
// CHECK: %[[OK:.*]] = tl.semi_naive_closure %[[M]] into %[[BUF]] {max_iterations = 7 : i64, site = 1 : i64, start = 0 : i64, tolerance = 0.000000e+00 : f64}
// CHECK: %[[NO:.*]] = arith.xori %[[OK]], %{{.*}} : i1
// CHECK: scf.if %[[NO]] {
// CHECK: linalg.generic
// CHECK: %[[LOOP:.*]]:3 = scf.while
// CHECK: linalg.matmul
// CHECK: tl.no_fixpoint {{.*}} {site = 1 : i64
// CHECK: bufferization.materialize_in_destination %[[LOOP]]#0 in restrict writable %[[BUF]]
// CHECK: }
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[BUF]] restrict writable
// CHECK: return %[[R]]
func.func @semi_naive(%e: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %z = tl.constant dense<0.0> : tensor<f32>
  %i = tl.einsum "->ab" %z : (tensor<f32>) -> tensor<8x8xf32>
  %r = tl.fixpoint (%s = %i) : tensor<8x8xf32>
      attributes {max_iterations = 7 : i64, tl.fixpoint_site = 1 : i64, tl.semi_naive} {
    %j = tl.einsum "xy,yz->xz" %s, %e : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    %a = tl.binary add %e, %j : tensor<8x8xf32>, tensor<8x8xf32> -> tensor<8x8xf32>
    %n = tl.unary step %a : tensor<8x8xf32>
    tl.yield %n : tensor<8x8xf32>
  }
  return %r : tensor<8x8xf32>
}

// -----

// Same generation tl-semi-naive marked, as tl-order-contractions leaves it
// (T^T T in the body, T^T R T split in two): B = T^T T runs once, in front
// of the linear-rule kernel, which reads T twice in place, as L transposed
// and as M; the loop is the fallback, into the same buffer.
// CHECK-LABEL: func.func @semi_naive_rule
// CHECK-SAME: (%[[T:.*]]: tensor<8x8xf32>
// CHECK: %[[B:.*]] = linalg.matmul
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<8x8xf32>
// CHECK: %[[BM:.*]] = bufferization.to_memref %[[B]] read_only
// CHECK: %[[TM:.*]] = bufferization.to_memref %[[T]] read_only
// CHECK: %[[L:.*]] = memref.transpose %[[TM]] (d0, d1) -> (d1, d0)
// CHECK: %[[M:.*]] = bufferization.to_memref %[[T]] read_only
// CHECK: %[[OK:.*]] = tl.semi_naive_rule %[[BM]] left %[[L]] : {{.*}} right %[[M]] : {{.*}} into %[[BUF]] {max_iterations = 9 : i64, site = 2 : i64, tolerance = 0.000000e+00 : f64}
// CHECK: %[[NO:.*]] = arith.xori %[[OK]], %{{.*}} : i1
// CHECK: scf.if %[[NO]] {
// CHECK: scf.while
// CHECK: bufferization.materialize_in_destination {{.*}} in restrict writable %[[BUF]]
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[BUF]] restrict writable
// CHECK: return %[[R]]
func.func @semi_naive_rule(%t: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %z = tl.constant dense<0.0> : tensor<f32>
  %i = tl.einsum "->ab" %z : (tensor<f32>) -> tensor<8x8xf32>
  %r = tl.fixpoint (%s = %i) : tensor<8x8xf32>
      attributes {max_iterations = 9 : i64, tl.fixpoint_site = 2 : i64, tl.semi_naive} {
    %b = tl.einsum "ab,ac->bc" %t, %t : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    %l = tl.einsum "ab,ad->bd" %t, %s : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    %j = tl.einsum "bd,dc->bc" %l, %t : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    %a = tl.binary add %b, %j : tensor<8x8xf32>, tensor<8x8xf32> -> tensor<8x8xf32>
    %n = tl.unary step %a : tensor<8x8xf32>
    tl.yield %n : tensor<8x8xf32>
  }
  return %r : tensor<8x8xf32>
}

// -----

// Same generation after tl-order-contractions: T^T T reads only values from
// above, so it runs once, before the loop, out of its fusion group.
// CHECK-LABEL: func.func @invariant
// CHECK: linalg.transpose
// CHECK: %[[BASE:.*]] = linalg.matmul
// CHECK-NOT: tl.fusion_group
// CHECK-SAME: -> tensor<5x5xf64>
// CHECK: scf.while
// CHECK: linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%[[BASE]], %{{.*}} : tensor<5x5xf64>, tensor<5x5xf64>)
// CHECK: arith.addf
// CHECK: } do {
func.func @invariant(%t: tensor<5x5xf64>) -> tensor<5x5xf64> {
  %z = tl.constant dense<0.0> : tensor<5x5xf64>
  %r = tl.fixpoint (%s = %z) : tensor<5x5xf64> {
    %b = tl.einsum "ab,ac->bc" %t, %t {tl.fusion_group = 0 : i64} : (tensor<5x5xf64>, tensor<5x5xf64>) -> tensor<5x5xf64>
    %j = tl.einsum "ab,bc->ac" %s, %t : (tensor<5x5xf64>, tensor<5x5xf64>) -> tensor<5x5xf64>
    %a = tl.binary add %b, %j {tl.fusion_group = 0 : i64} : tensor<5x5xf64>, tensor<5x5xf64> -> tensor<5x5xf64>
    %n = tl.unary step %a : tensor<5x5xf64>
    tl.yield %n : tensor<5x5xf64>
  }
  return %r : tensor<5x5xf64>
}

// -----

// A fixpoint's gradient: the fixpoint's loop for the iteration count K;
// max_iterations states of 3 f64 fit the budget, so a second pass records
// them (K x 3), and the backward loop reads state K-1-j; the captured
// value's cotangent is summed over the steps.
// CHECK-LABEL: func.func @adjoint
// CHECK: %[[LOOP:.*]]:3 = scf.while
// CHECK: tl.no_fixpoint
// CHECK: %[[K:.*]] = arith.index_cast %[[LOOP]]#1 : i64 to index
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[K]]) : tensor<?x3xf64>
// CHECK: %[[REC:.*]]:2 = scf.for %[[I:.*]] = %{{.*}} to %[[K]] step %{{.*}} iter_args(%[[S:.*]] = %{{.*}}, %[[T:.*]] = %[[EMPTY]])
// CHECK: tensor.insert_slice %[[S]] into %[[T]][%[[I]], 0] [1, 3] [1, 1] : tensor<3xf64> into tensor<?x3xf64>
// CHECK: %[[OUT:.*]]:2 = scf.for %[[J:.*]] = %{{.*}} to %[[K]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<3xf64>, tensor<f64>)
// CHECK: %[[LEFT:.*]] = arith.subi %[[K]], %[[J]]
// CHECK: %[[AT:.*]] = arith.subi %[[LEFT]], %{{.*}}
// CHECK: tensor.extract_slice %[[REC]]#1[%[[AT]], 0] [1, 3] [1, 1] : tensor<?x3xf64> to tensor<3xf64>
// CHECK: linalg.generic
// CHECK: scf.yield
// CHECK: return %[[OUT]]#0, %[[OUT]]#1
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

// -----

// warn_at_limit: the same loop and test, the report marked `warn`.
// CHECK-LABEL: func.func @warn_at_limit
// CHECK: scf.while
// CHECK: tl.no_fixpoint %{{.*}}, %{{.*}} {site = -1 : i64, tolerance = 0.000000e+00 : f64, warn}
func.func @warn_at_limit(%x: tensor<3xf64>) -> tensor<3xf64> {
  %r = tl.fixpoint (%s = %x) : tensor<3xf64> attributes {max_iterations = 3 : i64, warn_at_limit} {
    %d = tl.binary add %s, %s : tensor<3xf64>, tensor<3xf64> -> tensor<3xf64>
    tl.yield %d : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

// 10^8 states of 3 f64 do not fit: the backward loop's body replays k
// steps from the init (an inner loop) instead of reading a record.
// CHECK-LABEL: func.func @adjoint_replay
// CHECK: %[[LOOP:.*]]:3 = scf.while
// CHECK: %[[K:.*]] = arith.index_cast %[[LOOP]]#1 : i64 to index
// CHECK-NOT: tensor.empty
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[K]] step
// CHECK: %[[LEFT:.*]] = arith.subi %[[K]], %[[J]]
// CHECK: %[[STEPS:.*]] = arith.subi %[[LEFT]], %{{.*}}
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[STEPS]] step
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @adjoint_replay(%x: tensor<3xf64>, %c: tensor<f64>, %ct: tensor<3xf64>) -> (tensor<3xf64>, tensor<f64>) {
  %g:2 = tl.fixpoint_adjoint (%x : tensor<3xf64>) cotangents (%ct : tensor<3xf64>) captured (%c : tensor<f64>) attributes {max_iterations = 100000000 : i64, tolerance = 1.0e-3 : f64} -> tensor<3xf64>, tensor<f64> {
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
