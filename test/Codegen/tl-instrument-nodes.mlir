// RUN: tl-opt --tl-instrument-nodes %s | FileCheck %s

// Each run of work ops of one node is bracketed by span calls whose id
// indexes the module's tl.profile_nodes. A loop (a compiled tl.fixpoint)
// gets no span of its own: its body's ops get theirs, so every iteration
// is timed.
// CHECK: module attributes {tl.profile_nodes = ["node 0 (Einsum 'ab->ab')", "node 1/0 (Einsum 'xy,yz->xz')"]}
// CHECK-LABEL: func.func @fixpoint
// CHECK: %[[ID0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @tl_rt_span_begin(%[[ID0]])
// CHECK-NEXT: memref.copy %arg0, %arg1
// CHECK-NEXT: call @tl_rt_span_end(%[[ID0]])
// CHECK-NOT: call @tl_rt_span_begin
// CHECK: scf.while
// CHECK-NEXT: %[[ID1:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @tl_rt_span_begin(%[[ID1]])
// CHECK-NEXT: memref.copy %arg1, %arg0
// CHECK-NEXT: call @tl_rt_span_end(%[[ID1]])
// CHECK: scf.condition
// CHECK-NOT: call @tl_rt_span
// CHECK: return
func.func @fixpoint(%a: memref<4xf64>, %b: memref<4xf64>, %n: i64) {
  memref.copy %a, %b : memref<4xf64> to memref<4xf64> loc("node 0 (Einsum 'ab->ab')")
  %c0 = arith.constant 0 : i64
  %r = scf.while (%k = %c0) : (i64) -> i64 {
    memref.copy %b, %a : memref<4xf64> to memref<4xf64> loc("node 1/0 (Einsum 'xy,yz->xz')")
    %more = arith.cmpi slt, %k, %n : i64
    scf.condition(%more) %k : i64
  } do {
  ^bb0(%k2: i64):
    %c1 = arith.constant 1 : i64
    %next = arith.addi %k2, %c1 : i64
    scf.yield %next : i64
  }
  return
}
