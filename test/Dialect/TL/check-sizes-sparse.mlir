// RUN: tl-opt %s --split-input-file --verify-diagnostics --tl-check-sizes="memory-limit=1048576 input-densities=p=0.000001,q=0.000001,w=0.01"

// The sparse route (issue 19): values expected at or under the sparse
// threshold are sized by their expected nonzeros (value and coordinates),
// and a join of sparse operands by the points it visits. Two 100000^2
// relations of 10^4 facts and their join fit in 1 MiB, though each dense
// form is 75 GiB and the join's loop nest 10^15 points.
func.func @join(%p: tensor<100000x100000xf64> {tl.name = "p"}, %q: tensor<100000x100000xf64> {tl.name = "q"}) -> tensor<100000x100000xf64> {
  %0 = tl.einsum "ab,bc->ac" %p, %q : (tensor<100000x100000xf64>, tensor<100000x100000xf64>) -> tensor<100000x100000xf64>
  return %0 : tensor<100000x100000xf64>
}

// -----

// A sparse value whose nonzeros alone are over the limit is refused, with
// its expected density.
// expected-error @+1 {{G11: argument 'w' is a 100000x100000xf64 value stored sparse (expected density 0.01): 2.2 GiB, more than the memory limit of 1.0 MiB}}
func.func @many(%w: tensor<100000x100000xf64> {tl.name = "w"}) -> tensor<100000x100000xf64> {
  return %w : tensor<100000x100000xf64>
}

// -----

// An argument without a measured density is dense, and so is what an
// op that maps an implicit zero to a nonzero computes.
func.func @dense(%p: tensor<1000x1000xf64> {tl.name = "p"}) -> tensor<1000x1000xf64> {
  // expected-error @+1 {{G11: 'tl.unary' op computes a 1000x1000xf64 value: 7.6 MiB, more than the memory limit of 1.0 MiB}}
  %0 = tl.unary exp %p : tensor<1000x1000xf64>
  return %0 : tensor<1000x1000xf64>
}

// -----

// expected-error @+1 {{G11: argument 'x' is a 1000x1000xf64 value: 7.6 MiB}}
func.func @unmeasured(%x: tensor<1000x1000xf64> {tl.name = "x"}) -> tensor<1000x1000xf64> {
  return %x : tensor<1000x1000xf64>
}
