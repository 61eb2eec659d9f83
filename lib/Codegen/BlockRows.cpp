//===- BlockRows.cpp - multi-pass fusion groups in L1-sized row blocks ----===//
//
// A group that reads its rows more than once (a reduction whose result is
// broadcast back over the row, as softmax's max and sum are) is tiled into
// blocks of whole rows small enough for L1, with the group's producers
// fused into the block loop: each pass after the first reads the block
// from L1 instead of from L2 or memory.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/FusionCluster.h"
#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TilingPlan.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLBLOCKROWSPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

bool candidate(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || isLibraryKernel(op))
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  return !ranges.empty() && llvm::none_of(ranges, [](int64_t r) {
    return ShapedType::isDynamic(r) || r <= 0;
  });
}

/// Tile sizes over `root`'s loops (0: whole) for blocks of rows whose live
/// tensors fit `budget` bytes, or nothing when the whole op fits already
/// or its innermost loops alone do not.
std::optional<SmallVector<int64_t>>
rowBlock(linalg::LinalgOp root, const llvm::DenseSet<Operation *> &cluster,
         int64_t budget) {
  SmallVector<int64_t> ranges = root.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = root.getIteratorTypesArray();
  int64_t volume = 1;
  for (int64_t r : ranges)
    volume *= r;
  // Bytes per iteration of the root's loops: each full-size tensor the
  // group reads or makes is one live block.
  int64_t bytesPerPoint = 0;
  llvm::DenseSet<Value> counted;
  auto count = [&](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || staticElements(type) != volume || !counted.insert(v).second)
      return;
    bytesPerPoint += std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  };
  for (Operation *op : cluster) {
    for (Value result : op->getResults())
      count(result);
    for (Value input : cast<linalg::LinalgOp>(op).getDpsInputs())
      if (!input.getDefiningOp() || !cluster.contains(input.getDefiningOp()))
        count(input);
  }
  if (bytesPerPoint == 0 || volume * bytesPerPoint <= budget)
    return std::nullopt;

  SmallVector<int64_t> sizes(ranges.size(), 1);
  int64_t block = bytesPerPoint;
  int64_t d = int64_t(ranges.size()) - 1;
  // Reduced and innermost loops whole while they fit.
  for (; d >= 0; --d) {
    if (iters[d] == utils::IteratorType::reduction) {
      sizes[d] = 0;
      block *= ranges[d];
      continue;
    }
    if (block * ranges[d] > budget)
      break;
    sizes[d] = 0;
    block *= ranges[d];
  }
  if (d < 0 || block > budget)
    return std::nullopt;
  // The first loop that does not fit gets the largest divisor that does.
  int64_t t = std::max<int64_t>(1, budget / block);
  while (ranges[d] % t != 0)
    --t;
  sizes[d] = t;
  // Reductions further out stay whole; they cannot be split into blocks.
  for (int64_t o = d - 1; o >= 0; --o)
    if (iters[o] == utils::IteratorType::reduction)
      return std::nullopt;
  return sizes;
}

struct TLBlockRowsPass : tl::impl::TLBlockRowsPassBase<TLBlockRowsPass> {
  using TLBlockRowsPassBase::TLBlockRowsPassBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Blocks holding candidate ops (the function body, forall chunks).
    llvm::SetVector<Block *> blocks;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (candidate(op))
        blocks.insert(op->getBlock());
    });
    for (Block *block : blocks)
      runOnBlock(rewriter, *block);
  }

  void runOnBlock(IRRewriter &rewriter, Block &block) {
    SmallVector<linalg::LinalgOp> ops;
    for (Operation &op : block)
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (candidate(linalgOp))
          ops.push_back(linalgOp);
    llvm::DenseSet<Operation *> done;
    // Consumers first, so a group is tiled from its last op.
    for (linalg::LinalgOp root : llvm::reverse(ops)) {
      if (done.contains(root))
        continue;
      llvm::DenseSet<Operation *> cluster = fusableProducers(root, ops);
      if (!isMultiPass(cluster))
        continue;
      std::optional<SmallVector<int64_t>> sizes =
          rowBlock(root, cluster, l1 / 2);
      if (!sizes)
        continue;
      SmallVector<int64_t> ranges = root.getStaticLoopRanges();
      int64_t blocks = 1;
      for (auto [r, t] : llvm::zip(ranges, *sizes))
        blocks *= t ? r / t : 1;

      scf::SCFTilingOptions tiling;
      tiling.setTileSizes(
          getAsIndexOpFoldResult(&getContext(), ArrayRef<int64_t>(*sizes)));
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tiling);
      // Only the group moves in, and only producers the blocks partition.
      options.setFusionControlFn(
          [&](tensor::ExtractSliceOp slice, OpResult producer, bool) {
            int64_t whole = staticElements(producer.getType());
            int64_t part = staticElements(slice.getType());
            bool ok = cluster.contains(producer.getOwner()) && whole > 0 &&
                      part > 0 && part * blocks <= whole;
            return std::make_tuple(ok, false);
          });
      // Set before tiling: the tiled clone keeps the root's attributes.
      root->setAttr("tl.row_block", rewriter.getDenseI64ArrayAttr(*sizes));
      rewriter.setInsertionPoint(root);
      FailureOr<scf::SCFTileAndFuseResult> result =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(root.getOperation()), options);
      if (failed(result)) {
        root->removeAttr("tl.row_block");
        continue;
      }
      replaceWithTiled(rewriter, root, *result, done);
    }
  }
};

} // namespace
