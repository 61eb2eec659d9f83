// Outputs of every streaming kind: rule keeps the entity axis (rows
// written as chunks complete), transposed keeps it as dimension 1, total /
// most / least / avg / product reduce it (accumulated across chunks), and
// weights never sees it (written once). test/Streaming/stream_test.py.
func.func @main(%k: tensor<?x?xf64> {tl.name = "knows"}, %w: tensor<?x?xf64> {tl.name = "w"}) -> (tensor<?x?xf64> {tl.name = "rule"}, tensor<?xf64> {tl.name = "total"}, tensor<?xf64> {tl.name = "most"}, tensor<?xf64> {tl.name = "least"}, tensor<?xf64> {tl.name = "avg"}, tensor<?xf64> {tl.name = "product"}, tensor<?x?xf64> {tl.name = "transposed"}, tensor<?xf64> {tl.name = "weights"}) {
  %j = tl.einsum "ab,bc->ac" %k, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %rule = tl.unary sigmoid %j : tensor<?x?xf64>
  %total = tl.einsum "ab->b" %k : (tensor<?x?xf64>) -> tensor<?xf64>
  %most = tl.einsum "ab->b" reduce max %k : (tensor<?x?xf64>) -> tensor<?xf64>
  %least = tl.reduce min %k axes = [0] : tensor<?x?xf64> -> tensor<?xf64>
  %avg = tl.reduce mean %k axes = [0] : tensor<?x?xf64> -> tensor<?xf64>
  %eps = tl.constant dense<1.0e-4> : tensor<f64>
  %one = tl.constant dense<1.0> : tensor<f64>
  %small = tl.binary multiply %k, %eps : tensor<?x?xf64>, tensor<f64> -> tensor<?x?xf64>
  %near1 = tl.binary add %small, %one : tensor<?x?xf64>, tensor<f64> -> tensor<?x?xf64>
  %product = tl.einsum "ab->b" reduce prod %near1 : (tensor<?x?xf64>) -> tensor<?xf64>
  %t = tl.einsum "ab->ba" %k : (tensor<?x?xf64>) -> tensor<?x?xf64>
  %weights = tl.einsum "bc->c" %w : (tensor<?x?xf64>) -> tensor<?xf64>
  return %rule, %total, %most, %least, %avg, %product, %t, %weights : tensor<?x?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?x?xf64>, tensor<?xf64>
}
