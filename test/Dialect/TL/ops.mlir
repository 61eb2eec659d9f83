// RUN: tl-opt %s | FileCheck %s
// Round trip through the generic form too: the printed IR parses back.
// RUN: tl-opt %s --mlir-print-op-generic | tl-opt | FileCheck %s

// CHECK-LABEL: func @constants
func.func @constants() -> (tensor<f64>, tensor<2xf32>) {
  // CHECK: tl.constant dense<5.000000e-01> : tensor<f64> {slot = "const_0.5"}
  %0 = tl.constant dense<0.5> : tensor<f64> {slot = "const_0.5"}
  // CHECK: tl.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %1 = tl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0, %1 : tensor<f64>, tensor<2xf32>
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<4x?xf64>) -> tensor<4x?xf64> {
  // CHECK: tl.unary relu %{{.*}} : tensor<4x?xf64>
  %0 = tl.unary relu %x : tensor<4x?xf64>
  %1 = tl.unary sigmoid %0 : tensor<4x?xf64>
  %2 = tl.unary one_minus %1 : tensor<4x?xf64>
  %3 = tl.unary negate %2 : tensor<4x?xf64>
  %4 = tl.unary exp %3 : tensor<4x?xf64>
  %5 = tl.unary log %4 : tensor<4x?xf64>
  %6 = tl.unary sqrt %5 : tensor<4x?xf64>
  %7 = tl.unary abs %6 : tensor<4x?xf64>
  %8 = tl.unary sin %7 : tensor<4x?xf64>
  %9 = tl.unary cos %8 : tensor<4x?xf64>
  %10 = tl.unary tan %9 : tensor<4x?xf64>
  %11 = tl.unary tanh %10 : tensor<4x?xf64>
  %12 = tl.unary floor %11 : tensor<4x?xf64>
  %13 = tl.unary ceil %12 : tensor<4x?xf64>
  %14 = tl.unary round %13 : tensor<4x?xf64>
  // CHECK: tl.unary step %{{.*}} : tensor<4x?xf64>
  %15 = tl.unary step %14 : tensor<4x?xf64>
  return %15 : tensor<4x?xf64>
}

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<3x1xf64>, %b: tensor<4xf64>, %s: tensor<f64>) -> tensor<3x4xf64> {
  // CHECK: tl.binary or_prob_sum %{{.*}}, %{{.*}} : tensor<3x1xf64>, tensor<4xf64> -> tensor<3x4xf64>
  %0 = tl.binary or_prob_sum %a, %b : tensor<3x1xf64>, tensor<4xf64> -> tensor<3x4xf64>
  %1 = tl.binary add %0, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %2 = tl.binary subtract %1, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %3 = tl.binary multiply %2, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %4 = tl.binary divide %3, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %5 = tl.binary min %4, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %6 = tl.binary max %5, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %7 = tl.binary or_max %6, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %8 = tl.binary eq %7, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %9 = tl.binary lt %8, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %10 = tl.binary gt %9, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %11 = tl.binary lte %10, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %12 = tl.binary gte %11, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %13 = tl.binary nand %12, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %14 = tl.binary nor %13, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %15 = tl.binary xor %14, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  %16 = tl.binary power %15, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  // CHECK: tl.binary modulo
  %17 = tl.binary modulo %16, %s : tensor<3x4xf64>, tensor<f64> -> tensor<3x4xf64>
  return %17 : tensor<3x4xf64>
}

// CHECK-LABEL: func @reduce
func.func @reduce(%x: tensor<2x3x4xf64>, %u: tensor<*xf32>) -> (tensor<3xf64>, tensor<2x3x4xf64>, tensor<*xf32>) {
  // CHECK: tl.reduce sum %{{.*}} axes = [2, 0] : tensor<2x3x4xf64> -> tensor<3xf64>
  %0 = tl.reduce sum %x axes = [2, 0] : tensor<2x3x4xf64> -> tensor<3xf64>
  // CHECK: tl.reduce max %{{.*}} axes = [] : tensor<2x3x4xf64> -> tensor<2x3x4xf64>
  %1 = tl.reduce max %x axes = [] : tensor<2x3x4xf64> -> tensor<2x3x4xf64>
  // CHECK: tl.reduce mean %{{.*}} axes = [1] : tensor<*xf32> -> tensor<*xf32>
  %2 = tl.reduce mean %u axes = [1] : tensor<*xf32> -> tensor<*xf32>
  %3 = tl.reduce min %2 axes = [0] : tensor<*xf32> -> tensor<*xf32>
  %4 = tl.reduce prod %3 axes = [0] : tensor<*xf32> -> tensor<*xf32>
  return %0, %1, %4 : tensor<3xf64>, tensor<2x3x4xf64>, tensor<*xf32>
}

// CHECK-LABEL: func @einsum
func.func @einsum(%p: tensor<?x?xf64>, %u: tensor<3xf64>, %v: tensor<4xf64>, %s: tensor<f64>)
    -> (tensor<?x?xf64>, tensor<?xf64>, tensor<3x4xf64>, tensor<?xf64>, tensor<5xf64>) {
  // CHECK: tl.einsum "bc,ca->ba" %{{.*}}, %{{.*}} : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %0 = tl.einsum "bc,ca->ba" %p, %p : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK: tl.einsum "ab->a" reduce max %{{.*}} : (tensor<?x?xf64>) -> tensor<?xf64>
  %1 = tl.einsum "ab->a" reduce max %p : (tensor<?x?xf64>) -> tensor<?xf64>
  // CHECK: tl.einsum "a,b->ab" combine or_prob_sum %{{.*}}, %{{.*}} : (tensor<3xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %2 = tl.einsum "a,b->ab" combine or_prob_sum %u, %v : (tensor<3xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  // A diagonal, and a broadcast of a 0-d operand (G7).
  // CHECK: tl.einsum "ii->i"
  %3 = tl.einsum "ii->i" %p : (tensor<?x?xf64>) -> tensor<?xf64>
  // CHECK: tl.einsum "->b"
  %4 = tl.einsum "->b" %s : (tensor<f64>) -> tensor<5xf64>
  return %0, %1, %2, %3, %4 : tensor<?x?xf64>, tensor<?xf64>, tensor<3x4xf64>, tensor<?xf64>, tensor<5xf64>
}
