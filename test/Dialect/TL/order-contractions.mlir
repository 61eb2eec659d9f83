// RUN: tl-opt --tl-order-contractions --split-input-file %s | FileCheck %s

// W3: A 2048x64, B 64x2048, C 2048x64. Left to right costs 2 * 2048*64*2048
// multiply-adds; B*C first costs 64*2048*64 + 2048*64*64, 32x less.
// CHECK-LABEL: func.func @chain3
// CHECK-SAME: (%[[A:.*]]: tensor<2048x64xf32>, %[[B:.*]]: tensor<64x2048xf32>, %[[C:.*]]: tensor<2048x64xf32>)
// CHECK: %[[BC:.*]] = tl.einsum "bc,cd->bd" %[[B]], %[[C]] : (tensor<64x2048xf32>, tensor<2048x64xf32>) -> tensor<64x64xf32>
// CHECK: %[[R:.*]] = tl.einsum "ab,bd->ad" %[[A]], %[[BC]]
// CHECK-SAME: tl.contraction_cost = {naive = 17179869184 : i64, ordered = 16777216 : i64, search = "optimal"}
// CHECK-SAME: tl.contraction_path = [array<i64: 1, 2>, array<i64: 0, 1>]
// CHECK: return %[[R]]
func.func @chain3(%a: tensor<2048x64xf32>, %b: tensor<64x2048xf32>, %c: tensor<2048x64xf32>) -> tensor<2048x64xf32> {
  %0 = tl.einsum "ab,bc,cd->ad" %a, %b, %c : (tensor<2048x64xf32>, tensor<64x2048xf32>, tensor<2048x64xf32>) -> tensor<2048x64xf32>
  return %0 : tensor<2048x64xf32>
}

// -----

// The same chain with the sizes reversed: now A*B first is cheaper.
// CHECK-LABEL: func.func @chain3_left
// CHECK: %[[AB:.*]] = tl.einsum "ab,bc->ac" %arg0, %arg1 : (tensor<64x2048xf32>, tensor<2048x64xf32>) -> tensor<64x64xf32>
// CHECK: tl.einsum "ac,cd->ad" %[[AB]], %arg2 {{.*}}tl.contraction_path = [array<i64: 0, 1>, array<i64: 0, 1>]
func.func @chain3_left(%a: tensor<64x2048xf32>, %b: tensor<2048x64xf32>, %c: tensor<64x2048xf32>) -> tensor<64x2048xf32> {
  %0 = tl.einsum "ab,bc,cd->ad" %a, %b, %c : (tensor<64x2048xf32>, tensor<2048x64xf32>, tensor<64x2048xf32>) -> tensor<64x2048xf32>
  return %0 : tensor<64x2048xf32>
}

// -----

// A star: the big hub is contracted last, after the two small vectors
// shrink it one axis at a time. A label summed in one operand only (d) is
// summed in that operand's first step; the output keeps its own order.
// CHECK-LABEL: func.func @star
// CHECK: %[[S0:.*]] = tl.einsum "abc,a->bc" %arg0, %arg1 : (tensor<100x200x300xf64>, tensor<100xf64>) -> tensor<200x300xf64>
// CHECK: %[[S1:.*]] = tl.einsum "bc,bcd->cb" %[[S0]], %arg2
// CHECK-SAME: search = "optimal"
// CHECK-SAME: -> tensor<300x200xf64>
func.func @star(%h: tensor<100x200x300xf64>, %u: tensor<100xf64>, %w: tensor<200x300x5xf64>) -> tensor<300x200xf64> {
  %0 = tl.einsum "abc,a,bcd->cb" %h, %u, %w : (tensor<100x200x300xf64>, tensor<100xf64>, tensor<200x300x5xf64>) -> tensor<300x200xf64>
  return %0 : tensor<300x200xf64>
}

// -----

