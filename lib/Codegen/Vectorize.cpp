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
#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

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

/// A read that broadcasts its innermost vector dimension (a per-row value
/// such as softmax's max, applied across the row) becomes one scalar load
/// and broadcast per row. The generic lowering broadcasts the rows along
/// a new leading dimension and transposes that to the innermost: for an
/// 8x32 block, 256 element moves instead of 8 broadcasts. Reads feeding a
/// reduction are left alone: the contraction patterns look for the
/// broadcast-and-transpose form to make FMAs.
struct ReadMinorBroadcastAsRows : OpRewritePattern<vector::TransferReadOp> {
  static constexpr int64_t kMaxRows = 64;

  ReadMinorBroadcastAsRows(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/10) {}

  LogicalResult matchAndRewrite(vector::TransferReadOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    AffineMap map = op.getPermutationMap();
    int64_t rank = type.getRank();
    if (rank < 2 || type.isScalable() || op.getMask() ||
        !isa<MemRefType, RankedTensorType>(op.getSource().getType()))
      return failure();
    auto last = dyn_cast<AffineConstantExpr>(map.getResult(rank - 1));
    if (!last || last.getValue() != 0)
      return failure();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rows = 1;
    for (int64_t i = 0; i + 1 < rank; ++i) {
      rows *= shape[i];
      auto dim = dyn_cast<AffineDimExpr>(map.getResult(i));
      bool broadcast = isa<AffineConstantExpr>(map.getResult(i));
      // Every row read must lie inside the source: no padding.
      if (!(broadcast || (dim && op.isDimInBounds(i))))
        return failure();
    }
    if (rows > kMaxRows)
      return failure();
    SetVector<Operation *> slice;
    getForwardSlice(op.getOperation(), &slice);
    if (llvm::any_of(slice, [](Operation *user) {
          return isa<vector::MultiDimReductionOp, vector::ContractionOp,
                     vector::ReductionOp>(user);
        }))
      return failure();

    Location loc = op.getLoc();
    auto rowType = VectorType::get({shape.back()}, type.getElementType());
    Value result = rewriter.create<arith::ConstantOp>(
        loc, type, rewriter.getZeroAttr(type));
    SmallVector<int64_t> at(rank - 1, 0);
    for (int64_t r = 0; r < rows; ++r) {
      // `at` is row r's position among the leading vector dimensions.
      for (int64_t i = rank - 2, rest = r; i >= 0; --i) {
        at[i] = rest % shape[i];
        rest /= shape[i];
      }
      SmallVector<Value> indices(op.getIndices());
      for (int64_t i = 0; i + 1 < rank; ++i)
        if (auto dim = dyn_cast<AffineDimExpr>(map.getResult(i)); dim && at[i])
          indices[dim.getPosition()] = rewriter.create<arith::AddIOp>(
              loc, indices[dim.getPosition()],
              rewriter.create<arith::ConstantIndexOp>(loc, at[i]));
      Value scalar =
          isa<MemRefType>(op.getSource().getType())
              ? rewriter.create<memref::LoadOp>(loc, op.getSource(), indices)
                    .getResult()
              : rewriter.create<tensor::ExtractOp>(loc, op.getSource(), indices)
                    .getResult();
      Value row = rewriter.create<vector::BroadcastOp>(loc, rowType, scalar);
      result = rewriter.create<vector::InsertOp>(loc, row, result, at);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A max or min reduction's combiner `maxnumf(acc, x)` / `minnumf(acc,
/// x)` (G10: a NaN element is skipped) as `maximumf(acc, x')` /
/// `minimumf(acc, x')` with x' = x, or the fold's identity (-inf / +inf)
/// where x is NaN. The same values while the accumulator is not NaN, and
/// it never is: it starts at the identity and only takes non-NaN values.
/// MLIR 19's vectorizer knows the NaN-propagating kinds only, and its
/// canonicalizer folds maxnumf(x, -inf) to x, which is wrong for a NaN x
/// (it is right for maximumf).
void skipNaNsExplicitly(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return;
  Block *body = op.getBlock();
  Operation *combiner = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != body ||
      !isa<arith::MaxNumFOp, arith::MinNumFOp>(combiner))
    return;
  Value acc = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  Value lhs = combiner->getOperand(0), rhs = combiner->getOperand(1);
  if ((lhs == acc) == (rhs == acc))
    return;
  Value x = lhs == acc ? rhs : lhs;
  bool isMax = isa<arith::MaxNumFOp>(combiner);
  auto type = cast<FloatType>(x.getType());
  IRRewriter rewriter(op->getContext());
  rewriter.setInsertionPoint(combiner);
  Location loc = combiner->getLoc();
  Value identity = rewriter.create<arith::ConstantOp>(
      loc, type,
      rewriter.getFloatAttr(type, APFloat::getInf(type.getFloatSemantics(),
                                                  /*Negative=*/isMax)));
  Value isNaN =
      rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
  Value kept = rewriter.create<arith::SelectOp>(loc, isNaN, identity, x);
  if (isMax)
    rewriter.replaceOpWithNewOp<arith::MaximumFOp>(combiner, acc, kept);
  else
    rewriter.replaceOpWithNewOp<arith::MinimumFOp>(combiner, acc, kept);
}

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
      skipNaNsExplicitly(op);
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
      patterns.add<ReadMinorBroadcastAsRows>(ctx);
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
      // A block read and written at the same indices in every trip (a
      // split reduction's partial sums) stays in registers across the
      // loop: left inside, LLVM keeps a store per trip, as many stores as
      // the loads they accumulate. Inner loops first (walk is post-order).
      SmallVector<LoopLikeOpInterface> loops;
      func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (LoopLikeOpInterface loop : loops)
        hoistLoopInvariantSubsets(rewriter, loop);
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
