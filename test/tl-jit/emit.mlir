// Each stage of compilation can be printed; the shapes come from the inputs.
// RUN: tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --emit=tl | FileCheck %s --check-prefix=TL
// RUN: tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --emit=llvm-dialect | FileCheck %s --check-prefix=LLVMD
// RUN: tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --emit=llvm-ir | FileCheck %s --check-prefix=IR
// RUN: tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --emit=asm | FileCheck %s --check-prefix=ASM
// RUN: tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --dump-object=%t.o | FileCheck %s --check-prefix=OUT
// RUN: llvm-objdump -d %t.o | FileCheck %s --check-prefix=OBJ
// RUN: not tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 --emit=asm --reference 2>&1 | FileCheck %s --check-prefix=USAGE
// RUN: not tl-jit %s --input=x=2x3xf64=1,2,3,4,5,6 -O4 2>&1 | FileCheck %s --check-prefix=OPT

// TL: func.func @main(%{{.*}}: tensor<2x3xf64> {tl.name = "x"}) -> (tensor<2xf64> {tl.name = "s"})
// TL: tl.reduce sum %{{.*}} axes = [1] : tensor<2x3xf64> -> tensor<2xf64>

// The exp is fused into the sum (one fusion group, one loop nest):
// LINALG: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// LINALG-SAME: tl.fusion_group = 0
// LINALG-NEXT: ^bb0
// LINALG-NEXT: math.exp
// LINALG-NEXT: arith.addf

// The exp is a vector polynomial (tl-approximate-math), fmas in LLVM:
// LLVMD: llvm.func @main(
// LLVMD: llvm.intr.fma

// The packed entry point is the only external function; @main is inlined
// into it and its result stored scalar by scalar:
// IR-NOT: define {{.*}}@main(
// IR: define void @_tl_packed_main(ptr
// IR: @llvm.fma.v3f64

// ASM: _tl_packed_main:
// ASM: vfmadd

// e + e^2 + e^3 and e^4 + e^5 + e^6:
// OUT: result[0]: s
// OUT-NEXT: 2xf64=30.1929 606.44

// OBJ: <_tl_packed_main>:

// USAGE: tl-jit: error: --reference runs the interpreter; it has no --emit or --benchmark
// OPT: tl-jit: error: -O4 is out of range (0-3)

func.func @main(%x: tensor<*xf64> {tl.name = "x"}) -> (tensor<?xf64> {tl.name = "s"}) {
  %e = tl.unary exp %x : tensor<*xf64>
  %s = tl.reduce sum %e axes = [1] : tensor<*xf64> -> tensor<?xf64>
  return %s : tensor<?xf64>
}
