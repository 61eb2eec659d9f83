// RUN: tl-opt %s --split-input-file --tl-write-results-in-place | FileCheck %s

// The allocation copied into the out-parameter right before the return is
// replaced by the out-parameter: no allocation, no copy.
// CHECK-LABEL: func.func @direct
// CHECK-NOT: memref.alloc
// CHECK: linalg.fill ins(%{{.*}} : f64) outs(%arg1 : memref<4xf64>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @direct(%arg0: memref<4xf64>, %arg1: memref<4xf64>) {
  %cst = arith.constant 0.0 : f64
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<4xf64>
  linalg.fill ins(%cst : f64) outs(%alloc : memref<4xf64>)
  memref.copy %alloc, %arg1 : memref<4xf64> to memref<4xf64>
  return
}

// -----

// Tiled loops carry the allocation and yield it back (nested too): the
// loops carry the out-parameter instead.
// CHECK-LABEL: func.func @carried
// CHECK-NOT: memref.alloc
// CHECK: scf.for {{.*}} iter_args(%[[A:[a-z0-9]+]] = %arg1)
// CHECK: scf.for {{.*}} iter_args(%{{[a-z0-9]+}} = %[[A]])
// CHECK-NOT: memref.copy
// CHECK: return
func.func @carried(%arg0: memref<8xf64>, %arg1: memref<8xf64>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<8xf64>
  %0 = scf.for %i = %c0 to %c8 step %c4 iter_args(%b = %alloc) -> (memref<8xf64>) {
    %1 = scf.for %j = %c0 to %c4 step %c2 iter_args(%c = %b) -> (memref<8xf64>) {
      %k = arith.addi %i, %j : index
      %v = memref.load %arg0[%k] : memref<8xf64>
      memref.store %v, %c[%k] : memref<8xf64>
      scf.yield %c : memref<8xf64>
    }
    scf.yield %1 : memref<8xf64>
  }
  memref.copy %0, %arg1 : memref<8xf64> to memref<8xf64>
  return
}

// -----

// A loop that yields another buffer than the one it was given, or an
// out-parameter used elsewhere too, keeps its copy.
// CHECK-LABEL: func.func @kept
// CHECK: memref.alloc
// CHECK: memref.copy
// CHECK: memref.copy
func.func @kept(%arg0: memref<8xf64>, %arg1: memref<8xf64>, %arg2: memref<8xf64>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<8xf64>
  %0 = scf.for %i = %c0 to %c8 step %c8 iter_args(%b = %alloc) -> (memref<8xf64>) {
    scf.yield %arg0 : memref<8xf64>
  }
  %v = memref.load %arg2[%c0] : memref<8xf64>
  memref.copy %alloc, %arg2 : memref<8xf64> to memref<8xf64>
  memref.copy %0, %arg1 : memref<8xf64> to memref<8xf64>
  return
}

// -----

// The GPU pipeline's copies are linalg.copy (a kernel): removed the same way.
// CHECK-LABEL: func.func @linalg_copy
// CHECK-NOT: memref.alloc
// CHECK: linalg.fill ins(%{{.*}} : f64) outs(%arg1 : memref<4xf64>)
// CHECK-NOT: linalg.copy
// CHECK: return
func.func @linalg_copy(%arg0: memref<4xf64>, %arg1: memref<4xf64>) {
  %cst = arith.constant 0.0 : f64
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<4xf64>
  linalg.fill ins(%cst : f64) outs(%alloc : memref<4xf64>)
  linalg.copy ins(%alloc : memref<4xf64>) outs(%arg1 : memref<4xf64>)
  return
}
