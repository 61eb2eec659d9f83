// W1: EXISTS projection, row sums of a 4096x4096 f32 relation.
func.func @main(%r: tensor<4096x4096xf32> {tl.name = "R"}) -> tensor<4096xf32> {
  %0 = tl.einsum "ab->a" %r : (tensor<4096x4096xf32>) -> tensor<4096xf32>
  return %0 : tensor<4096xf32>
}
