// RUN: tl-opt %s -split-input-file -verify-diagnostics

func.func @constant_int() {
  // expected-error @+1 {{result #0 must be tensor of 32-bit float or 64-bit float values}}
  %0 = "tl.constant"() <{value = dense<1> : tensor<i32>}> : () -> tensor<i32>
  return
}

// -----

func.func @binary_broadcast(%a: tensor<3xf64>, %b: tensor<4xf64>) {
  // expected-error @+1 {{G9: operand shapes (3,) and (4,) are not broadcast-compatible}}
  %0 = tl.binary add %a, %b : tensor<3xf64>, tensor<4xf64> -> tensor<4xf64>
  return
}

// -----

func.func @binary_rank(%a: tensor<3xf64>, %b: tensor<2x3xf64>) {
  // expected-error @+1 {{G9: result has rank 1 but broadcasting operands of shapes (3,) and (2, 3) gives rank 2}}
  %0 = tl.binary add %a, %b : tensor<3xf64>, tensor<2x3xf64> -> tensor<3xf64>
  return
}

// -----

func.func @binary_result_size(%a: tensor<3x1xf64>, %b: tensor<4xf64>) {
  // expected-error @+1 {{G9: result dimension 1 has size 5 but broadcasting gives 4}}
  %0 = tl.binary add %a, %b : tensor<3x1xf64>, tensor<4xf64> -> tensor<3x5xf64>
  return
}

// -----

func.func @reduce_duplicate(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G10: duplicate axis 0 in axes [0, 0]}}
  %0 = tl.reduce sum %x axes = [0, 0] : tensor<2x3xf64> -> tensor<f64>
  return
}

// -----

func.func @reduce_negative(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G10: axis -1 is negative}}
  %0 = tl.reduce sum %x axes = [-1] : tensor<2x3xf64> -> tensor<2xf64>
  return
}

// -----

func.func @reduce_range(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G10: axis 2 out of range for an input of rank 2, shape (2, 3)}}
  %0 = tl.reduce max %x axes = [0, 2] : tensor<2x3xf64> -> tensor<f64>
  return
}

// -----

func.func @reduce_result_rank(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G10: result has rank 2 but reducing 1 axes of a rank-2 input leaves 1}}
  %0 = tl.reduce sum %x axes = [0] : tensor<2x3xf64> -> tensor<2x3xf64>
  return
}

// -----

func.func @reduce_result_size(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G10: result dimension 0 has size 2 but input dimension 1 has size 3}}
  %0 = tl.reduce sum %x axes = [0] : tensor<2x3xf64> -> tensor<2xf64>
  return
}

// -----

func.func @einsum_implicit(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: implicit einsum (spec 'ab' has no '->') is not supported}}
  %0 = tl.einsum "ab" %x : (tensor<2x3xf64>) -> tensor<2x3xf64>
  return
}

// -----

func.func @einsum_two_arrows(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: more than one '->' in the spec 'ab->a->b'}}
  %0 = tl.einsum "ab->a->b" %x : (tensor<2x3xf64>) -> tensor<2xf64>
  return
}

// -----

func.func @einsum_char(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: invalid character '1' in a subscript of the spec 'a1->a' (labels are ASCII letters)}}
  %0 = tl.einsum "a1->a" %x : (tensor<2x3xf64>) -> tensor<2xf64>
  return
}

// -----

func.func @einsum_ellipsis(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: ellipsis '...' is not supported}}
  %0 = tl.einsum "...->" %x : (tensor<2x3xf64>) -> tensor<f64>
  return
}

// -----

func.func @einsum_output_repeat(%x: tensor<2x2xf64>) {
  // expected-error @+1 {{G6: label 'a' repeats in the output 'aa'}}
  %0 = tl.einsum "ab->aa" %x : (tensor<2x2xf64>) -> tensor<2x2xf64>
  return
}

// -----

func.func @einsum_count(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: the spec 'ab,bc->ac' has 2 input subscript(s) but the op has 1 operand(s)}}
  %0 = tl.einsum "ab,bc->ac" %x : (tensor<2x3xf64>) -> tensor<2x3xf64>
  return
}

// -----

func.func @einsum_rank(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: operand 0 has rank 2, shape (2, 3), but its subscript 'abc' has 3 label(s)}}
  %0 = tl.einsum "abc->a" %x : (tensor<2x3xf64>) -> tensor<2xf64>
  return
}

// -----

func.func @einsum_label_size(%x: tensor<3x4xf64>, %y: tensor<1x4xf64>) {
  // expected-error @+1 {{G6: label 'a' has size 3 in operand 0 but size 1 in operand 1 (no size-1 stretching in einsum)}}
  %0 = tl.einsum "ab,ab->ab" %x, %y : (tensor<3x4xf64>, tensor<1x4xf64>) -> tensor<3x4xf64>
  return
}

// -----

func.func @einsum_result_rank(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: result has rank 2 but the output 'a' has 1 label(s)}}
  %0 = tl.einsum "ab->a" %x : (tensor<2x3xf64>) -> tensor<2x3xf64>
  return
}

// -----

func.func @einsum_result_size(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G6: label 'a' has size 2 in operand 0 but size 5 in the result}}
  %0 = tl.einsum "ab->a" %x : (tensor<2x3xf64>) -> tensor<5xf64>
  return
}

