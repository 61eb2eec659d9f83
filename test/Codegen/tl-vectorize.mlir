// RUN: tl-opt %s --split-input-file --tl-plan-tiling --tl-vectorize | FileCheck %s

// A matmul whose sizes the blocks divide becomes outer products: FMAs on
// whole vectors (16 x f64 here: two AVX-512 registers), with no scalar
// linalg op left.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf64>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<4x8xf64>, %b: tensor<8x16xf64>) -> tensor<4x16xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<4x16xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<4x16xf64>) -> tensor<4x16xf64>
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf64>, tensor<8x16xf64>) outs(%init : tensor<4x16xf64>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}

// -----

// Larger ranges are tiled into static blocks (scf.for over tensor slices)
// that divide them exactly: 64 rows by 8, 48 columns by 16.
// CHECK-LABEL: func.func @tiled
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C8]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16]]
// CHECK: vector.fma {{.*}} : vector<16xf32>
func.func @tiled(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>, %init: tensor<64x48xf32>) -> tensor<64x48xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) outs(%init : tensor<64x48xf32>) -> tensor<64x48xf32>
  return %0 : tensor<64x48xf32>
}

// -----

// The vectorizer cannot read a diagonal (a map that is not a projected
// permutation) and zero-size loops have nothing to vectorize: both stay
// linalg ops and become scalar loops later.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: vector.
#diag = affine_map<(d0, d1) -> (d1, d1, d0)>
#out = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
func.func @left_alone(%a: tensor<3x3x4xf64>, %init: tensor<4xf64>, %z: tensor<0xf64>) -> (tensor<4xf64>, tensor<0xf64>) {
  %0 = linalg.generic {indexing_maps = [#diag, #out], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<3x3x4xf64>) outs(%init : tensor<4xf64>) {
  ^bb0(%x: f64, %acc: f64):
    %s = arith.addf %acc, %x : f64
    linalg.yield %s : f64
  } -> tensor<4xf64>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%z : tensor<0xf64>) outs(%z : tensor<0xf64>) {
  ^bb0(%x: f64, %o: f64):
    %n = arith.negf %x : f64
    linalg.yield %n : f64
  } -> tensor<0xf64>
  return %0, %1 : tensor<4xf64>, tensor<0xf64>
}

// -----

// Whole rows (tl-plan-tiling's choice for short rows) become one
// reassociable reduction per row, which LLVM reduces as a tree, not a
// chain of dependent adds across the row.
// CHECK-LABEL: func.func @row_sums
// CHECK-COUNT-2: vector.reduction <add>, %{{.*}}, %{{.*}} fastmath<reassoc> : vector<100xf64> into f64
// CHECK-NOT: vector.multi_reduction
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @row_sums(%a: tensor<100x100xf64>, %init: tensor<100xf64>) -> tensor<100xf64> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<100x100xf64>) outs(%init : tensor<100xf64>) {
  ^bb0(%x: f64, %acc: f64):
    %s = arith.addf %acc, %x : f64
    linalg.yield %s : f64
  } -> tensor<100xf64>
  return %0 : tensor<100xf64>
}

// -----

// Max and min reduce with maxnumf/minnumf (G10: a NaN element is
// skipped), which MLIR 19's vectorizer does not know: NaN elements are
// replaced by the fold's identity and the rows reduced with the
// NaN-propagating kind, which is then the same.
// CHECK-LABEL: func.func @row_max
// CHECK-NOT: linalg.generic
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X:.*]], %[[X]] : vector<2x128xf32>
// CHECK: %[[KEPT:.*]] = arith.select %[[NAN]], %{{.*}}, %[[X]]
// CHECK: vector.extract %[[KEPT]][0]
// CHECK: vector.reduction <maximumf>
// CHECK-LABEL: func.func @row_min
// CHECK-NOT: linalg.generic
// CHECK: arith.cmpf uno
// CHECK: vector.reduction <minimumf>
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @row_max(%a: tensor<8x128xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<8x128xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.maxnumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
func.func @row_min(%a: tensor<8x128xf32>, %init: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<8x128xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.minnumf %acc, %x : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// A per-row value applied across the row (softmax's shift by the max):
// one scalar read and broadcast per row of the register block, not a
// broadcast along a new dimension transposed to the innermost.
// CHECK-LABEL: func.func @row_broadcast
// CHECK-NOT: vector.transpose
// CHECK-NOT: vector.shuffle
// CHECK: tensor.extract
// CHECK: vector.splat %{{.*}} : vector<32xf32>
// CHECK: arith.subf
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @row_broadcast(%a: tensor<16x128xf32>, %m: tensor<16xf32>, %init: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %0 = linalg.generic {indexing_maps = [#rows, #row, #rows], iterator_types = ["parallel", "parallel"]} ins(%a, %m : tensor<16x128xf32>, tensor<16xf32>) outs(%init : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %d = arith.subf %x, %y : f32
    linalg.yield %d : f32
  } -> tensor<16x128xf32>
  return %0 : tensor<16x128xf32>
}

// -----

// A split row reduction (tl-split-reductions' form): the block of partial
// sums is read once before the loop over the row's chunks, carried in
// registers as the loop's vector value, and written once after it; stored
// in every trip, the accumulators cost as many stores as the loads they
// add (half of W1's speed on AMD Zen 4).
// CHECK-LABEL: func.func @split_rows
// CHECK: scf.for %[[ROW:.*]] = {{.*}} iter_args(%[[OUT:.*]] = %{{.*}}) -> (tensor<64x32xf32>)
// CHECK: %[[ACC:.*]] = vector.transfer_read %[[OUT]][%[[ROW]], %{{.*}}]{{.*}} : tensor<64x32xf32>, vector<8x32xf32>
// CHECK: %[[LOOP:.*]]:2 = scf.for {{.*}} iter_args(%{{.*}} = %[[OUT]], %{{.*}} = %[[ACC]]) -> (tensor<64x32xf32>, vector<8x32xf32>)
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield %{{.*}}, %{{.*}} : tensor<64x32xf32>, vector<8x32xf32>
// CHECK: vector.transfer_write %[[LOOP]]#1, %[[LOOP]]#0[%[[ROW]], %{{.*}}]
#in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#out = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @split_rows(%x: tensor<64x16x32xf32>, %init: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %0 = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<64x16x32xf32>) outs(%init : tensor<64x32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<64x32xf32>
  return %0 : tensor<64x32xf32>
}
