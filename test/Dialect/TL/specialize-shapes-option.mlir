// RUN: not tl-opt %s --tl-specialize-shapes="input-shapes=p=3xq" 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not tl-opt %s --tl-specialize-shapes="input-shapes=p" 2>&1 | FileCheck %s --check-prefix=FORM

// SIZE: error: tl-specialize-shapes: input-shapes: bad size 'q' in 'p=3xq'
// FORM: error: tl-specialize-shapes: input-shapes: expected name=DxD... (name= for 0-d), got 'p'
func.func @f(%p: tensor<*xf64> {tl.name = "p"}) -> tensor<*xf64> {
  return %p : tensor<*xf64>
}