// Beyond exhaustive-limit operands the greedy order applies; with the
// default limit of 8, nine operands are searched greedily.
// CHECK-LABEL: func.func @nine
// CHECK-COUNT-7: tl.einsum "{{[a-z]+}},{{[a-z]+}}->{{[a-z]+}}"
// CHECK: tl.einsum {{.*}}search = "greedy"
// CHECK-NOT: tl.einsum
func.func @nine(%x: tensor<4x4xf64>) -> tensor<4x4xf64> {
  %0 = tl.einsum "ab,bc,cd,de,ef,fg,gh,hi,ij->aj" %x, %x, %x, %x, %x, %x, %x, %x, %x : (tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
  return %0 : tensor<4x4xf64>
}

// -----

// G1, the grandparent rule as TensorLogic compiles it: a join to rank 3
// and a projection. Merged, the N^3 intermediate never exists.
// CHECK-LABEL: func.func @grandparent
// CHECK-NEXT: %[[GP:.*]] = tl.einsum "bc,ca->ba" %arg0, %arg1 : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
// CHECK-NEXT: return %[[GP]]
func.func @grandparent(%p: tensor<1024x1024xf32>, %q: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %0 = tl.einsum "bc,ca->bca" %p, %q : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024x1024xf32>
  %1 = tl.einsum "bca->ba" %0 : (tensor<1024x1024x1024xf32>) -> tensor<1024x1024xf32>
  return %1 : tensor<1024x1024xf32>
}

// -----

// A tl.reduce of a join merges when the kinds compose: max of a product.
// The sum of a sum with a diagonal consumer maps two labels to one.
// CHECK-LABEL: func.func @reduce_and_diagonal
// CHECK: %[[M:.*]] = tl.einsum "ab,bc->a" reduce max %arg0, %arg1
// CHECK: %[[D:.*]] = tl.einsum "ab,ba->a" %arg0, %arg1
// CHECK: return %[[M]], %[[D]]
func.func @reduce_and_diagonal(%p: tensor<8x8xf64>, %q: tensor<8x8xf64>) -> (tensor<8xf64>, tensor<8xf64>) {
  %0 = tl.einsum "ab,bc->abc" %p, %q : (tensor<8x8xf64>, tensor<8x8xf64>) -> tensor<8x8x8xf64>
  %1 = tl.reduce max %0 axes = [1, 2] : tensor<8x8x8xf64> -> tensor<8xf64>
  %2 = tl.einsum "ab,bc->ac" %p, %q : (tensor<8x8xf64>, tensor<8x8xf64>) -> tensor<8x8xf64>
  %3 = tl.einsum "aa->a" %2 : (tensor<8x8xf64>) -> tensor<8xf64>
  return %1, %3 : tensor<8xf64>, tensor<8xf64>
}

// -----

// What must not merge: a mean (the count would change), a max of a sum,
// a producer with another use, and a broadcast producer (G7).
// CHECK-LABEL: func.func @no_merge
// CHECK-COUNT-8: tl.einsum
// CHECK-NOT: tl.einsum
func.func @no_merge(%p: tensor<8x8xf64>, %q: tensor<8x8xf64>, %v: tensor<8xf64>) -> (tensor<8xf64>, tensor<8xf64>, tensor<8x8xf64>, tensor<8xf64>, tensor<8xf64>) {
  %0 = tl.einsum "ab,bc->ac" %p, %q : (tensor<8x8xf64>, tensor<8x8xf64>) -> tensor<8x8xf64>
  %1 = tl.einsum "ac->a" reduce mean %0 : (tensor<8x8xf64>) -> tensor<8xf64>
  %2 = tl.einsum "ab,bc->ac" %p, %q : (tensor<8x8xf64>, tensor<8x8xf64>) -> tensor<8x8xf64>
  %3 = tl.einsum "ac->a" reduce max %2 : (tensor<8x8xf64>) -> tensor<8xf64>
  %4 = tl.einsum "ab,bc->ac" %p, %q : (tensor<8x8xf64>, tensor<8x8xf64>) -> tensor<8x8xf64>
  %5 = tl.einsum "ac->a" %4 : (tensor<8x8xf64>) -> tensor<8xf64>
  %6 = tl.einsum "a->ab" %v : (tensor<8xf64>) -> tensor<8x8xf64>
  %7 = tl.einsum "ab->a" %6 : (tensor<8x8xf64>) -> tensor<8xf64>
  return %1, %3, %4, %5, %7 : tensor<8xf64>, tensor<8xf64>, tensor<8x8xf64>, tensor<8xf64>, tensor<8xf64>
}

// -----

// Dynamic sizes: nothing is known to order by, so nothing changes.
// CHECK-LABEL: func.func @dynamic
// CHECK: tl.einsum "ab,bc,cd->ad"
func.func @dynamic(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>, %c: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %0 = tl.einsum "ab,bc,cd->ad" %a, %b, %c : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}

// -----

// Same generation's body as the equation front end writes it: the implicit
// sum over p covers both terms. Summed term by term, each sum merges with
// its join (T^T T, and T^T S T in the cheap order): no rank-3 tensor.
// CHECK-LABEL: func.func @sum_of_joins
// CHECK-SAME: (%[[T:.*]]: tensor<6x6xf32>, %[[S:.*]]: tensor<6x6xf32>)
// CHECK-NOT: tensor<6x6x6xf32>
// CHECK-DAG: %[[BASE:.*]] = tl.einsum "ab,ac->bc" %[[T]], %[[T]]
// CHECK-DAG: %[[TS:.*]] = tl.einsum "{{.*}}" %[[T]], %[[S]]
// CHECK-DAG: %[[TST:.*]] = tl.einsum "{{.*}}" %[[TS]], %[[T]]
// CHECK: %[[SUM:.*]] = tl.binary add %[[BASE]], %[[TST]]
// CHECK: return %[[SUM]]
func.func @sum_of_joins(%t: tensor<6x6xf32>, %s: tensor<6x6xf32>) -> tensor<6x6xf32> {
  %0 = tl.einsum "ab,ac->abc" %t, %t : (tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6x6xf32>
  %1 = tl.einsum "ab,ac,cd->abd" %t, %s, %t : (tensor<6x6xf32>, tensor<6x6xf32>, tensor<6x6xf32>) -> tensor<6x6x6xf32>
  %2 = tl.binary add %0, %1 : tensor<6x6x6xf32>, tensor<6x6x6xf32> -> tensor<6x6x6xf32>
  %3 = tl.einsum "abc->bc" %2 : (tensor<6x6x6xf32>) -> tensor<6x6xf32>
  return %3 : tensor<6x6xf32>
}

// -----

// Not split: a term broadcast into the sum (summing it would scale it by
// the summed size), and a sum of two plain values (nothing would merge).
// CHECK-LABEL: func.func @sums_kept
// CHECK-COUNT-2: tl.binary subtract
// CHECK-NOT: tl.binary
func.func @sums_kept(%a: tensor<4x5xf32>, %b: tensor<5xf32>, %c: tensor<4x5xf32>) -> (tensor<5xf32>, tensor<5xf32>) {
  %0 = tl.einsum "ab,b->ab" %a, %b : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %1 = tl.binary subtract %0, %b : tensor<4x5xf32>, tensor<5xf32> -> tensor<4x5xf32>
  %2 = tl.einsum "ab->b" %1 : (tensor<4x5xf32>) -> tensor<5xf32>
  %3 = tl.binary subtract %a, %c : tensor<4x5xf32>, tensor<4x5xf32> -> tensor<4x5xf32>
  %4 = tl.einsum "ab->b" %3 : (tensor<4x5xf32>) -> tensor<5xf32>
  return %2, %4 : tensor<5xf32>, tensor<5xf32>
}
