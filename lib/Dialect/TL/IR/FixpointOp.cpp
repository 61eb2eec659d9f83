//===- FixpointOp.cpp - tl.fixpoint: syntax, verifier, control flow -------===//
//
// The body's arguments are the states, so a state is printed next to its
// initial value as scf.for prints its iter_args:
//
//   %r = tl.fixpoint (%a = %init) : tensor<4x4xf64> attributes {...} {...}
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::tl;

void FixpointOp::build(OpBuilder &builder, OperationState &state,
                       ValueRange inits) {
  state.addOperands(inits);
  state.addTypes(inits.getTypes());
  Region *body = state.addRegion();
  OpBuilder::InsertionGuard guard(builder);
  Block *block = builder.createBlock(body);
  for (Value init : inits)
    block->addArgument(init.getType(), init.getLoc());
}

YieldOp FixpointOp::getYield() {
  return cast<YieldOp>(getBodyBlock().getTerminator());
}

ParseResult FixpointOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::Argument> states;
  SmallVector<OpAsmParser::UnresolvedOperand> inits;
  SmallVector<Type> types;
  if (parser.parseAssignmentList(states, inits) || parser.parseColon() ||
      parser.parseTypeList(types))
    return failure();
  if (states.size() != types.size())
    return parser.emitError(parser.getCurrentLocation())
           << "expected one type per state (" << states.size() << "), got "
           << types.size();
  for (auto [state, type] : llvm::zip(states, types))
    state.type = type;
  if (parser.resolveOperands(inits, types, parser.getCurrentLocation(),
                             result.operands) ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  result.addTypes(types);
  Region *body = result.addRegion();
  return parser.parseRegion(*body, states);
}

void FixpointOp::print(OpAsmPrinter &p) {
  p << " (";
  llvm::interleaveComma(
      llvm::zip(getBodyBlock().getArguments(), getInits()), p,
      [&](auto pair) { p << std::get<0>(pair) << " = " << std::get<1>(pair); });
  p << ") : " << getInits().getTypes();
  SmallVector<StringRef> elided;
  if (getTolerance().isZero())
    elided.push_back(getToleranceAttrName());
  if (getMaxIterations() == 1000)
    elided.push_back(getMaxIterationsAttrName());
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(), elided);
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false);
}

LogicalResult FixpointOp::verify() {
  if (getInits().empty())
    return emitOpError("needs at least one state");
  if (getTolerance().isNegative() || getTolerance().isNaN())
    return emitOpError("tolerance must be 0 or positive, got ")
           << getTolerance().convertToDouble();
  // The generated getter reads the attribute unsigned: -1 would pass.
  int64_t maxIterations = getMaxIterationsAttr().getInt();
  if (maxIterations < 1)
    return emitOpError("max_iterations must be at least 1, got ")
           << maxIterations;
  for (auto [i, init, result] :
       llvm::enumerate(getInits().getTypes(), getResultTypes()))
    if (init != result)
      return emitOpError("result ") << i << " has type " << result
                                    << " but its state starts as " << init;
  return success();
}

LogicalResult FixpointOp::verifyRegions() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInits().size())
    return emitOpError("the body has ")
           << body.getNumArguments() << " argument(s) but the op has "
           << getInits().size() << " state(s)";
  for (auto [i, arg, init] :
       llvm::enumerate(body.getArgumentTypes(), getInits().getTypes()))
    if (arg != init)
      return emitOpError("body argument ")
             << i << " has type " << arg << " but state " << i << " has type "
             << init;
  if (!isa<YieldOp>(body.getTerminator()))
    return emitOpError("the body must end with tl.yield");
  return success();
}

// Checked here rather than in the parent's region verifier, which runs
// after RegionBranchOpInterface's generic check of the same edge.
LogicalResult YieldOp::verify() {
  // tl.fixpoint_adjoint checks its two regions' yields itself.
  auto fixpoint = dyn_cast<FixpointOp>((*this)->getParentOp());
  if (!fixpoint)
    return success();
  if (getValues().size() != fixpoint.getInits().size())
    return emitOpError("yields ")
           << getValues().size() << " value(s) but the tl.fixpoint has "
           << fixpoint.getInits().size() << " state(s)";
  for (auto [i, next, init] :
       llvm::enumerate(getValues().getTypes(), fixpoint.getInits().getTypes()))
    if (!fixpoint.areTypesCompatible(next, init))
      return emitOpError("value ") << i << " has type " << next << " but state "
                                   << i << " has type " << init;
  return success();
}

bool FixpointOp::areTypesCompatible(Type next, Type state) {
  return getElementTypeOrSelf(next) == getElementTypeOrSelf(state) &&
         succeeded(verifyCompatibleShape(next, state));
}

OperandRange FixpointOp::getEntrySuccessorOperands(RegionBranchPoint point) {
  return getInits();
}

void FixpointOp::getSuccessorRegions(
    RegionBranchPoint point, SmallVectorImpl<RegionSuccessor> &regions) {
  // From the op into the body; from the body into itself again or out.
  regions.push_back(RegionSuccessor(&getBody(), getBody().getArguments()));
  if (!point.isParent())
    regions.push_back(RegionSuccessor(getResults()));
}

namespace {

/// A state the body yields unchanged keeps its initial value: its result
/// is the init, and inside the body the init replaces it. The op is
/// rebuilt without it; the comparison it took part in always found no
/// change, so the iterations are the same.
struct DropInvariantStates : OpRewritePattern<FixpointOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FixpointOp op,
                                PatternRewriter &rewriter) const override {
    Block &body = op.getBodyBlock();
    YieldOp yield = op.getYield();
    SmallVector<unsigned> kept;
    for (unsigned i = 0; i < op.getInits().size(); ++i)
      if (yield.getValues()[i] != body.getArgument(i))
        kept.push_back(i);
    if (kept.size() == op.getInits().size())
      return failure();
    for (unsigned i = 0; i < op.getInits().size(); ++i)
      if (!llvm::is_contained(kept, i)) {
        rewriter.replaceAllUsesWith(body.getArgument(i), op.getInits()[i]);
        rewriter.replaceAllUsesWith(op.getResult(i), op.getInits()[i]);
      }
    if (kept.empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    SmallVector<Value> inits, yields;
    for (unsigned i : kept) {
      inits.push_back(op.getInits()[i]);
      yields.push_back(yield.getValues()[i]);
    }
    auto replacement = rewriter.create<FixpointOp>(op.getLoc(), inits);
    replacement->setAttrs(op->getAttrs());
    Block &newBody = replacement.getBodyBlock();
    SmallVector<Value> args(body.getNumArguments());
    for (auto [k, i] : llvm::enumerate(kept))
      args[i] = newBody.getArgument(k);
    for (unsigned i = 0; i < args.size(); ++i)
      if (!args[i])
        args[i] = op.getInits()[i];
    rewriter.inlineBlockBefore(&body, &newBody, newBody.end(), args);
    rewriter.setInsertionPoint(yield);
    rewriter.replaceOpWithNewOp<YieldOp>(yield, yields);
    for (auto [k, i] : llvm::enumerate(kept))
      rewriter.replaceAllUsesWith(op.getResult(i), replacement.getResult(k));
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void FixpointOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<DropInvariantStates>(context);
}

std::string FixpointOp::describeSite() {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << describeOp(*this);
  if (auto at = getLoc()->findInstanceOf<FileLineColLoc>())
    os << " at " << at.getFilename().getValue() << ":" << at.getLine() << ":"
       << at.getColumn();
  return text;
}