// -----

func.func @einsum_combine_arity(%x: tensor<2xf64>) {
  // expected-error @+1 {{G8: combine 'add' needs exactly 2 operands, got 1}}
  %0 = tl.einsum "a->a" combine add %x : (tensor<2xf64>) -> tensor<2xf64>
  return
}

// -----

func.func @einsum_generalized_rule(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{G8: operand 0 has rank 2}}
  %0 = tl.einsum "a->" reduce max %x : (tensor<2x3xf64>) -> tensor<f64>
  return
}

// -----

func.func @einsum_element_type(%x: tensor<2xf64>) {
  // expected-error @+1 {{G6: operand element type 'f64' differs from the result's 'f32'}}
  %0 = tl.einsum "a->a" %x : (tensor<2xf64>) -> tensor<2xf32>
  return
}

// -----

func.func @unary_integer(%x: tensor<2xi32>) {
  // expected-error @+1 {{must be tensor of 32-bit float or 64-bit float values}}
  %0 = tl.unary relu %x : tensor<2xi32>
  return
}

// -----

func.func @fixpoint_yield_count(%x: tensor<3xf64>) -> tensor<3xf64> {
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> {
    // expected-error @+1 {{'tl.yield' op yields 2 value(s) but the tl.fixpoint has 1 state(s)}}
    tl.yield %v, %v : tensor<3xf64>, tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

func.func @fixpoint_yield_type(%x: tensor<3xf64>, %y: tensor<4xf64>) -> tensor<3xf64> {
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> {
    // expected-error @+1 {{'tl.yield' op value 0 has type 'tensor<4xf64>' but state 0 has type 'tensor<3xf64>'}}
    tl.yield %y : tensor<4xf64>
  }
  return %r : tensor<3xf64>
}

// -----

func.func @fixpoint_tolerance(%x: tensor<3xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'tl.fixpoint' op tolerance must be 0 or positive, got -1}}
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> attributes {tolerance = -1.0 : f64} {
    tl.yield %v : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

func.func @fixpoint_iterations(%x: tensor<3xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'tl.fixpoint' op max_iterations must be at least 1, got 0}}
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> attributes {max_iterations = 0 : i64} {
    tl.yield %v : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

// A negative count is refused too (the attribute is read signed).
func.func @fixpoint_negative_iterations(%x: tensor<3xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'tl.fixpoint' op max_iterations must be at least 1, got -5}}
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> attributes {max_iterations = -5 : i64} {
    tl.yield %v : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

func.func @fixpoint_types(%x: tensor<3xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{expected one type per state (1), got 2}}
  %r = tl.fixpoint (%v = %x) : tensor<3xf64>, tensor<3xf64> {
    tl.yield %v : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

func.func @fixpoint_terminator(%x: tensor<3xf64>) -> tensor<3xf64> {
  %r = tl.fixpoint (%v = %x) : tensor<3xf64> {
    // expected-error @+1 {{block with no terminator}}
    %n = tl.unary negate %v : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}

// -----

func.func @adjoint_results(%x: tensor<3xf64>, %c: tensor<f64>) -> tensor<3xf64> {
  // expected-error @+1 {{'tl.fixpoint_adjoint' op has 1 result(s); expected one per state (1) and one per captured value (1)}}
  %g = tl.fixpoint_adjoint (%x : tensor<3xf64>) cotangents (%x : tensor<3xf64>) captured (%c : tensor<f64>) -> tensor<3xf64> {
  ^bb0(%s: tensor<3xf64>):
    tl.yield %s : tensor<3xf64>
  } adjoint {
  ^bb0(%s: tensor<3xf64>, %l: tensor<3xf64>):
    tl.yield %l : tensor<3xf64>
  }
  return %g : tensor<3xf64>
}

// -----

func.func @adjoint_step_yields(%x: tensor<3xf64>, %c: tensor<f64>) -> tensor<3xf64> {
  // expected-error @+1 {{'tl.fixpoint_adjoint' op the adjoint region yields ('tensor<3xf64>'); expected ('tensor<3xf64>', 'tensor<f64>')}}
  %g:2 = tl.fixpoint_adjoint (%x : tensor<3xf64>) cotangents (%x : tensor<3xf64>) captured (%c : tensor<f64>) -> tensor<3xf64>, tensor<f64> {
  ^bb0(%s: tensor<3xf64>):
    tl.yield %s : tensor<3xf64>
  } adjoint {
  ^bb0(%s: tensor<3xf64>, %l: tensor<3xf64>):
    tl.yield %l : tensor<3xf64>
  }
  return %g#0 : tensor<3xf64>
}

// -----

func.func @adjoint_body_args(%x: tensor<3xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'tl.fixpoint_adjoint' op the body region takes ('tensor<4xf64>'); expected ('tensor<3xf64>')}}
  %g = tl.fixpoint_adjoint (%x : tensor<3xf64>) cotangents (%x : tensor<3xf64>) captured () -> tensor<3xf64> {
  ^bb0(%s: tensor<4xf64>):
    tl.yield %x : tensor<3xf64>
  } adjoint {
  ^bb0(%s: tensor<3xf64>, %l: tensor<3xf64>):
    tl.yield %l : tensor<3xf64>
  }
  return %g : tensor<3xf64>
}
