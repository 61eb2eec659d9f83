// W4: the fused rule sigmoid(A*B + C) - relu(D) over 64M f32 elements.
func.func @main(%a: tensor<67108864xf32> {tl.name = "A"}, %b: tensor<67108864xf32> {tl.name = "B"}, %c: tensor<67108864xf32> {tl.name = "C"}, %d: tensor<67108864xf32> {tl.name = "D"}) -> tensor<67108864xf32> {
  %0 = tl.binary multiply %a, %b : tensor<67108864xf32>, tensor<67108864xf32> -> tensor<67108864xf32>
  %1 = tl.binary add %0, %c : tensor<67108864xf32>, tensor<67108864xf32> -> tensor<67108864xf32>
  %2 = tl.unary sigmoid %1 : tensor<67108864xf32>
  %3 = tl.unary relu %d : tensor<67108864xf32>
  %4 = tl.binary subtract %2, %3 : tensor<67108864xf32>, tensor<67108864xf32> -> tensor<67108864xf32>
  return %4 : tensor<67108864xf32>
}
