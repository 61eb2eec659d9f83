//===- Passes.td - conversions out of the tl dialect ---------*- tablegen -*-===//

#ifndef TL_CONVERSION_PASSES_TD
#define TL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTLToLinalgPass : Pass<"convert-tl-to-linalg", "func::FuncOp"> {
  let summary = "Lower tl ops to linalg on tensors (G6-G10)";
  let description = [{
    Rewrites every `tl` op of a function whose shapes are ranked (run
    `tl-specialize-shapes` first) into `linalg` on tensors, with `arith`
    and `math` in the bodies. Dynamic sizes (shape-generic code) are read
    at run time with `tensor.dim` from an operand dimension that carries
    them, and `mean` divides by the product of the reduced sizes read the
    same way; a broadcast label (G7) whose size only a later op sets has
    no such operand and is an error. Only static 1s broadcast.

    - `tl.einsum` becomes a `linalg.generic` with one loop per label:
      output labels are parallel, the others reductions. A label repeated
      in one operand indexes it twice (the diagonal); a broadcast label
      (G7) indexes no operand. The accumulator starts at the identity of
      the reduce kind; `mean` divides by the count afterwards. Specs that
      are a plain matrix product (`ik,kj->ij`, `bik,bkj->bij`, multiply
      and sum) become `linalg.matmul` / `linalg.batch_matmul`.
    - `tl.unary` and `tl.binary` become element-wise `linalg.generic`s.
      A broadcast operand (NumPy rules) is collapsed to drop its stretched
      unit dimensions, so every indexing map stays a projected permutation.
    - `tl.reduce` becomes a reducing `linalg.generic` (plus a division for
      `mean`).
    - `tl.constant` becomes `arith.constant`.
    - A tl op's `tl.sparse` decision (`tl-assign-sparsity`) is copied to
      the linalg op that produces its value, for `tl-encode-sparsity`; a
      matrix product with an operand decided sparse stays a generic rather
      than `linalg.matmul` of a transposed copy (which would be dense). A
      `tl.unary` decided sparse whose operand is sparse (its function maps
      0 to 0: `step` of a join, the Boolean semiring) maps only the stored
      entries, through `sparse_tensor.unary` with an empty `absent` region.
    - `tl.fixpoint` becomes an `scf.while` on tensors: the before-region
      runs the body (converted like the rest), measures the largest
      element change from the current states (a reduction to a scalar,
      with the reference evaluator's NaN rule) and goes on while it exceeds
      `tolerance` and fewer than `max_iterations` iterations ran. A loop
      that leaves still changing is followed by `tl.no_fixpoint` (the
      run-time failure, `tl-call-kernels`), which names the op by its
      `tl.fixpoint_site` attribute when the driver numbered it. Body ops
      that read only values from above move before the loop (they would
      compute the same in every iteration).
    - A `tl.fixpoint` marked `tl.semi_naive` (by `tl-semi-naive`) first
      runs `tl.semi_naive_closure` (a transitive closure) or, after its
      invariant ops moved out, `tl.semi_naive_rule` (another linear rule
      `step(B + L R M)`; a transposed factor is a `memref.transpose` view)
      into the result's buffer; the loop runs only when the kernel
      declines, and stores into the same buffer
      (`bufferization.materialize_in_destination`).

    Function arguments are marked `bufferization.writable = false`: the
    caller owns those buffers, and bufferization must never write into
    them.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // TL_CONVERSION_PASSES_TD
