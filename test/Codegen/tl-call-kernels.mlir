// RUN: tl-opt --tl-call-kernels %s | FileCheck %s

// Marked matmuls become calls to the runtime's GEMMs by element type and
// batching, operands cast to fully dynamic strided memrefs; a transposed
// operand is passed as a transposed view. Unmarked ones stay. (The
// declarations come first in the module.)
// CHECK-DAG: func.func private @tl_rt_sgemm(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>)
// CHECK-DAG: func.func private @tl_rt_dgemm(memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?x?xf64, strided<[?, ?], offset: ?>>)
// CHECK-DAG: func.func private @tl_rt_fixpoint_diverged(i64, i64, f64, f64)
// CHECK-DAG: func.func private @tl_rt_batch_dgemm(memref<?x?x?xf64, strided<[?, ?, ?], offset: ?>>,
// CHECK-LABEL: func.func @calls
// CHECK: call @tl_rt_sgemm
// CHECK: memref.transpose %arg4
// CHECK: call @tl_rt_dgemm
// CHECK: call @tl_rt_batch_dgemm
// CHECK: linalg.matmul ins
// CHECK-NOT: call @tl_rt_{{.*}}gemm
func.func @calls(%a: memref<8x4xf32>, %b: memref<4x8xf32>, %c: memref<8x8xf32>,
                 %d: memref<8x4xf64>, %e: memref<8x4xf64>, %f: memref<8x8xf64>,
                 %g: memref<2x8x4xf64>, %h: memref<2x4x8xf64>, %i: memref<2x8x8xf64>) {
  linalg.matmul {tl.kernel = "onednn"} ins(%a, %b : memref<8x4xf32>, memref<4x8xf32>) outs(%c : memref<8x8xf32>)
  linalg.matmul_transpose_b {tl.kernel = "blas"} ins(%d, %e : memref<8x4xf64>, memref<8x4xf64>) outs(%f : memref<8x8xf64>)
  linalg.batch_matmul {tl.kernel = "blas"} ins(%g, %h : memref<2x8x4xf64>, memref<2x4x8xf64>) outs(%i : memref<2x8x8xf64>)
  linalg.matmul ins(%a, %b : memref<8x4xf32>, memref<4x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// A fixpoint that ran out of iterations reports to the runtime: its site,
// the iterations, the change left and the tolerance.
// CHECK-LABEL: func.func @no_fixpoint
// CHECK-SAME: (%[[K:.*]]: i64, %[[C:.*]]: f64)
// CHECK-DAG: %[[SITE:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[TOL:.*]] = arith.constant 1.000000e-03 : f64
// CHECK: call @tl_rt_fixpoint_diverged(%[[SITE]], %[[K]], %[[C]], %[[TOL]]) : (i64, i64, f64, f64) -> ()
// CHECK-NOT: tl.no_fixpoint
func.func @no_fixpoint(%k: i64, %c: f64) {
  tl.no_fixpoint %k, %c {site = 2 : i64, tolerance = 1.0e-3 : f64}
  return
}

// With `warn` (the fixpoint's warn_at_limit) the same event is a warning:
// the call succeeds.
// CHECK-LABEL: func.func @limit_warning
// CHECK: call @tl_rt_fixpoint_limit_reached(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, f64, f64) -> ()
// CHECK-NOT: tl_rt_fixpoint_diverged
func.func @limit_warning(%k: i64, %c: f64) {
  tl.no_fixpoint %k, %c {site = 0 : i64, tolerance = 0.0 : f64, warn}
  return
}

// The semi-naive closure kernel: both buffers in any layout, then start,
// max_iterations, site and tolerance; a non-zero result is `applied`.
// CHECK-LABEL: func.func @closure
// CHECK-SAME: (%[[E:.*]]: memref<8x8xf64>, %[[R:.*]]: memref<8x8xf64>)
// CHECK-DAG: %[[CE:.*]] = memref.cast %[[E]] : memref<8x8xf64> to memref<?x?xf64, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[CR:.*]] = memref.cast %[[R]] : memref<8x8xf64> to memref<?x?xf64, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[START:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[MAX:.*]] = arith.constant 50 : i64
// CHECK-DAG: %[[SITE:.*]] = arith.constant 4 : i64
// CHECK: %[[RES:.*]] = call @tl_rt_closure_f64(%[[CE]], %[[CR]], %[[START]], %[[MAX]], %[[SITE]], %{{.*}}) : (memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?x?xf64, strided<[?, ?], offset: ?>>, i64, i64, i64, f64) -> i64
// CHECK: %[[OK:.*]] = arith.cmpi ne, %[[RES]], %{{.*}} : i64
// CHECK: return %[[OK]]
// CHECK-NOT: tl.semi_naive_closure
func.func @closure(%e: memref<8x8xf64>, %r: memref<8x8xf64>) -> i1 {
  %ok = tl.semi_naive_closure %e into %r {max_iterations = 50 : i64, site = 4 : i64, start = 1 : i64, tolerance = 0.0 : f64} : memref<8x8xf64>, memref<8x8xf64>
  return %ok : i1
}

// The linear-rule kernel: base, left, right and result in any layout, an
// absent factor passed as the base with its has_* flag 0, then
// max_iterations, site and tolerance.
// CHECK-LABEL: func.func @linear_rule
// CHECK-SAME: (%[[B:.*]]: memref<8x8xf32>, %[[M:.*]]: memref<8x8xf32>, %[[R:.*]]: memref<8x8xf32>)
// CHECK-DAG: %[[CB:.*]] = memref.cast %[[B]] : memref<8x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[CB2:.*]] = memref.cast %[[B]] : memref<8x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[CM:.*]] = memref.cast %[[M]] : memref<8x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[CR:.*]] = memref.cast %[[R]] : memref<8x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG: %[[NO:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[YES:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[MAX:.*]] = arith.constant 12 : i64
// CHECK-DAG: %[[SITE:.*]] = arith.constant 3 : i64
// CHECK: %[[RES:.*]] = call @tl_rt_linear_rule_f32(%[[CB]], %[[CB2]], %[[CM]], %[[CR]], %[[NO]], %[[YES]], %[[MAX]], %[[SITE]], %{{.*}}) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i64, i64, i64, i64, f64) -> i64
// CHECK: %[[OK:.*]] = arith.cmpi ne, %[[RES]], %{{.*}} : i64
// CHECK: return %[[OK]]
// CHECK-NOT: tl.semi_naive_rule
func.func @linear_rule(%b: memref<8x8xf32>, %m: memref<8x8xf32>, %r: memref<8x8xf32>) -> i1 {
  %ok = tl.semi_naive_rule %b right %m : memref<8x8xf32> into %r {max_iterations = 12 : i64, site = 3 : i64, tolerance = 0.0 : f64} : memref<8x8xf32>, memref<8x8xf32>
  return %ok : i1
}
