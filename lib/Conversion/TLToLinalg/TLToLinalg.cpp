//===- TLToLinalg.cpp - lower tl ops to linalg on tensors -----------------===//
//
// Every tl op becomes one linalg op (two for `mean`), so that elementwise
// fusion, tiling and vectorization see the whole graph as linalg. Shapes
// must be ranked: the shape rules (G6, G7, G9, G11) are already resolved
// by tl-specialize-shapes. A dynamic size (shape-generic code) is read at
// run time with tensor.dim from an operand dimension that carries it; it
// is never 1 (a symbol of tl-specialize-shapes), so broadcasting is still
// decided by the static 1s.
//
//===----------------------------------------------------------------------===//

#include "tl/Conversion/Passes.h"

#include "FixpointLoops.h"
#include "ScalarOps.h"
#include "tl/Dialect/TL/IR/EinsumSpec.h"
#include "tl/Dialect/TL/IR/ScalarSemantics.h"
#include "tl/Dialect/TL/IR/TLDialect.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/FusionGroups.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::tl {
#define GEN_PASS_DEF_CONVERTTLTOLINALGPASS
#include "tl/Conversion/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Copies a tl op's `tl.fusion_group` to the linalg ops its lowering
/// creates, and its `tl.sparse` decision to the last of them, the one that
/// produces its result (tl-encode-sparsity reads it there). The conversion
/// inserts them right before the op, so they are the ops between its old
/// predecessor and itself when the pattern ends.
class InheritFusionGroup {
public:
  explicit InheritFusionGroup(Operation *op)
      : op(op), prev(op->getPrevNode()) {}
  ~InheritFusionGroup() {
    std::optional<int64_t> group = getFusionGroup(op);
    Attribute sparse = op->getAttr(kSparseAttr);
    Attribute density = op->getAttr(kDensityAttr);
    Operation *last = nullptr;
    Block::iterator it =
        prev ? std::next(prev->getIterator()) : op->getBlock()->begin();
    for (; &*it != op; ++it)
      if (isa<linalg::LinalgOp>(&*it)) {
        last = &*it;
        if (group)
          setFusionGroup(last, *group);
      }
    if (sparse && last) {
      last->setAttr(kSparseAttr, sparse);
      // tl-encode-sparsity sizes the result's buffers by it.
      if (density)
        last->setAttr(kDensityAttr, density);
    }
  }

private:
  Operation *op;
  Operation *prev;
};

using utils::IteratorType;

/// Where a dimension's size can be read: dimension `axis` of `value`.
struct DimSource {
  Value value;
  int64_t axis = 0;
};
/// A source per dimension of a result; only dynamic dims need one.
using DimSources = SmallVector<DimSource>;

/// The sizes of `value`'s dims, read at run time where dynamic.
DimSources dimsOf(Value value) {
  DimSources sources;
  int64_t rank = llvm::cast<RankedTensorType>(value.getType()).getRank();
  for (int64_t d = 0; d < rank; ++d)
    sources.push_back({value, d});
  return sources;
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                ArrayRef<DimSource> sources = {}) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d)) {
      const DimSource &s = sources[d];
      dynamic.push_back(b.create<tensor::DimOp>(loc, s.value, s.axis));
    }
  return b.create<tensor::EmptyOp>(loc, type, dynamic);
}

Value filled(OpBuilder &b, Location loc, RankedTensorType type,
             ReduceKind kind, ArrayRef<DimSource> sources = {}) {
  Value init = emitReduceInit(b, loc, kind,
                              llvm::cast<FloatType>(type.getElementType()));
  return b
      .create<linalg::FillOp>(loc, ValueRange{init},
                              ValueRange{emptyLike(b, loc, type, sources)})
      .getResult(0);
}

