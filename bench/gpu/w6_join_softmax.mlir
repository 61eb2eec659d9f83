// W6: batched join + softmax over k, b=64, 128^3 f32.
func.func @main(%a: tensor<64x128x128xf32> {tl.name = "A"}, %b: tensor<64x128x128xf32> {tl.name = "B"}) -> tensor<64x128x128xf32> {
  %s = tl.einsum "bij,bjk->bik" %a, %b : (tensor<64x128x128xf32>, tensor<64x128x128xf32>) -> tensor<64x128x128xf32>
  %m = tl.einsum "bik->bi" reduce max %s : (tensor<64x128x128xf32>) -> tensor<64x128xf32>
  %d = tl.einsum "bik,bi->bik" combine subtract %s, %m : (tensor<64x128x128xf32>, tensor<64x128xf32>) -> tensor<64x128x128xf32>
  %e = tl.unary exp %d : tensor<64x128x128xf32>
  %z = tl.einsum "bik->bi" %e : (tensor<64x128x128xf32>) -> tensor<64x128xf32>
  %r = tl.einsum "bik,bi->bik" combine divide %e, %z : (tensor<64x128x128xf32>, tensor<64x128xf32>) -> tensor<64x128x128xf32>
  return %r : tensor<64x128x128xf32>
}
