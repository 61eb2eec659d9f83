// RUN: tl-opt %s --tl-cpu-pipeline="input-densities=r=0.01,q=0.01" 2>/dev/null | FileCheck %s
// RUN: tl-opt %s --tl-cpu-pipeline="input-densities=r=0.01,q=0.01" 2>/dev/null | grep 'llvm.func' | grep -v '{$' | FileCheck %s --check-prefix=EXTERN
// Dense densities take the sparse route too, with nothing made sparse:
// RUN: tl-opt %s --tl-cpu-pipeline="input-densities=r=1,q=1" 2>/dev/null | FileCheck %s --check-prefix=DENSE

// The sparse route (issue 19): tl-assign-sparsity makes both relations
// CSR, and the sparsifier compiles the module without MLIR's sparse
// runtime library, so the runtime loads it as plain code. The entry point
// takes each CSR relation as three buffers (positions, coordinates,
// values: one memref descriptor each, pointer, aligned pointer, offset,
// size, stride), the dense embedding as a 2-d descriptor, and returns its
// results (the CSR join as its three buffers) in one struct.
// CHECK: llvm.func @embed(
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64,
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64,
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64,
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64,
// CHECK-SAME: -> !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>, struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>)>
// Only the C library's malloc and free are declared (called) from outside.
// EXTERN: llvm.func @free(
// EXTERN-NEXT: llvm.func @malloc(
// EXTERN-NOT: llvm.func
// CHECK-NOT: tl.
// CHECK-NOT: sparse_tensor.
// DENSE: llvm.func @embed(
// DENSE-SAME: -> !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// DENSE-NOT: llvm.call @_insert
func.func @embed(%r: tensor<100x100xf64> {tl.name = "r"},
                 %e: tensor<100x8xf64> {tl.name = "e"},
                 %q: tensor<100x100xf64> {tl.name = "q"})
    -> (tensor<100x8xf64>, tensor<100x100xf64>) {
  %a = tl.einsum "ij,jd->id" %r, %e : (tensor<100x100xf64>, tensor<100x8xf64>) -> tensor<100x8xf64>
  %j = tl.einsum "ab,bc->ac" %r, %q : (tensor<100x100xf64>, tensor<100x100xf64>) -> tensor<100x100xf64>
  return %a, %j : tensor<100x8xf64>, tensor<100x100xf64>
}
