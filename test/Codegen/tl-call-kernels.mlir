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
