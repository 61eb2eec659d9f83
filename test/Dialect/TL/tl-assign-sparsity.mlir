// RUN: tl-opt --tl-assign-sparsity="input-densities=edge=0.001,knows=0.002" --split-input-file %s | FileCheck %s
// RUN: tl-opt --tl-assign-sparsity="input-densities=edge=0.001,knows=0.002" --split-input-file %s | tl-opt --split-input-file | FileCheck %s
// RUN: tl-opt --tl-assign-sparsity="input-densities=edge=0.001,knows=0.002 threshold=0.0001" --split-input-file %s | FileCheck %s --check-prefix=LOW
// RUN: tl-opt --tl-assign-sparsity="input-densities=edge=0.001,knows=0.002 threshold=1" --split-input-file %s | FileCheck %s --check-prefix=ONE
// RUN: not tl-opt --tl-assign-sparsity="input-densities=edge=2" %s 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not tl-opt --tl-assign-sparsity="input-densities=edge" %s 2>&1 | FileCheck %s --check-prefix=FORM
// RUN: not tl-opt --tl-assign-sparsity="threshold=1.5" %s 2>&1 | FileCheck %s --check-prefix=THRESHOLD

// RANGE: error: tl-assign-sparsity: input-densities: 'edge=2' is not name=D with 0 <= D <= 1
// FORM: error: tl-assign-sparsity: input-densities: 'edge' is not name=D with 0 <= D <= 1
// THRESHOLD: error: tl-assign-sparsity: threshold 1.5{{.*}} is not a density between 0 and 1

// Densities of 1000x1000 relations: 0.001 (edge, given by its slot's base
// name) and 0.002 (knows). A join keeps about K d1 d2 = 0.002 (CSR: most
// rows hold a fact); step keeps zeros, sigmoid does not; add is the union,
// multiply and min the intersection (2e-6: DCSR, most rows empty),
// divide is dense (0 / 0); a sum over 1000 elements of density 0.001 is
// 1 - 0.999^1000 = 0.63; a join without a sum has rank 3 (COO).
// CHECK-DAG: #[[$CSR:sparse[0-9]*]] = #sparse_tensor.encoding<{ map = (d0, d1) -> (d0 : dense, d1 : compressed) }>
// CHECK-DAG: #[[$DCSR:sparse[0-9]*]] = #sparse_tensor.encoding<{ map = (d0, d1) -> (d0 : compressed, d1 : compressed) }>
// CHECK-DAG: #[[$COO:sparse[0-9]*]] = #sparse_tensor.encoding<{ map = (d0, d1, d2) -> (d0 : compressed(nonunique), d1 : singleton(nonunique), d2 : singleton) }>
// CHECK-LABEL: func.func @relations
// CHECK-SAME: %arg0: tensor<1000x1000xf64> {tl.density = 1.000000e-03 : f64, tl.name = "edge[ab]", tl.sparse = #[[$CSR]]}
// CHECK-SAME: %arg1: tensor<1000x1000xf64> {tl.density = 2.000000e-03 : f64, tl.name = "knows", tl.sparse = #[[$CSR]]}
// CHECK: tl.einsum "ab,bc->ac" {{.*}} {tl.density = 0.001998{{[0-9]*}} : f64, tl.sparse = #[[$CSR]]}
// CHECK: tl.unary step {{.*}} {tl.density = 0.001998{{[0-9]*}} : f64, tl.sparse = #[[$CSR]]}
// CHECK: tl.unary sigmoid {{.*}} {tl.density = 1.000000e+00 : f64}
// CHECK: tl.binary add {{.*}} {tl.density = 0.002998{{[0-9]*}} : f64, tl.sparse = #[[$CSR]]}
// CHECK: tl.binary multiply {{.*}} {tl.density = 2.000000e-06 : f64, tl.sparse = #[[$DCSR]]}
// CHECK: tl.binary min {{.*}} {tl.density = 2.000000e-06 : f64, tl.sparse = #[[$DCSR]]}
// CHECK: tl.binary divide {{.*}} {tl.density = 1.000000e+00 : f64}
// CHECK: tl.reduce sum {{.*}} {tl.density = 0.6323{{[0-9]*}} : f64}
// CHECK: tl.einsum "ab,bc->abc" {{.*}} {tl.density = 2.000000e-06 : f64, tl.sparse = #[[$COO]]}
// With threshold=0.0001 only the intersections are sparse.
// LOW-LABEL: func.func @relations
// LOW-SAME: %arg0: tensor<1000x1000xf64> {tl.density = 1.000000e-03 : f64, tl.name = "edge[ab]"}
// LOW-NOT: tl.sparse = #{{.*}}}
// LOW: tl.binary multiply {{.*}}tl.sparse
// LOW: tl.binary min {{.*}}tl.sparse
// LOW-NOT: tl.binary divide {{.*}}tl.sparse
// LOW: tl.einsum "ab,bc->abc" {{.*}}tl.sparse
func.func @relations(%e: tensor<1000x1000xf64> {tl.name = "edge[ab]"},
                     %k: tensor<1000x1000xf64> {tl.name = "knows"})
    -> (tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000x1000xf64>,
        tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000x1000xf64>,
        tensor<1000xf64>, tensor<1000x1000x1000xf64>) {
  %j = tl.einsum "ab,bc->ac" %e, %k : (tensor<1000x1000xf64>, tensor<1000x1000xf64>) -> tensor<1000x1000xf64>
  %s = tl.unary step %j : tensor<1000x1000xf64>
  %g = tl.unary sigmoid %s : tensor<1000x1000xf64>
  %u = tl.binary add %e, %k : tensor<1000x1000xf64>, tensor<1000x1000xf64> -> tensor<1000x1000xf64>
  %m = tl.binary multiply %e, %k : tensor<1000x1000xf64>, tensor<1000x1000xf64> -> tensor<1000x1000xf64>
  %n = tl.binary min %e, %k : tensor<1000x1000xf64>, tensor<1000x1000xf64> -> tensor<1000x1000xf64>
  %d = tl.binary divide %e, %k : tensor<1000x1000xf64>, tensor<1000x1000xf64> -> tensor<1000x1000xf64>
  %r = tl.reduce sum %e axes = [1] : tensor<1000x1000xf64> -> tensor<1000xf64>
  %o = tl.einsum "ab,bc->abc" %e, %k : (tensor<1000x1000xf64>, tensor<1000x1000xf64>) -> tensor<1000x1000x1000xf64>
  return %s, %g, %u, %m, %n, %d, %r, %o : tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000x1000xf64>, tensor<1000xf64>, tensor<1000x1000x1000xf64>
}

