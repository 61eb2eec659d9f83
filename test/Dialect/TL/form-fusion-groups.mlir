// RUN: tl-opt --tl-form-fusion-groups --split-input-file %s | FileCheck %s

// W4, sigmoid(A*B + C) - relu(D): one element-wise chain, one group.
// CHECK-LABEL: func.func @rule
// CHECK-COUNT-6: {tl.fusion_group = 0 : i64}
// CHECK-NOT: tl.fusion_group = 1
func.func @rule(%a: tensor<64xf32>, %b: tensor<64xf32>, %c: tensor<64xf32>, %d: tensor<64xf32>) -> tensor<64xf32> {
  %0 = tl.binary multiply %a, %b : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %1 = tl.binary add %0, %c : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %2 = tl.unary sigmoid %1 : tensor<64xf32>
  %3 = tl.unary relu %d : tensor<64xf32>
  %4 = tl.binary subtract %2, %3 : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %5 = tl.unary negate %4 : tensor<64xf32>
  return %5 : tensor<64xf32>
}

// -----

// A contraction takes its element-wise epilogue. The broadcast operand's
// exp stays apart (fused, it would run once per row), and so does the
// value that is also returned: fusing it would compute it twice.
// CHECK-LABEL: func.func @epilogue
// CHECK: tl.einsum "ab,bc->ac" {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.binary add {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.unary sigmoid {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.unary exp {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.binary multiply {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.unary relu {{.*}} {tl.fusion_group = 2 : i64}
// CHECK: tl.reduce sum {{.*}} {tl.fusion_group = 2 : i64}
func.func @epilogue(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>, %c: tensor<8x32xf32>, %d: tensor<32xf32>) -> (tensor<8x32xf32>, tensor<8xf32>) {
  %0 = tl.einsum "ab,bc->ac" %a, %b : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %1 = tl.binary add %0, %c : tensor<8x32xf32>, tensor<8x32xf32> -> tensor<8x32xf32>
  %2 = tl.unary sigmoid %1 : tensor<8x32xf32>
  %e = tl.unary exp %d : tensor<32xf32>
  %3 = tl.binary multiply %2, %e : tensor<8x32xf32>, tensor<32xf32> -> tensor<8x32xf32>
  %4 = tl.unary relu %3 : tensor<8x32xf32>
  %5 = tl.reduce sum %4 axes = [1] : tensor<8x32xf32> -> tensor<8xf32>
  return %3, %5 : tensor<8x32xf32>, tensor<8xf32>
}

// -----

