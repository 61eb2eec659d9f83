// RUN: tl-opt --tl-fuse-elementwise --split-input-file %s | FileCheck %s

// Producers are inlined into consumers of the same fusion group only; the
// fused op keeps the group.
// CHECK-LABEL: func.func @groups
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<32xf32>) {{.*}} attrs = {tl.fusion_group = 1 : i64}
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[EXP]] : tensor<8x32xf32>, tensor<32xf32>) {{.*}} attrs = {tl.fusion_group = 0 : i64}
// CHECK: math.tanh
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
#vec = affine_map<(i) -> (i)>
func.func @groups(%x: tensor<8x32xf32>, %d: tensor<32xf32>) -> tensor<8x32xf32> {
  %e0 = tensor.empty() : tensor<8x32xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x32xf32>) outs(%e0 : tensor<8x32xf32>) attrs = {tl.fusion_group = 0 : i64} {
  ^bb0(%a: f32, %o: f32):
    %r = math.tanh %a : f32
    linalg.yield %r : f32
  } -> tensor<8x32xf32>
  %e1 = tensor.empty() : tensor<32xf32>
  %x2 = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%d : tensor<32xf32>) outs(%e1 : tensor<32xf32>) attrs = {tl.fusion_group = 1 : i64} {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<32xf32>
  %e2 = tensor.empty() : tensor<8x32xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%t, %x2 : tensor<8x32xf32>, tensor<32xf32>) outs(%e2 : tensor<8x32xf32>) attrs = {tl.fusion_group = 0 : i64} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// Without tags (linalg written by hand) a single-use producer is fused,
// as linalg's own pass does.
// CHECK-LABEL: func.func @untagged
// CHECK: linalg.generic
// CHECK: math.tanh
// CHECK-NEXT: arith.addf
// CHECK-NOT: linalg.generic
#vec = affine_map<(i) -> (i)>
func.func @untagged(%x: tensor<16xf32>) -> tensor<16xf32> {
  %e0 = tensor.empty() : tensor<16xf32>
  %t = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%x : tensor<16xf32>) outs(%e0 : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.tanh %a : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  %e1 = tensor.empty() : tensor<16xf32>
  %y = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%t : tensor<16xf32>) outs(%e1 : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  return %y : tensor<16xf32>
}
