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

def TLParallelizePass : Pass<"tl-parallelize", "func::FuncOp"> {
  let summary = "Tile outer parallel loops into scf.forall chunks and fuse producers into them";
  let description = [{
    Every top-level linalg op on static tensors whose loop volume reaches
    `min-work` is tiled along its outermost parallel loop into an
    `scf.forall` of at most `threads` x `chunks-per-thread` chunks. The
    chunk size divides the loop range (so every chunk is static; a prime
    range that nothing divides stays serial).

    Producers are fused into the chunk (tile-and-fuse) when only this op
    reads them and the chunks partition them: a contraction followed by
    an element-wise epilogue, or element-wise ops feeding a reduction, run
    chunk by chunk on data still in cache. A producer that each chunk
    would need whole (a vector broadcast along the chunked axis) is not
    fused: it would be recomputed per chunk.

    Consumers are visited first, so a chain is fused into its last op.
    `tl-outline-parallel` turns the loops into thread-pool calls after
    bufferization.
  }];
  let options = [
    Option<"numThreads", "threads", "int64_t", /*default=*/"0",
           "Threads to plan for (0: the machine's hardware threads)">,
    Option<"chunksPerThread", "chunks-per-thread", "int64_t", /*default=*/"4",
           "Most chunks per thread (more balance, more overhead)">,
    Option<"minWork", "min-work", "int64_t", /*default=*/"65536",
           "Smallest loop volume (iterations of the body) worth threads">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect"
  ];
}

def TLOutlineParallelPass : Pass<"tl-outline-parallel", "ModuleOp"> {
  let summary = "Turn scf.forall loops on buffers into calls to the runtime thread pool";
  let description = [{
    Runs after bufferization. Each outermost one-dimensional `scf.forall`
    with static bounds becomes a private function that runs the iterations
    `[lo, hi)` of its body,

    ```mlir
    func.func private @f_chunks0(%lo: index, %hi: index, %ctx: !llvm.ptr)
    ```

    and, in its place, a call `tl_rt_parallel_for(%trips, @f_chunks0,
    %ctx)`: the runtime splits the trips over its thread pool (or runs them
    inline when called from one of its workers, so nested parallelism never
    oversubscribes the machine). Values the body reads from above are
    stored in `%ctx`, a struct on the caller's stack: a memref as its LLVM
    descriptor, an index as i64, scalars and vectors as they are.
    Constants are cloned into the chunk function instead.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect", "::mlir::scf::SCFDialect"
  ];
}

def TLSelectKernelsPass : Pass<"tl-select-kernels", "func::FuncOp"> {
  let summary = "Choose oneDNN's sgemm for the f32 matmuls where it beats generated code";
  let description = [{
    A cost model on linalg on tensors: an f32 `linalg.matmul` or
    `linalg.batch_matmul` with static sizes and at least `min-volume`
    multiply-adds gets `tl.kernel = "onednn"`. Below that, a library call
    (argument checks, oneDNN's own thread start) costs more than the
    generated kernel. f64 always stays generated: oneDNN has no f64 GEMM on
    CPUs. `tl-parallelize` and `tl-vectorize` skip marked ops and
    `tl-call-kernels` turns them into calls after bufferization.
  }];
  let options = [
    Option<"minVolume", "min-volume", "int64_t", /*default=*/"262144",
           "Fewest multiply-adds (M*N*K, times the batch) sent to oneDNN">
  ];
}

def TLCallKernelsPass : Pass<"tl-call-kernels", "ModuleOp"> {
  let summary = "Replace ops marked tl.kernel by calls to the runtime's library kernels";
  let description = [{
    After bufferization: a marked `linalg.matmul` becomes
    `func.call @tl_rt_sgemm(%A, %B, %C)` and a `linalg.batch_matmul`
    `func.call @tl_rt_batch_sgemm(...)`, operands cast to fully dynamic
    strided memrefs, so one C signature takes any layout. The runtime
    calls oneDNN's `dnnl_sgemm` with C += A * B (the matmul's semantics;
    the fill before it stays generated code).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"];
}

#endif // TL_CODEGEN_PASSES_TD
