//===- AssignSparsity.cpp - sparse layouts from measured densities --------===//
//
// Densities flow forward from the arguments through SparsityOpInterface;
// each decision is an attribute (tl.density, tl.sparse) so that tl-opt
// reproduces it and the lowering reads it, rather than a type change that
// every later pass would have to understand at once.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Densities.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"

#include <cmath>

namespace mlir::tl {
#define GEN_PASS_DEF_TLASSIGNSPARSITYPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The encoding for a value of `type` and `density` (see Passes.td).
Attribute encodingFor(MLIRContext *ctx, RankedTensorType type,
                      double density) {
  int64_t rank = type.getRank();
  std::string dims, levels;
  for (int64_t d = 0; d < rank; ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  auto level = [&](int64_t d, const char *kind) {
    levels += (d ? ", d" : "d") + std::to_string(d) + " : " + kind;
  };
  if (rank == 1) {
    level(0, "compressed");
  } else if (rank == 2) {
    // DCSR only when nearly every row is expected empty (under one in
    // 16): a compressed row level saves a position per empty row, but a
    // join then co-iterates it instead of indexing it (measured 7x slower
    // for a knowledge graph's relations with 40% of their rows in use).
    int64_t cols = type.getDimSize(1);
    bool fewRows = !ShapedType::isDynamic(cols) &&
                   1 - std::pow(1 - density, double(cols)) < 1.0 / 16;
    level(0, fewRows ? "compressed" : "dense");
    level(1, "compressed");
  } else {
    level(0, "compressed(nonunique)");
    for (int64_t d = 1; d < rank; ++d)
      level(d, d + 1 < rank ? "singleton(nonunique)" : "singleton");
  }
  std::string text = "#sparse_tensor.encoding<{ map = (" + dims + ") -> (" +
                     levels + ") }>";
  return parseAttribute(text, ctx);
}

struct AssignSparsity
    : public tl::impl::TLAssignSparsityPassBase<AssignSparsity> {
  using TLAssignSparsityPassBase::TLAssignSparsityPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = func.getContext();
    if (!(threshold >= 0 && threshold <= 1)) {
      func.emitError("tl-assign-sparsity: threshold ")
          << threshold.getValue() << " is not a density between 0 and 1";
      return signalPassFailure();
    }
    auto given =
        parseInputDensities(func, "tl-assign-sparsity", inputDensities);
    if (failed(given))
      return signalPassFailure();

    Builder b(ctx);
    auto sparseFor = [&](Value v, double d) -> Attribute {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (type && type.getRank() > 0 && d <= threshold)
        return encodingFor(ctx, type, d);
      return {};
    };
    for (BlockArgument arg : func.getArguments()) {
      unsigned i = arg.getArgNumber();
      std::optional<double> d = measuredDensity(func, i, *given);
      func.removeArgAttr(i, kSparseAttr);
      if (d && *d < 1)
        func.setArgAttr(i, kDensityAttr, b.getF64FloatAttr(*d));
      // An array given dense (an embedding, a cotangent) stays dense at
      // any threshold: the caller has it dense, and compressing it would
      // cost a pass over it on every call.
      if (!d)
        continue;
      if (Attribute encoding = sparseFor(arg, *d))
        func.setArgAttr(i, kSparseAttr, encoding);
    }
    func.walk([&](Operation *op) { op->removeAttr(kSparseAttr); });
    estimateDensities(func, *given, [&](Operation *op, double d) {
      op->setAttr(kDensityAttr, b.getF64FloatAttr(d));
      if (Attribute encoding = sparseFor(op->getResult(0), d))
        op->setAttr(kSparseAttr, encoding);
    });
  }
};

} // namespace