// -----

// A constant is counted; an argument's own tl.density is used when the
// option names no density for it; a fixpoint's body and results are dense;
// rank 1 is `compressed`; a 0-d value is never sparse.
// CHECK: #[[$VEC:sparse[0-9]*]] = #sparse_tensor.encoding<{ map = (d0) -> (d0 : compressed) }>
// CHECK-LABEL: func.func @constants_and_loops
// CHECK-SAME: %arg0: tensor<8xf64> {tl.density = 3.000000e-02 : f64, tl.sparse = #[[$VEC]]}
// CHECK: tl.constant dense<{{.*}}> : tensor<2x2xf64> {tl.density = 2.500000e-01 : f64}
// CHECK: tl.unary step {{.*}} {tl.density = 3.000000e-02 : f64, tl.sparse = #[[$VEC]]}
// CHECK: tl.reduce max {{.*}} {tl.density = 0.2162{{[0-9]*}} : f64}
// CHECK: tl.fixpoint
// CHECK: tl.unary relu {{.*}} {tl.density = 1.000000e+00 : f64}
func.func @constants_and_loops(%v: tensor<8xf64> {tl.density = 0.03 : f64}, %w: tensor<4xf64>)
    -> (tensor<2x2xf64>, tensor<8xf64>, tensor<f64>, tensor<4xf64>) {
  %c = tl.constant dense<[[0.0, 3.0], [0.0, 0.0]]> : tensor<2x2xf64>
  %s = tl.unary step %v : tensor<8xf64>
  %m = tl.reduce max %s axes = [0] : tensor<8xf64> -> tensor<f64>
  %f = tl.fixpoint (%x = %w) : tensor<4xf64> {
    %y = tl.unary relu %x : tensor<4xf64>
    tl.yield %y : tensor<4xf64>
  }
  return %c, %s, %m, %f : tensor<2x2xf64>, tensor<8xf64>, tensor<f64>, tensor<4xf64>
}

// -----

// An array given dense (no measured density: an embedding, a cotangent)
// stays dense even at threshold 1, where every measured relation, full
// or not, is stored sparse; values computed from it are decided as usual.
// ONE-LABEL: func.func @given_dense
// ONE-SAME: %arg0: tensor<1000x1000xf64> {tl.density = 1.000000e-03 : f64, tl.name = "edge", tl.sparse = #
// ONE-SAME: %arg1: tensor<1000x8xf64> {tl.name = "embedding"})
// ONE: tl.einsum "ab,bd->ad" {{.*}} {tl.density = {{.*}}, tl.sparse = #
func.func @given_dense(%e: tensor<1000x1000xf64> {tl.name = "edge"},
                       %x: tensor<1000x8xf64> {tl.name = "embedding"}) -> tensor<1000x8xf64> {
  %a = tl.einsum "ab,bd->ad" %e, %x : (tensor<1000x1000xf64>, tensor<1000x8xf64>) -> tensor<1000x8xf64>
  return %a : tensor<1000x8xf64>
}