// Element-wise producers go into a reduction that reads each element once
// (the projection `ab->a`), never into a matmul, which reads each element
// of its operands 32 times.
// CHECK-LABEL: func.func @prologue
// CHECK: tl.unary exp {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.einsum "ab,bc->ac" {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.unary sigmoid {{.*}} {tl.fusion_group = 2 : i64}
// CHECK: tl.einsum "ab->a" {{.*}} {tl.fusion_group = 2 : i64}
func.func @prologue(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8xf32> {
  %0 = tl.unary exp %a : tensor<8x16xf32>
  %1 = tl.einsum "ab,bc->ac" %0, %b : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %2 = tl.unary sigmoid %1 : tensor<8x32xf32>
  %3 = tl.einsum "ab->a" %2 : (tensor<8x32xf32>) -> tensor<8xf32>
  return %3 : tensor<8xf32>
}

// -----

// Softmax: a group holds one contraction or reduction, and the exp, read
// by both the sum and the division, is computed once in its own group
// (with the broadcast of the max and the shift).
// CHECK-LABEL: func.func @softmax
// CHECK: tl.reduce max {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.einsum "a->ab" {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.binary subtract {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.unary exp {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.reduce sum {{.*}} {tl.fusion_group = 2 : i64}
// CHECK: tl.einsum "a->ab" {{.*}} {tl.fusion_group = 3 : i64}
// CHECK: tl.binary divide {{.*}} {tl.fusion_group = 3 : i64}
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = tl.reduce max %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %m2 = tl.einsum "a->ab" %m : (tensor<4xf32>) -> tensor<4x8xf32>
  %s = tl.binary subtract %x, %m2 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tl.unary exp %s : tensor<4x8xf32>
  %t = tl.reduce sum %e axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %t2 = tl.einsum "a->ab" %t : (tensor<4xf32>) -> tensor<4x8xf32>
  %y = tl.binary divide %e, %t2 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Broadcasts and transposes (one operand, nothing summed) are read through
// an indexing map, so they join their consumer's group like element-wise
// ops, and do not count as its contraction: comp_sibling's two broadcasts,
// product, sum and difference all run in the loop nest of the reduction.
// A matmul is still an anchor of its own.
// CHECK-LABEL: func.func @views
// CHECK: tl.einsum "cb->cba" {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.einsum "ca->cba" {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.binary multiply {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.binary add {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.binary subtract {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.einsum "cba->ba" {{.*}} {tl.fusion_group = 0 : i64}
func.func @views(%p: tensor<24x12xf64>) -> tensor<12x12xf64> {
  %0 = tl.einsum "cb->cba" %p : (tensor<24x12xf64>) -> tensor<24x12x12xf64>
  %1 = tl.einsum "ca->cba" %p : (tensor<24x12xf64>) -> tensor<24x12x12xf64>
  %2 = tl.binary multiply %0, %1 : tensor<24x12x12xf64>, tensor<24x12x12xf64> -> tensor<24x12x12xf64>
  %3 = tl.binary add %0, %1 : tensor<24x12x12xf64>, tensor<24x12x12xf64> -> tensor<24x12x12xf64>
  %4 = tl.binary subtract %3, %2 : tensor<24x12x12xf64>, tensor<24x12x12xf64> -> tensor<24x12x12xf64>
  %5 = tl.einsum "cba->ba" %4 : (tensor<24x12x12xf64>) -> tensor<12x12xf64>
  return %5 : tensor<12x12xf64>
}

// -----

// A transpose read by a matmul stays out of the matmul's group (it is
// not element-wise toward a contraction that reads it many times).
// CHECK-LABEL: func.func @transpose_into_matmul
// CHECK: tl.einsum "ab->ba" {{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.einsum "ab,bc->ac" {{.*}} {tl.fusion_group = 1 : i64}
func.func @transpose_into_matmul(%a: tensor<8x16xf32>, %b: tensor<8x32xf32>) -> tensor<16x32xf32> {
  %0 = tl.einsum "ab->ba" %a : (tensor<8x16xf32>) -> tensor<16x8xf32>
  %1 = tl.einsum "ab,bc->ac" %0, %b : (tensor<16x8xf32>, tensor<8x32xf32>) -> tensor<16x32xf32>
  return %1 : tensor<16x32xf32>
}

// -----

// A fixpoint's body is grouped on its own, numbered after the function's
// groups: the join and its element-wise epilogue (add, step) form one
// group inside the loop; nothing groups across the loop's boundary.
// CHECK-LABEL: func.func @closure
// CHECK: tl.unary exp %{{.*}} {tl.fusion_group = 0 : i64}
// CHECK: tl.fixpoint
// CHECK: tl.einsum "xy,yz->xz" {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.binary add {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.unary step {{.*}} {tl.fusion_group = 1 : i64}
// CHECK: tl.yield
func.func @closure(%e: tensor<8x8xf64>) -> tensor<8x8xf64> {
  %x = tl.unary exp %e : tensor<8x8xf64>
  %r = tl.fixpoint (%s = %x) : tensor<8x8xf64> {
    %j = tl.einsum "xy,yz->xz" %s, %e : (tensor<8x8xf64>, tensor<8x8xf64>) -> tensor<8x8xf64>
    %a = tl.binary add %j, %e : tensor<8x8xf64>, tensor<8x8xf64> -> tensor<8x8xf64>
    %n = tl.unary step %a : tensor<8x8xf64>
    tl.yield %n : tensor<8x8xf64>
  }
  return %r : tensor<8x8xf64>
}
