// RUN: tl-opt %s --split-input-file --tl-block-rows="l1=4096" --canonicalize --cse | FileCheck %s
// RUN: tl-opt %s --split-input-file --tl-block-rows="l1=1048576" | FileCheck %s --check-prefix=FITS

// Softmax over the rows of sigmoid(x): max, shift and exp, sum, divide.
// The groups pass over each 64-element row four times, so the division
// (the root) is tiled into blocks of whole rows and every producer moves
// into the block loop. Live full-size tensors: x, sigmoid, exp, result =
// 16 bytes per element, 1 KiB per row; half of L1 (2 KiB) holds 2 rows.
// The exp is read by both the sum and the division: cloned per read, one
// copy left after CSE. Nothing of 4x16x64 is computed outside the loops.
// CHECK-LABEL: func.func @softmax
// CHECK: scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: tensor.extract_slice %arg0[%[[B]], %[[I]], 0] [1, 2, 64]
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2x64xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}"reduction"{{.*}} outs(%{{.*}} : tensor<1x2xf32>)
// CHECK: math.exp
// CHECK-NOT: math.exp
// CHECK: linalg.generic {{.*}}"reduction"{{.*}} outs(%{{.*}} : tensor<1x2xf32>)
// CHECK: linalg.generic {{.*}}tl.row_block = array<i64: 1, 2, 0>
// CHECK: tensor.insert_slice
// CHECK-NOT: linalg.generic
// CHECK: return

// When the whole group fits in half of L1 it is left as it is.
// FITS-LABEL: func.func @softmax
// FITS-NOT: scf.for
// FITS-NOT: tl.row_block
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @softmax(%arg0: tensor<4x16x64xf32>) -> tensor<4x16x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %cst_1 = arith.constant 1.000000e+00 : f32
  %0 = tensor.empty() : tensor<4x16x64xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<4x16x64xf32>) outs(%0 : tensor<4x16x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.negf %in : f32
    %13 = math.exp %12 : f32
    %14 = arith.addf %13, %cst_1 : f32
    %15 = arith.divf %cst_1, %14 : f32
    linalg.yield %15 : f32
  } -> tensor<4x16x64xf32>
  %2 = tensor.empty() : tensor<4x16xf32>
  %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<4x16x64xf32>) outs(%3 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.maxnumf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<4x16xf32>
  %5 = tensor.empty() : tensor<4x16x64xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%1, %4 : tensor<4x16x64xf32>, tensor<4x16xf32>) outs(%5 : tensor<4x16x64xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %12 = arith.subf %in, %in_2 : f32
    %13 = math.exp %12 : f32
    linalg.yield %13 : f32
  } -> tensor<4x16x64xf32>
  %7 = tensor.empty() : tensor<4x16xf32>
  %8 = linalg.fill ins(%cst : f32) outs(%7 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %9 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel", "reduction"]} ins(%6 : tensor<4x16x64xf32>) outs(%8 : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %12 = arith.addf %out, %in : f32
    linalg.yield %12 : f32
  } -> tensor<4x16xf32>
  %10 = tensor.empty() : tensor<4x16x64xf32>
  %11 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %9 : tensor<4x16x64xf32>, tensor<4x16xf32>) outs(%10 : tensor<4x16x64xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %12 = arith.divf %in, %in_2 : f32
    linalg.yield %12 : f32
  } -> tensor<4x16x64xf32>
  return %11 : tensor<4x16x64xf32>
}

// -----

// One pass over the rows (an element-wise producer and its row sum, whose
// result nothing in the group reads again): nothing to keep in L1, left
// alone.
// CHECK-LABEL: func.func @single_pass
// CHECK-NOT: scf.for
// CHECK-NOT: tl.row_block
#m = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
func.func @single_pass(%x: tensor<256x256xf32>) -> tensor<256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %ex = linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<256x256xf32>) outs(%e : tensor<256x256xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = math.exp %v : f32
    linalg.yield %y : f32
  } -> tensor<256x256xf32>
  %e2 = tensor.empty() : tensor<256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e2 : tensor<256xf32>) -> tensor<256xf32>
  %s = linalg.generic {indexing_maps = [#m, #r], iterator_types = ["parallel", "reduction"]} ins(%ex : tensor<256x256xf32>) outs(%init : tensor<256xf32>) {
  ^bb0(%v: f32, %o: f32):
    %y = arith.addf %o, %v : f32
    linalg.yield %y : f32
  } -> tensor<256xf32>
  return %s : tensor<256xf32>
}
