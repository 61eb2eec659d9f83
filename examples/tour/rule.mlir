// A soft rule in the tl dialect: likes(a) = sigmoid(y * sum_b x(a, b)),
// for the README's tour (--input=x=2x3xf64=... --input=y=f64=0.5).
func.func @main(%x: tensor<2x3xf64> {tl.name = "x"},
                %y: tensor<f64> {tl.name = "y"}) -> (tensor<2xf64> {tl.name = "likes"}) {
  %s = tl.einsum "ab->a" %x : (tensor<2x3xf64>) -> tensor<2xf64>
  %t = tl.binary multiply %s, %y : tensor<2xf64>, tensor<f64> -> tensor<2xf64>
  %r = tl.unary sigmoid %t : tensor<2xf64>
  return %r : tensor<2xf64>
}
