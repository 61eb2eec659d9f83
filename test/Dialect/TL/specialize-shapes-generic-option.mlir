// With `generic`, a ranked argument without a shape keeps its dynamic dims;
// an unranked one still needs its rank.
// RUN: tl-opt %s -split-input-file --tl-specialize-shapes="generic" -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @ranked
// CHECK-SAME: (%{{.*}}: tensor<?x8xf64> {tl.dim_links = ["", ""], tl.dims = array<i64: 0, -1>, tl.name = "x"}) -> (tensor<?xf64> {tl.dims = array<i64: 0>})
// CHECK: tl.einsum "ab->a" {{.*}} -> tensor<?xf64>
func.func @ranked(%x: tensor<?x8xf64> {tl.name = "x"}) -> tensor<*xf64> {
  %0 = tl.einsum "ab->a" %x : (tensor<?x8xf64>) -> tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

// expected-error @+1 {{G11: no shape given for input 'y' of type 'tensor<*xf64>' (its rank is needed, even for shape-generic code)}}
func.func @unranked(%y: tensor<*xf64> {tl.name = "y"}) -> tensor<*xf64> {
  return %y : tensor<*xf64>
}
