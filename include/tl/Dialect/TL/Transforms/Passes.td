//===- Passes.td - tl dialect passes -------------------------*- tablegen -*-===//

#ifndef TL_PASSES_TD
#define TL_PASSES_TD

include "mlir/Pass/PassBase.td"

def TLSpecializeShapesPass : Pass<"tl-specialize-shapes", "func::FuncOp"> {
  let summary = "Make every shape static from the inputs' shapes (G11)";
  let description = [{
    Takes the concrete shape of every function argument and propagates sizes
    forward through every op, the way G11 of the graph contract describes:
    einsum labels unify across operands, NumPy broadcasting aligns binary
    operands, and a broadcast label (G7) takes its size from the first op,
    in program order, that aligns it with a dimension of known size. The
    whole function is checked before anything is rewritten; the first
    mismatch is reported once, naming the node (or op), the op and the
    shapes involved. Afterwards every type in the function is static.

    Shapes come from the `input-shapes` option (`name=2x3`, with `name=`
    or `name=scalar` for 0-d), matched against the arguments' `tl.name`,
    or from the function attribute `tl.input_shapes`, a dictionary from
    argument name to `array<i64: ...>`. The option wins. Arguments whose
    types are already static need no entry.

    ```
    tl-opt --tl-specialize-shapes="input-shapes=parent=3x3" graph.mlir
    ```

    Shape-generic code (tier 0): a size given as `?` (`parent=?x?`), or
    with `generic`, a ranked argument without an entry, keeps its dynamic
    dims. Such a size is a symbol: it unifies like any size (an einsum
    label, aligned binary operands), but is never taken to be 1, so a
    symbol aligned with a size of 1 broadcasts that operand, and every dim
    a symbol reaches stays `?`. The dims known from other inputs or from
    constants still become static. The runtime sizes such code from data
    the pass leaves: each argument and result with a symbol gets `tl.dims`
    (per dim, a symbol number, equal numbers for equal sizes, or -1 for a
    static dim), and each such argument `tl.dim_links` (per dim, the op
    that tied it to another input's dim), so a call whose sizes break G11
    is refused naming the dim, the op and both sizes.
  }];
  let options = [
    ListOption<"inputShapes", "input-shapes", "std::string",
               "Shapes of the arguments, as name=DxDx... (name= for 0-d; ? for a size known only at run time)">,
    Option<"generic", "generic", "bool", /*default=*/"false",
           "Allow ranked arguments with dynamic dims and no entry (shape-generic code)">
  ];
}

def TLBooleanJoinsPass : Pass<"tl-boolean-joins", "func::FuncOp"> {
  let summary = "Joins of 0/1 relations under max as a counting contraction (value profiles)";
  let description = [{
    A value specialization of the tiered JIT (docs/Tiering.md): an argument
    marked `tl.values = "binary"` holds only 0 and 1, as the value profile
    of hot calls observed and a guard checks at every call. For such
    operands an EXISTS join, a `max` reduction of a product,

    ```mlir
    %r = tl.einsum "max(ab,bc->ac)" %p, %q   // combine multiply, reduce max
    ```

    equals the step of the counting join: the sum of 0/1 products is
    positive exactly when one product is 1 (no cancellation: every term is
    at least 0), so

    ```mlir
    %s = tl.einsum "ab,bc->ac" %p, %q        // multiply, sum
    %r = tl.unary step %s
    ```

    which is a GEMM-shaped contraction: tiled by the cache model, in oneDNN
    for f32. Applies when every operand is a marked argument and every
    summed label has a static size above 0 (a max over nothing is -inf, a
    sum 0). The function records the arguments a rewrite relied on in
    `tl.assumes = ["binary:<name>", ...]`; the runtime checks them before
    each call of the specialized code and runs the generic code when an
    input breaks them.
  }];
}

def TLAssignSparsityPass : Pass<"tl-assign-sparsity", "func::FuncOp"> {
  let summary = "Choose sparse layouts from the inputs' measured densities (issue 19)";
  let description = [{
    Gives every value an expected density (the fraction of its elements
    that are nonzero) and a `sparse_tensor` encoding to every value whose
    density is at most `threshold`. Densities start at the arguments: the
    `input-densities` option (`name=0.001`, matched against `tl.name`, a
    slot `edge[ab]` also taking the entry for `edge`), else an argument's
    `tl.density` attribute, else 1 (dense). An argument without a
    measured density (an array the caller gives dense: an embedding, a
    cotangent) is never made sparse, whatever the threshold. Each op then
    estimates its
    result from its operands' through `SparsityOpInterface`, which reads
    the op's own scalar semantics: a product, AND or min keeps the
    intersection (d1 d2), a sum, OR or max the union (d1 + d2 - d1 d2), an
    op mapping an implicit zero to a nonzero (`sigmoid`, `exp`, `1 - x`,
    `0 / 0`) is dense; a reduction over K elements of density d gives
    1 - (1 - d)^K (sum, max) or d^K (prod, min); a constant is counted.
    Values inside a fixpoint's body, and results of ops without the
    interface, are dense.

    The decisions are attributes, so `tl-opt` reproduces them and the
    lowering reads them: every op with the interface gets `tl.density`,
    and an argument or op whose value is sparse gets `tl.sparse`, the
    encoding: rank 1 `compressed`; rank 2 CSR (`dense, compressed`), or
    DCSR (`compressed, compressed`) when fewer than one row in 16 is
    expected to hold a nonzero (a join co-iterates a compressed row level
    instead of indexing it, so DCSR is kept for nearly empty matrices); higher ranks COO (`compressed(nonunique)`
    then `singleton`s). Rank-0 values stay dense.

    ```
    tl-opt --tl-assign-sparsity="input-densities=edge=0.0001 threshold=0.05" rule.mlir
    ```
  }];
  let options = [
    ListOption<"inputDensities", "input-densities", "std::string",
               "Densities of the arguments, as name=D (0 <= D <= 1)">,
    Option<"threshold", "threshold", "double", /*default=*/"0.05",
           "The density at or under which a value is given a sparse encoding">
  ];
  let dependentDialects = ["::mlir::sparse_tensor::SparseTensorDialect"];
}

def TLSemiNaivePass : Pass<"tl-semi-naive", "func::FuncOp"> {
  let summary = "Mark linear Boolean fixpoints (closures, same generation) for semi-naive evaluation";
  let description = [{
    A recursive rule that is linear in its head over the Boolean semiring,

    ```
    Reach[x,z] = step(Edge[x,z] + Reach[x,y] Edge[y,z])
    ```

    (or `Edge[x,y] Reach[y,z]`), iterates the dense join of the whole state
    with the relation: every pair found so far is joined again in every
    iteration. Only the pairs the last iteration added can find new ones,
    so semi-naive evaluation joins just those: per source a breadth-first
    search, over rows of 64-bit words for a dense relation. The pass marks
    each `tl.fixpoint` of that form (one square state started at zeros or
    at the relation, tolerance below 1, the body exactly join, add, step;
    `FixpointOp::matchBooleanClosure`) with `tl.semi_naive`;
    `convert-tl-to-linalg` lowers a marked one to `tl.semi_naive_closure`
    with the plain loop as the fallback for a relation whose entries are
    not all finite and non-negative (the closure of the 0/1 pattern is then
    not the rule's value). The kernel computes the iteration count the
    plain loop would reach, so `max_iterations` fails alike, and the
    results are equal: the reference evaluator keeps the plain iteration.

    Other rules linear in their head join it on both sides, or start from
    a base other than the relation:

    ```
    SameGen[x,y] = step(Tree[p,x] Tree[p,y] + Tree[p,x] SameGen[p,q] Tree[q,y])
    ```

    is `R = step(B + L R M)` with `B = T^T T`, `L = T^T`, `M = T`. The pass
    marks those too (one square state from zeros, tolerance below 1, the
    body's other ops not reading the state; `L` or `M` may be absent;
    `FixpointOp::matchLinearBooleanRule`), and `convert-tl-to-linalg`
    computes `B`, `L` and `M` once, in front of the op, for
    `tl.semi_naive_rule`: per level, the pairs the last level added are
    joined (`Delta M` over bit rows of `M`, then `L` over the rows that
    changed), the new ones kept. The same fallback and iteration count
    apply; the kernel also declines values whose sums in the loop could
    overflow or whose products could round to zero.
  }];
}

def TLOrderContractionsPass : Pass<"tl-order-contractions", "func::FuncOp"> {
  let summary = "Merge einsum chains, then split n-ary einsums in the cheapest order";
  let description = [{
    Runs on static shapes (after `tl-specialize-shapes`); ops with a
    dynamic size are left alone.

    **Merging.** An einsum or `tl.reduce` whose operand comes from an
    einsum with no other use absorbs it. TensorLogic compiles a rule body
    as a join followed by a projection (`bc,ca->bca` then `bca->ba`);
    merged, they are the single contraction `bc,ca->ba`, and the rank-3
    intermediate is never built. Kinds must compose: a projection over one
    operand takes the producer's combine and a reduce kind that agrees with
    the producer's (a sum of sums, a max of maxes); an einsum of several
    operands merges only products and sums, which distribute. A `mean`, or
    a producer with a broadcast label (G7), is never merged.

    A sum over labels of a sum or difference of joins (the tensor-equation
    front end's `Tree[p,x] Tree[p,y] + Tree[p,x] S[p,q] Tree[q,y]`, whose
    implicit sum over `p` covers both terms) is first split term by term,
    `sum(X + Y) = sum(X) + sum(Y)`, when a term is a join that then merges:
    the rank-3 terms are never built. Both terms must have the sum's shape
    (no broadcast, which a sum would scale).

    **Ordering.** A `multiply`/`sum` einsum of three or more operands is
    split into pairwise einsums. The order minimizes the total loop volume
    (multiply-adds) of the steps for the actual sizes: exhaustive dynamic
    programming over operand subsets up to `exhaustive-limit` operands
    (like opt_einsum's `optimal`), the cheapest next pair beyond. The last
    step carries the decision:

    ```mlir
    %0 = tl.einsum "bc,cd->bd" %b, %c : ...
    %1 = tl.einsum "ab,bd->ad" %a, %0 {tl.contraction_path = [array<i64: 1, 2>, array<i64: 0, 1>],
           tl.contraction_cost = {naive = ..., ordered = ..., search = "optimal"}} : ...
    ```

    `tl.contraction_path` lists the steps in opt_einsum's convention (two
    positions in the current operand list; the result goes to the end).
  }];
  let options = [
    Option<"exhaustiveLimit", "exhaustive-limit", "int", /*default=*/"8",
           "Most operands searched exhaustively; more use the greedy order">,
    Option<"mergeChains", "merge-chains", "bool", /*default=*/"true",
           "Merge an einsum into its single consumer first">
  ];
}

def TLFormFusionGroupsPass : Pass<"tl-form-fusion-groups", "func::FuncOp"> {
  let summary = "Decide which ops run as one loop nest (tl.fusion_group)";
  let description = [{
    Tags every `tl.unary`, `tl.binary`, `tl.reduce` and `tl.einsum` with
    `tl.fusion_group = N`, N numbering the groups in program order. A group
    is what the backend runs in one pass over memory:

    - element-wise chains: an element-wise producer joins an element-wise
      consumer of the same result shape (a broadcast operand is not fused:
      it would be recomputed for every element it is stretched over);
    - element-wise producers of a reduction: a producer joins a `tl.reduce`,
      or an einsum that reads each of its elements once (the operand's
      labels are all the einsum's labels, none repeated); it is never
      fused into a contraction such as a matmul, which reads every element
      many times;
    - epilogues: a contraction or reduction joins its element-wise
      consumer of the same shape;
    - views: a one-operand einsum that sums nothing and repeats no label
      (a broadcast, a transpose) is read through an indexing map, so it
      joins and gathers like an element-wise op and is not the group's
      contraction.

    A producer joins only when every one of its users is in the group (no
    value is computed twice), a group holds at most one contraction or
    reduction, and at most 32 ops (its ops become one loop body, and
    LLVM's time grows faster than the body). Groups are formed from the last op backwards, so a chain
    gathers into its final consumer. The body of a `tl.fixpoint` is grouped
    the same way on its own (a group never spans the loop's boundary),
    numbered after the function's groups.

    ```mlir
    %0 = tl.einsum "ab,bc->ac" %a, %b {tl.fusion_group = 0 : i64} : ...
    %1 = tl.unary sigmoid %0 {tl.fusion_group = 0 : i64} : tensor<4x4xf32>
    ```

    `convert-tl-to-linalg` copies the tag to the linalg ops it creates;
    `tl-fuse-elementwise` then fuses within a group only, and
    `tl-parallelize` runs an epilogue in the same parallel chunk as its
    contraction.
  }];
}

def TLDifferentiatePass : Pass<"tl-differentiate", "::mlir::ModuleOp"> {
  let summary = "Build the reverse-mode adjoint of a tl function (G12)";
  let description = [{
    For `func`, adds `@<func>_grad(args..., cotangents...) -> (grads...)`:
    the forward ops, then, from the last op backwards, each op's
    vector-Jacobian product (`DifferentiableOpInterface`) applied to the
    cotangent of its result, cotangents of a value used several times
    summed. One cotangent argument per result of `func` (named
    `<result>.cotangent`); one gradient result per argument in `wrt`
    (argument names, `tl.name`), named like the argument; with
    `keep-outputs`, the forward results come first. The adjoint is
    ordinary tl IR: the CPU pipeline compiles it, and applying this pass
    to it gives second derivatives. Shapes must be static. With
    `sum-into`, the gradients are per caller array instead: the driver
    binds `parent[ab]` and `parent[bc]` to one array `parent`
    (`sum-into=parent=parent[ab],parent=parent[bc]`) and gets one gradient,
    their sum (G12). A `tl.fixpoint` becomes a `tl.fixpoint_adjoint`: the
    gradient of the iterations it actually takes, whose cotangents also
    reach the values from above its body reads.
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"main\"",
           "The function to differentiate">,
    ListOption<"wrt", "wrt", "std::string",
               "Arguments (by tl.name) to differentiate with respect to; "
               "empty: all">,
    Option<"keepOutputs", "keep-outputs", "bool", /*default=*/"false",
           "Return the forward results too, before the gradients">,
    ListOption<"sumInto", "sum-into", "std::string",
               "ARRAY=SLOT pairs: return one gradient per array, the sum "
               "of the gradients of its slots (G12: an array bound to "
               "several slots), named by the array, in order of first "
               "appearance">
  ];
}

def TLExposeIntermediatesPass : Pass<"tl-expose-intermediates", "::mlir::func::FuncOp"> {
  let summary = "Return every value an op computes, after the outputs";
  let description = [{
    Appends the result of every single-result op of the function (except
    `tl.constant`) to its results, after the existing ones, in program
    order. Each added result is named (`tl.name`) by the slot its op
    writes (`temp_3`; `temp_3#2` for a slot's second write; `value<N>` for
    an op of hand-written MLIR, N its position) and carries `tl.node` (the
    node, as messages name it: `node 3 (ElemBinary divide)`) and `tl.op`
    (`tl.binary:divide`). What `tl-jit --dump-intermediates` and
    `--check-numerics` compile; every value is then materialized, so
    fusion is limited.
  }];
}

def TLCheckSizesPass : Pass<"tl-check-sizes", "::mlir::func::FuncOp"> {
  let summary = "Refuse values too large to compute, before anything runs (G11)";
  let description = [{
    After shape specialization, checks every argument and every value an
    op computes: the product of its dimensions times its element size
    must not overflow (the nonzero dimensions' product stays under 2^62
    bytes) and must fit the memory limit. The limit is the `memory-limit`
    option in bytes; 0 means the process's limit (`tl-jit
    --memory-limit`, else `TL_MEMORY_LIMIT`, else the machine's available
    memory). A value over it is an error that names the node, the shape
    and the bytes, instead of an allocation that aborts, a size that
    wraps, or a run killed by the kernel:

    ```
    error: G11: node 0 (Einsum 'i,j->ij') computes a 1000000x1000000xf64
    value: 7.3 TiB, more than the memory limit of 20.0 GiB (TL_MEMORY_LIMIT
    or --memory-limit)
    ```

    Fused values are checked too, so the limit is conservative: every value
    is a size the reference interpreter would hold. An einsum whose loop
    nest (the product of its labels' sizes) exceeds 2^42 points is refused
    as well: an outer product summed away has a small value and a loop
    that would run for hours.

    With `input-densities` (the sparse route, as `tl-assign-sparsity`
    takes them), a value whose expected density is at or under
    `sparse-threshold` is stored sparse, so it needs memory for its
    expected nonzeros (value and coordinates), not for its dense form, and
    an einsum with such operands visits only their nonzeros: its loop
    nest is scaled by their densities.
  }];
  let options = [
    Option<"memoryLimit", "memory-limit", "int64_t", /*default=*/"0",
           "Bytes one value may need (0: the process's memory limit)">,
    ListOption<"inputDensities", "input-densities", "std::string",
               "Measured densities of the arguments, as name=D: values "
               "expected sparse are sized by their nonzeros">,
    Option<"sparseThreshold", "sparse-threshold", "double", /*default=*/"0.05",
           "With input-densities: the density at or under which a value "
           "is stored sparse">
  ];
}

#endif // TL_PASSES_TD
