// RUN: tl-opt %s --tl-assign-sparsity="input-densities=r=0.01,q=0.01" --convert-tl-to-linalg | FileCheck %s --check-prefix=LOWER
// RUN: tl-opt %s --tl-assign-sparsity="input-densities=r=0.01,q=0.01" --convert-tl-to-linalg --tl-encode-sparsity 2>/dev/null | FileCheck %s
// RUN: tl-opt %s --tl-assign-sparsity="input-densities=r=0.01,q=0.01" --convert-tl-to-linalg --tl-encode-sparsity 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK
// RUN: tl-opt %s --tl-assign-sparsity="input-densities=r=0.01,q=0.01 threshold=1" --convert-tl-to-linalg | FileCheck %s --check-prefix=ONE
// Without decisions nothing changes:
// RUN: tl-opt %s --convert-tl-to-linalg --tl-encode-sparsity | FileCheck %s --check-prefix=DENSE

// The lowering carries each decision, and the density expected for the
// value, to the linalg op that makes it; a product with a sparse operand
// stays a generic (no transposed dense copy of the relation).
// LOWER-LABEL: func.func @embed
// LOWER-SAME: tl.sparse = #sparse
// LOWER-NOT: linalg.transpose
// LOWER: linalg.matmul ins(%arg0, %arg1
// LOWER-NOT: linalg.transpose
// LOWER: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<100x100xf64>, tensor<100x8xf64>)
// LOWER: linalg.matmul {tl.density = 0.00995066{{[0-9]*}} : f64, tl.sparse = #sparse} ins(%arg0, %arg2
// LOWER: linalg.generic {{.*}} ins(%arg0, %arg2 {{.*}} attrs = {tl.density = 0.0199{{[0-9]*}} : f64, tl.sparse = #sparse}

