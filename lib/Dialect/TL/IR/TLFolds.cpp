//===- TLFolds.cpp - tl folders and canonicalization patterns -------------===//
//
// Identities (x*1, x+0, one_minus(one_minus(x)), identity einsums,
// transposes of transposes) and constant folding of small constants.
//
// Signed zero: `x + 0` folds to x although -0 + 0 is +0 in IEEE arithmetic.
// No op of the contract distinguishes the two zeros except through 1/x and
// atan2-like ops, and TensorLogic graphs compute truth values; the fold is
// documented in docs/Dialects/TLRationale.md.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/ScalarSemantics.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::tl;

/// Folding materializes every element; beyond this many it is not worth it.
static constexpr int64_t kMaxFoldElements = 4096;

static bool isSplatOf(Attribute attr, double value) {
  auto dense = llvm::dyn_cast_or_null<DenseFPElementsAttr>(attr);
  return dense && dense.isSplat() &&
         dense.getSplatValue<APFloat>().convertToDouble() == value;
}

/// Builds a dense attribute of `type` from doubles rounded to its element type.
static DenseElementsAttr makeDense(ShapedType type, ArrayRef<double> values) {
  bool isF32 = type.getElementType().isF32();
  SmallVector<APFloat> out;
  out.reserve(values.size());
  for (double v : values)
    out.push_back(isF32 ? APFloat(static_cast<float>(v)) : APFloat(v));
  return DenseElementsAttr::get(type, out);
}

static SmallVector<double> readDoubles(DenseFPElementsAttr attr) {
  SmallVector<double> out;
  for (const APFloat &v : attr.getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

template <typename Fn>
static double inType(Type elementType, Fn fn, double a, double b = 0) {
  if (elementType.isF32())
    return fn(static_cast<float>(a), static_cast<float>(b));
  return fn(a, b);
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult UnaryOp::fold(FoldAdaptor adaptor) {
  UnaryKind kind = getKind();
  // Involutions: one_minus(one_minus(x)) and negate(negate(x)) are x.
  if (kind == UnaryKind::one_minus || kind == UnaryKind::negate)
    if (auto inner = getInput().getDefiningOp<UnaryOp>())
      if (inner.getKind() == kind)
        return inner.getInput();

  auto input = llvm::dyn_cast_or_null<DenseFPElementsAttr>(adaptor.getInput());
  auto type = llvm::dyn_cast<RankedTensorType>(getType());
  if (!input || !type || !type.hasStaticShape() ||
      input.getType() != type || input.getNumElements() > kMaxFoldElements)
    return {};
  Type et = type.getElementType();
  SmallVector<double> values;
  for (double x : readDoubles(input))
    values.push_back(inType(
        et, [&](auto a, auto) { return double(applyUnary(kind, a)); }, x));
  return makeDense(type, values);
}

OpFoldResult BinaryOp::fold(FoldAdaptor adaptor) {
  BinaryKind kind = getKind();
  Attribute lhsAttr = adaptor.getLhs(), rhsAttr = adaptor.getRhs();
  Type resType = getType();
  // Identities only where the kept operand already has the result's type:
  // broadcasting against a larger constant changes the shape.
  auto keep = [&](Value v) -> OpFoldResult {
    return v.getType() == resType ? OpFoldResult(v) : OpFoldResult();
  };
  switch (kind) {
  case BinaryKind::multiply:
    if (isSplatOf(rhsAttr, 1.0))
      return keep(getLhs());
    if (isSplatOf(lhsAttr, 1.0))
      return keep(getRhs());
    break;
  case BinaryKind::add:
    if (isSplatOf(rhsAttr, 0.0))
      return keep(getLhs());
    if (isSplatOf(lhsAttr, 0.0))
      return keep(getRhs());
    break;
  case BinaryKind::subtract:
    if (isSplatOf(rhsAttr, 0.0))
      return keep(getLhs());
    break;
  case BinaryKind::divide:
  case BinaryKind::power:
    if (isSplatOf(rhsAttr, 1.0))
      return keep(getLhs());
    break;
  default:
    break;
  }

  // Constant folding: two splats, or two constants of the result's shape.
  auto lhs = llvm::dyn_cast_or_null<DenseFPElementsAttr>(lhsAttr);
  auto rhs = llvm::dyn_cast_or_null<DenseFPElementsAttr>(rhsAttr);
  auto type = llvm::dyn_cast<RankedTensorType>(resType);
  if (!lhs || !rhs || !type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  Type et = type.getElementType();
  auto apply = [&](double a, double b) {
    return inType(
        et, [&](auto x, auto y) { return double(applyBinary(kind, x, y)); }, a,
        b);
  };
  if (lhs.isSplat() && rhs.isSplat()) {
    double v = apply(lhs.getSplatValue<APFloat>().convertToDouble(),
                     rhs.getSplatValue<APFloat>().convertToDouble());
    SmallVector<double> values(type.getNumElements(), v);
    return makeDense(type, values);
  }
  if (lhs.getType() != type || rhs.getType() != type)
    return {};
  SmallVector<double> a = readDoubles(lhs), b = readDoubles(rhs), values;
  for (size_t i = 0; i < a.size(); ++i)
    values.push_back(apply(a[i], b[i]));
  return makeDense(type, values);
}

OpFoldResult ReduceOp::fold(FoldAdaptor) {
  // axes = [] is the identity (G10).
  if (getAxes().empty() && getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult EinsumOp::fold(FoldAdaptor) {
  // A single operand whose labels are the output's, in order: no transpose,
  // no diagonal, no reduction, no broadcast.
  if (getInputs().size() != 1 || getInputs()[0].getType() != getType())
    return {};
  std::optional<SmallVector<int64_t>> perm = getParsedSpec().getPermutation();
  if (!perm)
    return {};
  for (auto [i, p] : llvm::enumerate(*perm))
    if (p != static_cast<int64_t>(i))
      return {};
  return getInputs()[0];
}

namespace {
/// einsum(einsum(x, "P1"), "P2") with both pure permutations becomes one
/// permutation of x (and disappears in the fold when it is the identity).
struct ComposeTransposes : OpRewritePattern<EinsumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(EinsumOp outer,
                                PatternRewriter &rewriter) const override {
    if (outer.getInputs().size() != 1)
      return failure();
    auto inner = outer.getInputs()[0].getDefiningOp<EinsumOp>();
    if (!inner || inner.getInputs().size() != 1)
      return failure();
    EinsumSpec outerSpec = outer.getParsedSpec();
    EinsumSpec innerSpec = inner.getParsedSpec();
    auto outerPerm = outerSpec.getPermutation();
    auto innerPerm = innerSpec.getPermutation();
    if (!outerPerm || !innerPerm)
      return failure();
    const std::string &labels = innerSpec.inputs[0];
    std::string composed;
    for (int64_t p : *outerPerm)
      composed.push_back(labels[(*innerPerm)[p]]);
    rewriter.replaceOpWithNewOp<EinsumOp>(
        outer, outer.getType(), rewriter.getStringAttr(labels + "->" + composed),
        inner.getInputs(), BinaryKind::multiply, ReduceKind::sum);
    return success();
  }
};
} // namespace

void EinsumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}
