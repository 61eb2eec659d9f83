//===- Parallelize.cpp - tile outer parallel loops into scf.forall --------===//
//
// Each top-level linalg op with enough work is tiled along its outermost
// parallel loop into an scf.forall of a few chunks per thread, and the
// producers it reads (element-wise ops, fills, contractions) are fused into
// the same chunk when their slices partition them: a contraction's
// epilogue or an element-wise producer of a reduction then runs on data the
// chunk just touched. tl-outline-parallel later turns each forall into a
// call to the runtime's thread pool. Chunk sizes divide the loop range so
// every chunk is static and tl-vectorize still finds fixed blocks inside.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/FusionCluster.h"
#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TuningRecords.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

#include <thread>

namespace mlir::tl {
#define GEN_PASS_DEF_TLPARALLELIZEPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The smallest divisor of `range` that makes at most `maxChunks` chunks.
int64_t chunkSize(int64_t range, int64_t maxChunks) {
  for (int64_t t = (range + maxChunks - 1) / maxChunks; t < range; ++t)
    if (range % t == 0)
      return t;
  return range;
}

bool hasStaticRanges(linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  return !ranges.empty() && llvm::none_of(ranges, [](int64_t r) {
    return ShapedType::isDynamic(r) || r <= 0;
  });
}

/// True when `op` touches each element it reads or writes about once (an
/// element-wise op, a reduction: at most two loop iterations per operand
/// element) and so is bound by memory bandwidth, not arithmetic. A
/// contraction reuses each element along the dimensions it lacks.
bool touchesEachElementOnce(linalg::LinalgOp op) {
  int64_t volume = 1;
  for (int64_t r : op.getStaticLoopRanges())
    volume *= r;
  int64_t elements = 0;
  for (OpOperand &operand : op->getOpOperands()) {
    int64_t n = staticElements(operand.get().getType());
    if (n < 0)
      return false;
    elements += n;
  }
  return volume <= 2 * elements;
}

/// A bandwidth-bound loop: every op that would run in its chunks (the op
/// and its fusable producers) touches each element about once. Such a
/// loop gains little from balancing small chunks (every chunk costs the
/// same) and streams best as one contiguous chunk per thread.
bool isBandwidthBound(const llvm::DenseSet<Operation *> &cluster) {
  return llvm::all_of(cluster, [](Operation *op) {
    return touchesEachElementOnce(cast<linalg::LinalgOp>(op));
  });
}

struct TLParallelizePass : tl::impl::TLParallelizePassBase<TLParallelizePass> {
  using TLParallelizePassBase::TLParallelizePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    // The pipeline passes the target's hardware threads; 0 plans none.
    int64_t threads = numThreads;
    if (threads < 2)
      return;

    // The function's block, and the bodies of its loops (compiled
    // fixpoints), each on its own: a producer fuses only within its block.
    SmallVector<Block *> blocks = {&func.getBody().front()};
    func.walk([&](scf::WhileOp loop) {
      for (Region &region : loop->getRegions())
        for (Block &block : region)
          blocks.push_back(&block);
    });
    for (Block *block : blocks) {
      // Consumers first, so that their producers fuse into them.
      SmallVector<linalg::LinalgOp> ops;
      for (Operation &op : *block)
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
          if (linalgOp.hasPureTensorSemantics() && hasStaticRanges(linalgOp) &&
              !isLibraryKernel(linalgOp))
            ops.push_back(linalgOp);
      llvm::DenseSet<Operation *> fused;
      for (linalg::LinalgOp op : llvm::reverse(ops)) {
        if (fused.contains(op))
          continue;
        SmallVector<int64_t> ranges = op.getStaticLoopRanges();
        int64_t volume = 1;
        for (int64_t r : ranges)
          volume *= r;
        if (volume < minWork)
          continue;
        SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
        std::optional<unsigned> dim;
        for (unsigned d = 0; d < ranges.size(); ++d)
          if (iters[d] == utils::IteratorType::parallel && ranges[d] >= 2) {
            dim = d;
            break;
          }
        if (!dim)
          continue;
        // One chunk per thread for a single pass over memory; a multi-pass
        // group is blocked for L1 inside its chunks (tl-block-rows) and
        // measured faster with smaller chunks to balance. A measured choice
        // (tl-apply-tuning) wins; 0 keeps the op serial.
        llvm::DenseSet<Operation *> cluster = fusableProducers(op, ops);
        int64_t perThread = isBandwidthBound(cluster) && !isMultiPass(cluster)
                                ? 1
                                : chunksPerThread;
        if (int64_t tuned = tunedDecision(op).chunksPerThread; tuned >= 0)
          perThread = tuned;
        if (perThread == 0)
          continue;
        int64_t tile = chunkSize(ranges[*dim], threads * perThread);
        int64_t chunks = ranges[*dim] / tile;
        if (chunks < 2)
          continue;

        SmallVector<int64_t> sizes(ranges.size(), 0);
        sizes[*dim] = tile;
        scf::SCFTilingOptions tiling;
        tiling.setTileSizes(
            getAsIndexOpFoldResult(&getContext(), ArrayRef<int64_t>(sizes)));
        tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
        scf::SCFTileAndFuseOptions options;
        options.setTilingOptions(tiling);
        // Fuse a producer only when the chunks partition it (its slice is
        // 1/chunks of it) and nothing outside this chunk loop reads it:
        // otherwise each chunk would recompute all of it. A producer read
        // twice inside the chunk (softmax's exp, by its sum and by the
        // division) is cloned once per read; CSE merges the clones.
        options.setFusionControlFn([&](tensor::ExtractSliceOp slice,
                                       OpResult producer, bool isDestination) {
          Operation *owner = producer.getOwner();
          auto loop = slice->getParentOfType<scf::ForallOp>();
          bool ok = cluster.contains(owner) && loop &&
                    llvm::all_of(producer.getUsers(), [&](Operation *user) {
                      return cluster.contains(user) || loop->isAncestor(user);
                    });
          int64_t whole = staticElements(producer.getType());
          int64_t part = staticElements(slice.getType());
          ok = ok && whole > 0 && part > 0 && part * chunks <= whole;
          return std::make_tuple(ok, false);
        });
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTileAndFuseResult> result =
            scf::tileConsumerAndFuseProducersUsingSCF(
                rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(result))
          continue;
        replaceWithTiled(rewriter, op, *result, fused);
      }
    }
  }
};

} // namespace
