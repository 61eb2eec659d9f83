//===- PlanTiling.cpp - choose cache and register blocks per linalg op ----===//
//
// Contractions (a multiply-add body with one reduction loop) get blocks from
// the cache model (CacheModel.h) fed with the host's caches: cache blocks
// mc x nc x kc, visited j, k, i outermost first as BLIS does, and an
// mr x nr x ku register block that tl-vectorize turns into FMAs on whole
// vector registers. Other ops get a register block only: two vectors along
// the output's contiguous loop and a few rows, capped in volume because
// LLVM's compile time grows quickly with large unrolled blocks.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/CacheModel.h"
#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TilingPlan.h"
#include "tl/Codegen/TuningRecords.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLPLANTILINGPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

std::optional<TilingPlan> TilingPlan::read(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kTilingAttr);
  if (!dict)
    return std::nullopt;
  TilingPlan plan;
  auto get = [&](StringRef name, SmallVector<int64_t> &out) {
    if (auto a = dict.getAs<DenseI64ArrayAttr>(name))
      out.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  };
  get("cache", plan.cache);
  get("cache_order", plan.cacheOrder);
  get("register", plan.reg);
  size_t loops = cast<linalg::LinalgOp>(op).getNumLoops();
  if (plan.reg.size() != loops || plan.cache.size() != loops ||
      (!plan.cacheOrder.empty() && plan.cacheOrder.size() != loops))
    return std::nullopt;
  return plan;
}

void TilingPlan::write(Operation *op) const {
  Builder b(op->getContext());
  op->setAttr(kTilingAttr,
              b.getDictionaryAttr(
                  {b.getNamedAttr("cache", b.getDenseI64ArrayAttr(cache)),
                   b.getNamedAttr("cache_order",
                                  b.getDenseI64ArrayAttr(cacheOrder)),
                   b.getNamedAttr("register", b.getDenseI64ArrayAttr(reg))}));
}

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

