//===- FuseElementwise.cpp - linalg fusion within tl.fusion_group ---------===//
//
// The fusion decisions were made on the tl graph (tl-form-fusion-groups);
// this pass only applies them with linalg's element-wise fusion patterns.
// Producers are fused one at a time with linalg::fuseElementwiseOps so
// that the fused op can take the consumer's group: later passes and lit
// tests still see the groups.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"
#include "tl/Dialect/TL/Transforms/FusionGroups.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLFUSEELEMENTWISEPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// Whether `operand`'s producer may be inlined into its consumer.
bool sameGroup(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  if (!producer || !isa<linalg::LinalgOp>(producer))
    return false;
  std::optional<int64_t> from = getFusionGroup(producer);
  std::optional<int64_t> to = getFusionGroup(operand->getOwner());
  if (from && to)
    return *from == *to;
  return !from && !to && producer->hasOneUse();
}

/// Fuses one producer into `consumer`; the fused op takes the consumer's
/// place and its group.
LogicalResult fuseOne(RewriterBase &rewriter, linalg::GenericOp consumer) {
  for (OpOperand &operand : consumer->getOpOperands()) {
    if (!sameGroup(&operand) || !linalg::areElementwiseOpsFusable(&operand))
      continue;
    Operation *producer = operand.get().getDefiningOp();
    rewriter.setInsertionPoint(consumer);
    FailureOr<linalg::ElementwiseOpFusionResult> fused =
        linalg::fuseElementwiseOps(rewriter, &operand);
    if (failed(fused))
      continue;
    if (std::optional<int64_t> group = getFusionGroup(consumer))
      setFusionGroup(fused->fusedOp, *group);
    // The producer's other users keep reading the producer: the fused op
    // sits where the consumer was, possibly after them.
    SmallVector<Value> results;
    for (Value r : consumer->getResults())
      results.push_back(fused->replacements.lookup(r));
    rewriter.replaceOp(consumer, results);
    if (producer->use_empty())
      rewriter.eraseOp(producer);
    return success();
  }
  return failure();
}

struct TLFuseElementwisePass
    : tl::impl::TLFuseElementwisePassBase<TLFuseElementwisePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Each fusion erases ops, so the scan restarts after one; a function
    // has few enough ops that this stays cheap.
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<linalg::GenericOp> consumers;
      getOperation().walk(
          [&](linalg::GenericOp op) { consumers.push_back(op); });
      for (linalg::GenericOp consumer : consumers)
        if (succeeded(fuseOne(rewriter, consumer))) {
          changed = true;
          break;
        }
    }

    // Linalg's clean-ups: splat constants and fills folded into bodies,
    // unused operands dropped. Producer fusion was done above.
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          return !isa_and_present<linalg::LinalgOp>(
              operand->get().getDefiningOp());
        });
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
