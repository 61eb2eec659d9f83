// A soft rule and its squared error against target facts:
//   recommends(x, z) = sigmoid(4 * sum_y knows(x, y) likes(y, z) - 2)
//   loss = sum_xz (recommends(x, z) - target(x, z))^2
// learn_relation.cpp learns the entries of `knows` by gradient descent.
func.func @main(%knows: tensor<8x6xf64> {tl.name = "knows"},
                %likes: tensor<6x6xf64> {tl.name = "likes"},
                %target: tensor<8x6xf64> {tl.name = "target"})
    -> (tensor<f64> {tl.name = "loss"}) {
  %four = tl.constant dense<4.0> : tensor<f64>
  %two = tl.constant dense<2.0> : tensor<f64>
  %join = tl.einsum "ab,bc->ac" %knows, %likes : (tensor<8x6xf64>, tensor<6x6xf64>) -> tensor<8x6xf64>
  %scaled = tl.binary multiply %join, %four : tensor<8x6xf64>, tensor<f64> -> tensor<8x6xf64>
  %shifted = tl.binary subtract %scaled, %two : tensor<8x6xf64>, tensor<f64> -> tensor<8x6xf64>
  %recommends = tl.unary sigmoid %shifted : tensor<8x6xf64>
  %error = tl.binary subtract %recommends, %target : tensor<8x6xf64>, tensor<8x6xf64> -> tensor<8x6xf64>
  %squared = tl.binary multiply %error, %error : tensor<8x6xf64>, tensor<8x6xf64> -> tensor<8x6xf64>
  %loss = tl.einsum "ab->" %squared : (tensor<8x6xf64>) -> tensor<f64>
  return %loss : tensor<f64>
}
