// Shape-generic code (tier 0): sizes given as `?` stay dynamic symbols.
// RUN: tl-opt %s -split-input-file --tl-specialize-shapes="input-shapes=p=?x?,x=?x3,one=1x3,u=?,v=5,w=?x4" | FileCheck %s

// Labels unify symbols with symbols: the join keeps p's two sizes.
// Both dims of p are one symbol (c meets both), so the runtime checks that
// p is square and names the join; the result's dims are that symbol.
// CHECK-LABEL: func @grandparent
// CHECK-SAME: (%{{.*}}: tensor<?x?xf64> {tl.dim_links = ["'tl.einsum' op at line 12", "'tl.einsum' op at line 12"], tl.dims = array<i64: 0, 0>, tl.name = "p"}) -> (tensor<?x?xf64> {tl.dims = array<i64: 0, 0>})
// CHECK: tl.einsum "bc,ca->bca" {{.*}} -> tensor<?x?x?xf64>
// CHECK: tl.einsum "bca->ba" {{.*}} -> tensor<?x?xf64>
func.func @grandparent(%p: tensor<*xf64> {tl.name = "p"}) -> tensor<?x?xf64> {
  %0 = tl.einsum "bc,ca->bca" %p, %p : (tensor<*xf64>, tensor<*xf64>) -> tensor<?x?x?xf64>
  %1 = tl.einsum "bca->ba" %0 : (tensor<?x?x?xf64>) -> tensor<?x?xf64>
  return %1 : tensor<?x?xf64>
}

// -----

// A symbol is never 1: aligned with a size of 1, the 1 is broadcast.
// CHECK-LABEL: func @symbol_against_one
// CHECK-SAME: {tl.dim_links = ["", ""], tl.dims = array<i64: 0, -1>, tl.name = "x"}, %{{.*}}: tensor<1x3xf64> {tl.name = "one"}) -> (tensor<?x3xf64> {tl.dims = array<i64: 0, -1>})
// CHECK: tl.binary add {{.*}} : tensor<?x3xf64>, tensor<1x3xf64> -> tensor<?x3xf64>
func.func @symbol_against_one(%x: tensor<*xf64> {tl.name = "x"}, %one: tensor<*xf64> {tl.name = "one"}) -> tensor<*xf64> {
  %0 = tl.binary add %x, %one : tensor<*xf64>, tensor<*xf64> -> tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

// A symbol aligned with a known size other than 1 takes it.
// CHECK-LABEL: func @symbol_takes_known
// CHECK-SAME: (%{{.*}}: tensor<5xf64> {tl.name = "u"}, %{{.*}}: tensor<5xf64> {tl.name = "v"})
// CHECK: tl.binary multiply {{.*}} -> tensor<5xf64>
func.func @symbol_takes_known(%u: tensor<*xf64> {tl.name = "u"}, %v: tensor<*xf64> {tl.name = "v"}) -> tensor<*xf64> {
  %0 = tl.binary multiply %u, %v : tensor<*xf64>, tensor<*xf64> -> tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

// Reductions and broadcast labels keep the symbols they carry; a broadcast
// label aligned with a symbol becomes that symbol.
// CHECK-LABEL: func @reduce_and_broadcast
// CHECK-SAME: tensor<?x4xf64> {tl.dim_links = ["'tl.binary' op at line {{[0-9]+}}", ""], tl.dims = array<i64: 0, -1>, tl.name = "w"}
// CHECK-SAME: tensor<?x?xf64> {tl.dim_links = ["'tl.binary' op at line {{[0-9]+}}", ""], tl.dims = array<i64: 0, 1>, tl.name = "p"}) -> (tensor<?x?xf64> {tl.dims = array<i64: 0, 1>})
// CHECK: tl.reduce sum {{.*}} : tensor<?x4xf64> -> tensor<?xf64>
// The broadcast label b has no operand to read its size from at run time:
// the einsum names an argument dim of its symbol (p, axis 1).
// CHECK: tl.einsum "a->ab" {{.*}} {tl.dim_args = array<i64: -1, -1, 1, 1>} : {{.*}} -> tensor<?x?xf64>
// CHECK: tl.binary add {{.*}} : tensor<?x?xf64>, tensor<?x?xf64> -> tensor<?x?xf64>
func.func @reduce_and_broadcast(%w: tensor<*xf64> {tl.name = "w"}, %p: tensor<*xf64> {tl.name = "p"}) -> tensor<*xf64> {
  %s = tl.reduce sum %w axes = [1] : tensor<*xf64> -> tensor<?xf64>
  %b = tl.einsum "a->ab" %s : (tensor<?xf64>) -> tensor<?x?xf64>
  %0 = tl.binary add %b, %p : tensor<?x?xf64>, tensor<*xf64> -> tensor<*xf64>
  return %0 : tensor<*xf64>
}
