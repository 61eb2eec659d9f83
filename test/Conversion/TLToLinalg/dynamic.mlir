// Shape-generic code: dynamic sizes are read with tensor.dim from the
// operand dimension that carries them; static 1s still broadcast.
// RUN: tl-opt %s --split-input-file --convert-tl-to-linalg --canonicalize | FileCheck %s

// CHECK-LABEL: func @rowsum_sigmoid
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x8xf64>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?xf64>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}}ins(%[[X]] : tensor<?x8xf64>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]
func.func @rowsum_sigmoid(%x: tensor<?x8xf64>) -> tensor<?xf64> {
  %s = tl.einsum "ab->a" %x : (tensor<?x8xf64>) -> tensor<?xf64>
  %r = tl.unary sigmoid %s : tensor<?xf64>
  return %r : tensor<?xf64>
}

// -----

// CHECK-LABEL: func @broadcast_static_one
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<?x8xf64> {{.*}}, %[[Y:[a-z0-9]+]]: tensor<1x8xf64>
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1]] : tensor<1x8xf64> into tensor<8xf64>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?x8xf64>
// CHECK: linalg.generic {{.*}}ins(%[[X]], %[[C]] : tensor<?x8xf64>, tensor<8xf64>)
func.func @broadcast_static_one(%x: tensor<?x8xf64>, %y: tensor<1x8xf64>) -> tensor<?x8xf64> {
  %b = tl.binary add %x, %y : tensor<?x8xf64>, tensor<1x8xf64> -> tensor<?x8xf64>
  return %b : tensor<?x8xf64>
}

// -----

// A join: rows from the first operand, columns from the second.
// CHECK-LABEL: func @join
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<?x?xf64> {{.*}}, %[[Q:[a-z0-9]+]]: tensor<?x?xf64>
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[P]], %c0
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[Q]], %c1
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf64>
// CHECK: linalg.matmul ins(%[[P]], %[[Q]] : tensor<?x?xf64>, tensor<?x?xf64>)
func.func @join(%p: tensor<?x?xf64>, %q: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %m = tl.einsum "ab,bc->ac" %p, %q : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  return %m : tensor<?x?xf64>
}

// -----

// mean divides by the reduced sizes, read at run time.
// CHECK-LABEL: func @mean
// CHECK-SAME: (%[[P:[a-z0-9]+]]: tensor<?x?xf64>
// CHECK: %[[K:.*]] = tensor.dim %[[P]], %c1
// CHECK: %[[I:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK: %[[F:.*]] = arith.uitofp %[[I]] : i64 to f64
// CHECK: arith.divf %{{.*}}, %[[F]] : f64
func.func @mean(%p: tensor<?x?xf64>) -> tensor<?xf64> {
  %m = tl.reduce mean %p axes = [1] : tensor<?x?xf64> -> tensor<?xf64>
  return %m : tensor<?xf64>
}

// -----

// A broadcast label sized only by a later op reads its size from the
// argument dim tl-specialize-shapes named (tl.dim_args: argument 1, axis 1).
// CHECK-LABEL: func @broadcast_label_from_argument
// CHECK-SAME: (%[[S:[a-z0-9]+]]: tensor<?xf64>{{.*}}, %[[P:[a-z0-9]+]]: tensor<?x?xf64>
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: tensor.dim %[[P]], %[[C1]] : tensor<?x?xf64>
func.func @broadcast_label_from_argument(%s: tensor<?xf64>, %p: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %b = tl.einsum "a->ab" %s {tl.dim_args = array<i64: -1, -1, 1, 1>} : (tensor<?xf64>) -> tensor<?x?xf64>
  %0 = tl.binary add %b, %p : tensor<?x?xf64>, tensor<?x?xf64> -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}
