//===- TLSparsity.cpp - how tl ops keep or lose zeros ---------------------===//
//
// SparsityOpInterface for the element-wise ops, reductions, einsums and
// constants. Whether an op keeps zeros is read from the op's own scalar
// semantics (ScalarSemantics.h) rather than listed per kind, so a new kind
// is classified by what it computes.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/ScalarSemantics.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tl;

namespace {
/// How an op's result zeros follow from its operands'.
enum class ZeroRule { intersection, unionOf, dense };

/// Nonnegative sample values: relations hold 0/1 or weights.
constexpr double kSamples[] = {0.5, 1.0, 2.5};

ZeroRule classifyBinary(BinaryKind kind) {
  if (applyBinary<double>(kind, 0, 0) != 0) // also NaN (0 / 0)
    return ZeroRule::dense;
  for (double v : kSamples)
    if (applyBinary<double>(kind, 0, v) != 0 ||
        applyBinary<double>(kind, v, 0) != 0)
      return ZeroRule::unionOf;
  return ZeroRule::intersection;
}

/// A reduction over values of which one is nonzero: unions (sum, max)
/// give a nonzero, intersections (prod, min) a zero.
ZeroRule classifyReduce(ReduceKind kind) {
  double zeros = reduceFinish<double>(
      kind, reduceStep<double>(kind, reduceInit<double>(kind), 0), 1);
  if (zeros != 0)
    return ZeroRule::dense;
  double acc = reduceInit<double>(kind);
  acc = reduceStep<double>(kind, acc, 0);
  acc = reduceStep<double>(kind, acc, 1);
  return reduceFinish<double>(kind, acc, 2) != 0 ? ZeroRule::unionOf
                                                 : ZeroRule::intersection;
}

double combine(ZeroRule rule, ArrayRef<double> densities) {
  double all = 1, none = 1;
  for (double d : densities) {
    all *= d;
    none *= 1 - d;
  }
  switch (rule) {
  case ZeroRule::intersection:
    return all;
  case ZeroRule::unionOf:
    return 1 - none;
  case ZeroRule::dense:
    return 1;
  }
  return 1;
}

/// `count` values of density `d` folded by a reduction of `rule`.
double reduceDensity(ZeroRule rule, double d, double count) {
  if (count <= 1)
    return rule == ZeroRule::dense ? 1 : d;
  switch (rule) {
  case ZeroRule::intersection:
    return std::pow(d, count);
  case ZeroRule::unionOf:
    return 1 - std::pow(1 - d, count);
  case ZeroRule::dense:
    return 1;
  }
  return 1;
}

double clamp(double d) { return std::isnan(d) ? 1 : std::fmin(1, std::fmax(0, d)); }
} // namespace

double ConstantOp::estimateDensity(ArrayRef<double>) {
  auto dense = llvm::dyn_cast<DenseElementsAttr>(getValue());
  if (!dense || dense.getNumElements() == 0)
    return 1;
  if (dense.isSplat())
    return dense.getSplatValue<APFloat>().isZero() ? 0 : 1;
  int64_t nonzeros = 0;
  for (const APFloat &v : dense.getValues<APFloat>())
    nonzeros += !v.isZero();
  return double(nonzeros) / double(dense.getNumElements());
}

double UnaryOp::estimateDensity(ArrayRef<double> operandDensities) {
  return applyUnary<double>(getKind(), 0) != 0 ? 1
                                                : clamp(operandDensities[0]);
}

double BinaryOp::estimateDensity(ArrayRef<double> operandDensities) {
  return clamp(combine(classifyBinary(getKind()), operandDensities));
}

double ReduceOp::estimateDensity(ArrayRef<double> operandDensities) {
  auto type = llvm::cast<ShapedType>(getInput().getType());
  double count = 1;
  for (int64_t axis : getAxes()) {
    if (type.isDynamicDim(axis))
      return 1; // unknown extent: assume dense
    count *= double(type.getDimSize(axis));
  }
  return clamp(reduceDensity(classifyReduce(getKind()), operandDensities[0], count));
}

double EinsumOp::estimateDensity(ArrayRef<double> operandDensities) {
  EinsumSpec spec = getParsedSpec();
  ZeroRule rule = operandDensities.size() == 1
                      ? ZeroRule::intersection // the operand itself
                      : classifyBinary(getCombine());
  double combined = combine(rule, operandDensities);
  // The extent of the summed labels, from the operands' types.
  double count = 1;
  for (char label : spec.reducedLabels()) {
    int64_t size = ShapedType::kDynamic;
    for (auto [subscript, operand] : llvm::zip(spec.inputs, getInputs())) {
      size_t at = subscript.find(label);
      if (at != std::string::npos)
        size = llvm::cast<ShapedType>(operand.getType()).getDimSize(at);
      if (!ShapedType::isDynamic(size))
        break;
    }
    if (ShapedType::isDynamic(size))
      return 1;
    count *= double(size);
  }
  return clamp(reduceDensity(classifyReduce(getReduce()), combined, count));
}