/// The number of elements `dims` span, as a float of `type` (folded to a
/// constant when every size is static).
Value countOf(OpBuilder &b, Location loc, ArrayRef<DimSource> dims,
              Type type) {
  int64_t known = 1;
  Value dynamic;
  for (const DimSource &d : dims) {
    OpFoldResult size = tensor::getMixedSize(b, loc, d.value, d.axis);
    if (auto attr = llvm::dyn_cast<Attribute>(size)) {
      known *= llvm::cast<IntegerAttr>(attr).getInt();
      continue;
    }
    Value v = llvm::cast<Value>(size);
    dynamic = dynamic ? b.create<arith::MulIOp>(loc, dynamic, v).getResult() : v;
  }
  Value n = b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, double(known)));
  if (!dynamic)
    return n;
  Value i64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), dynamic);
  Value f = b.create<arith::UIToFPOp>(loc, type, i64);
  return b.create<arith::MulFOp>(loc, n, f);
}

/// `mean` finishes a sum by dividing by the number of folded elements
/// (0/0 = NaN for an empty fold, G10).
Value divideByCount(OpBuilder &b, Location loc, Value sum, Value n) {
  auto type = llvm::cast<RankedTensorType>(sum.getType());
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<IteratorType> iters(type.getRank(), IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(
          loc, type, ValueRange{sum},
          ValueRange{emptyLike(b, loc, type, dimsOf(sum))},
          maps, iters,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            nb.create<linalg::YieldOp>(
                nl, ValueRange{nb.create<arith::DivFOp>(nl, args[0], n)});
          })
      .getResult(0);
}

/// Fails the pattern (and so the conversion) on unranked shapes.
LogicalResult requireRanked(Operation *op, PatternRewriter &rewriter) {
  auto isRanked = [](Type t) { return llvm::isa<RankedTensorType>(t); };
  if (!llvm::all_of(op->getOperandTypes(), isRanked) ||
      !llvm::all_of(op->getResultTypes(), isRanked))
    return rewriter.notifyMatchFailure(op, "shapes are not ranked");
  return success();
}

//===----------------------------------------------------------------------===//
// tl.constant
//===----------------------------------------------------------------------===//

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// tl.unary, tl.binary
//===----------------------------------------------------------------------===//

/// Whether tl-assign-sparsity chose a sparse layout for `value`.
bool isMarkedSparse(Value value) {
  if (Operation *def = value.getDefiningOp())
    return def->hasAttr(kSparseAttr);
  auto arg = llvm::cast<BlockArgument>(value);
  auto func = llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  return func && func.getArgAttr(arg.getArgNumber(), kSparseAttr);
}

struct UnaryLowering : OpConversionPattern<UnaryOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    InheritFusionGroup inherit(op);
    if (failed(requireRanked(op, rewriter)))
      return failure();
    auto type = llvm::cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    SmallVector<AffineMap> maps(2,
                                rewriter.getMultiDimIdentityMap(type.getRank()));
    SmallVector<IteratorType> iters(type.getRank(), IteratorType::parallel);
    UnaryKind kind = op.getKind();
    // A sparse result of a sparse operand where f(0) = 0 (e.g. step of a
    // join: the Boolean semiring) maps only the stored entries; an absent
    // entry stays absent. sparse_tensor.unary says so to the sparsifier,
    // which has no rule of its own for `step`'s comparison. Where f(0) is
    // not 0 (1 - x), every entry is computed.
    bool storedOnly = op->hasAttr(kSparseAttr) &&
                      isMarkedSparse(op.getInput()) &&
                      applyUnary<double>(kind, 0.0) == 0.0;
    rewriter.replaceOpWithNewOp<linalg::GenericOp>(
        op, type, ValueRange{adaptor.getInput()},
        ValueRange{emptyLike(rewriter, loc, type, dimsOf(adaptor.getInput()))},
        maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          if (!storedOnly) {
            b.create<linalg::YieldOp>(l, emitUnary(b, l, kind, args[0]));
            return;
          }
          Type element = args[0].getType();
          auto mapped = b.create<sparse_tensor::UnaryOp>(l, element, args[0]);
          OpBuilder::InsertionGuard guard(b);
          Block *present = b.createBlock(&mapped.getPresentRegion(), {},
                                         {element}, {l});
          b.create<sparse_tensor::YieldOp>(
              l, emitUnary(b, l, kind, present->getArgument(0)));
          b.setInsertionPointAfter(mapped);
          b.create<linalg::YieldOp>(l, mapped.getResult());
        });
    return success();
  }
};

