// RUN: tl-opt %s --tl-gpu-pipeline | FileCheck %s
// RUN: tl-opt %s --tl-gpu-pipeline="gpu-arch=sm_80 serialize=false" | FileCheck %s --check-prefix=NVVM

// The host function only launches (no loop, no load or store): the
// runtime replays it as a launch plan. The element-wise group is one
// kernel writing the out-parameter directly; the row sum's fill and its
// loop are two more; every kernel takes only buffers.
// CHECK-LABEL: func.func @main
// CHECK-SAME: %arg0: memref<64x300xf32> {tl.name = "A"}, %arg1: memref<64x300xf32> {tl.name = "B"}, %arg2: memref<64x300xf32>, %arg3: memref<64xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: scf.
// CHECK: gpu.launch_func @[[K0:[a-z_0-9]+]]::@{{.*}} blocks in (%c2, %c64, %c1) threads in (%c256, %c1, %c1) args(%arg0 : memref<64x300xf32>, %arg1 : memref<64x300xf32>, %arg2 : memref<64x300xf32>)
// CHECK: gpu.launch_func {{.*}} args(%arg3 : memref<64xf32>)
// CHECK: gpu.launch_func {{.*}} args(%arg2 : memref<64x300xf32>, %arg3 : memref<64xf32>)
// CHECK-NEXT: return
// CHECK: gpu.binary @[[K0]] [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">{{.*}}assembly = "{{.*}}.target sm_90

// Before serialization the kernels are NVVM with bare pointers.
// NVVM: gpu.module @main_kernel [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">]
// NVVM: llvm.func @main_kernel(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {gpu.kernel
// NVVM: nvvm.read.ptx.sreg.ctaid.x
func.func @main(%a: tensor<64x300xf32> {tl.name = "A"}, %b: tensor<64x300xf32> {tl.name = "B"}) -> (tensor<64x300xf32>, tensor<64xf32>) {
  %0 = tl.binary add %a, %b : tensor<64x300xf32>, tensor<64x300xf32> -> tensor<64x300xf32>
  %1 = tl.unary exp %0 : tensor<64x300xf32>
  %2 = tl.einsum "ab->a" %1 : (tensor<64x300xf32>) -> tensor<64xf32>
  return %1, %2 : tensor<64x300xf32>, tensor<64xf32>
}
