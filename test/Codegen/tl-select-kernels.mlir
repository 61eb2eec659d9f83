// RUN: tl-opt --tl-select-kernels="min-volume=1" --split-input-file %s | FileCheck %s
// RUN: tl-opt --tl-select-kernels="min-volume=1 blas=0" --split-input-file %s | FileCheck %s --check-prefix=NOBLAS
// RUN: tl-opt --tl-select-kernels="min-volume=1000" --split-input-file %s | FileCheck %s --check-prefix=SMALL
// RUN: tl-opt --convert-tl-to-linalg --tl-select-kernels="min-volume=1" --split-input-file %s | FileCheck %s --check-prefix=GRAD

// An f32 matmul is marked for oneDNN, an f64 one for OpenBLAS (blas=0
// leaves it to generated code); under min-volume multiply-adds (8*4*8 =
// 256 here), neither is.
// CHECK-LABEL: func.func @marks
// CHECK: linalg.matmul {tl.kernel = "onednn"}
// CHECK: linalg.matmul {tl.kernel = "blas"}
// NOBLAS-LABEL: func.func @marks
// NOBLAS: linalg.matmul {tl.kernel = "onednn"}
// NOBLAS: linalg.matmul ins
// NOBLAS-NOT: tl.kernel
// SMALL-LABEL: func.func @marks
// SMALL-NOT: tl.kernel
func.func @marks(%a: tensor<8x4xf32>, %b: tensor<4x8xf32>, %c: tensor<8x8xf32>,
                 %d: tensor<8x4xf64>, %e: tensor<4x8xf64>, %f: tensor<8x8xf64>) -> (tensor<8x8xf32>, tensor<8x8xf64>) {
  %0 = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  %1 = linalg.matmul ins(%d, %e : tensor<8x4xf64>, tensor<4x8xf64>) outs(%f : tensor<8x8xf64>) -> tensor<8x8xf64>
  return %0, %1 : tensor<8x8xf32>, tensor<8x8xf64>
}

// -----

// The gradients of a matmul, G Q^T and P^T G: the transposes feed the
// product only, so sgemm reads the matrices transposed in place.
// GRAD-LABEL: func.func @grads
// GRAD-NOT: linalg.transpose
// GRAD: linalg.matmul_transpose_b {tl.kernel = "onednn"} ins(%arg0, %arg1 : tensor<4x3xf32>, tensor<5x3xf32>)
// GRAD-NOT: linalg.transpose
// GRAD: linalg.matmul_transpose_a {tl.kernel = "onednn"} ins(%arg2, %arg0 : tensor<4x5xf32>, tensor<4x3xf32>)
func.func @grads(%g: tensor<4x3xf32>, %q: tensor<5x3xf32>, %p: tensor<4x5xf32>) -> (tensor<4x5xf32>, tensor<5x3xf32>) {
  %0 = tl.einsum "ac,bc->ab" %g, %q : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5xf32>
  %1 = tl.einsum "ac,ab->bc" %g, %p : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<5x3xf32>
  return %0, %1 : tensor<4x5xf32>, tensor<5x3xf32>
}

// -----

// The same in f64, for OpenBLAS's dgemm.
// GRAD-LABEL: func.func @grads_f64
// GRAD: linalg.matmul_transpose_b {tl.kernel = "blas"} ins(%arg0, %arg1 : tensor<4x3xf64>, tensor<5x3xf64>)
func.func @grads_f64(%g: tensor<4x3xf64>, %q: tensor<5x3xf64>) -> tensor<4x5xf64> {
  %0 = tl.einsum "ac,bc->ab" %g, %q : (tensor<4x3xf64>, tensor<5x3xf64>) -> tensor<4x5xf64>
  return %0 : tensor<4x5xf64>
}
