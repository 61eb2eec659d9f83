// RUN: tl-opt %s --tl-expose-intermediates | FileCheck %s

// Every value an op computes joins the results after the outputs, in
// program order, named by the slot it writes (a second write of a slot
// gets #2; an op of hand-written MLIR without a slot is value<N>), with
// its node and op; constants do not.

// CHECK-LABEL: func.func @main
// CHECK-SAME: -> (tensor<3xf64> {tl.name = "out"},
// CHECK-SAME: tensor<3xf64> {tl.name = "t", tl.node = "node 0 (ElemUnary sigmoid)", tl.op = "tl.unary:sigmoid"},
// CHECK-SAME: tensor<3xf64> {tl.name = "t#2", tl.node = "node 1 (ElemBinary multiply)", tl.op = "tl.binary:multiply"},
// CHECK-SAME: tensor<3xf64> {tl.name = "value3", tl.node = "'tl.unary' op", tl.op = "tl.unary:exp"})
// CHECK: %[[A:.*]] = tl.unary sigmoid
// CHECK: %[[B:.*]] = tl.binary multiply
// CHECK: %[[E:.*]] = tl.unary exp
// CHECK: return %[[E]], %[[A]], %[[B]], %[[E]] :
func.func @main(%x: tensor<3xf64> {tl.name = "x"}) -> (tensor<3xf64> {tl.name = "out"}) {
  %c = tl.constant dense<2.0> : tensor<f64>
  %a = tl.unary sigmoid %x : tensor<3xf64> loc(#node0)
  %b = tl.binary multiply %a, %c : tensor<3xf64>, tensor<f64> -> tensor<3xf64> loc(#node1)
  %e = tl.unary exp %b : tensor<3xf64>
  return %e : tensor<3xf64>
}
#node0 = loc("node 0 (ElemUnary sigmoid)"("slot t"("g.json":0:0)))
#node1 = loc("node 1 (ElemBinary multiply)"("slot t"("g.json":0:0)))
