//===- Passes.td - code generation passes on linalg ----------*- tablegen -*-===//

#ifndef TL_CODEGEN_PASSES_TD
#define TL_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def TLVectorizePass : Pass<"tl-vectorize", "func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into register-sized blocks and vectorize them";
  let description = [{
    MLIR 19 has no pass that vectorizes linalg; this one tiles every linalg
    op with static loop ranges into blocks of at most a few hundred
    elements (`scf.for` over tensor slices), vectorizes each block with
    `linalg::vectorize`, and lowers the result in two greedy stages:

    1. transfer permutation maps, reduction-to-contract and broadcast
       sinking, so that a contraction becomes one `vector.contract`;
    2. `vector.contract` to outer products (FMAs on AVX-512),
       `vector.multi_reduction`, shape casts, transposes and broadcasts.

    Running both stages as one greedy set never forms `vector.contract`
    (scalarized transposes and reduction chains: correct, 9x slower), so
    the order matters.

    A block size only divides a loop range exactly: a dimension is tiled
    by the largest power of two up to its cap that divides it, or kept
    whole when it fits the cap. A contraction's block holds up to
    `max-volume` elements (8x16x8 for a matmul); any other op's an eighth
    of that, because LLVM's compile time grows quickly with large unrolled
    blocks of other bodies (a 6-node graph took 650 ms to compile with
    384-element blocks, 99 ms with 128) while they gain little at run time. Ops with a zero-size loop, 0-d ops and ops
    the vectorizer refuses (a diagonal's non-permutation indexing map) stay
    as they are and become scalar loops later.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"64",
           "Bytes in a vector register (64 for AVX-512)">,
    Option<"maxBlock", "max-block", "int64_t", /*default=*/"8",
           "Largest tile of a dimension other than the widest">,
    Option<"maxVolume", "max-volume", "int64_t", /*default=*/"1024",
           "Most elements in a block of a contraction (mul-add body); other "
           "ops get an eighth (smaller caps are tried until it fits)">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // TL_CODEGEN_PASSES_TD
