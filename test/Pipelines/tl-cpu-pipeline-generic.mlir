// Shape-generic code (issue 15, tier 0): the whole CPU pipeline takes
// dynamic sizes to the LLVM dialect; the sizes arrive in the memref
// descriptors at run time. (Runtime binding of such modules, and their
// tiling, threads and vectors, come next.)
// RUN: tl-opt %s --tl-cpu-pipeline="generic=true" | FileCheck %s
// RUN: tl-opt %s --tl-reference-pipeline="generic=true" | FileCheck %s --check-prefix=REF

// REF: func.func @main(%{{.*}}: tensor<?x8xf64> {tl.dim_links = ["", ""], tl.dims = array<i64: 0, -1>, tl.name = "x"}) -> (tensor<?xf64> {tl.dims = array<i64: 0>, tl.name = "s"})
// REF: tl.einsum "ab->a" {{.*}} : (tensor<?x8xf64>) -> tensor<?xf64>

// The rows are a loop bound read from the input's descriptor (its size
// argument); the columns, static, are a constant.
// CHECK: llvm.func @main(%{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %[[ROWS:[a-z0-9]+]]: i64,
// CHECK: llvm.icmp "slt" %{{.*}}, %[[ROWS]]
// CHECK-NOT: tl.
func.func @main(%x: tensor<?x8xf64> {tl.name = "x"}) -> (tensor<?xf64> {tl.name = "s"}) {
  %s = tl.einsum "ab->a" %x : (tensor<?x8xf64>) -> tensor<?xf64>
  %r = tl.unary sigmoid %s : tensor<?xf64>
  return %r : tensor<?xf64>
}
