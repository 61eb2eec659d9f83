// RUN: tl-opt %s --split-input-file --tl-parallelize="threads=2" --canonicalize | FileCheck %s

// Fusion groups: a contraction, its element-wise epilogue and the
// reduction that consumes it form one group, one scf.forall over 8 chunks
// of 32 rows (2 threads x 4 chunks). Each chunk computes its rows of the
// matmul, the sigmoid and the row sums while they are in cache; nothing of
// 256x256 is left outside the loop.
// CHECK-LABEL: func.func @matmul_epilogue_reduce
// CHECK: scf.forall (%[[I:.*]]) = (0) to (256) step (32)
// CHECK: linalg.fill {{.*}} -> tensor<32x256xf32>
// CHECK: linalg.matmul {{.*}} -> tensor<32x256xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<32x256xf32>)
// CHECK: linalg.reduce
// CHECK: tensor.parallel_insert_slice {{.*}} tensor<32xf32> into tensor<256xf32>
// CHECK-NOT: scf.forall
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @matmul_epilogue_reduce(%a: tensor<256x128xf32>, %b: tensor<128x256xf32>) -> tensor<256xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<256x128xf32>, tensor<128x256xf32>) outs(%init : tensor<256x256xf32>) -> tensor<256x256xf32>
  %e2 = tensor.empty() : tensor<256x256xf32>
  %sig = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<256x256xf32>) outs(%e2 : tensor<256x256xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<256x256xf32>
  %e3 = tensor.empty() : tensor<256xf32>
  %init3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<256xf32>) -> tensor<256xf32>
  %sum = linalg.reduce { arith.addf } ins(%sig : tensor<256x256xf32>) outs(%init3 : tensor<256xf32>) dimensions = [1]
  return %sum : tensor<256xf32>
}

// -----

// A producer that another op also reads is not fused (it would be
// recomputed or written twice): two groups. Both touch each element once
// (bandwidth-bound), so each runs as one chunk per thread: 2 chunks of
// 256 rows, not 8. Ops below min-work stay serial, and a library kernel
// (tl.kernel) is left to the library.
// CHECK-LABEL: func.func @shared_producer
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (256)
// CHECK: linalg.generic
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (256)
// CHECK: linalg.reduce
// CHECK: linalg.matmul {tl.kernel = "onednn"}
// CHECK-NOT: scf.forall
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_producer(%x: tensor<512x512xf32>, %p: tensor<64x64xf32>) -> (tensor<512x512xf32>, tensor<512xf32>, tensor<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x512xf32>
  %neg = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<512x512xf32>) outs(%e : tensor<512x512xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<512x512xf32>
  %e3 = tensor.empty() : tensor<512xf32>
  %sum = linalg.reduce { arith.addf } ins(%neg : tensor<512x512xf32>) outs(%e3 : tensor<512xf32>) dimensions = [1]
  %e4 = tensor.empty() : tensor<64x64xf32>
  %mm = linalg.matmul {tl.kernel = "onednn"} ins(%p, %p : tensor<64x64xf32>, tensor<64x64xf32>) outs(%e4 : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %neg, %sum, %mm : tensor<512x512xf32>, tensor<512xf32>, tensor<64x64xf32>
}
