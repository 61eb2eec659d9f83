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
#include "tl/Codegen/TilingPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

/// Reductions of rows at least kMinTreeReduction long along their
/// innermost dimension (tl-plan-tiling gives such blocks whole rows) become
/// one reassociable vector.reduction per row: LLVM reduces each as a tree
/// with independent accumulators, where the inner-parallel lowering adds
/// one column after another into a single chain. Any summation order is
/// allowed (the corpus's tolerances say so; G10's max/min are associative).
struct RowsAsTreeReductions : OpRewritePattern<vector::MultiDimReductionOp> {
  RowsAsTreeReductions(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/10) {}

  LogicalResult matchAndRewrite(vector::MultiDimReductionOp op,
                                PatternRewriter &rewriter) const override {
    VectorType source = op.getSourceVectorType();
    int64_t rank = source.getRank();
    SmallVector<bool> reduced = op.getReductionMask();
    if (rank < 1 || source.isScalable() || op.isMasked() ||
        !reduced.back() ||
        llvm::count(reduced, true) != 1 ||
        source.getShape().back() < kMinTreeReduction)
      return failure();
    Location loc = op.getLoc();
    auto fm = arith::FastMathFlags::reassoc;
    if (rank == 1) {
      rewriter.replaceOpWithNewOp<vector::ReductionOp>(
          op, op.getKind(), op.getSource(), op.getAcc(), fm);
      return success();
    }
    // Rows as a 2-D [rows, n] vector, one reduction each.
    int64_t n = source.getShape().back();
    int64_t rows = source.getNumElements() / n;
    Type elem = source.getElementType();
    Value src = rewriter.create<vector::ShapeCastOp>(
        loc, VectorType::get({rows, n}, elem), op.getSource());
    auto flat = VectorType::get({rows}, elem);
    Value acc = rewriter.create<vector::ShapeCastOp>(loc, flat, op.getAcc());
    Value result = rewriter.create<arith::ConstantOp>(
        loc, flat, rewriter.getZeroAttr(flat));
    for (int64_t i = 0; i < rows; ++i) {
      Value row = rewriter.create<vector::ExtractOp>(loc, src, i);
      Value init = rewriter.create<vector::ExtractOp>(loc, acc, i);
      Value r = rewriter.create<vector::ReductionOp>(loc, op.getKind(), row,
                                                     init, fm);
      result = rewriter.create<vector::InsertOp>(loc, r, result, i);
    }
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, op.getDestType(),
                                                     result);
    return success();
  }
};

struct TLVectorizePass : tl::impl::TLVectorizePassBase<TLVectorizePass> {
  using TLVectorizePassBase::TLVectorizePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isLibraryKernel(op) &&
          op->hasAttr(kTilingAttr))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      std::optional<TilingPlan> plan = TilingPlan::read(op);
      if (!plan)
        continue;
      Operation *block = op;
      // Cache blocks first (loops in the plan's order), then register
      // blocks inside them.
      for (auto [tiles, order] :
           {std::make_pair(plan->cache, plan->cacheOrder),
            std::make_pair(plan->reg, SmallVector<int64_t>())}) {
        if (llvm::all_of(tiles, [](int64_t t) { return t == 0; }))
          continue;
        scf::SCFTilingOptions options;
        options.setTileSizes(
            getAsIndexOpFoldResult(ctx, ArrayRef<int64_t>(tiles)));
        if (!order.empty())
          options.setInterchange(order);
        rewriter.setInsertionPoint(block);
        FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(block), options);
        if (failed(tiled)) {
          block = nullptr;
          break;
        }
        rewriter.replaceOp(block, tiled->replacements);
        block = tiled->tiledOps.back();
      }
      if (!block || failed(linalg::vectorizeOpPrecondition(block)))
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
      patterns.add<RowsAsTreeReductions>(ctx);
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
