// RUN: tl-jit %s --inputs=%S/Inputs/xy.npz --print | FileCheck %s
// RUN: tl-jit %s --inputs=%S/Inputs/xy.npz --print --reference | FileCheck %s
// RUN: tl-jit %s --inputs=%S/Inputs/xy.npz --print -O0 --vectorize=false | FileCheck %s
// RUN: tl-jit %s --inputs=%S/Inputs/xy.npz --function=other --print | FileCheck %s --check-prefix=OTHER

// Arguments bind by their tl.name (G3): `x[ab]` takes the array `x` by its
// base name; `y` is int32 and `flag` bool, both converted to f64 (G5);
// `const_10` is not given, so it is the constant 10:
// [[1 2 3] [4 5 6]] + [1 0 2] + [1 0 1] + 10.
// CHECK:      result[0]: out
// CHECK-NEXT: 2x3xf64=[13 12 16][16 15 19]{{$}}
// CHECK-NEXT: result[1]: rowmax
// CHECK-NEXT: 2xf64=3 6{{$}}
func.func @main(%x: tensor<*xf64> {tl.name = "x[ab]"}, %y: tensor<*xf64> {tl.name = "y"},
                %flag: tensor<*xf64> {tl.name = "flag"}, %c: tensor<*xf64> {tl.name = "const_10"})
    -> (tensor<*xf64> {tl.name = "out"}, tensor<?xf64> {tl.name = "rowmax"}) {
  %0 = tl.binary add %x, %y : tensor<*xf64>, tensor<*xf64> -> tensor<*xf64>
  %1 = tl.binary add %0, %flag : tensor<*xf64>, tensor<*xf64> -> tensor<*xf64>
  %2 = tl.binary add %1, %c : tensor<*xf64>, tensor<*xf64> -> tensor<*xf64>
  %3 = tl.einsum "ab->a" reduce max %x : (tensor<*xf64>) -> tensor<?xf64>
  return %2, %3 : tensor<*xf64>, tensor<?xf64>
}

// OTHER:      result[0]: t
// OTHER-NEXT: 3x2xf64=[1 4][2 5][3 6]{{$}}
func.func @other(%x: tensor<2x3xf64> {tl.name = "x"}) -> (tensor<3x2xf64> {tl.name = "t"}) {
  %0 = tl.einsum "ab->ba" %x : (tensor<2x3xf64>) -> tensor<3x2xf64>
  return %0 : tensor<3x2xf64>
}

// RUN: tl-jit %s --inputs=%S/Inputs/xy.npz --function=scalar | FileCheck %s --check-prefix=SCALAR
// RUN: tl-jit %s --inputs=%S/Inputs/xy.npz --function=many --output_max_element_count=4 | FileCheck %s --check-prefix=LIMIT
// SCALAR:      result[0]: s
// SCALAR-NEXT: f64=21{{$}}
func.func @scalar(%x: tensor<2x3xf64> {tl.name = "x"}) -> (tensor<f64> {tl.name = "s"}) {
  %0 = tl.reduce sum %x axes = [0, 1] : tensor<2x3xf64> -> tensor<f64>
  return %0 : tensor<f64>
}
// LIMIT: 2x3xf64=[1 2 3][4...{{$}}
func.func @many(%x: tensor<2x3xf64> {tl.name = "x"}) -> (tensor<2x3xf64> {tl.name = "m"}) {
  return %x : tensor<2x3xf64>
}
