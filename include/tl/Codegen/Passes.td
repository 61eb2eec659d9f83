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

    The blocks come from the `tl.tiling` attribute that
    `tl-plan-tiling` writes (ops without one are left alone): cache-level
    tiles first, in the planned loop order, then the register block that
    is vectorized. Ops the vectorizer refuses (a diagonal's
    non-permutation indexing map) stay as they are and become scalar loops
    later.

    A block that a loop over a reduction reads and writes at the same
    indices in every trip (the partial sums of a split row reduction) is
    read once before the loop, carried as the loop's vector value and
    written once after it (`hoistLoopInvariantSubsets`): in registers, not
    stored and reloaded per trip.

    A `vector.multi_reduction` over the innermost dimension of rows at
    least 16 long (the whole-row blocks `tl-plan-tiling` gives short
    contiguous rows) becomes one `vector.reduction` per row with the
    `reassoc` fast-math flag: LLVM reduces each row as a tree of
    independent accumulators instead of one chain of dependent adds (the
    corpus's tolerances allow any summation order; max and min are
    associative).

    Max and min reductions combine with `maxnumf`/`minnumf` (G10: a NaN
    element is skipped), which MLIR 19's vectorizer refuses (softmax's
    row max was a scalar loop). Each element is replaced by the fold's
    identity (-inf, +inf) where it is NaN, and the reduction combines with
    `maximumf`/`minimumf`: the same values, since the accumulator starts
    at the identity and never becomes NaN. (Swapping the kind back after
    vectorizing is not enough: MLIR 19's canonicalizer folds
    `maxnumf(x, -inf)` to `x`, wrong for a NaN `x`, once the identity is
    visible as a constant.)

    A read that broadcasts its innermost vector dimension (a per-row value
    applied across the row: softmax's shift by the max and division by
    the sum) becomes one scalar read and broadcast per row of the block;
    the generic lowering broadcasts along a new leading dimension and
    transposes it innermost, 256 element moves for an 8x32 block. Reads
    that feed a reduction keep the generic form, which the contraction
    patterns turn into FMAs.
  }];
  let dependentDialects = [
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect"
  ];
}

