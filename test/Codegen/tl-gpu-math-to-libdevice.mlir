// RUN: tl-opt %s --pass-pipeline='builtin.module(gpu.module(tl-gpu-math-to-libdevice))' | FileCheck %s

// math.round and math.roundeven call libdevice (f and f64 forms), one
// declaration per function; other math ops are left to convert-gpu-to-nvvm.
// CHECK-LABEL: gpu.module @kernels
// CHECK-DAG: llvm.func @__nv_roundf(f32) -> f32
// CHECK-DAG: llvm.func @__nv_round(f64) -> f64
// CHECK-DAG: llvm.func @__nv_rint(f64) -> f64
// CHECK: llvm.call @__nv_roundf(%{{.*}}) : (f32) -> f32
// CHECK: llvm.call @__nv_roundf(%{{.*}}) : (f32) -> f32
// CHECK: llvm.call @__nv_round(%{{.*}}) : (f64) -> f64
// CHECK: llvm.call @__nv_rint(%{{.*}}) : (f64) -> f64
// CHECK: math.exp
// CHECK-NOT: math.round
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: f32, %b: f64) kernel {
      %0 = math.round %a : f32
      %1 = math.round %0 : f32
      %2 = math.round %b : f64
      %3 = math.roundeven %2 : f64
      %4 = math.exp %3 : f64
      gpu.return
    }
  }
}
