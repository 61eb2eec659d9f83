//===- Passes.td - conversions out of the tl dialect ---------*- tablegen -*-===//

#ifndef TL_CONVERSION_PASSES_TD
#define TL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTLToLinalgPass : Pass<"convert-tl-to-linalg", "func::FuncOp"> {
  let summary = "Lower tl ops to linalg on tensors (G6-G10)";
  let description = [{
    Rewrites every `tl` op of a function whose shapes are static (run
    `tl-specialize-shapes` first) into `linalg` on tensors, with `arith`
    and `math` in the bodies:

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
    - `tl.reduce` becomes `linalg.reduce` (plus a division for `mean`).
    - `tl.constant` becomes `arith.constant`.

    Function arguments are marked `bufferization.writable = false`: the
    caller owns those buffers, and bufferization must never write into
    them.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // TL_CONVERSION_PASSES_TD
