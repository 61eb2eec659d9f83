// RUN: tl-opt %s --split-input-file --tl-gpu-map-to-threads | FileCheck %s
// RUN: not tl-opt %s --split-input-file --tl-gpu-map-to-threads=block-size=2000 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: tl-gpu-map-to-threads: block-size must be 1..1024, not 2000

// Rows of a row sum: one thread per row, the row's loop inside it; 64 rows
// fill one block of 64 threads.
// CHECK-LABEL: func.func @rows
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} to %c300
// CHECK: processor = thread_x
// CHECK: processor = block_x
#rowsum = [affine_map<(a, b) -> (a, b)>, affine_map<(a, b) -> (a)>]
func.func @rows(%r: memref<64x300xf32>, %out: memref<64xf32>) {
  linalg.generic {indexing_maps = #rowsum, iterator_types = ["parallel", "reduction"]}
      ins(%r : memref<64x300xf32>) outs(%out : memref<64xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A reduction loop outside the parallel one is moved inside: no host loop
// of launches.
// CHECK-LABEL: func.func @cols
// CHECK-NOT: scf.for
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} to %c300
// CHECK: memref.load %arg0[%{{.*}}, %{{.*}}] : memref<300x64xf32>
#colsum = [affine_map<(b, a) -> (b, a)>, affine_map<(b, a) -> (a)>]
func.func @cols(%r: memref<300x64xf32>, %out: memref<64xf32>) {
  linalg.generic {indexing_maps = #colsum, iterator_types = ["reduction", "parallel"]}
      ins(%r : memref<300x64xf32>) outs(%out : memref<64xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A reduction to a scalar has no parallel loop: it runs in a one-thread
// launch, so the host function only launches.
// CHECK-LABEL: func.func @total
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c1{{.*}}) step
// CHECK-NEXT: scf.for
// CHECK: {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NEXT: return
func.func @total(%r: memref<300xf64>, %out: memref<f64>) {
  linalg.generic {indexing_maps = [affine_map<(a) -> (a)>, affine_map<(a) -> ()>], iterator_types = ["reduction"]}
      ins(%r : memref<300xf64>) outs(%out : memref<f64>) {
  ^bb0(%x: f64, %acc: f64):
    %s = arith.addf %x, %acc : f64
    linalg.yield %s : f64
  }
  return
}

// -----

// 300 elements in blocks of 256 threads: the last block's extra threads
// do nothing.
// CHECK-LABEL: func.func @odd
// CHECK: arith.cmpi ult, %{{.*}}, %c300
// CHECK: scf.if
func.func @odd(%a: memref<300xf32>, %out: memref<300xf32>) {
  linalg.copy ins(%a : memref<300xf32>) outs(%out : memref<300xf32>)
  return
}

// -----

// Rank 4: the innermost dims get threads x, y, z (5 x 2 x 3 <= 256), the
// outermost runs sequentially in each thread.
// CHECK-LABEL: func.func @rank4
// CHECK: processor = sequential{{.*}}processor = thread_z{{.*}}processor = thread_y{{.*}}processor = thread_x
// CHECK: processor = sequential{{.*}}processor = block_z{{.*}}processor = block_y{{.*}}processor = block_x
func.func @rank4(%a: memref<4x3x2x5xf64>, %out: memref<4x3x2x5xf64>) {
  linalg.copy ins(%a : memref<4x3x2x5xf64>) outs(%out : memref<4x3x2x5xf64>)
  return
}
