//===- ApproximateMath.cpp - polynomial f32 exp ---------------------------===//
//
// Only f32 exp is rewritten: it is what sigmoid and softmax spend their
// time in, and MLIR's approximation of it stays within a few ulp of libm.
// The patterns are applied to the collected exp ops alone, because
// populateMathPolynomialApproximationPatterns also approximates tanh, log,
// sin and others whose accuracy we have not checked.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLAPPROXIMATEMATHPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

struct TLApproximateMathPass
    : tl::impl::TLApproximateMathPassBase<TLApproximateMathPass> {
  void runOnOperation() override {
    SmallVector<Operation *> exps;
    getOperation().walk([&](math::ExpOp op) {
      if (getElementTypeOrSelf(op.getType()).isF32())
        exps.push_back(op);
    });
    if (exps.empty())
      return;
    // MLIR's approximation returns garbage for a NaN with the sign bit set
    // (what 0/0 produces), so NaN inputs are passed through explicitly.
    OpBuilder b(&getContext());
    for (Operation *op : exps) {
      Value x = op->getOperand(0), y = op->getResult(0);
      b.setInsertionPointAfter(op);
      Value isNaN = b.create<arith::CmpFOp>(op->getLoc(),
                                            arith::CmpFPredicate::UNO, x, x);
      auto select = b.create<arith::SelectOp>(op->getLoc(), isNaN, x, y);
      y.replaceAllUsesExcept(select, select);
    }
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    (void)applyOpPatternsAndFold(exps, std::move(patterns), config);
  }
};

} // namespace
