// RUN: tl-opt --tl-split-reductions --split-input-file %s | FileCheck %s
// RUN: tl-opt --tl-split-reductions --tl-plan-tiling --split-input-file %s | FileCheck %s --check-prefix=PLAN

// A 4096-long f32 row sum splits into 2 vectors (32 lanes) of partial sums
// per row, then a tree over them (both keep the op's fusion group);
// tl-plan-tiling blocks the split op as
// 8 rows x 32 lanes, stepping the reduction by one: 16 accumulators.
// CHECK-LABEL: func.func @rows
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] {{.*}} : tensor<64x4096xf32> into tensor<64x128x32xf32>
// CHECK: linalg.fill {{.*}} -> tensor<64x32xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%{{.*}} : tensor<64x128x32xf32>) outs(%{{.*}} : tensor<64x32xf32>)
// CHECK-SAME: tl.fusion_group = 3 : i64, tl.split_reduction = 32 : i64
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}} : tensor<64x32xf32>) outs(%arg1 : tensor<64xf32>) attrs = {tl.fusion_group = 3 : i64}
// PLAN-LABEL: func.func @rows
// PLAN: tl.fusion_group = 3 : i64, tl.split_reduction = 32 : i64, tl.tiling = {cache = array<i64: 0, 0, 0>, cache_order = array<i64>, register = array<i64: 8, 1, 0>}
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @rows(%x: tensor<64x4096xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x4096xf32>) outs(%init : tensor<64xf32>) attrs = {tl.fusion_group = 3 : i64} {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.addf %out, %in : f32
    linalg.yield %1 : f32
  } -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// -----

// f64 max: 16 lanes of partial maxima, starting from -inf. A fused
// producer (exp) stays in the split op's body.
// CHECK-LABEL: func.func @max_of_exp
// CHECK: %cst = arith.constant 0xFFF0000000000000 : f64
// CHECK: linalg.fill ins(%cst : f64) outs(%{{.*}} : tensor<8x16xf64>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<8x64x16xf64>) outs(%{{.*}} : tensor<8x16xf64>)
// CHECK-SAME: tl.split_reduction = 16 : i64
// CHECK: math.exp
// CHECK: arith.maximumf
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @max_of_exp(%x: tensor<8x1024xf64>, %init: tensor<8xf64>) -> tensor<8xf64> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x1024xf64>) outs(%init : tensor<8xf64>) {
  ^bb0(%in: f64, %out: f64):
    %e = math.exp %in : f64
    %1 = arith.maximumf %out, %e : f64
    linalg.yield %1 : f64
  } -> tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

// Left whole: rows short enough for a tree (100 f64), a length that is no
// multiple of the split (4100), and a reduction along the outer loop.
// CHECK-LABEL: func.func @whole
// CHECK-NOT: tl.split_reduction
// CHECK-NOT: tensor.expand_shape
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @whole(%a: tensor<100x100xf64>, %ia: tensor<100xf64>, %b: tensor<4x4100xf32>, %ib: tensor<4xf32>, %c: tensor<4096x64xf32>, %ic: tensor<64xf32>) -> (tensor<100xf64>, tensor<4xf32>, tensor<64xf32>) {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<100x100xf64>) outs(%ia : tensor<100xf64>) {
  ^bb0(%in: f64, %out: f64):
    %1 = arith.addf %out, %in : f64
    linalg.yield %1 : f64
  } -> tensor<100xf64>
  %2 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%b : tensor<4x4100xf32>) outs(%ib : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %3 = arith.addf %out, %in : f32
    linalg.yield %3 : f32
  } -> tensor<4xf32>
  %4 = linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["reduction", "parallel"]}
      ins(%c : tensor<4096x64xf32>) outs(%ic : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %5 = arith.addf %out, %in : f32
    linalg.yield %5 : f32
  } -> tensor<64xf32>
  return %0, %2, %4 : tensor<100xf64>, tensor<4xf32>, tensor<64xf32>
}
