// RUN: tl-translate --export-tensorlogic-json %s -split-input-file -verify-diagnostics

func.func @vector_constant() -> tensor<2xf64> {
  // expected-error @+1 {{export: only 0-d constants have a TensorLogic JSON form (const_<number> slots), got 'tensor<2xf64>'}}
  %0 = tl.constant dense<[1.0, 2.0]> : tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @combine_and_reduce(%a: tensor<2x3xf64>, %b: tensor<3xf64>) -> tensor<2xf64> {
  // expected-error @+1 {{export: an einsum with both a combine and a reduce kind has no TensorLogic JSON form}}
  %0 = tl.einsum "ab,b->a" combine max reduce min %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

// expected-error @+1 {{export: expected exactly one function with a body, found 2}}
module {
  func.func @a() { return }
  func.func @b() { return }
}
