// RUN: tl-opt %s --split-input-file --verify-diagnostics --tl-check-sizes="memory-limit=1048576"

// Values over the memory limit are refused with the node's shape and bytes.
func.func @outer(%a: tensor<1000xf64> {tl.name = "a"}, %b: tensor<1000xf64> {tl.name = "b"}) -> tensor<1000x1000xf64> {
  // expected-error @+1 {{G11: 'tl.einsum' op computes a 1000x1000xf64 value: 7.6 MiB, more than the memory limit of 1.0 MiB (TL_MEMORY_LIMIT or --memory-limit)}}
  %0 = tl.einsum "i,j->ij" %a, %b : (tensor<1000xf64>, tensor<1000xf64>) -> tensor<1000x1000xf64>
  return %0 : tensor<1000x1000xf64>
}

// -----

// A size that overflows 64-bit arithmetic is refused whatever the limit.
func.func @wraps(%x: tensor<3xf64> {tl.name = "x"}) -> tensor<3x2305843009213693952xf64> {
  // expected-error @+1 {{G11: 'tl.einsum' op computes a 3x2305843009213693952xf64 value: its size overflows 64-bit arithmetic}}
  %0 = tl.einsum "a->ab" %x : (tensor<3xf64>) -> tensor<3x2305843009213693952xf64>
  return %0 : tensor<3x2305843009213693952xf64>
}

// -----

// Arguments are checked too.
// expected-error @+1 {{G11: argument 'big' is a 1000x1000xf32 value: 3.8 MiB, more than the memory limit of 1.0 MiB}}
func.func @argument(%big: tensor<1000x1000xf32> {tl.name = "big"}) -> tensor<1000x1000xf32> {
  return %big : tensor<1000x1000xf32>
}

// -----

// Within the limit: nothing to say.
func.func @fine(%a: tensor<100xf64> {tl.name = "a"}) -> tensor<100x100xf64> {
  %0 = tl.einsum "i,j->ij" %a, %a : (tensor<100xf64>, tensor<100xf64>) -> tensor<100x100xf64>
  return %0 : tensor<100x100xf64>
}

// -----

// A loop nest beyond 2^42 points is refused even when every value is
// small (an outer product summed away).
func.func @loops(%a: tensor<100000xf64> {tl.name = "a"}, %b: tensor<100000xf64> {tl.name = "b"}, %c: tensor<1000xf64> {tl.name = "c"}) -> tensor<f64> {
  // expected-error @+1 {{G11: 'tl.einsum' op iterates over 10000000000000 points (i=100000, j=100000, k=1000)}}
  %0 = tl.einsum "i,j,k->" %a, %b, %c : (tensor<100000xf64>, tensor<100000xf64>, tensor<1000xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}
