// RUN: tl-opt --tl-differentiate="sum-into=parent=p1,parent=p2" %s | FileCheck %s

// sum-into: two slots bound to one array get one gradient, their sum,
// named by the array (G12: grandparent's parent[ab] and parent[bc]).
// CHECK-LABEL: func.func @main_grad
// CHECK-SAME: -> (tensor<2x2xf64> {tl.name = "parent"})
// CHECK: %[[G1:.*]] = tl.einsum "ac,bc->ab"
// CHECK: %[[G2:.*]] = tl.einsum "ac,ab->bc"
// CHECK: %[[S:.*]] = tl.binary add %[[G1]], %[[G2]]
// CHECK: return %[[S]] : tensor<2x2xf64>
func.func @main(%a: tensor<2x2xf64> {tl.name = "p1"}, %b: tensor<2x2xf64> {tl.name = "p2"}) -> (tensor<2x2xf64> {tl.name = "gp"}) {
  %0 = tl.einsum "ab,bc->ac" %a, %b : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  return %0 : tensor<2x2xf64>
}
