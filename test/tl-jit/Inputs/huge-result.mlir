func.func @main(%x: tensor<3xf64> {tl.name = "x"}) -> tensor<3x2305843009213693952xf64> {
  %0 = tl.einsum "a->ab" %x : (tensor<3xf64>) -> tensor<3x2305843009213693952xf64>
  return %0 : tensor<3x2305843009213693952xf64>
}
