// RUN: tl-opt %s --split-input-file --tl-plan-tiling="l1=49152 l2=1048576 l3=33554432" | FileCheck %s
// RUN: tl-opt %s --split-input-file --tl-plan-tiling="l1=16384 l2=262144 l3=8388608" | FileCheck %s --check-prefix=SMALL

// A 1024^3 f32 matmul on this machine's caches (48K/1M/32M): an 8x32
// register block (8 rows x two 16-lane vectors), kc = 128 so the A and B
// slivers ((8 + 32) x 128 x 4 bytes = 20K) fill half of L1; an mc x kc
// block of A fills half of L2 (1024 rows); cache loops run j, k, i.
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.fill {tl.tiling = {cache = array<i64: 0, 0>, cache_order = array<i64>, register = array<i64: 8, 32>}}
// CHECK: linalg.matmul {tl.tiling = {cache = array<i64: 1024, 1024, 128>, cache_order = array<i64: 1, 2, 0>, register = array<i64: 8, 32, 8>}}
// Smaller caches give smaller blocks: kc = 16K / 2 / (40 x 4) -> 32 (a
// divisor of 1024), mc = 256K / 2 / (32 x 4) = 1024, nc = 8M / 4 / 128.
// SMALL-LABEL: func.func @gemm
// SMALL: linalg.matmul {tl.tiling = {cache = array<i64: 1024, 1024, 32>, cache_order = array<i64: 1, 2, 0>, register = array<i64: 8, 32, 8>}}
func.func @gemm(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1024x1024xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%init : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %0 : tensor<1024x1024xf32>
}

// -----

// f64 has 8 lanes: nr = 16 (two vectors; 48 = 3 x 16); 20 rows take the
// largest divisor up to 8 (5). A problem that fits the caches gets no
// cache tiles.
// CHECK-LABEL: func.func @small
// CHECK: linalg.matmul {tl.tiling = {cache = array<i64: 0, 0, 0>, cache_order = array<i64>, register = array<i64: 5, 16, 8>}}
func.func @small(%a: tensor<20x64xf64>, %b: tensor<64x48xf64>, %init: tensor<20x48xf64>) -> tensor<20x48xf64> {
  %0 = linalg.matmul ins(%a, %b : tensor<20x64xf64>, tensor<64x48xf64>) outs(%init : tensor<20x48xf64>) -> tensor<20x48xf64>
  return %0 : tensor<20x48xf64>
}

// -----

// A batched matmul: the batch loop is tiled by one at both levels.
// CHECK-LABEL: func.func @batched
// CHECK: linalg.batch_matmul {tl.tiling = {cache = array<i64: 0, 0, 0, 0>, cache_order = array<i64>, register = array<i64: 1, 8, 32, 8>}}
func.func @batched(%a: tensor<64x128x128xf32>, %b: tensor<64x128x128xf32>, %init: tensor<64x128x128xf32>) -> tensor<64x128x128xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<64x128x128xf32>, tensor<64x128x128xf32>) outs(%init : tensor<64x128x128xf32>) -> tensor<64x128x128xf32>
  return %0 : tensor<64x128x128xf32>
}

// -----

// A row sum (not a contraction): a register block only. The output's
// loop (rows) gets two vectors' worth (32), the reduced loop 8: 256
// elements, within the cap for non-contractions.
// CHECK-LABEL: func.func @rowsum
// CHECK: linalg.reduce {{.*}}tl.tiling = {cache = array<i64: 0, 0>, cache_order = array<i64>, register = array<i64: 32, 8>}
func.func @rowsum(%r: tensor<4096x4096xf32>, %init: tensor<4096xf32>) -> tensor<4096xf32> {
  %0 = linalg.reduce { arith.addf } ins(%r : tensor<4096x4096xf32>) outs(%init : tensor<4096xf32>) dimensions = [1]
  return %0 : tensor<4096xf32>
}

// -----

// A column sum: no operand is contiguous along the reduced loop (rows), so
// it steps by one and whole vectors of the output's loop accumulate with
// plain adds (a vector along it would have to be transposed into place).
// The row sum above keeps its reduced block: its input is contiguous there.
// CHECK-LABEL: func.func @colsum
// CHECK: linalg.reduce {{.*}}tl.tiling = {cache = array<i64: 0, 0>, cache_order = array<i64>, register = array<i64: 1, 32>}
func.func @colsum(%r: tensor<4096x4096xf32>, %init: tensor<4096xf32>) -> tensor<4096xf32> {
  %0 = linalg.reduce { arith.addf } ins(%r : tensor<4096x4096xf32>) outs(%init : tensor<4096xf32>) dimensions = [0]
  return %0 : tensor<4096xf32>
}

// -----

// A row sum whose rows fit a few vector registers (100 f64 = 800 bytes):
// whole rows, as many as an eighth of max-volume holds (2, a divisor of
// 100), reduced as trees by tl-vectorize. Longer rows (512 f64) keep
// blocks of the usual kind.
// CHECK-LABEL: func.func @short_rows
// CHECK: linalg.generic
// CHECK-SAME: register = array<i64: 2, 0>
// CHECK-LABEL: func.func @long_rows
// CHECK: linalg.generic
// CHECK-SAME: register = array<i64: 16, 8>
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @short_rows(%a: tensor<100x100xf64>, %init: tensor<100xf64>) -> tensor<100xf64> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<100x100xf64>) outs(%init : tensor<100xf64>) {
  ^bb0(%x: f64, %acc: f64):
    %s = arith.addf %acc, %x : f64
    linalg.yield %s : f64
  } -> tensor<100xf64>
  return %0 : tensor<100xf64>
}
func.func @long_rows(%a: tensor<64x512xf64>, %init: tensor<64xf64>) -> tensor<64xf64> {
  %0 = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<64x512xf64>) outs(%init : tensor<64xf64>) {
  ^bb0(%x: f64, %acc: f64):
    %s = arith.addf %acc, %x : f64
    linalg.yield %s : f64
  } -> tensor<64xf64>
  return %0 : tensor<64xf64>
}
