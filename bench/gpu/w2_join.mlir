// W2: join = GEMM, 4096^3 f32.
func.func @main(%p: tensor<4096x4096xf32> {tl.name = "P"}, %q: tensor<4096x4096xf32> {tl.name = "Q"}) -> tensor<4096x4096xf32> {
  %0 = tl.einsum "ab,bc->ac" %p, %q : (tensor<4096x4096xf32>, tensor<4096x4096xf32>) -> tensor<4096x4096xf32>
  return %0 : tensor<4096x4096xf32>
}