def TLFuseElementwisePass : Pass<"tl-fuse-elementwise", "func::FuncOp"> {
  let summary = "Fuse linalg producers into consumers within their tl.fusion_group";
  let description = [{
    Linalg's element-wise fusion (producer `linalg.generic` inlined into
    its consumer's body, splat constants folded into bodies), applied only
    where `tl-form-fusion-groups` put producer and consumer in the same
    group. The fused op keeps the group's tag. Ops without a tag (linalg
    written by hand) fall back to linalg's default: fuse a producer that
    has a single use.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TLApproximateMathPass : Pass<"tl-approximate-math", "func::FuncOp"> {
  let summary = "Replace f32 and f64 math.exp by vectorizable polynomials";
  let description = [{
    LLVM has no vector `exp`: a `math.exp` on `vector<16xf32>` becomes 16
    calls to libm's `expf`, which dominates any rule with a sigmoid or a
    softmax. This pass rewrites every f32 and f64 `math.exp` (vector or
    scalar, so that blocks and remainders agree) into vector arithmetic:
    the input clamped below, one fma that both rounds x / ln 2 to n and
    adds the exponent bias (1.5 * 2^mantissa + bias, so the sum's low
    bits are n + bias), n clamped above at the largest exponent,
    reduction by ln 2 in two parts, a polynomial (Cephes' degree 7 for
    f32, Taylor's degree 15 for f64), and 2^n as those low bits shifted
    into the exponent field: 15 vector operations for f32, 23 for f64.
    The clamps are `select(x < c, c, x)`: one vmaxps on x86, and a NaN
    input (of either sign) flows through to the result without a
    separate test, which MLIR's own f32 approximation needs (its clamps
    drop NaN) on top of its 22 operations.

    Errors against libm (tested over the whole range): f32 at most 5 ulp,
    near the overflow threshold, and 1 ulp on [-10, 10], far inside the
    f32 tolerance of the conformance corpus (rtol 1e-5); f64 at most
    2 ulp, inside its tolerance (rtol 1e-9). Infinities and overflow give
    libm's results; results below the smallest normal float are 0 or a
    denormal within the smallest normal of libm's. Other element types
    keep `math.exp`. The pipeline option `approximate-exp=0` keeps libm.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def TLEncodeSparsityPass : Pass<"tl-encode-sparsity", "func::FuncOp"> {
  let summary = "Give linalg values the sparse_tensor encodings tl-assign-sparsity chose (issue 19)";
  let description = [{
    `tl-assign-sparsity` records its decisions as `tl.sparse` attributes on
    tl ops and arguments, and `convert-tl-to-linalg` carries each op's to
    the linalg op that produces its value. This pass turns them into
    types, which is what the sparsifier compiles: a sparse argument gets
    the encoded tensor type, a sparse result a `tensor.empty` of the
    encoded type as its init, and the function returns its sparse results
    sparse. Where `tl-assign-sparsity` expected a density for the result
    (`tl.density`, carried by the lowering) and its shape is static, the
    init is a `bufferization.alloc_tensor` whose `size_hint` is the
    expected number of nonzeros (at least 16, at most 2^24): the sparsifier's
    coordinate and value buffers start that large instead of growing from
    16 by copies. The attributes are consumed.

    A decision is applied only where the sparsifier gives an implicit zero
    the graph's meaning: the result starts at zero (a `tensor.empty`, or a
    fill with +0: a sum or a plain product, not a max's -inf), at least
    one operand is sparse, and every reader of the value is a `tensor.dim`,
    the return, or a linalg op reading it as an input whose body uses only
    steps MLIR 19's sparsifier has rules for over implicit zeros (`addf`,
    `subf`, `mulf`, `negf`, `absf`, `sqrt`, `tanh`, `sin`, `expm1`,
    `log1p`, casts, constants, and the `sparse_tensor.unary` the lowering
    emits where only stored entries are mapped). More rules keep a value
    dense where MLIR 19's sparsifier fails on the kernel: a reader that is
    an element-wise union (`addf`, `subf`) with a broadcast operand, read
    directly or from an element-wise producer the sparsifier fuses in; a
    reader that reads it along a diagonal (`aa->a`) or folds a reduction
    by a product (`reduce prod`, whose accumulator an implicit zero would
    zero); a sparse result of a kernel with reductions for which no loop
    order visits every sparse operand's levels in order while writing the
    result in order (its dimensions one after another, all but the
    innermost outside the reductions: `r^T q`, `(r q)^T`), since the
    sparsifier would have to reorder a sparse operand; and an argument or
    returned value whose layout the runtime does not bind (it binds CSR
    and DCSR matrices: `tl/Codegen/SparseLayout.h`). Otherwise (a reshape
    of a broadcast operand, a max fold, `exp`, a comparison) the value
    stays dense and a remark names the rule and the step: the sparsifier
    would refuse such a kernel. A `sparse_tensor.unary` left in a kernel with no
    sparse operand is replaced by its `present` region (the function maps
    0 to 0, so applying it everywhere is the same).

    ```
    tl-opt --tl-assign-sparsity="input-densities=edge=0.001" \
           --convert-tl-to-linalg --tl-encode-sparsity rule.mlir
    ```
  }];
  let dependentDialects = ["::mlir::sparse_tensor::SparseTensorDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

def TLOutlineSparseKernelsPass : Pass<"tl-outline-sparse-kernels", "ModuleOp"> {
  let summary = "Give each linalg op on sparse tensors its own function (issue 19)";
  let description = [{
    A graph of many rules is one function, and the passes after it (the
    sparsifier's loops, their lowering to branches, LLVM's instruction
    selection and scheduling) take time that grows faster than the
    function: 64 two-hop rules over a knowledge graph took over a minute
    to compile, 256 did not finish in ten. This pass moves each linalg
    op that reads or writes a sparse tensor into a private function
    `@<func>_sparse<N>`, called where the op was, so each kernel is
    compiled on its own and the time grows with the number of rules.

    A kernel takes the values the op reads (its operands and the values
    its body uses from above) as arguments; constants and the op's
    `tensor.empty` (or sized `bufferization.alloc_tensor`) inits, with
    their constant size hints, are cloned into it instead, since the
    sparsifier must see a sparse result materialized in the kernel that
    writes it.
    Kernels are marked `noinline` (LLVM's `passthrough`), so LLVM keeps
    them apart. Runs after `tl-encode-sparsity`, before the sparsifier,
    which converts sparse arguments and results at calls.

    ```
    tl-opt --tl-outline-sparse-kernels rules.mlir
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def TLWriteResultsInPlacePass : Pass<"tl-write-results-in-place", "func::FuncOp"> {
  let summary = "Compute results directly into the caller's out-parameters";
  let description = [{
    After `buffer-results-to-out-params`, a result is computed into a fresh
    `memref.alloc` and copied into the caller's buffer just before the
    return: for a 64 MiB result that is a 64 MiB allocation (page faults on
    every call) and a 128 MiB copy. When the copied buffer is such an
    allocation, of the out-parameter's type, this pass makes the
    computation write into the out-parameter instead and drops the
    allocation and the copy. The allocation may reach the copy through the
    `scf.for` loops of a tiled kernel that carry it (each yields the buffer
    it was given, directly or through a nested loop of the same kind). (MLIR 19's `hoist-static-allocs` option of the
    out-params pass does this but crashes on a function that returns one
    of its arguments.) Runs before the deallocation pipeline, so there is
    no dealloc to move. The caller must not pass an output buffer that
    overlaps an input: `Executable::runInto` checks.
  }];
}

def TLParallelizePass : Pass<"tl-parallelize", "func::FuncOp"> {
  let summary = "Tile outer parallel loops into scf.forall chunks and fuse producers into them";
  let description = [{
    Every linalg op on static tensors directly in the function's block or
    in a loop's body (a compiled `tl.fixpoint`, threaded on every
    iteration) whose loop volume reaches `min-work` is tiled along its outermost parallel loop into an
    `scf.forall` of at most `threads` x `chunks-per-thread` chunks. The
    chunk size divides the loop range (so every chunk is static; a prime
    range that nothing divides stays serial).

    A loop that makes a single pass over memory (element-wise ops and
    reductions, every producer fused into it alike: bandwidth-bound) gets
    one chunk per thread instead: small chunks buy little balance there,
    and one contiguous chunk per thread streams best. Contractions keep
    `chunks-per-thread` for balance, and so do groups that pass over
    their rows more than once (a reduction read again inside the group,
    as softmax's max and sum): `tl-block-rows` blocks those for L1 inside
    each chunk, and they measured faster with the smaller chunks.

    Producers are fused into the chunk (tile-and-fuse) when the chunks
    partition them and nothing outside the loop reads them: a contraction
    followed by an element-wise epilogue, or element-wise ops feeding a
    reduction, run chunk by chunk on data still in cache. A producer read
    by two ops of the loop (softmax's exp, by its sum and by the division)
    is fused through both reads; the clones are identical and the CSE the
    pipeline runs next merges them. A producer that each chunk would need
    whole (a vector broadcast along the chunked axis) is not fused: it
    would be recomputed per chunk.

    Consumers are visited first, so a chain is fused into its last op.
    `tl-outline-parallel` turns the loops into thread-pool calls after
    bufferization.
  }];
  let options = [
    Option<"numThreads", "threads", "int64_t", /*default=*/"0",
           "Threads to plan for (the CPU pipeline passes the target's "
           "hardware threads; 0 or 1: none)">,
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

def TLStreamingStoresPass : Pass<"tl-streaming-stores", "ModuleOp"> {
  let summary = "Write large outputs with non-temporal stores";
  let description = [{
    After bufferization, before `tl-outline-parallel`. A vector write into
    an out-parameter of a public function that the function never reads
    (every element is written, none read back) becomes a non-temporal
    `vector.store` when the out-parameter holds more than `min-bytes`
    bytes. An ordinary store first reads the cache line it writes (a read
    for ownership) and keeps it in cache: for an output larger than the
    caches that is one more line read per line written (Y = f(A, B, C,
    D) moves 6 lines per 5 useful ones) and evicts the inputs' lines. The pipeline sets `min-bytes` to the private caches of
    all threads together (the target's L2 times the thread count): an
    output no larger can stay in cache for whoever reads it next (W6's
    4 MiB softmax output, at exactly that size on a 2-core machine with
    2 MiB L2s, ran 3-6% slower streamed).

    Non-temporal stores are weakly ordered, so the pass calls
    `tl_rt_store_fence()` after each top-level loop that issues them,
    inside the `scf.forall` body when there is one: every chunk fences
    before the thread pool reports it done. Only in-bounds, unit-stride,
    one-dimensional writes change; others stay ordinary stores.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"0",
           "Out-parameters larger than this many bytes are written non-temporally">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"
  ];
}

def TLSelectKernelsPass : Pass<"tl-select-kernels", "func::FuncOp"> {
  let summary = "Choose a library GEMM (oneDNN for f32, OpenBLAS for f64) where it beats generated code";
  let description = [{
    A cost model on linalg on tensors: a `linalg.matmul` or
    `linalg.batch_matmul` with static sizes and at least `min-volume`
    multiply-adds gets `tl.kernel = "onednn"` when it is f32 (oneDNN's
    sgemm or batched matmul primitive) and `tl.kernel = "blas"` when it is
    f64 (OpenBLAS's dgemm, which the runtime loads when it first runs one;
    oneDNN has no f64 GEMM on CPUs). Below that volume, a library call
    (argument checks, the library's own thread start) costs more than the
    generated kernel. A measured decision (`tl-apply-tuning`'s `kernel`)
    wins over the volume rule. A marked matmul whose operand is a
    `linalg.transpose` used only
    there (the gradients of a matmul, `G Q^T` and `P^T G`) becomes
    `linalg.matmul_transpose_a/b` on the untransposed matrix: the GEMM reads
    it transposed in place, with no copy. `tl-parallelize` and
    `tl-vectorize` skip marked ops and `tl-call-kernels` turns them into
    calls after bufferization.
  }];
  let options = [
    Option<"minVolume", "min-volume", "int64_t", /*default=*/"262144",
           "Fewest multiply-adds (M*N*K, times the batch) sent to a library">,
    Option<"onednn", "onednn", "bool", /*default=*/"true",
           "Consider oneDNN for f32 matmuls">,
    Option<"blas", "blas", "bool", /*default=*/"true",
           "Consider OpenBLAS for f64 matmuls">
  ];
}

def TLCallKernelsPass : Pass<"tl-call-kernels", "ModuleOp"> {
  let summary = "Replace ops marked tl.kernel by calls to the runtime's library kernels";
  let description = [{
    After bufferization: a marked `linalg.matmul` becomes
    `func.call @tl_rt_sgemm(%A, %B, %C)` (f32) or `@tl_rt_dgemm` (f64),
    and a `linalg.batch_matmul` `@tl_rt_batch_sgemm` or
    `@tl_rt_batch_dgemm`, operands cast to fully dynamic strided memrefs,
    so one C signature takes any layout. The runtime calls oneDNN's
    `dnnl_sgemm` or OpenBLAS's `cblas_dgemm` with C += A * B (the matmul's
    semantics; the fill before it stays generated code).

    The pass also emits the runtime's other calls that an op stands for:
    `tl.no_fixpoint` (a compiled fixpoint that ran out of iterations)
    becomes `func.call @tl_rt_fixpoint_diverged(site, iterations, change,
    tolerance)`, which makes the call of the compiled function fail with
    the reference evaluator's message; `tl.semi_naive_closure` becomes
    `func.call @tl_rt_closure_f32` (or `_f64`) with the relation and the
    closure's buffer as fully dynamic strided memrefs, then `start`,
    `max_iterations`, `site` and `tolerance`, its i64 result compared with
    0 for `applied`; `tl.semi_naive_rule` becomes `func.call
    @tl_rt_linear_rule_f32` (or `_f64`) with the base, left, right and
    result buffers (an absent factor passed as the base), then `has_left`,
    `has_right`, `max_iterations`, `site` and `tolerance`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
      "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"];
}

def TLApplyTuningPass : Pass<"tl-apply-tuning", "ModuleOp"> {
  let summary = "Key every linalg op and apply the tuning records measured for it (tl.tuned)";
  let description = [{
    The first pass on linalg (tier 2 of the tiered JIT, docs/Tiering.md).
    Every linalg op on static tensors gets `tl.op_key`, a hash of its kind,
    indexing maps, iterators, operand types, body and the target (the
    `vector-bytes`, `l1`, `l2`, `l3` and `threads` options); an op whose
    key has a valid record in `records` (a folder of `<key>.rec` files,
    include/tl/Codegen/TuningRecords.h; damaged ones are skipped) gets the
    measured decision as data,

    ```mlir
    %0 = linalg.matmul {tl.op_key = "3f2a...", tl.tuned = {kernel = "generated",
           chunks_per_thread = 8 : i64, cache_scale = 200 : i64}} ...
    ```

    which `tl-select-kernels` (a library or generated code), `tl-parallelize`
    (chunks per thread; 0 keeps the op serial) and `tl-plan-tiling` (the
    caches the cache model plans for, in percent) follow. The module gets
    `tl.tunable_ops` (each candidate op's key and kind: `matmul-f32`,
    `matmul-f64`, `contraction` or `loop`) and `tl.tuned_ops` (how many records applied),
    which the tuner and the compile log read.
  }];
  let options = [
    Option<"records", "records", "std::string", /*default=*/"\"\"",
           "Folder of tuning records (empty: none; ops are still keyed)">,
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"0",
           "Target vector width in bytes (part of the key)">,
    Option<"l1", "l1", "int64_t", /*default=*/"0", "L1 bytes (part of the key)">,
    Option<"l2", "l2", "int64_t", /*default=*/"0", "L2 bytes (part of the key)">,
    Option<"l3", "l3", "int64_t", /*default=*/"0", "L3 bytes (part of the key)">,
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Threads planned for (part of the key)">
  ];
}

def TLBlockRowsPass : Pass<"tl-block-rows", "func::FuncOp"> {
  let summary = "Tile multi-pass fusion groups into row blocks that stay in L1";
  let description = [{
    Some fusion groups pass over the same rows several times: softmax
    reads a row for its max, again to shift and exponentiate it, the
    exponentials for their sum and again for the division. Run over a
    whole thread chunk (megabytes), each pass reloads the rows from L2 or
    memory. This pass tiles such a group's last op (the root: a linalg op
    on static tensors, alone or inside a `tl-parallelize` chunk) along
    its parallel loops into blocks of whole rows and fuses every producer
    that only the group reads into the same loop nest (tile-and-fuse; a
    producer read twice is cloned per read and the CSE that follows
    merges the clones), so each block of rows is loaded once and every
    pass reads it from L1.

    A group qualifies when it is multi-pass: one of its ops reduces and
    another op of the group reads that reduction (a row statistic
    broadcast back over the row). Block sizes: the reduced (innermost)
    loops stay whole; outer parallel loops are kept whole from the inside
    out while the block's live tensors (the root's full-size operands and
    results, and each full-size intermediate of the group) fit half of
    `l1`, the next one gets the largest divisor that fits, the rest 1. A
    group whose whole iteration space already fits is left alone. The
    decision is `tl.row_block` (the tile sizes) on the root's clone.
  }];
  let options = [
    Option<"l1", "l1", "int64_t", /*default=*/"32768",
           "L1 data cache bytes (the CPU pipeline passes the target's)">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect"
  ];
}

def TLSplitReductionsPass : Pass<"tl-split-reductions", "func::FuncOp"> {
  let summary = "Split long row reductions into independent vector accumulators";
  let description = [{
    A linalg op on tensors whose one reduction loop is innermost,
    contiguous in an input and longer than a tree of whole rows takes
    (`tl-plan-tiling`: 16 vector registers) is split along that loop
    (`linalg::splitReduction`, the new loop inner and parallel):
    `x[r, k*V + j]` accumulates into `partial[r, j]` for V = `vectors`
    vector registers' worth of elements, then a second op reduces
    `partial`'s short rows. The split op's innermost loop is then parallel
    and contiguous, so `tl-plan-tiling` gives it blocks of several rows by
    V lanes, each lane group an accumulator of its own (8 rows x 2 vectors
    = 16 independent chains for a 4096x4096 f32 row sum), and
    `tl-vectorize` adds whole vectors with no transposes; the second op is
    a tree reduction. The row length must be a multiple of V; other ops
    are left whole. The decision is `tl.split_reduction = V` on the split
    op:

    ```mlir
    %e = tensor.expand_shape %x [[0], [1, 2]] ... tensor<4096x4096xf32> into tensor<4096x128x32xf32>
    %p = linalg.generic {iterator_types = ["parallel", "reduction", "parallel"]}
           ins(%e ...) outs(%zeros : tensor<4096x32xf32>) {tl.split_reduction = 32 : i64}
    %r = linalg.generic {iterator_types = ["parallel", "reduction"]}
           ins(%p ...) outs(%init : tensor<4096xf32>)
    ```

    The summation order changes (as a tree's does): the contract's
    tolerances allow it, and max and min are associative.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"64",
           "Bytes in a vector register (64 for AVX-512)">,
    Option<"vectors", "vectors", "int64_t", /*default=*/"2",
           "Vector registers of partial results per row">
  ];
}

def TLPlanTilingPass : Pass<"tl-plan-tiling", "func::FuncOp"> {
  let summary = "Choose cache and register blocks for every linalg op (tl.tiling)";
  let description = [{
    Writes the decision as data, `tl.tiling = {cache = array<i64: ...>,
    cache_order = array<i64: ...>, register = array<i64: ...>}` (a tile
    size per loop, 0 for untiled), which `tl-vectorize` applies.

    A contraction (multiply-add body, output loops i, j and one reduction
    loop k) is blocked by the cache model (`include/tl/Codegen/CacheModel.h`)
    from the target's L1/L2/L3 sizes (the `l1`/`l2`/`l3` options, which
    the CPU pipeline sets from its target description) and vector register
    count: an mr x nr register block (two vectors of
    C columns, up to 8 rows), kc so that the A and B slivers fill half of
    L1, mc so that an mc x kc block of A fills half of L2, nc so that a
    kc x nc panel of B fills a quarter of L3; cache loops run j, k, i
    outermost first. Every block divides its range, so tiles stay static.

    Other ops get a register block only: two vectors along the output's
    contiguous loop, up to `max-block` on the two innermost other loops,
    capped at an eighth of `max-volume` elements because LLVM's compile
    time grows quickly with large unrolled blocks. A reduction loop along
    which no input is contiguous (the last index of none of their maps)
    gets a block of one: the parallel loops' vectors then accumulate with
    plain adds, where a vector along it would be transposed into place
    element by element (`comp_sibling`: 434 ms to compile before, 108 ms
    after). One reduction loop that is innermost, contiguous and short
    (16 elements up to 16 vector registers: a 100x100 f64 row sum) takes
    whole rows instead, as many rows as the volume cap holds (a power of
    two dividing the row count), which `tl-vectorize` reduces as trees.
    Ops with a zero-size or dynamic loop, 0-d ops and library kernels get
    no plan.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"64",
           "Bytes in a vector register (64 for AVX-512)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Vector registers (32 zmm on AVX-512)">,
    Option<"l1", "l1", "int64_t", /*default=*/"0",
           "L1 data cache bytes (0: the cache model's default, 48 KiB)">,
    Option<"l2", "l2", "int64_t", /*default=*/"0",
           "L2 cache bytes (0: the cache model's default, 1 MiB)">,
    Option<"l3", "l3", "int64_t", /*default=*/"0",
           "L3 cache bytes (0: the cache model's default, 32 MiB)">,
    Option<"maxBlock", "max-block", "int64_t", /*default=*/"8",
           "Largest register tile of a loop other than the widest">,
    Option<"maxVolume", "max-volume", "int64_t", /*default=*/"2048",
           "Most elements in a contraction's register block; other ops get "
           "an eighth">
  ];
}

def TLInstrumentNodesPass : Pass<"tl-instrument-nodes", "ModuleOp"> {
  let summary = "Time each node's kernel: runtime calls around it (profiling)";
  let description = [{
    After bufferization, outlining and library calls: in each public
    function, consecutive top-level ops that come from the same node (by
    location: `node 3 (Einsum 'ab->a')` for imported graphs, the op's
    line otherwise) are bracketed by `tl_rt_span_begin(id)` and
    `tl_rt_span_end(id)`. The names, indexed by id, go to the module
    attribute `tl.profile_nodes`. Allocation, deallocation and casts are
    not spans. An `scf.while` (a compiled `tl.fixpoint`) gets no span of
    its own; the ops of its regions are bracketed the same way, so every
    iteration is recorded and the report says how many a run took. Only
    the pipeline's `profile` option adds this pass, so code compiled
    without it has no calls.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::arith::ArithDialect"];
}


def TLGpuMapToThreadsPass : Pass<"tl-gpu-map-to-threads", "func::FuncOp"> {
  let summary = "Lower linalg on buffers to parallel loops mapped to GPU blocks and threads";
  let description = [{
    The step of the GPU pipeline (`tl-gpu-pipeline`) that decides where
    each iteration runs; `convert-parallel-loops-to-gpu` then turns each
    mapped loop nest into a `gpu.launch`.

    1. A `linalg.generic` whose reduction loops are not all innermost is
       interchanged so that its parallel loops come first: they become one
       `scf.parallel`, and each thread runs the reduction loops of its
       iterations (a reduction loop outside would become a host loop of
       launches).
    2. Every linalg op becomes loops (`scf.parallel` over the parallel
       dims, `scf.for` inside).
    3. Each `scf.parallel` is tiled: its innermost dim by up to
       `block-size` threads (`thread_x`, the contiguous dim of row-major
       results, so a warp's accesses coalesce), the next dim by the threads
       left over (`thread_y`); the tiles map to `block_x`, `block_y` and
       `block_z` from the innermost dim out, and dims beyond three, or
       whose tile count exceeds a grid dim's limit (65535 for y and z),
       run sequentially inside the kernel.
    4. Work outside any parallel loop (a reduction to a scalar, a 0-d
       store) is wrapped in a one-thread launch: the host function of a
       GPU module only allocates, launches and frees, so that the
       runtime can run it without generated host code.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}


def TLGpuMathToLibdevicePass : Pass<"tl-gpu-math-to-libdevice", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Call libdevice for the math ops MLIR 19's NVVM lowering lacks";
  let description = [{
    `convert-gpu-to-nvvm` in MLIR 19 turns most `math` ops into calls of
    CUDA's libdevice (`__nv_exp`, `__nv_tanh`, ...), but not `math.round`
    or `math.roundeven`, which then cannot be translated to LLVM IR. This
    pass, run on each kernel module before it, calls `__nv_round(f)`
    (half away from zero) and `__nv_rint(f)` (half to even) for them;
    `gpu-module-to-binary` links libdevice as it does for the others.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // TL_CODEGEN_PASSES_TD
