//===- SplitReductions.cpp - long reductions into vector accumulators -----===//
//
// A reduction along a long contiguous row, vectorized as it stands, keeps
// one chain of dependent adds per block or transposes blocks of rows into
// place (tl-plan-tiling's register block), and reaches neither the add
// throughput nor the memory bandwidth. Split along the row, x[r, k*V + j]
// accumulates into partial[r, j] for V = `vectors` whole vector registers:
// the split op's inner loop j is parallel and contiguous, so every block
// adds whole vectors into independent accumulators (rows x vectors of
// them), and a short tree reduction of partial's rows (tl-vectorize's
// trees) gives the result. Any summation order is allowed (the contract's
// tolerances; max and min are associative).
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TilingPlan.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLSPLITREDUCTIONSPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The elements per split of `op`'s one reduction loop, or 0 when it
/// stays whole: that loop must be innermost, contiguous in an input, too
/// long for a tree of whole rows, and a multiple of the split.
int64_t splitRatio(linalg::LinalgOp op, int64_t vectorBytes,
                   int64_t vectors) {
  if (!op.hasPureTensorSemantics() || isLibraryKernel(op) ||
      op.getNumReductionLoops() != 1 || op.getNumDpsInits() != 1)
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t last = int64_t(ranges.size()) - 1;
  if (op.getIteratorTypesArray()[last] != utils::IteratorType::reduction ||
      llvm::any_of(ranges, ShapedType::isDynamic))
    return 0;
  AffineExpr innermost = getAffineDimExpr(last, op.getContext());
  bool contiguous =
      llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
        AffineMap map = op.getMatchingIndexingMap(in);
        return map.getNumResults() > 0 && map.getResults().back() == innermost;
      });
  Type elem = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!contiguous || !elem.isIntOrFloat())
    return 0;
  int64_t bytes = std::max<int64_t>(1, elem.getIntOrFloatBitWidth() / 8);
  int64_t ratio = vectors * std::max<int64_t>(1, vectorBytes / bytes);
  if (ranges[last] * bytes <= kTreeReductionRegisters * vectorBytes ||
      ranges[last] % ratio != 0)
    return 0;
  return ratio;
}

struct TLSplitReductionsPass
    : tl::impl::TLSplitReductionsPassBase<TLSplitReductionsPass> {
  using TLSplitReductionsPassBase::TLSplitReductionsPassBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, int64_t>> splits;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (int64_t ratio = splitRatio(op, vectorBytes, vectors))
        splits.push_back({op, ratio});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, ratio] : splits) {
      unsigned rank = op.getRank(op.getDpsInitOperand(0));
      auto control = [ratio = ratio, rank](linalg::LinalgOp) {
        // The partial sums' index last, so they are contiguous.
        return linalg::SplitReductionOptions{ratio, rank,
                                             /*innerParallel=*/true};
      };
      // Our tags (the fusion group, tuning keys) stay with both halves;
      // read them now, since the split replaces (erases) the op.
      SmallVector<NamedAttribute> tags;
      for (NamedAttribute attr : op->getDiscardableAttrs())
        if (!attr.getName().getValue().starts_with("linalg."))
          tags.push_back(attr);
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::SplitReductionResult> split =
          linalg::splitReduction(rewriter, op, control);
      if (failed(split))
        continue; // an input the split cannot reshape: left whole
      for (NamedAttribute attr : tags) {
        split->splitLinalgOp->setAttr(attr.getName(), attr.getValue());
        split->resultCombiningLinalgOp->setAttr(attr.getName(),
                                                attr.getValue());
      }
      split->splitLinalgOp->setAttr(
          "tl.split_reduction", rewriter.getI64IntegerAttr(ratio));
    }
  }
};

} // namespace
