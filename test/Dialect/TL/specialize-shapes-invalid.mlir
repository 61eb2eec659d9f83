// RUN: tl-opt %s -split-input-file -verify-diagnostics --tl-specialize-shapes="input-shapes=p=3x3,v=3,w=1x4,q=2x3x4"

func.func @no_shape(%x: tensor<*xf64> {tl.name = "x"}) -> tensor<*xf64> {
  // expected-error @-1 {{G11: no shape given for input 'x' of type 'tensor<*xf64>'}}
  return %x : tensor<*xf64>
}

// -----

// expected-error @+1 {{G11: input 'p' has shape (3, 3) but the function declares 'tensor<?xf64>'}}
func.func @declared_rank(%p: tensor<?xf64> {tl.name = "p"}) -> tensor<?xf64> {
  return %p : tensor<?xf64>
}

// -----

func.func @label_sizes(%p: tensor<*xf64> {tl.name = "p"}, %w: tensor<*xf64> {tl.name = "w"}) -> tensor<?x?xf64> {
  // expected-error @+1 {{G6: 'tl.einsum' op: label 'b' has size 3 in operand 0 but size 1 in operand 1 (einsum does not stretch size-1 dimensions)}}
  %0 = tl.einsum "ab,bc->ac" %p, %w : (tensor<*xf64>, tensor<*xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}

// -----

func.func @einsum_rank(%q: tensor<*xf64> {tl.name = "q"}) -> tensor<?xf64> {
  // expected-error @+1 {{G6: 'tl.einsum' op: operand 0 ('q') has rank 3, shape (2, 3, 4), but its subscript 'ab' has 2 label(s)}}
  %0 = tl.einsum "ab->a" %q : (tensor<*xf64>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}

// -----

func.func @generalized_rule(%p: tensor<*xf64> {tl.name = "p"}, %w: tensor<*xf64> {tl.name = "w"}) -> tensor<?x?xf64> {
  // expected-error @+1 {{G8: 'tl.einsum' op: label 'a' has size 3 in operand 0 but size 1 in operand 1}}
  %0 = tl.einsum "ab,ab->ab" combine max %p, %w : (tensor<*xf64>, tensor<*xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}

// -----

func.func @broadcast(%p: tensor<*xf64> {tl.name = "p"}, %w: tensor<*xf64> {tl.name = "w"}) -> tensor<*xf64> {
  // expected-error @+1 {{G9: 'tl.binary' op: operand shapes (3, 3) and (1, 4) are not broadcast-compatible}}
  %0 = tl.binary add %p, %w : tensor<*xf64>, tensor<*xf64> -> tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

func.func @axis_range(%p: tensor<*xf64> {tl.name = "p"}) -> tensor<*xf64> {
  // expected-error @+1 {{G10: 'tl.reduce' op: axis 2 out of range for an input of rank 2, shape (3, 3)}}
  %0 = tl.reduce sum %p axes = [2] : tensor<*xf64> -> tensor<*xf64>
  return %0 : tensor<*xf64>
}

// -----

// G7: the broadcast label c is reduced away without ever being sized.
func.func @uninferable(%v: tensor<*xf64> {tl.name = "v"}) -> tensor<?xf64> {
  // expected-error @+1 {{G7: cannot infer the size of label 'c' in 'tl.einsum' op: no later op aligns it with a dimension of known size}}
  %0 = tl.einsum "a->ac" %v : (tensor<*xf64>) -> tensor<?x?xf64>
  %1 = tl.unary relu %0 : tensor<?x?xf64>
  %2 = tl.reduce sum %1 axes = [1] : tensor<?x?xf64> -> tensor<?xf64>
  return %2 : tensor<?xf64>
}

// -----

func.func @declared_result(%v: tensor<*xf64> {tl.name = "v"}) -> tensor<5xf64> {
  // expected-error @+1 {{G11: 'tl.einsum' op: result is declared 'tensor<5xf64>' but the operands give shape (3,)}}
  %0 = tl.einsum "a->a" %v : (tensor<*xf64>) -> tensor<5xf64>
  return %0 : tensor<5xf64>
}

// -----

// A state whose shape the body changes is not a fixpoint.
func.func @fixpoint_grows(%v: tensor<*xf64> {tl.name = "v"}) -> tensor<*xf64> {
  // expected-error @+1 {{G11: 'tl.fixpoint' op: state 0 starts with shape (3,) but the body yields shape (3, 3)}}
  %r = tl.fixpoint (%a = %v) : tensor<*xf64> {
    %o = tl.einsum "x,y->xy" %a, %a : (tensor<*xf64>, tensor<*xf64>) -> tensor<*xf64>
    tl.yield %o : tensor<*xf64>
  }
  return %r : tensor<*xf64>
}