/// Register block of a non-contraction: the last parallel loop (the
/// output's contiguous dimension) gets two vector registers' worth, the two
/// innermost other loops up to `maxBlock` (loops in `scalar` excepted:
/// they step by one), the rest one; the cap shrinks until the block holds
/// at most `maxVolume` elements.
SmallVector<int64_t> registerBlock(ArrayRef<int64_t> ranges,
                                   ArrayRef<utils::IteratorType> iters,
                                   const llvm::SmallBitVector &scalar,
                                   int64_t lanes, int64_t maxBlock,
                                   int64_t maxVolume) {
  int64_t wide = ranges.size() - 1;
  for (int64_t d = ranges.size() - 1; d >= 0; --d)
    if (iters[d] == utils::IteratorType::parallel) {
      wide = d;
      break;
    }
  for (int64_t cap = maxBlock;; cap /= 2) {
    SmallVector<int64_t> tiles(ranges.size(), 1);
    tiles[wide] = blockSize(ranges[wide], 2 * lanes);
    int64_t others = 0;
    for (int64_t d = ranges.size() - 1; d >= 0; --d) {
      if (d == wide || scalar.test(d))
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

struct TLPlanTilingPass : tl::impl::TLPlanTilingPassBase<TLPlanTilingPass> {
  using TLPlanTilingPassBase::TLPlanTilingPassBase;

  void runOnOperation() override {
    // The pipeline passes the target's caches (TargetDescription.h); run
    // alone without them, the model's defaults apply.
    CacheInfo cache;
    if (l1 > 0)
      cache.l1 = l1;
    if (l2 > 0)
      cache.l2 = l2;
    if (l3 > 0)
      cache.l3 = l3;
    cache.vectorBytes = vectorBytes;
    cache.vectorRegisters = vectorRegisters;

    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() || isLibraryKernel(op) ||
          op->hasAttr(kTilingAttr))
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (ranges.empty() || llvm::any_of(ranges, [](int64_t r) {
            return ShapedType::isDynamic(r) || r <= 0;
          }))
        return;
      Type elem = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      if (!elem.isIntOrFloat())
        return;
      int64_t bytes = std::max<int64_t>(1, elem.getIntOrFloatBitWidth() / 8);
      int64_t lanes = std::max<int64_t>(1, vectorBytes / bytes);
      SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();

      TilingPlan plan;
      plan.cache.assign(ranges.size(), 0);
      // A contraction with output loops i, j and one reduction loop k.
      SmallVector<int64_t> parallel, reduction;
      for (auto [d, it] : llvm::enumerate(iters))
        (it == utils::IteratorType::parallel ? parallel : reduction)
            .push_back(d);
      if (linalg::isaContractionOpInterface(op) && reduction.size() == 1 &&
          parallel.size() >= 2) {
        int64_t i = parallel[parallel.size() - 2], j = parallel.back(),
                k = reduction[0];
        // A measured choice (tl-apply-tuning) scales the caches planned
        // for: blocks around the model's own.
        CacheInfo planned = cache;
        if (int64_t scale = tunedDecision(op).cacheScale; scale > 0) {
          planned.l1 = std::max<int64_t>(1024, cache.l1 * scale / 100);
          planned.l2 = std::max<int64_t>(4096, cache.l2 * scale / 100);
          planned.l3 = std::max<int64_t>(16384, cache.l3 * scale / 100);
        }
        ContractionTiles t = chooseContractionTiles(ranges[i], ranges[j],
                                                    ranges[k], bytes, planned);
        plan.reg.assign(ranges.size(), 1);
        plan.reg[i] = t.mr;
        plan.reg[j] = t.nr;
        // The k block divides kc, so every register block is static.
        plan.reg[k] = largestDivisorUpTo(t.kc, maxBlock);
        for (int64_t d = 0; d < int64_t(ranges.size()); ++d)
          if (d != i && d != j && d != k)
            plan.cache[d] = 1;
        if (t.mc < ranges[i] || t.nc < ranges[j] || t.kc < ranges[k]) {
          plan.cache[i] = t.mc;
          plan.cache[j] = t.nc;
          plan.cache[k] = t.kc;
          for (int64_t d = 0; d < int64_t(ranges.size()); ++d)
            if (d != i && d != j && d != k)
              plan.cacheOrder.push_back(d);
          plan.cacheOrder.append({j, k, i});
        } else {
          plan.cache.assign(ranges.size(), 0);
        }
        // Register blocks that would not fit the volume cap fall back.
        int64_t volume = plan.reg[i] * plan.reg[j] * plan.reg[k];
        if (volume > maxVolume)
          plan.reg[k] = largestDivisorUpTo(
              t.kc, std::max<int64_t>(1, maxVolume / (plan.reg[i] * plan.reg[j])));
        // An untiled dimension is written 0 so the block is the range.
        for (auto [d, t] : llvm::enumerate(plan.reg))
          if (t == ranges[d] && plan.cache[d] == 0)
            t = 0;
      } else {
        // A reduction loop along which no operand is contiguous steps by
        // one: accumulating whole vectors of the parallel loops is then
        // plain adds, where a vector along it would be transposed into
        // place element by element (and cost LLVM's instruction
        // selection and scheduler most of a compile).
        llvm::SmallBitVector scalar(ranges.size());
        for (int64_t d : reduction) {
          bool contiguous = llvm::any_of(
              op.getDpsInputOperands(), [&](OpOperand *in) {
                AffineMap map = op.getMatchingIndexingMap(in);
                return map.getNumResults() > 0 &&
                       map.getResults().back() ==
                           getAffineDimExpr(d, op.getContext());
              });
          scalar[d] = !contiguous;
        }
        int64_t cap = std::max<int64_t>(1, maxVolume / 8);
        plan.reg = registerBlock(ranges, iters, scalar, lanes, maxBlock, cap);
        // One reduction loop, innermost and contiguous, short enough for a
        // few vector registers: the block takes whole rows, which
        // tl-vectorize reduces as trees (independent accumulators) rather
        // than as one chain of dependent adds per block.
        int64_t last = int64_t(ranges.size()) - 1;
        if (reduction.size() == 1 && reduction[0] == last && !scalar[last] &&
            ranges[last] >= kMinTreeReduction &&
            ranges[last] * bytes <= kTreeReductionRegisters * vectorBytes) {
          plan.reg.assign(ranges.size(), 1);
          plan.reg[last] = 0;
          int64_t rows = 1;
          for (int64_t d = last - 1; d >= 0; --d)
            if (iters[d] == utils::IteratorType::parallel) {
              rows = 1;
              for (int64_t t = std::max<int64_t>(1, cap / ranges[last]); t > 1;
                   t /= 2)
                if (ranges[d] % t == 0) {
                  rows = t;
                  break;
                }
              plan.reg[d] = rows == ranges[d] ? 0 : rows;
              break;
            }
        }
      }
      plan.write(op);
    });
  }
};

} // namespace
