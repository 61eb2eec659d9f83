// RUN: tl-opt %s -split-input-file --tl-specialize-shapes="input-shapes=p=3x3,u=4,s=scalar" | FileCheck %s

// Labels unify across operands; every type becomes static.
// CHECK-LABEL: func @grandparent
// CHECK-SAME: (%{{.*}}: tensor<3x3xf64> {tl.name = "p"}) -> tensor<3x3xf64>
// CHECK: tl.einsum "bc,ca->bca" {{.*}} -> tensor<3x3x3xf64>
// CHECK: tl.einsum "bca->ba" {{.*}} -> tensor<3x3xf64>
func.func @grandparent(%p: tensor<*xf64> {tl.name = "p"}) -> tensor<?x?xf64> {
  %0 = tl.einsum "bc,ca->bca" %p, %p : (tensor<*xf64>, tensor<*xf64>) -> tensor<?x?x?xf64>
  %1 = tl.einsum "bca->ba" %0 : (tensor<?x?x?xf64>) -> tensor<?x?xf64>
  return %1 : tensor<?x?xf64>
}

// -----

// G7/G11: the broadcast label b of "a->ab" is sized by the later binary op,
// which aligns it with u's dimension of size 4.
// CHECK-LABEL: func @broadcast_label_sized_later
// CHECK: tl.einsum "a->ab" {{.*}} -> tensor<3x4xf64>
// CHECK: tl.binary add {{.*}} : tensor<3x4xf64>, tensor<4xf64> -> tensor<3x4xf64>
func.func @broadcast_label_sized_later(%p: tensor<*xf64> {tl.name = "p"}, %u: tensor<*xf64> {tl.name = "u"}) -> tensor<*xf64> {
  %d = tl.einsum "aa->a" %p : (tensor<*xf64>) -> tensor<?xf64>
  %0 = tl.einsum "a->ab" %d : (tensor<?xf64>) -> tensor<?x?xf64>
  %1 = tl.binary add %0, %u : tensor<?x?xf64>, tensor<*xf64> -> tensor<*xf64>
  return %1 : tensor<*xf64>
}

// -----

// A 0-d input (s=scalar) broadcast to a shape sized by an einsum label.
// CHECK-LABEL: func @scalar_broadcast
// CHECK-SAME: tensor<f64> {tl.name = "s"}
// CHECK: tl.einsum "->b" {{.*}} -> tensor<4xf64>
func.func @scalar_broadcast(%s: tensor<*xf64> {tl.name = "s"}, %u: tensor<*xf64> {tl.name = "u"}) -> tensor<?xf64> {
  %0 = tl.einsum "->b" %s : (tensor<*xf64>) -> tensor<?xf64>
  %1 = tl.einsum "b,b->b" %0, %u : (tensor<?xf64>, tensor<*xf64>) -> tensor<?xf64>
  return %1 : tensor<?xf64>
}

// -----

// Shapes from the function attribute; arguments without an entry must be
// static already.
// CHECK-LABEL: func @from_attribute
// CHECK-SAME: (%{{.*}}: tensor<2x5xf32> {tl.name = "x"}, %{{.*}}: tensor<5xf32>)
// CHECK-NOT: tl.input_shapes
// CHECK: tl.reduce max {{.*}} axes = [1] : tensor<2x5xf32> -> tensor<2xf32>
func.func @from_attribute(%x: tensor<*xf32> {tl.name = "x"}, %y: tensor<5xf32>) -> tensor<*xf32>
    attributes {tl.input_shapes = {x = array<i64: 2, 5>}} {
  %0 = tl.binary multiply %x, %y : tensor<*xf32>, tensor<5xf32> -> tensor<*xf32>
  %1 = tl.reduce max %0 axes = [1] : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// A fixpoint's states keep their initial shapes: the body's arguments, its
// ops and the results become static too.
// CHECK-LABEL: func @closure
// CHECK: tl.fixpoint (%{{.*}} = %{{.*}}) : tensor<3x3xf64> {
// CHECK: tl.einsum "xy,yz->xz" {{.*}} : (tensor<3x3xf64>, tensor<3x3xf64>) -> tensor<3x3xf64>
// CHECK: tl.yield %{{.*}} : tensor<3x3xf64>
// CHECK: return %{{.*}} : tensor<3x3xf64>
func.func @closure(%p: tensor<*xf64> {tl.name = "p"}) -> tensor<*xf64> {
  %r = tl.fixpoint (%a = %p) : tensor<*xf64> {
    %j = tl.einsum "xy,yz->xz" %a, %p : (tensor<*xf64>, tensor<*xf64>) -> tensor<*xf64>
    %n = tl.unary step %j : tensor<*xf64>
    tl.yield %n : tensor<*xf64>
  }
  return %r : tensor<*xf64>
}
