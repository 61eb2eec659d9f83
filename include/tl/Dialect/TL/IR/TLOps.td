//===- TLOps.td - tl dialect operations ----------------------*- tablegen -*-===//

#ifndef TL_OPS_TD
#define TL_OPS_TD

include "tl/Dialect/TL/IR/TLBase.td"
include "tl/Dialect/TL/IR/TLInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// tl.constant
//===----------------------------------------------------------------------===//

def TL_ConstantOp : TL_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>,
    DeclareOpInterfaceMethods<TL_SparsityOpInterface>]> {
  let summary = "a constant tensor (a `const_<number>` slot, G3)";
  let description = [{
    A tensor whose elements are given by a dense attribute. The importer
    makes one for every `const_<number>` slot that the caller does not bind;
    the optional `slot` attribute keeps the slot's name so that export
    writes it back unchanged.

    ```mlir
    %half = tl.constant dense<5.000000e-01> : tensor<f64>
    %c = tl.constant dense<2.0> : tensor<f64> {slot = "const_2"}
    ```
  }];
  let arguments = (ins TypedAttrInterface:$value, OptionalAttr<StrAttr>:$slot);
  let results = (outs TL_FloatTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tl.unary
//===----------------------------------------------------------------------===//

def TL_UnaryOp : TL_Op<"unary", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<TL_DifferentiableOpInterface>,
    DeclareOpInterfaceMethods<TL_SparsityOpInterface>]> {
  let summary = "element-wise unary op (G9)";
  let description = [{
    Applies one of the unary ops of G9 to every element. NaN follows the
    contract: `relu` is `fmax(x, 0)`, so `relu(NaN)` is 0; `round` rounds
    half away from zero; `step` is 1 for x > 0 and 0 otherwise.

    ```mlir
    %1 = tl.unary sigmoid %0 : tensor<4x?xf64>
    ```
  }];
  let arguments = (ins TL_UnaryKindAttr:$kind, TL_FloatTensor:$input);
  let results = (outs TL_FloatTensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// tl.binary
//===----------------------------------------------------------------------===//

def TL_BinaryOp : TL_Op<"binary", [Pure, AllElementTypesMatch<["lhs", "rhs", "result"]>,
    DeclareOpInterfaceMethods<TL_DifferentiableOpInterface>,
    DeclareOpInterfaceMethods<TL_SparsityOpInterface>]> {
  let summary = "element-wise binary op with NumPy broadcasting (G9)";
  let description = [{
    Applies one of the binary ops of G9 element by element. Operands are
    broadcast by NumPy's rules: shapes are right-aligned and a dimension of
    size 1 stretches. `min`, `max`, `or_max` and `nor` use `fmin`/`fmax`
    (a NaN operand yields the other); `eq` is `abs(a - b) < 1e-10`.

    ```mlir
    %2 = tl.binary or_prob_sum %0, %1 : tensor<3x1xf64>, tensor<4xf64> -> tensor<3x4xf64>
    ```
  }];
  let arguments = (ins TL_BinaryKindAttr:$kind, TL_FloatTensor:$lhs,
                       TL_FloatTensor:$rhs);
  let results = (outs TL_FloatTensor:$result);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tl.reduce
//===----------------------------------------------------------------------===//

def TL_ReduceOp : TL_Op<"reduce", [Pure, AllElementTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<TL_DifferentiableOpInterface>,
    DeclareOpInterfaceMethods<TL_SparsityOpInterface>]> {
  let summary = "reduction over axes given as positions (G10)";
  let description = [{
    Reduces `input` over `axes`, positions in the input in any order; the
    reduced axes are dropped and an empty list is the identity. Empty
    extents give sum 0, prod 1, max -inf, min +inf and mean NaN. `max` and
    `min` fold with `fmax`/`fmin`, so NaN elements are skipped.

    ```mlir
    %s = tl.reduce sum %x axes = [2, 0] : tensor<2x3x4xf64> -> tensor<3xf64>
    ```
  }];
  let arguments = (ins TL_ReduceKindAttr:$kind, TL_FloatTensor:$input,
                       DenseI64ArrayAttr:$axes);
  let results = (outs TL_FloatTensor:$result);
  let assemblyFormat = [{
    $kind $input `axes` `=` $axes attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// tl.einsum
//===----------------------------------------------------------------------===//

def TL_EinsumOp : TL_Op<"einsum", [Pure, SameOperandsElementType,
    DeclareOpInterfaceMethods<TL_DifferentiableOpInterface>,
    DeclareOpInterfaceMethods<TL_SparsityOpInterface>]> {
  let summary = "generalized einsum: a contraction with any combine and reduce (G6-G8)";
  let description = [{
    `spec` is `in1,in2,...->out` over ASCII letters (G6). For every index
    of the output, the operands' elements selected by their subscripts are
    combined with `combine` and the results reduced with `reduce` over the
    labels that are not in the output:

      out[o] = reduce over labels not in out of combine(in1[..], in2[..], ...)

    With the defaults (`combine multiply`, `reduce sum`) this is the einsum
    of G6: a label repeated in one operand takes the diagonal, a label may
    not repeat in the output, and a label has one size throughout the op.
    An output label found in no operand is a broadcast (G7): the value is
    repeated along it, and its size comes from the result type.

    The generalized specs of G8 are the same op with other kinds:
    `max(ab->a)` is `reduce max` over one operand, and `or_prob_sum(a,b->ab)`
    is `combine or_prob_sum` over two operands aligned by label. A
    single-operand einsum without summed labels is a transpose, a diagonal
    or a broadcast.

    ```mlir
    %gp = tl.einsum "bc,ca->ba" %p, %p : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
    %m = tl.einsum "ab->a" reduce max %k : (tensor<4x5xf64>) -> tensor<4xf64>
    %o = tl.einsum "a,b->ab" combine or_prob_sum %u, %v : (tensor<3xf64>, tensor<4xf64>) -> tensor<3x4xf64>
    ```
  }];
  let arguments = (ins StrAttr:$spec, Variadic<TL_FloatTensor>:$inputs,
      DefaultValuedAttr<TL_BinaryKindAttr, "::mlir::tl::BinaryKind::multiply">:$combine,
      DefaultValuedAttr<TL_ReduceKindAttr, "::mlir::tl::ReduceKind::sum">:$reduce);
  let results = (outs TL_FloatTensor:$result);
  let assemblyFormat = [{
    $spec (`combine` $combine^)? (`reduce` $reduce^)? $inputs attr-dict `:`
    functional-type($inputs, $result)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The parsed spec; the verifier guarantees that parsing succeeds.
    ::mlir::tl::EinsumSpec getParsedSpec();
  }];
}

//===----------------------------------------------------------------------===//
// tl.fixpoint
//===----------------------------------------------------------------------===//

def TL_FixpointOp : TL_Op<"fixpoint", [RecursiveMemoryEffects,
    SingleBlock,
    DeclareOpInterfaceMethods<TL_DifferentiableOpInterface, ["buildValueVJP"]>,
    DeclareOpInterfaceMethods<RegionBranchOpInterface,
        ["getEntrySuccessorOperands", "areTypesCompatible"]>]> {
  let summary = "the fixpoint of tensor equations (a recursive rule)";
  let description = [{
    Computes states by iterating the body from `inits` until they no
    longer change. The body's arguments are the current states, one per
    init with the same type; its `tl.yield` gives the next states. The
    body may read any value defined above the op (the relations a rule
    joins with). After each iteration the op compares the next states with
    the current ones: it stops when no element changed by more than
    `tolerance` (0, the default, is exact equality, what 0/1 relations
    need; a NaN unchanged at its position counts as no change), and the
    results are those states. When `max_iterations` iterations have run
    without that, evaluation fails with an error that names the op, the
    iteration count and the largest change still left; with
    `warn_at_limit`, the results are the last iteration's states instead
    and the run reports the same message as a warning (the run's warnings:
    `Executable::takeRunWarnings`, tl-jit's `warning:` lines).

    Ancestor as the closure of Parent (`Ancestor[x,z] = step(Parent[x,z] +
    Ancestor[x,y] Parent[y,z])`):

    ```mlir
    %anc = tl.fixpoint (%a = %parent) : tensor<4x4xf64>
        attributes {max_iterations = 100 : i64} {
      %j = tl.einsum "xy,yz->xz" %a, %parent : (tensor<4x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
      %s = tl.binary add %parent, %j : tensor<4x4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>
      %n = tl.unary step %s : tensor<4x4xf64>
      tl.yield %n : tensor<4x4xf64>
    }
    ```
  }];
  let arguments = (ins Variadic<TL_FloatTensor>:$inits,
      DefaultValuedAttr<F64Attr, "0.0">:$tolerance,
      DefaultValuedAttr<I64Attr, "1000">:$max_iterations,
      UnitAttr:$warn_at_limit);
  let results = (outs Variadic<TL_FloatTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::ValueRange":$inits)>];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::mlir::tl::YieldOp getYield();
    /// "'tl.fixpoint' op at ancestor.tle:3:1": how messages name the op.
    std::string describeSite();
    /// The discardable attribute that numbers a fixpoint for the run-time
    /// report of compiled code (Signature::fixpointSites).
    static constexpr ::llvm::StringLiteral kSiteAttr = "tl.fixpoint_site";
    /// The mark of tl-semi-naive: lower by the semi-naive closure kernel.
    static constexpr ::llvm::StringLiteral kSemiNaiveAttr = "tl.semi_naive";

    /// A fixpoint that is the transitive closure of a relation E read from
    /// above: one square state R, started at zeros (start 0) or at E
    /// (start 1), whose next value is step(E + R E) or step(E + E R).
    struct BooleanClosure {
      ::mlir::Value relation;
      int64_t start;
    };
    std::optional<BooleanClosure> matchBooleanClosure();

    /// A fixpoint linear in its one state R over the Boolean semiring:
    /// R = step(B + L R M) from zeros, where B, L (R's rows by R's rows)
    /// and M (R's columns by R's columns) do not depend on R, and L or M
    /// may be absent (the identity). Same generation is
    /// step(T^T T + T^T R T); a transposed factor is read in place. B, L
    /// and M may be computed in the body, by ops that do not read R.
    struct LinearBooleanRule {
      ::mlir::Value base, left, right;
      bool leftTransposed = false, rightTransposed = false;
    };
    std::optional<LinearBooleanRule> matchLinearBooleanRule();
  }];
}

//===----------------------------------------------------------------------===//
// tl.fixpoint_adjoint
//===----------------------------------------------------------------------===//

def TL_FixpointAdjointOp : TL_Op<"fixpoint_adjoint", [RecursiveMemoryEffects,
    AttrSizedOperandSegments]> {
  let summary = "the vector-Jacobian product of a tl.fixpoint's iterations (G12)";
  let description = [{
    What `tl-differentiate` makes of a `tl.fixpoint`: the gradient of the
    iterations the fixpoint actually takes, not of an idealized limit. It
    runs `body` (the fixpoint's body: block arguments are the states) from
    `inits` with the fixpoint's stopping rule (`tolerance`,
    `max_iterations`, `warn_at_limit`: the same failure or warning), which
    gives the states
    s_0 ... s_K. Then, from the cotangents of the results (lambda = `cotangents`),
    for k = K-1 down to 0 it runs `adjoint` on (s_k, lambda): the region's
    arguments are the states and then their cotangents, and it yields the
    cotangents of the states before the step (the next lambda) followed by
    one cotangent per value in `captured`, the values from above the
    fixpoint's body reads, which are summed over the steps. The results are
    the last lambda (the cotangents of `inits`) and those sums.

    Compiled code records s_0 ... s_{K-1} in a second forward pass when
    `max_iterations` states fit in 64 MiB, and otherwise recomputes s_k
    from the inits for each step of the backward loop (K(K-1)/2 body
    evaluations in all, memory of one state).

    ```mlir
    %g:3 = tl.fixpoint_adjoint (%x0 : tensor<4xf64>) cotangents (%ct : tensor<4xf64>)
        captured (%w, %b : tensor<4x4xf64>, tensor<4xf64>)
        attributes {tolerance = 1.0e-12 : f64}
        -> tensor<4xf64>, tensor<4x4xf64>, tensor<4xf64> {
    ^bb0(%x: tensor<4xf64>):
      ...
      tl.yield %next : tensor<4xf64>
    } adjoint {
    ^bb0(%x: tensor<4xf64>, %lambda: tensor<4xf64>):
      ...
      tl.yield %dx, %dw, %db : tensor<4xf64>, tensor<4x4xf64>, tensor<4xf64>
    }
    ```
  }];
  let arguments = (ins Variadic<TL_FloatTensor>:$inits,
      Variadic<TL_FloatTensor>:$cotangents,
      Variadic<TL_FloatTensor>:$captured,
      DefaultValuedAttr<F64Attr, "0.0">:$tolerance,
      DefaultValuedAttr<I64Attr, "1000">:$max_iterations,
      UnitAttr:$warn_at_limit);
  let results = (outs Variadic<TL_FloatTensor>:$gradients);
  let regions = (region SizedRegion<1>:$body, SizedRegion<1>:$adjoint);
  let assemblyFormat = [{
    `(` $inits `:` type($inits) `)` `cotangents` `(` $cotangents `:`
    type($cotangents) `)` `captured` `(` ($captured^ `:` type($captured))? `)`
    attr-dict-with-keyword `->` type($gradients) $body `adjoint` $adjoint
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::mlir::Block &getAdjointBlock() { return getAdjoint().front(); }
    /// How messages name the fixpoint whose iterations this op repeats.
    std::string describeSite();
  }];
}

def TL_YieldOp : TL_Op<"yield", [Pure, ReturnLike, Terminator,
    ParentOneOf<["::mlir::tl::FixpointOp", "::mlir::tl::FixpointAdjointOp"]>]> {
  let summary = "the next states of a tl.fixpoint";
  let description = [{
    Ends the body of a `tl.fixpoint` with the states of the next iteration,
    one per state of the op, each of a type compatible with its state's
    (the same element type; shapes that agree where both are known, as a
    JSON import leaves them before `tl-specialize-shapes` makes them
    static). Also ends the regions of a `tl.fixpoint_adjoint`.
  }];
  let arguments = (ins Variadic<TL_FloatTensor>:$values);
  let hasVerifier = 1;
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

//===----------------------------------------------------------------------===//
// tl.no_fixpoint
//===----------------------------------------------------------------------===//

def TL_NoFixpointOp : TL_Op<"no_fixpoint", [
    MemoryEffects<[MemWrite]>]> {
  let summary = "reports at run time that a compiled tl.fixpoint did not converge";
  let description = [{
    What `convert-tl-to-linalg` leaves after the loop of a `tl.fixpoint`
    that ran `max_iterations` iterations and still changed an element by
    `change` (more than `tolerance`). `tl-call-kernels` turns it into a
    call of the runtime's `tl_rt_fixpoint_diverged`, which makes the call
    of the compiled function fail with the message the reference evaluator
    gives; `site` indexes the module's descriptions of its fixpoints
    (the op and its source location; -1 for none). With `warn` (the
    fixpoint's `warn_at_limit`) the call is `tl_rt_fixpoint_limit_reached`
    instead: the call succeeds with the last states and reports the
    message as a warning.

    ```mlir
    tl.no_fixpoint %iterations, %change {site = 0 : i64, tolerance = 0.0 : f64}
    ```
  }];
  let arguments = (ins I64:$iterations, F64:$change, I64Attr:$site,
      F64Attr:$tolerance, UnitAttr:$warn);
  let assemblyFormat = "$iterations `,` $change attr-dict";
}

//===----------------------------------------------------------------------===//
// tl.semi_naive_closure
//===----------------------------------------------------------------------===//

def TL_SemiNaiveClosureOp : TL_Op<"semi_naive_closure", [
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "the transitive closure of a 0/1 relation, semi-naively, at run time";
  let description = [{
    What `convert-tl-to-linalg` makes of a `tl.fixpoint` that `tl-semi-naive`
    marked: the closure `R = step(E + R E)` (or `step(E + E R)`) of the
    square relation `relation`, written into `closure`, by the runtime's
    semi-naive kernel (`tl_rt_closure_f32`/`_f64`; `tl-call-kernels` emits
    the call): per source a breadth-first search over bit rows, each step
    joining only the pairs the last one found. `start` is the state the
    fixpoint starts from (0: zeros, 1: the relation itself): it fixes the
    number of iterations the plain loop would run, which the kernel
    computes and compares with `max_iterations` to fail alike (`site`,
    `tolerance`: as `tl.no_fixpoint`). `applied` is false, and `closure`
    unwritten, when an entry of the relation is negative, NaN or infinite:
    the step of a sum then depends on the values, and the code that
    follows runs the plain loop instead.

    ```mlir
    %ok = tl.semi_naive_closure %edges into %reach {max_iterations = 1000 : i64, site = 0 : i64, start = 0 : i64, tolerance = 0.0 : f64} : memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>
    ```
  }];
  let arguments = (ins AnyMemRef:$relation, AnyMemRef:$closure,
      I64Attr:$start, I64Attr:$max_iterations, I64Attr:$site,
      F64Attr:$tolerance);
  let results = (outs I1:$applied);
  let assemblyFormat = [{
    $relation `into` $closure attr-dict `:` type($relation) `,` type($closure)
  }];
}

def TL_SemiNaiveRuleOp : TL_Op<"semi_naive_rule", [
    MemoryEffects<[MemRead, MemWrite]>, AttrSizedOperandSegments]> {
  let summary = "a linear Boolean rule R = step(B + L R M), semi-naively, at run time";
  let description = [{
    What `convert-tl-to-linalg` makes of a `tl.fixpoint` that `tl-semi-naive`
    marked as a linear Boolean rule other than a transitive closure (same
    generation: `step(T^T T + T^T R T)`): the fixpoint from zeros of
    `R = step(base + left R right)`, written into `result`, by the runtime's
    semi-naive kernel (`tl_rt_linear_rule_f32`/`_f64`; `tl-call-kernels`
    emits the call). Each level joins only the pairs the last one added,
    over bit rows. An absent `left` or `right` is the identity. The kernel
    counts the iterations the plain loop would take and fails alike past
    `max_iterations` (`site`, `tolerance`: as `tl.no_fixpoint`). `applied`
    is false, and `result` unwritten, when an entry is negative, NaN or
    infinite, or when the values are so large or small that the loop's
    sums could overflow or its products round to zero: the step of the
    sum then depends on the values, and the plain loop runs instead.

    ```mlir
    %ok = tl.semi_naive_rule %base left %treeT : memref<1000x1000xf32, strided<[?, ?], offset: ?>> right %tree : memref<1000x1000xf32, strided<[?, ?], offset: ?>> into %sg {max_iterations = 1000 : i64, site = 0 : i64, tolerance = 0.0 : f64} : memref<1000x1000xf32, strided<[?, ?], offset: ?>>, memref<1000x1000xf32>
    ```
  }];
  let arguments = (ins AnyMemRef:$base, Optional<AnyMemRef>:$left,
      Optional<AnyMemRef>:$right, AnyMemRef:$result, I64Attr:$max_iterations,
      I64Attr:$site, F64Attr:$tolerance);
  let results = (outs I1:$applied);
  let assemblyFormat = [{
    $base (`left` $left^ `:` type($left))? (`right` $right^ `:` type($right))?
    `into` $result attr-dict `:` type($base) `,` type($result)
  }];
}

#endif // TL_OPS_TD
