//===- SemiNaive.cpp - mark linear Boolean fixpoints for semi-naive runs --===//
//
// A mark, not a rewrite of the op: the fixpoint keeps its body, which is
// both the meaning the reference evaluator runs and the fallback the
// lowering keeps for relations that are not 0/1 at run time.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLSEMINAIVEPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

struct TLSemiNaivePass : tl::impl::TLSemiNaivePassBase<TLSemiNaivePass> {
  void runOnOperation() override {
    getOperation().walk([](FixpointOp op) {
      // At the limit with a warning the results are the states after
      // max_iterations steps, a partial closure: the loop computes those.
      if (op.getWarnAtLimit() ||
          (!op.matchBooleanClosure() && !op.matchLinearBooleanRule()))
        return;
      // The kernel's element types.
      Type element = getElementTypeOrSelf(op.getResult(0).getType());
      if (element.isF32() || element.isF64())
        op->setAttr(FixpointOp::kSemiNaiveAttr,
                    UnitAttr::get(op.getContext()));
    });
  }
};

} // namespace
