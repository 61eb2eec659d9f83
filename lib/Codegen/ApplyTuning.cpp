//===- ApplyTuning.cpp - key linalg ops, apply their tuning records -------===//

#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TuningRecords.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLAPPLYTUNINGPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// What the tuner may try on `op`, or "" when nothing: f32 GEMMs choose
/// their kernel, contractions their cache blocks, large loops their chunks.
std::string tunableKind(linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t volume = 1;
  for (int64_t r : ranges) {
    if (ShapedType::isDynamic(r) || r <= 0)
      return "";
    volume *= r;
  }
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation()) &&
      (element.isF32() || element.isF64()))
    return element.isF32() ? "matmul-f32" : "matmul-f64";
  if (linalg::isaContractionOpInterface(op))
    return "contraction";
  // Below this, a loop is not split into chunks at all (tl-parallelize's
  // min-work).
  return volume >= 65536 ? "loop" : "";
}

struct TLApplyTuningPass
    : tl::impl::TLApplyTuningPassBase<TLApplyTuningPass> {
  using TLApplyTuningPassBase::TLApplyTuningPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string target = "vector-bytes=" + std::to_string(vectorBytes) +
                         " l1=" + std::to_string(l1) +
                         " l2=" + std::to_string(l2) +
                         " l3=" + std::to_string(l3) +
                         " threads=" + std::to_string(threads);
    // Damaged records are skipped here; the driver reports them.
    std::map<std::string, TuningRecord> found =
        loadTuningRecords(records, nullptr);
    Builder b(&getContext());
    SmallVector<Attribute> tunable;
    int64_t applied = 0;
    module.walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      std::string kind = tunableKind(op);
      if (kind.empty())
        return;
      std::string key = tuningKey(op, target);
      op->setAttr(kOpKeyAttr, b.getStringAttr(key));
      tunable.push_back(b.getStringAttr(key + ":" + kind));
      auto it = found.find(key);
      if (it == found.end() || it->second.decision.empty())
        return;
      const TuningDecision &d = it->second.decision;
      SmallVector<NamedAttribute> entries;
      if (!d.kernel.empty())
        entries.push_back(b.getNamedAttr("kernel", b.getStringAttr(d.kernel)));
      if (d.chunksPerThread >= 0)
        entries.push_back(b.getNamedAttr(
            "chunks_per_thread", b.getI64IntegerAttr(d.chunksPerThread)));
      if (d.cacheScale > 0)
        entries.push_back(
            b.getNamedAttr("cache_scale", b.getI64IntegerAttr(d.cacheScale)));
      op->setAttr(kTunedAttr, b.getDictionaryAttr(entries));
      ++applied;
    });
    module->setAttr("tl.tunable_ops", b.getArrayAttr(tunable));
    module->setAttr("tl.tuned_ops", b.getI64IntegerAttr(applied));
  }
};

} // namespace
