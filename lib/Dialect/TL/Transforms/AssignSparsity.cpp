//===- AssignSparsity.cpp - sparse layouts from measured densities --------===//
//
// Densities flow forward from the arguments through SparsityOpInterface;
// each decision is an attribute (tl.density, tl.sparse) so that tl-opt
// reproduces it and the lowering reads it, rather than a type change that
// every later pass would have to understand at once.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"

#include "llvm/ADT/StringMap.h"

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
    // DCSR when most rows are expected empty: a dense row level would
    // cost a position per row for nothing.
    int64_t cols = type.getDimSize(1);
    bool fewRows = !ShapedType::isDynamic(cols) &&
                   1 - std::pow(1 - density, double(cols)) < 0.5;
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
    llvm::StringMap<double> given;
    for (const std::string &entry : inputDensities) {
      size_t eq = entry.rfind('=');
      char *end = nullptr;
      double d = eq == std::string::npos
                     ? NAN
                     : std::strtod(entry.c_str() + eq + 1, &end);
      if (eq == std::string::npos || eq == 0 || end == entry.c_str() + eq + 1 ||
          *end || !(d >= 0 && d <= 1)) {
        func.emitError("tl-assign-sparsity: input-densities: '")
            << entry << "' is not name=D with 0 <= D <= 1";
        return signalPassFailure();
      }
      given[entry.substr(0, eq)] = d;
    }

    Builder b(ctx);
    llvm::DenseMap<Value, double> density;
    auto mark = [&](Value v, double d, auto setAttr) {
      density[v] = d;
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (type && type.getRank() > 0 && d <= threshold)
        setAttr(kSparseAttr, encodingFor(ctx, type, d));
    };
    for (BlockArgument arg : func.getArguments()) {
      unsigned i = arg.getArgNumber();
      double d = 1;
      if (auto known = func.getArgAttrOfType<FloatAttr>(i, kDensityAttr))
        d = known.getValueAsDouble();
      if (auto name = func.getArgAttrOfType<StringAttr>(i, kNameAttr)) {
        auto it = given.find(name.strref());
        if (it == given.end())
          it = given.find(
              name.strref().take_until([](char c) { return c == '['; }));
        if (it != given.end())
          d = it->second;
      }
      func.removeArgAttr(i, kSparseAttr);
      if (d < 1)
        func.setArgAttr(i, kDensityAttr, b.getF64FloatAttr(d));
      mark(arg, d, [&](StringRef attr, Attribute value) {
        func.setArgAttr(i, attr, value);
      });
    }
    func.walk([&](Operation *op) {
      op->removeAttr(kSparseAttr);
      auto sparsity = dyn_cast<SparsityOpInterface>(op);
      if (!sparsity || op->getNumResults() != 1)
        return;
      SmallVector<double> operands;
      for (Value v : op->getOperands()) {
        auto it = density.find(v);
        operands.push_back(it == density.end() ? 1.0 : it->second);
      }
      double d = sparsity.estimateDensity(operands);
      op->setAttr(kDensityAttr, b.getF64FloatAttr(d));
      mark(op->getResult(0), d, [&](StringRef attr, Attribute value) {
        op->setAttr(attr, value);
      });
    });
  }
};

} // namespace
