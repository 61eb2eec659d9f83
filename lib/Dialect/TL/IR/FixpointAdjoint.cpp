//===- FixpointAdjoint.cpp - the gradient of a tl.fixpoint's iterations ---===//
//
// A fixpoint that stopped after K iterations computed s_K = f^K(s_0), f
// its body. Its vector-Jacobian product runs the chain rule over those K
// steps: lambda_K is the results' cotangent, and step k (from K-1 down to
// 0) maps lambda_{k+1} to lambda_k = (df/ds at s_k)^T lambda_{k+1} while
// the values from above the body reads (a rule's relations and weights)
// collect (df/dw at s_k)^T lambda_{k+1}. The per-step map is the body's
// own reverse-mode adjoint (ReverseMode.h), built once as the `adjoint`
// region of a tl.fixpoint_adjoint; the op runs it K times.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/ReverseMode.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace mlir::tl;

LogicalResult FixpointOp::buildVJP(OpBuilder &, Value,
                                   SmallVectorImpl<Value> &) {
  // Its body's reads from above receive cotangents too, which only the
  // value form can return.
  return emitOpError("G12: a fixpoint's gradient is built by buildValueVJP");
}

LogicalResult FixpointOp::buildValueVJP(
    OpBuilder &b, ArrayRef<Value> resultCts,
    SmallVectorImpl<std::pair<Value, Value>> &cotangents) {
  Location loc = getLoc();
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(getBody(), above);
  // A constant needs no gradient.
  SmallVector<Value> captured;
  for (Value v : above)
    if (!v.getDefiningOp<ConstantOp>())
      captured.push_back(v);
  size_t n = getInits().size();

  SmallVector<Type> gradTypes(getInits().getTypes());
  for (Value v : captured)
    gradTypes.push_back(v.getType());
  auto op = b.create<FixpointAdjointOp>(loc, gradTypes, getInits(), resultCts,
                                        captured, getToleranceAttr(),
                                        getMaxIterationsAttr());
  op.setWarnAtLimit(getWarnAtLimit());
  if (auto site = (*this)->getAttr(kSiteAttr))
    op->setAttr(kSiteAttr, site);
  IRMapping copy;
  getBody().cloneInto(&op.getBody(), copy);

  // adjoint(s, lambda): the body again at s, then its reverse walk seeded
  // with lambda on what it yields.
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Type> argTypes(getInits().getTypes());
  llvm::append_range(argTypes, getInits().getTypes());
  Block *block = b.createBlock(&op.getAdjoint(), {}, argTypes,
                               SmallVector<Location>(argTypes.size(), loc));
  IRMapping step;
  for (auto [arg, state] :
       llvm::zip(getBodyBlock().getArguments(), block->getArguments()))
    step.map(arg, state);
  SmallVector<Operation *> ops;
  for (Operation &inner : getBodyBlock().without_terminator())
    ops.push_back(b.clone(inner, step));
  Cotangents local;
  for (auto [i, next] : llvm::enumerate(getYield().getValues()))
    accumulateCotangent(b, local, step.lookupOrDefault(next),
                        block->getArgument(n + i), loc);
  if (failed(propagateCotangents(b, ops, local)))
    return failure();
  SmallVector<Value> yields;
  for (size_t i = 0; i < n; ++i)
    yields.push_back(local.lookup(block->getArgument(i)));
  for (Value v : captured)
    yields.push_back(local.lookup(v));
  for (auto [v, type] : llvm::zip(yields, gradTypes))
    if (!v)
      v = zerosOf(b, loc, type);
  b.create<YieldOp>(loc, yields);

  for (size_t i = 0; i < n; ++i)
    cotangents.push_back({getInits()[i], op.getResult(i)});
  for (auto [k, v] : llvm::enumerate(captured))
    cotangents.push_back({v, op.getResult(n + k)});
  return success();
}

LogicalResult FixpointAdjointOp::verify() {
  size_t n = getInits().size();
  if (n == 0)
    return emitOpError("needs at least one state");
  if (getCotangents().size() != n)
    return emitOpError("has ") << getCotangents().size()
                               << " cotangent(s) for " << n << " state(s)";
  if (getGradients().size() != n + getCaptured().size())
    return emitOpError("has ")
           << getGradients().size() << " result(s); expected one per state ("
           << n << ") and one per captured value (" << getCaptured().size()
           << ")";
  if (getTolerance().isNegative() || getTolerance().isNaN())
    return emitOpError("tolerance must be 0 or positive, got ")
           << getTolerance().convertToDouble();
  if (getMaxIterationsAttr().getInt() < 1)
    return emitOpError("max_iterations must be at least 1, got ")
           << getMaxIterationsAttr().getInt();
  for (size_t i = 0; i < n; ++i) {
    Type state = getInits()[i].getType();
    if (getCotangents()[i].getType() != state)
      return emitOpError("cotangent ") << i << " has type "
                                       << getCotangents()[i].getType()
                                       << " but state " << i << " has type "
                                       << state;
    if (getGradients()[i].getType() != state)
      return emitOpError("result ") << i << " has type "
                                    << getGradients()[i].getType()
                                    << " but state " << i << " has type "
                                    << state;
  }
  for (auto [k, v] : llvm::enumerate(getCaptured()))
    if (getGradients()[n + k].getType() != v.getType())
      return emitOpError("result ")
             << n + k << " has type " << getGradients()[n + k].getType()
             << " but captured value " << k << " has type " << v.getType();
  return success();
}

LogicalResult FixpointAdjointOp::verifyRegions() {
  auto expect = [&](Block &block, StringRef region, TypeRange args,
                    TypeRange yields) -> LogicalResult {
    if (block.getArgumentTypes() != args)
      return emitOpError("the ") << region << " region takes ("
                                 << block.getArgumentTypes()
                                 << "); expected (" << args << ")";
    auto yield = dyn_cast<YieldOp>(block.getTerminator());
    if (!yield)
      return emitOpError("the ") << region << " region must end with tl.yield";
    if (yield.getValues().getTypes() != yields)
      return emitOpError("the ")
             << region << " region yields (" << yield.getValues().getTypes()
             << "); expected (" << yields << ")";
    return success();
  };
  SmallVector<Type> states(getInits().getTypes());
  SmallVector<Type> stepArgs(states);
  llvm::append_range(stepArgs, states);
  if (failed(expect(getBodyBlock(), "body", states, states)) ||
      failed(expect(getAdjointBlock(), "adjoint", stepArgs,
                    getGradients().getTypes())))
    return failure();
  return success();
}

std::string FixpointAdjointOp::describeSite() {
  std::string text;
  llvm::raw_string_ostream os(text);
  // Its iterations are the fixpoint's: messages name that op.
  os << "'tl.fixpoint' op";
  if (auto at = getLoc()->findInstanceOf<FileLineColLoc>())
    os << " at " << at.getFilename().getValue() << ":" << at.getLine() << ":"
       << at.getColumn();
  return text;
}
