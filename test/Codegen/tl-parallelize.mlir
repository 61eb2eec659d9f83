// RUN: tl-opt %s --split-input-file --tl-parallelize="threads=2" --canonicalize --cse | FileCheck %s

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

// -----

// Softmax (max, exp, sum, divide) forms one chunk loop: the exp is read by
// both the sum and the division, fused through both reads, and CSE leaves
// one copy. The group passes over its rows more than once, so it keeps
// 4 chunks per thread (tl-block-rows blocks it for L1 inside the chunks):
// 8 chunks of 1 row of 32x256.
// CHECK-LABEL: func.func @softmax_chunks
// CHECK: scf.forall (%{{.*}}) in (8)
// CHECK: math.exp
// CHECK: "reduction"
// CHECK: math.exp
// CHECK-NOT: math.exp
// CHECK: "reduction"
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: scf.forall
// CHECK-NOT: linalg.generic
#sm = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#sm1 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @softmax_chunks(%arg0: tensor<8x32x256xf32>) -> tensor<8x32x256xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %cst_1 = arith.constant 1.000000e+00 : f32
  %0 = tensor.empty() : tensor<8x32x256xf32>
  %1 = linalg.generic {indexing_maps = [#sm, #sm], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<8x32x256xf32>) outs(%0 : tensor<8x32x256xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.negf %in : f32
    %13 = math.exp %12 : f32
    %14 = arith.addf %13, %cst_1 : f32
    %15 = arith.divf %cst_1, %14 : f32
    linalg.yield %15 : f32
  } -> tensor<8x32x256xf32>
  %2 = tensor.empty() : tensor<8x32xf32>
  %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %4 = linalg.generic {indexing_maps = [#sm, #sm1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<8x32x256xf32>) outs(%3 : tensor<8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.maxnumf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<8x32xf32>
  %5 = tensor.empty() : tensor<8x32x256xf32>
  %6 = linalg.generic {indexing_maps = [#sm, #sm1, #sm], iterator_types = ["parallel", "parallel", "parallel"]} ins(%1, %4 : tensor<8x32x256xf32>, tensor<8x32xf32>) outs(%5 : tensor<8x32x256xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %12 = arith.subf %in, %in_2 : f32
    %13 = math.exp %12 : f32
    linalg.yield %13 : f32
  } -> tensor<8x32x256xf32>
  %7 = tensor.empty() : tensor<8x32xf32>
  %8 = linalg.fill ins(%cst : f32) outs(%7 : tensor<8x32xf32>) -> tensor<8x32xf32>
  %9 = linalg.generic {indexing_maps = [#sm, #sm1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%6 : tensor<8x32x256xf32>) outs(%8 : tensor<8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.addf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<8x32xf32>
  %10 = tensor.empty() : tensor<8x32x256xf32>
  %11 = linalg.generic {indexing_maps = [#sm, #sm1, #sm], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %9 : tensor<8x32x256xf32>, tensor<8x32xf32>) outs(%10 : tensor<8x32x256xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %12 = arith.divf %in, %in_2 : f32
    linalg.yield %12 : f32
  } -> tensor<8x32x256xf32>
  return %11 : tensor<8x32x256xf32>
}


// -----

// Inside a loop's body (a compiled fixpoint) an op is threaded like one in
// the function's block, on every iteration.
// CHECK-LABEL: func.func @loop_body
// CHECK: scf.while
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (256)
// CHECK: scf.condition
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @loop_body(%x: tensor<512x512xf32>, %n: i64) -> tensor<512x512xf32> {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %r:2 = scf.while (%s = %x, %k = %c0) : (tensor<512x512xf32>, i64) -> (tensor<512x512xf32>, i64) {
    %e = tensor.empty() : tensor<512x512xf32>
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%s : tensor<512x512xf32>) outs(%e : tensor<512x512xf32>) {
    ^bb0(%a: f32, %b: f32):
      %m = math.sqrt %a : f32
      linalg.yield %m : f32
    } -> tensor<512x512xf32>
    %k1 = arith.addi %k, %c1 : i64
    %more = arith.cmpi slt, %k1, %n : i64
    scf.condition(%more) %y, %k1 : tensor<512x512xf32>, i64
  } do {
  ^bb0(%y2: tensor<512x512xf32>, %k2: i64):
    scf.yield %y2, %k2 : tensor<512x512xf32>, i64
  }
  return %r#0 : tensor<512x512xf32>
}