/// An operand of a broadcasting op, reshaped so its indexing map is a
/// projected permutation: leading dimensions it lacks are not indexed, and
/// unit dimensions that stretch are collapsed away.
std::pair<Value, AffineMap> broadcastOperand(OpBuilder &b, Location loc,
                                             Value operand,
                                             ArrayRef<int64_t> outShape) {
  auto type = llvm::cast<RankedTensorType>(operand.getType());
  int64_t rank = type.getRank(), outRank = outShape.size();
  int64_t pad = outRank - rank;
  SmallVector<int64_t> kept; // operand dims that are indexed
  for (int64_t d = 0; d < rank; ++d)
    if (!(type.getDimSize(d) == 1 && outShape[pad + d] != 1))
      kept.push_back(d);
  SmallVector<AffineExpr> exprs;
  for (int64_t d : kept)
    exprs.push_back(b.getAffineDimExpr(pad + d));
  AffineMap map = AffineMap::get(outRank, 0, exprs, b.getContext());
  if (int64_t(kept.size()) == rank)
    return {operand, map};

  // Each dropped unit dimension joins the group of the next kept one (or of
  // the last kept one when it trails); with nothing kept the result is 0-d.
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> shape;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    if (llvm::is_contained(kept, d)) {
      groups.push_back(pending);
      shape.push_back(type.getDimSize(d));
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto collapsedType = RankedTensorType::get(shape, type.getElementType());
  Value collapsed =
      b.create<tensor::CollapseShapeOp>(loc, collapsedType, operand, groups);
  return {collapsed, map};
}

struct BinaryLowering : OpConversionPattern<BinaryOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BinaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    InheritFusionGroup inherit(op);
    if (failed(requireRanked(op, rewriter)))
      return failure();
    auto type = llvm::cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    auto [lhs, lhsMap] =
        broadcastOperand(rewriter, loc, adaptor.getLhs(), type.getShape());
    auto [rhs, rhsMap] =
        broadcastOperand(rewriter, loc, adaptor.getRhs(), type.getShape());
    SmallVector<AffineMap> maps = {
        lhsMap, rhsMap, rewriter.getMultiDimIdentityMap(type.getRank())};
    SmallVector<IteratorType> iters(type.getRank(), IteratorType::parallel);
    // A dynamic result dim is an operand's dynamic dim (aligned from the
    // right, NumPy's rule).
    DimSources sources(type.getRank());
    for (Value operand : {adaptor.getLhs(), adaptor.getRhs()}) {
      auto t = llvm::cast<RankedTensorType>(operand.getType());
      int64_t pad = type.getRank() - t.getRank();
      for (int64_t d = 0; d < t.getRank(); ++d)
        if (t.isDynamicDim(d))
          sources[pad + d] = {operand, d};
    }
    BinaryKind kind = op.getKind();
    rewriter.replaceOpWithNewOp<linalg::GenericOp>(
        op, type, ValueRange{lhs, rhs},
        ValueRange{emptyLike(rewriter, loc, type, sources)}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          b.create<linalg::YieldOp>(l,
                                    emitBinary(b, l, kind, args[0], args[1]));
        });
    return success();
  }
};

//===----------------------------------------------------------------------===//
// tl.reduce
//===----------------------------------------------------------------------===//

struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    InheritFusionGroup inherit(op);
    if (failed(requireRanked(op, rewriter)))
      return failure();
    if (op.getAxes().empty()) { // G10: the identity
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    auto inType = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
    auto type = llvm::cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    SmallVector<int64_t> dims(op.getAxes());
    llvm::sort(dims);
    DimSources reduced, keptDims;
    for (int64_t d = 0; d < inType.getRank(); ++d)
      (llvm::is_contained(dims, d) ? reduced : keptDims)
          .push_back({adaptor.getInput(), d});
    ReduceKind kind = op.getKind();
    // A generic rather than linalg.reduce: element-wise producers in the
    // same fusion group can then be inlined into its body.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> kept;
    SmallVector<IteratorType> iters;
    for (int64_t d = 0; d < inType.getRank(); ++d) {
      bool reduced = llvm::is_contained(dims, d);
      iters.push_back(reduced ? IteratorType::reduction
                              : IteratorType::parallel);
      if (!reduced)
        kept.push_back(getAffineDimExpr(d, ctx));
    }
    SmallVector<AffineMap> maps = {
        rewriter.getMultiDimIdentityMap(inType.getRank()),
        AffineMap::get(inType.getRank(), 0, kept, ctx)};
    Value result =
        rewriter
            .create<linalg::GenericOp>(
                loc, type, ValueRange{adaptor.getInput()},
                ValueRange{filled(rewriter, loc, type, kind, keptDims)}, maps,
                iters,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  b.create<linalg::YieldOp>(
                      l, emitReduceStep(b, l, kind, args[1], args[0]));
                })
            .getResult(0);
    if (kind == ReduceKind::mean)
      result = divideByCount(
          rewriter, loc, result,
          countOf(rewriter, loc, reduced, type.getElementType()));
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// tl.einsum
//===----------------------------------------------------------------------===//

/// The labels of a spec as loop dimensions: output labels first, in output
/// order (parallel), then the reduced labels in order of appearance.
struct EinsumLoops {
  std::string labels;
  size_t numParallel = 0;

  explicit EinsumLoops(const EinsumSpec &spec) : labels(spec.output) {
    numParallel = labels.size();
    labels += spec.reducedLabels();
  }
  unsigned dim(char label) const { return labels.find(label); }
  AffineMap map(StringRef subscripts, MLIRContext *ctx) const {
    SmallVector<AffineExpr> exprs;
    for (char c : subscripts)
      exprs.push_back(getAffineDimExpr(dim(c), ctx));
    return AffineMap::get(labels.size(), 0, exprs, ctx);
  }
};

/// ik,kj->ij and bik,bkj->bij with distinct labels: what linalg.matmul and
/// linalg.batch_matmul compute.
bool isMatmul(const EinsumSpec &spec, bool batched) {
  if (spec.inputs.size() != 2)
    return false;
  const std::string &a = spec.inputs[0], &b = spec.inputs[1],
                    &o = spec.output;
  size_t n = batched ? 3 : 2;
  if (a.size() != n || b.size() != n || o.size() != n)
    return false;
  size_t p = batched ? 1 : 0;
  if (batched && !(a[0] == b[0] && a[0] == o[0]))
    return false;
  char i = a[p], k = a[p + 1], j = b[p + 1];
  std::string labels = o.substr(0, p) + i + j + k;
  llvm::SmallDenseSet<char> distinct(labels.begin(), labels.end());
  return distinct.size() == labels.size() && b[p] == k && o[p] == i &&
         o[p + 1] == j;
}

/// A product of two matrices up to operand order and transposes, e.g. the
/// gradients of a matmul, "ac,bc->ab" and "ac,ab->bc": the output's rows
/// come from operand `lhs`, its columns from the other, and one label is
/// summed. Lowered to linalg.matmul (and so to oneDNN where it pays) after
/// transposing the operands that are not (rows, k) and (k, columns): a copy
/// of one matrix, cheaper than a strided product loop.
struct MatmulForm {
  unsigned lhs;
  bool transposeLhs, transposeRhs;
};

std::optional<MatmulForm> matchMatmul2D(const EinsumSpec &spec) {
  if (spec.inputs.size() != 2 || spec.output.size() != 2)
    return std::nullopt;
  for (const std::string &in : spec.inputs)
    if (in.size() != 2 || in[0] == in[1])
      return std::nullopt;
  char i = spec.output[0], j = spec.output[1];
  if (i == j)
    return std::nullopt;
  auto has = [](const std::string &s, char c) {
    return s.find(c) != std::string::npos;
  };
  for (unsigned lhs = 0; lhs < 2; ++lhs) {
    const std::string &a = spec.inputs[lhs], &b = spec.inputs[1 - lhs];
    if (!has(a, i) || has(a, j) || !has(b, j) || has(b, i))
      continue;
    char k = a[0] == i ? a[1] : a[0];
    char bk = b[0] == j ? b[1] : b[0];
    if (k != bk || k == i || k == j)
      return std::nullopt;
    return MatmulForm{lhs, a[0] != i, b[0] != k};
  }
  return std::nullopt;
}

