// RUN: tl-opt %s -split-input-file --tl-boolean-joins | FileCheck %s

// An EXISTS join of two 0/1 relations becomes the step of the counting
// join, and the function records what it relied on.
// CHECK-LABEL: func @exists_join
// CHECK-SAME: tl.assumes = ["binary:p", "binary:q"]
// CHECK: %[[S:[a-z0-9]+]] = tl.einsum "ab,bc->ac" %{{.*}}, %{{.*}} : (tensor<4x5xf64>, tensor<5x3xf64>) -> tensor<4x3xf64>
// CHECK: tl.unary step %[[S]] : tensor<4x3xf64>
// CHECK-NOT: reduce max
func.func @exists_join(%p: tensor<4x5xf64> {tl.name = "p", tl.values = "binary"},
                       %q: tensor<5x3xf64> {tl.name = "q", tl.values = "binary"}) -> tensor<4x3xf64> {
  %0 = tl.einsum "ab,bc->ac" reduce max %p, %q : (tensor<4x5xf64>, tensor<5x3xf64>) -> tensor<4x3xf64>
  return %0 : tensor<4x3xf64>
}

// -----

// An operand not known to be 0/1 keeps the max.
// CHECK-LABEL: func @one_unknown
// CHECK-NOT: tl.assumes
// CHECK: tl.einsum "ab,bc->ac" reduce max
func.func @one_unknown(%p: tensor<4x5xf64> {tl.name = "p", tl.values = "binary"},
                       %q: tensor<5x3xf64> {tl.name = "q"}) -> tensor<4x3xf64> {
  %0 = tl.einsum "ab,bc->ac" reduce max %p, %q : (tensor<4x5xf64>, tensor<5x3xf64>) -> tensor<4x3xf64>
  return %0 : tensor<4x3xf64>
}

// -----

// A max over an empty label is -inf, a sum 0: no rewrite; nor when nothing
// is reduced, or the combine is not a product.
// CHECK-LABEL: func @not_applicable
// CHECK-NOT: tl.assumes
// CHECK: tl.einsum "ab,bc->ac" reduce max
// CHECK: tl.einsum "ab,b->ab" reduce max
// CHECK: tl.einsum "ab,bc->ac" combine min reduce max
func.func @not_applicable(%p: tensor<4x0xf64> {tl.name = "p", tl.values = "binary"},
                          %q: tensor<0x3xf64> {tl.name = "q", tl.values = "binary"},
                          %r: tensor<4x5xf64> {tl.name = "r", tl.values = "binary"},
                          %s: tensor<5xf64> {tl.name = "s", tl.values = "binary"},
                          %t: tensor<5x3xf64> {tl.name = "t", tl.values = "binary"})
    -> (tensor<4x3xf64>, tensor<4x5xf64>, tensor<4x3xf64>) {
  %0 = tl.einsum "ab,bc->ac" reduce max %p, %q : (tensor<4x0xf64>, tensor<0x3xf64>) -> tensor<4x3xf64>
  %1 = tl.einsum "ab,b->ab" reduce max %r, %s : (tensor<4x5xf64>, tensor<5xf64>) -> tensor<4x5xf64>
  %2 = tl.einsum "ab,bc->ac" combine min reduce max %r, %t : (tensor<4x5xf64>, tensor<5x3xf64>) -> tensor<4x3xf64>
  return %0, %1, %2 : tensor<4x3xf64>, tensor<4x5xf64>, tensor<4x3xf64>
}
