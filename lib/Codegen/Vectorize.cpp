//===- Vectorize.cpp - tile linalg ops into blocks and vectorize them -----===//
//
// The route that works in MLIR 19 (shared/docs/toolchain.md section 5):
// tile with scf::tileUsingSCF so every block is static, linalg::vectorize
// each block, then lower in two greedy stages. Stage 1 must see the
// transfer permutation maps lowered and reductions turned into contracts
// before stage 2 lowers contracts to outer products; one combined set
// never forms vector.contract and loses the FMAs.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLVECTORIZEPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The largest power of two up to `cap` that divides `range`, or the whole
/// range when it fits `cap` (0 = not tiled).
int64_t blockSize(int64_t range, int64_t cap) {
  if (range <= cap)
    return 0;
  for (int64_t t = cap; t > 1; t /= 2)
    if (range % t == 0)
      return t;
  return 1;
}

/// Tile sizes for `op`, or nothing when the op should not be vectorized.
/// The last parallel loop (the output's contiguous dimension) gets two
/// vector registers' worth; the two innermost other loops get `maxBlock`;
/// the rest are tiled by one.
std::optional<SmallVector<int64_t>>
chooseTileSizes(linalg::LinalgOp op, int64_t vectorBytes, int64_t maxBlock,
                int64_t maxVolume) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty())
    return std::nullopt;
  for (int64_t r : ranges)
    if (ShapedType::isDynamic(r) || r <= 0)
      return std::nullopt;
  Type elem = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!elem.isIntOrFloat())
    return std::nullopt;
  int64_t lanes = std::max<int64_t>(1, vectorBytes * 8 / elem.getIntOrFloatBitWidth());

  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  int64_t wide = ranges.size() - 1;
  for (int64_t d = ranges.size() - 1; d >= 0; --d)
    if (iters[d] == utils::IteratorType::parallel) {
      wide = d;
      break;
    }
  // Shrink the other dimensions' cap until the block fits maxVolume
  // elements: big unrolled blocks cost LLVM far more compile time than
  // they win at run time.
  for (int64_t cap = maxBlock;; cap /= 2) {
    SmallVector<int64_t> tiles(ranges.size(), 1);
    tiles[wide] = blockSize(ranges[wide], 2 * lanes);
    int64_t others = 0;
    for (int64_t d = ranges.size() - 1; d >= 0; --d) {
      if (d == wide)
        continue;
      if (others++ < 2)
        tiles[d] = blockSize(ranges[d], std::max<int64_t>(cap, 1));
      else if (ranges[d] == 1)
        tiles[d] = 0;
    }
    int64_t volume = 1;
    for (auto [t, r] : llvm::zip(tiles, ranges))
      volume *= t ? t : r;
    if (volume <= maxVolume || cap <= 1)
      return tiles;
  }
}

struct TLVectorizePass : tl::impl::TLVectorizePassBase<TLVectorizePass> {
  using TLVectorizePassBase::TLVectorizePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isLibraryKernel(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      std::optional<SmallVector<int64_t>> tiles =
          chooseTileSizes(op, vectorBytes, maxBlock,
                          linalg::isaContractionOpInterface(op)
                              ? maxVolume
                              : std::max<int64_t>(1, maxVolume / 8));
      if (!tiles)
        continue;
      Operation *block = op;
      if (llvm::any_of(*tiles, [](int64_t t) { return t != 0; })) {
        scf::SCFTilingOptions options;
        options.setTileSizes(
            getAsIndexOpFoldResult(ctx, ArrayRef<int64_t>(*tiles)));
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(tiled))
          continue;
        rewriter.replaceOp(op, tiled->replacements);
        block = tiled->tiledOps.back();
      }
      if (failed(linalg::vectorizeOpPrecondition(block)))
        continue;
      (void)linalg::vectorize(rewriter, block);
    }

    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateSinkVectorBroadcastPatterns(patterns);
      tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      auto options = vector::VectorTransformsOptions()
                         .setVectorTransformsOptions(
                             vector::VectorContractLowering::OuterProduct)
                         .setVectorTransposeLowering(
                             vector::VectorTransposeLowering::Shuffle1D);
      vector::populateVectorContractLoweringPatterns(patterns, options);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerParallel);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(patterns, options);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