/// The function argument dim tl-specialize-shapes named for result dim
/// `i` of `op` (tl.dim_args), if any.
std::optional<DimSource> argumentDim(Operation *op, size_t i) {
  auto dims = op->getAttrOfType<DenseI64ArrayAttr>(kDimArgsAttr);
  auto func = op->getParentOfType<func::FuncOp>();
  if (!dims || !func || static_cast<size_t>(dims.size()) < 2 * i + 2)
    return std::nullopt;
  int64_t arg = dims[2 * i], axis = dims[2 * i + 1];
  if (arg < 0 || arg >= func.getNumArguments())
    return std::nullopt;
  Value v = func.getArgument(arg);
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!type || axis < 0 || axis >= type.getRank())
    return std::nullopt;
  return DimSource{v, axis};
}

struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    InheritFusionGroup inherit(op);
    if (failed(requireRanked(op, rewriter)))
      return failure();
    EinsumSpec spec = op.getParsedSpec();
    auto type = llvm::cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    ValueRange inputs = adaptor.getInputs();
    BinaryKind combine = op.getCombine();
    ReduceKind reduce = op.getReduce();
    EinsumLoops loops(spec);
    bool reduces = loops.labels.size() > loops.numParallel;
    // Where each label's size is read: the first operand that has it;
    // for a broadcast label of shape-generic code, the argument dim that
    // tl-specialize-shapes named.
    auto labelSource = [&](char c,
                           size_t i = ~size_t(0)) -> std::optional<DimSource> {
      for (auto [j, subscripts] : llvm::enumerate(spec.inputs)) {
        size_t pos = subscripts.find(c);
        if (pos != std::string::npos)
          return DimSource{inputs[j], int64_t(pos)};
      }
      return argumentDim(op, i);
    };
    DimSources sources;
    for (auto [i, c] : llvm::enumerate(spec.output)) {
      std::optional<DimSource> source = labelSource(c, i);
      if (!source && type.isDynamicDim(i)) // checked by the pass first
        return rewriter.notifyMatchFailure(op, "unsized broadcast label");
      sources.push_back(source.value_or(DimSource{}));
    }

    if (combine == BinaryKind::multiply && reduce == ReduceKind::sum) {
      Value init = filled(rewriter, loc, type, ReduceKind::sum, sources);
      if (isMatmul(spec, /*batched=*/false)) {
        rewriter.replaceOpWithNewOp<linalg::MatmulOp>(op, TypeRange{type},
                                                      inputs, init);
        return success();
      }
      // A transposed copy of a sparse relation would be dense; the
      // sparsifier reads it in any order through the generic instead.
      std::optional<MatmulForm> form = matchMatmul2D(spec);
      if (llvm::any_of(op.getInputs(), isMarkedSparse))
        form = std::nullopt;
      if (form) {
        auto transposed = [&](Value v, bool transpose) -> Value {
          if (!transpose)
            return v;
          auto t = llvm::cast<RankedTensorType>(v.getType());
          Value empty = emptyLike(
              rewriter, loc,
              RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                                    t.getElementType()),
              DimSources{{v, 1}, {v, 0}});
          return rewriter
              .create<linalg::TransposeOp>(loc, v, empty,
                                           ArrayRef<int64_t>{1, 0})
              ->getResult(0);
        };
        Value lhs = transposed(inputs[form->lhs], form->transposeLhs);
        Value rhs = transposed(inputs[1 - form->lhs], form->transposeRhs);
        rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
            op, TypeRange{type}, ValueRange{lhs, rhs}, init);
        return success();
      }
      if (isMatmul(spec, /*batched=*/true)) {
        rewriter.replaceOpWithNewOp<linalg::BatchMatmulOp>(
            op, TypeRange{type}, inputs, init);
        return success();
      }
    }

    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps;
    for (StringRef subscripts : spec.inputs)
      maps.push_back(loops.map(subscripts, ctx));
    maps.push_back(loops.map(spec.output, ctx));
    SmallVector<IteratorType> iters(loops.labels.size(),
                                    IteratorType::reduction);
    std::fill_n(iters.begin(), loops.numParallel, IteratorType::parallel);
    Value init = reduces ? filled(rewriter, loc, type, reduce, sources)
                         : emptyLike(rewriter, loc, type, sources);
    size_t numInputs = inputs.size();
    Value result =
        rewriter
            .create<linalg::GenericOp>(
                loc, type, inputs, ValueRange{init}, maps, iters,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Value v = args[0];
                  if (numInputs == 2 && combine != BinaryKind::multiply)
                    v = emitBinary(b, l, combine, args[0], args[1]);
                  else
                    for (size_t j = 1; j < numInputs; ++j)
                      v = b.create<arith::MulFOp>(l, v, args[j]);
                  // Nothing reduced: no fold (max over nothing keeps NaN).
                  if (reduces)
                    v = emitReduceStep(b, l, reduce, args[numInputs], v);
                  b.create<linalg::YieldOp>(l, v);
                })
            .getResult(0);
    if (reduces && reduce == ReduceKind::mean) {
      DimSources reduced;
      for (char c : StringRef(loops.labels).drop_front(loops.numParallel))
        reduced.push_back(*labelSource(c));
      result = divideByCount(
          rewriter, loc, result,
          countOf(rewriter, loc, reduced, type.getElementType()));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvertTLToLinalgPass
    : tl::impl::ConvertTLToLinalgPassBase<ConvertTLToLinalgPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<Type> types(func.getArgumentTypes());
    llvm::append_range(types, func.getResultTypes());
    for (Type t : types) {
      if (!llvm::isa<RankedTensorType>(t)) {
        func.emitError("convert-tl-to-linalg needs ranked shapes, but @")
            << func.getSymName() << " has " << t
            << "; run tl-specialize-shapes with the inputs' shapes first";
        return signalPassFailure();
      }
    }

    // A dynamic broadcast label (G7) has no operand to read its size from.
    WalkResult unsized = func.walk([&](EinsumOp op) {
      EinsumSpec spec = op.getParsedSpec();
      auto type = llvm::cast<RankedTensorType>(op.getType());
      for (auto [i, c] : llvm::enumerate(spec.output))
        if (type.isDynamicDim(i) &&
            llvm::none_of(spec.inputs,
                          [&](const std::string &in) {
                            return in.find(c) != std::string::npos;
                          }) &&
            !argumentDim(op, i)) {
          op.emitError("shape-generic code cannot size the broadcast label '")
              << c << "' of " << describeOp(op)
              << " (G7): a later op sets it; give the inputs' shapes";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (unsized.wasInterrupted())
      return signalPassFailure();

    // Loops first: their bodies' tl ops are then converted like any other.
    lowerFixpointsToLoops(func);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<TLDialect>();
    target.addLegalOp<NoFixpointOp, SemiNaiveClosureOp, SemiNaiveRuleOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           sparse_tensor::SparseTensorDialect,
                           tensor::TensorDialect>();
    target.addLegalOp<func::ReturnOp>();
    RewritePatternSet patterns(ctx);
    populateTLToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(func, target, std::move(patterns))))
      return signalPassFailure();

    // The caller owns the argument buffers (zero-copy inputs).
    if (!func.isExternal())
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttr(i, "bufferization.writable",
                        BoolAttr::get(ctx, false));
  }
};

} // namespace

void mlir::tl::populateTLToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, UnaryLowering, BinaryLowering,
               ReduceLowering, EinsumLowering>(patterns.getContext());
}
