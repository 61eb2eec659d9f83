// RUN: tl-opt %s --tl-cpu-pipeline > %t.opt.mlir
// RUN: FileCheck %s < %t.opt.mlir
// tl-jit compiles exactly what --tl-cpu-pipeline produces:
// RUN: tl-jit %s --input=a=4x8xf64=1 --input=b=8x16xf64=0.5 --input=c=16xf64=0 --emit=llvm-dialect > %t.jit.mlir
// RUN: diff %t.opt.mlir %t.jit.mlir
// The shapes can come from the option instead of the attribute:
// RUN: tl-opt %s --tl-cpu-pipeline="input-shapes=a=4x8,b=8x16,c=16" | FileCheck %s
// Without vectorization the matmul is scalar loops:
// RUN: tl-opt %s --tl-cpu-pipeline="vectorize=false" | FileCheck %s --check-prefix=LOOPS
// The generated code uses AVX-512 FMAs (on any host: the target is named):
// RUN: tl-jit %s --input=a=4x8xf64=1 --input=b=8x16xf64=0.5 --input=c=16xf64=0 --emit=asm --mcpu=skylake-avx512 | FileCheck %s --check-prefix=ASM

// Every result became an out-parameter; each memref is expanded into its
// descriptor's scalars (pointer, aligned pointer, offset, sizes, strides).
// CHECK: llvm.func @main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64,
// CHECK-NOT: tl.
// CHECK-NOT: linalg.
// CHECK-NOT: vector.
// CHECK: llvm.intr.fmuladd{{.*}} : (vector<16xf64>, vector<16xf64>, vector<16xf64>) -> vector<16xf64>
// CHECK: llvm.call @tanh
// CHECK: llvm.return

// LOOPS-NOT: llvm.intr.fmuladd
// LOOPS: llvm.fmul
// LOOPS: llvm.fadd

// ASM: vfmadd{{[0-9]+}}pd {{.*}}zmm
module {
  func.func @main(%a: tensor<*xf64> {tl.name = "a"}, %b: tensor<*xf64> {tl.name = "b"}, %c: tensor<*xf64> {tl.name = "c"})
      -> (tensor<?x?xf64> {tl.name = "out"}, tensor<?xf64> {tl.name = "m"})
      attributes {tl.input_shapes = {a = array<i64: 4, 8>, b = array<i64: 8, 16>, c = array<i64: 16>}} {
    %0 = tl.einsum "ik,kj->ij" %a, %b : (tensor<*xf64>, tensor<*xf64>) -> tensor<?x?xf64>
    %1 = tl.binary add %0, %c : tensor<?x?xf64>, tensor<*xf64> -> tensor<?x?xf64>
    %2 = tl.unary sigmoid %1 : tensor<?x?xf64>
    %3 = tl.reduce max %2 axes = [1] : tensor<?x?xf64> -> tensor<?xf64>
    %4 = tl.unary tanh %3 : tensor<?xf64>
    return %2, %4 : tensor<?x?xf64>, tensor<?xf64>
  }
}
