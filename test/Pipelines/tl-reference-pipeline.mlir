// RUN: tl-opt %s --tl-reference-pipeline="input-shapes=parent[ab]=5x5,const_1=" | FileCheck %s
// RUN: tl-opt %s --pass-pipeline="builtin.module(tl-reference-pipeline{input-shapes=parent[ab]=5x5,const_1= canonicalize=false})" | FileCheck %s --check-prefix=NOCANON

// Specialization makes the shapes static; canonicalization then removes the
// multiplication by the constant 1 and the identity einsum.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[P:.*]]: tensor<5x5xf64> {tl.name = "parent[ab]"}) -> (tensor<5x5xf64> {tl.name = "out"})
// CHECK-NEXT: %[[J:.*]] = tl.einsum "ab,bc->ac" %[[P]], %[[P]] : (tensor<5x5xf64>, tensor<5x5xf64>) -> tensor<5x5xf64>
// CHECK-NEXT: return %[[J]]

// NOCANON: tl.binary multiply
// NOCANON: tl.einsum "ac->ac"
func.func @main(%p: tensor<*xf64> {tl.name = "parent[ab]"}) -> (tensor<?x?xf64> {tl.name = "out"}) {
  %one = tl.constant dense<1.0> : tensor<f64> {slot = "const_1"}
  %0 = tl.einsum "ab,bc->ac" %p, %p : (tensor<*xf64>, tensor<*xf64>) -> tensor<?x?xf64>
  %1 = tl.binary multiply %0, %one : tensor<?x?xf64>, tensor<f64> -> tensor<?x?xf64>
  %2 = tl.einsum "ac->ac" %1 : (tensor<?x?xf64>) -> tensor<?x?xf64>
  return %2 : tensor<?x?xf64>
}