// The relations become CSR; their join is sparse (it starts from an empty
// CSR tensor, no fill, sized for the 100 = ceil(0.00995 * 100 * 100)
// nonzeros expected), so is the sum of the two; the products with the
// dense embedding stay dense.
// CHECK: #[[$CSR:sparse[0-9]*]] = #sparse_tensor.encoding<{ map = (d0, d1) -> (d0 : dense, d1 : compressed) }>
// CHECK-LABEL: func.func @embed
// CHECK-SAME: %arg0: tensor<100x100xf64, #[[$CSR]]>
// CHECK-SAME: %arg1: tensor<100x8xf64>
// CHECK-SAME: %arg2: tensor<100x100xf64, #[[$CSR]]>
// CHECK-SAME: -> (tensor<100x8xf64>, tensor<100x8xf64>, tensor<100x100xf64, #[[$CSR]]>, tensor<100x100xf64, #[[$CSR]]>, tensor<100x100xf64, #[[$CSR]]>)
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<100x100xf64, #[[$CSR]]>, tensor<100x8xf64>) outs(%{{.*}} : tensor<100x8xf64>)
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<100x100xf64, #[[$CSR]]>, tensor<100x8xf64>) outs(%{{.*}} : tensor<100x8xf64>)
// CHECK: %[[HINT:.*]] = arith.constant 100 : index
// CHECK: %[[EMPTY:.*]] = bufferization.alloc_tensor() size_hint=%[[HINT]] : tensor<100x100xf64, #[[$CSR]]>
// CHECK: linalg.matmul ins(%arg0, %arg2 : {{.*}}) outs(%[[EMPTY]] : tensor<100x100xf64, #[[$CSR]]>) -> tensor<100x100xf64, #[[$CSR]]>
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg2 : {{.*}}) outs(%{{.*}} : tensor<100x100xf64, #[[$CSR]]>)
// CHECK: } -> tensor<100x100xf64, #[[$CSR]]>
// Step of the join (the Boolean semiring) maps only the stored entries:
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<100x100xf64, #[[$CSR]]>) outs(%{{.*}} : tensor<100x100xf64, #[[$CSR]]>)
// CHECK: sparse_tensor.unary %{{.*}} : f64 to f64
// CHECK-NEXT: present = {
// CHECK: arith.cmpf ogt
// CHECK: sparse_tensor.yield
// CHECK: absent = {
// CHECK-NEXT: }
// CHECK-NOT: tl.sparse
// CHECK-NOT: {tl.density
// DENSE-NOT: #sparse
func.func @embed(%r: tensor<100x100xf64> {tl.name = "r"},
                 %e: tensor<100x8xf64> {tl.name = "e"},
                 %q: tensor<100x100xf64> {tl.name = "q"})
    -> (tensor<100x8xf64>, tensor<100x8xf64>, tensor<100x100xf64>,
        tensor<100x100xf64>, tensor<100x100xf64>) {
  %a = tl.einsum "ij,jd->id" %r, %e : (tensor<100x100xf64>, tensor<100x8xf64>) -> tensor<100x8xf64>
  %b = tl.einsum "ji,jd->id" %r, %e : (tensor<100x100xf64>, tensor<100x8xf64>) -> tensor<100x8xf64>
  %j = tl.einsum "ab,bc->ac" %r, %q : (tensor<100x100xf64>, tensor<100x100xf64>) -> tensor<100x100xf64>
  %u = tl.binary add %r, %q : tensor<100x100xf64>, tensor<100x100xf64> -> tensor<100x100xf64>
  %s = tl.unary step %j : tensor<100x100xf64>
  return %a, %b, %j, %u, %s : tensor<100x8xf64>, tensor<100x8xf64>, tensor<100x100xf64>, tensor<100x100xf64>, tensor<100x100xf64>
}

// A reader the sparsifier has no rule for keeps its operand dense, and a
// value computed from dense operands is not made sparse: sigmoid (exp) of
// the relation, the max over its rows, step of the join.
// REMARK: remark: tl-encode-sparsity: argument 'r' (#0) stays dense: the 'linalg.generic' reading it computes 'math.exp', which the sparsifier has no rule for over implicit zeros
// REMARK: remark: tl-encode-sparsity: argument 'q' (#1) stays dense: the 'linalg.generic' reading it computes 'arith.maxnumf'
// REMARK: remark: tl-encode-sparsity: the result of 'linalg.matmul' stays dense: no operand it reads is sparse
// REMARK: remark: tl-encode-sparsity: the result of 'linalg.generic' stays dense: no operand it reads is sparse
// Step of a join kept dense applies its function everywhere (0 -> 0).
// CHECK-LABEL: func.func @unsupported
// CHECK-NOT: #sparse
// CHECK-NOT: sparse_tensor.unary
// CHECK: arith.cmpf ogt
// CHECK-NOT: sparse_tensor.unary
// CHECK: return
func.func @unsupported(%r: tensor<100x100xf64> {tl.name = "r"},
                       %q: tensor<100x100xf64> {tl.name = "q"})
    -> (tensor<100x100xf64>, tensor<100xf64>, tensor<100x100xf64>) {
  %g = tl.unary sigmoid %r : tensor<100x100xf64>
  %m = tl.reduce max %q axes = [1] : tensor<100x100xf64> -> tensor<100xf64>
  %j = tl.einsum "ab,bc->ac" %r, %q : (tensor<100x100xf64>, tensor<100x100xf64>) -> tensor<100x100xf64>
  %s = tl.unary step %j : tensor<100x100xf64>
  return %g, %m, %s : tensor<100x100xf64>, tensor<100xf64>, tensor<100x100xf64>
}

// Kernels MLIR 19's sparsifier crashes on, and layouts the runtime does not
// bind at the boundary, keep their values dense: the relation minus a
// vector spread along its rows (an element-wise union with a broadcast
// operand, fused in from its producer); a sparse vector argument and a
// returned sparse vector (the row sums of a DCSR relation). The column
// sum of the relation reads it as CSR.
// REMARK: remark: tl-encode-sparsity: argument 'q' (#1) stays dense: the 'linalg.generic' reading it adds a broadcast operand to it, which MLIR 19's sparsifier crashes on
// REMARK: remark: tl-encode-sparsity: argument 'v' (#2) stays dense: the runtime takes sparse arguments as CSR or DCSR matrices
// REMARK: remark: tl-encode-sparsity: the result of 'linalg.generic' stays dense: it is returned, and the runtime gives sparse results as CSR or DCSR matrices
// CHECK-LABEL: func.func @boundary
// CHECK-SAME: %arg0: tensor<100x100xf64, #[[$CSR]]>
// CHECK-SAME: %arg1: tensor<100x100xf64> {
// CHECK-SAME: %arg2: tensor<100xf64> {
// CHECK-SAME: %arg3: tensor<100x100xf64, #[[$DCSR:sparse[0-9]*]]>
// CHECK-SAME: -> (tensor<100x100xf64>, tensor<100xf64>, tensor<100xf64>, tensor<100xf64>)
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<100x100xf64, #[[$CSR]]>) outs(%{{.*}} : tensor<100xf64>)
// CHECK: linalg.generic {{.*}} ins(%arg3 : tensor<100x100xf64, #[[$DCSR]]>) outs(%{{.*}} : tensor<100xf64>)
func.func @boundary(%r: tensor<100x100xf64> {tl.name = "r"},
                    %q: tensor<100x100xf64> {tl.name = "q"},
                    %v: tensor<100xf64> {tl.name = "v", tl.density = 0.01 : f64},
                    %p: tensor<100x100xf64> {tl.name = "p", tl.density = 0.0001 : f64})
    -> (tensor<100x100xf64>, tensor<100xf64>, tensor<100xf64>, tensor<100xf64>) {
  %c = tl.reduce sum %r axes = [0] : tensor<100x100xf64> -> tensor<100xf64>
  %spread = tl.einsum "a->ab" %c : (tensor<100xf64>) -> tensor<100x100xf64>
  %d = tl.binary subtract %q, %spread : tensor<100x100xf64>, tensor<100x100xf64> -> tensor<100x100xf64>
  %w = tl.binary multiply %v, %c : tensor<100xf64>, tensor<100xf64> -> tensor<100xf64>
  %rows = tl.reduce sum %p axes = [1] : tensor<100x100xf64> -> tensor<100xf64>
  return %d, %w, %c, %rows : tensor<100x100xf64>, tensor<100xf64>, tensor<100xf64>, tensor<100xf64>
}

// A result expected to hold more than 2^24 nonzeros (here 0.009 of 10^10)
// gets the largest hint; its buffers grow from there:
// CHECK-LABEL: func.func @huge
// CHECK: %[[HUGE:.*]] = arith.constant 16777216 : index
// CHECK: bufferization.alloc_tensor() size_hint=%[[HUGE]] : tensor<100000x100000xf64, #[[$CSR]]>
func.func @huge(%a: tensor<100000x100000xf64> {tl.name = "a", tl.density = 0.0003 : f64},
                %b: tensor<100000x100000xf64> {tl.name = "b", tl.density = 0.0003 : f64})
    -> tensor<100000x100000xf64> {
  %j = tl.einsum "ab,bc->ac" %a, %b : (tensor<100000x100000xf64>, tensor<100000x100000xf64>) -> tensor<100000x100000xf64>
  return %j : tensor<100000x100000xf64>
}

// At threshold 1 every value is decided sparse, also 1 - r, which is not
// 0 where r is: it is computed at every entry, not only r's stored ones.
// ONE-LABEL: func.func @complement
// ONE-NOT: sparse_tensor.unary
// ONE: arith.subf
// ONE-NOT: sparse_tensor.unary
// ONE: return
func.func @complement(%r: tensor<100x100xf64> {tl.name = "r"}) -> tensor<100x100xf64> {
  %c = tl.unary one_minus %r : tensor<100x100xf64>
  return %c : tensor<100x100xf64>
}

// Kernels MLIR 19's sparsifier fails on keep their values dense, each
// with its reason. A join whose sparse result cannot be written in order
// (r^T q: the reduction runs over both relations' rows, outside the
// result's rows) stays dense, as does the transposed join (r q)^T; r q
// itself, the same reduction in order, is stored sparse.
// CHECK-LABEL: func.func @orders
// CHECK-SAME: %arg0: tensor<100x100xf64, #[[$CSR]]>
// CHECK-SAME: %arg1: tensor<100x100xf64, #[[$CSR]]>
// CHECK-SAME: -> (tensor<100x100xf64>, tensor<100x100xf64>, tensor<100x100xf64, #[[$CSR]]>)
// REMARK: remark: tl-encode-sparsity: the result of 'linalg.generic' stays dense: no loop order reads its sparse operands and writes it in order (the sparsifier would have to reorder a sparse operand)
// REMARK: remark: tl-encode-sparsity: the result of 'linalg.generic' stays dense: no loop order reads its sparse operands and writes it in order (the sparsifier would have to reorder a sparse operand)
func.func @orders(%r: tensor<100x100xf64> {tl.name = "r"},
                  %q: tensor<100x100xf64> {tl.name = "q"})
    -> (tensor<100x100xf64>, tensor<100x100xf64>, tensor<100x100xf64>) {
  %rtq = tl.einsum "ab,ac->bc" %r, %q : (tensor<100x100xf64>, tensor<100x100xf64>) -> tensor<100x100xf64>
  %rqt = tl.einsum "ab,bc->ca" %r, %q : (tensor<100x100xf64>, tensor<100x100xf64>) -> tensor<100x100xf64>
  %rq = tl.einsum "ab,bc->ac" %r, %q : (tensor<100x100xf64>, tensor<100x100xf64>) -> tensor<100x100xf64>
  return %rtq, %rqt, %rq : tensor<100x100xf64>, tensor<100x100xf64>, tensor<100x100xf64>
}

// A relation read along a diagonal, or by a product fold (`reduce prod`:
// an implicit zero would zero its row), stays dense.
// REMARK: remark: tl-encode-sparsity: argument 'r' (#0) stays dense: the 'linalg.generic' reading it reads a diagonal, which MLIR 19's sparsifier fails on
// REMARK: remark: tl-encode-sparsity: argument 'q' (#1) stays dense: the 'linalg.generic' reading it reduces by a product, which the sparsifier has no rule for over implicit zeros
// CHECK-LABEL: func.func @diagonal_and_product
// CHECK-SAME: %arg0: tensor<100x100xf64> {{.*}}, %arg1: tensor<100x100xf64> {{.*}}) -> (tensor<100xf64>, tensor<100xf64>)
func.func @diagonal_and_product(%r: tensor<100x100xf64> {tl.name = "r"},
                                %q: tensor<100x100xf64> {tl.name = "q"})
    -> (tensor<100xf64>, tensor<100xf64>) {
  %diag = tl.einsum "aa->a" %r : (tensor<100x100xf64>) -> tensor<100xf64>
  %p = tl.einsum "ab->a" reduce prod %q : (tensor<100x100xf64>) -> tensor<100xf64>
  return %diag, %p : tensor<100xf64>, tensor<100xf64>
}
