//===- ReverseMode.cpp - propagating cotangents backwards (G12) -----------===//
//
// Cotangents are summed over uses: a value read twice receives both
// contributions through one tl.binary add each.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/ReverseMode.h"

#include "tl/Dialect/TL/IR/GradientRegistry.h"
#include "tl/Dialect/TL/IR/TLOps.h"

using namespace mlir;
using namespace mlir::tl;

void mlir::tl::accumulateCotangent(OpBuilder &b, Cotangents &cotangents,
                                   Value value, Value cotangent,
                                   Location loc) {
  auto [it, inserted] = cotangents.try_emplace(value, cotangent);
  if (!inserted)
    it->second = b.create<BinaryOp>(loc, value.getType(), BinaryKind::add,
                                    it->second, cotangent);
}

Value mlir::tl::zerosOf(OpBuilder &b, Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return b.create<ConstantOp>(
      loc, tensor,
      DenseElementsAttr::get(tensor,
                             FloatAttr::get(tensor.getElementType(), 0.0)),
      StringAttr());
}

/// The cotangents of the values `op` reads, from its results'.
static LogicalResult
cotangentsOfInputs(OpBuilder &b, Operation *op, ArrayRef<Value> resultCts,
                   SmallVectorImpl<std::pair<Value, Value>> &inputCts) {
  if (GradientRule rule = lookupGradientOverride(gradientKey(op))) {
    if (op->getNumResults() != 1)
      return op->emitError("G12: the gradient override for '")
             << gradientKey(op) << "' applies to ops with one result";
    SmallVector<Value> grads;
    if (failed(rule(b, op, resultCts.front(), grads)))
      return failure();
    if (grads.size() != op->getNumOperands())
      return op->emitError("G12: the gradient override for '")
             << gradientKey(op) << "' returned " << grads.size()
             << " cotangents for " << op->getNumOperands() << " operands";
    for (auto [operand, grad] : llvm::zip(op->getOperands(), grads))
      inputCts.push_back({operand, grad});
    return success();
  }
  if (auto diff = dyn_cast<DifferentiableOpInterface>(op))
    return diff.buildValueVJP(b, resultCts, inputCts);
  return op->emitError("G12: no gradient rule for '") << op->getName() << "'";
}

LogicalResult mlir::tl::propagateCotangents(OpBuilder &b,
                                            ArrayRef<Operation *> ops,
                                            Cotangents &cotangents) {
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultCts;
    for (Value r : op->getResults())
      resultCts.push_back(cotangents.lookup(r));
    if (llvm::all_of(resultCts, [](Value ct) { return !ct; }) ||
        (op->getNumOperands() == 0 && op->getNumRegions() == 0))
      continue;
    // A result nothing reads back has a zero cotangent.
    for (auto [r, ct] : llvm::zip(op->getResults(), resultCts))
      if (!ct)
        ct = zerosOf(b, op->getLoc(), r.getType());
    SmallVector<std::pair<Value, Value>> inputCts;
    if (failed(cotangentsOfInputs(b, op, resultCts, inputCts)))
      return failure();
    for (auto [input, grad] : inputCts) {
      if (!grad)
        continue;
      if (grad.getType() != input.getType())
        return op->emitError("G12: the gradient rule of '")
               << gradientKey(op) << "' built a cotangent of type "
               << grad.getType() << " for an operand of type "
               << input.getType();
      accumulateCotangent(b, cotangents, input, grad, op->getLoc());
    }
  }
  return success();
}
