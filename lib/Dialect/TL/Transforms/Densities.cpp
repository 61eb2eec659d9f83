//===- Densities.cpp - expected densities of a function's values ----------===//

#include "tl/Dialect/TL/Transforms/Densities.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include <cmath>
#include <cstdlib>

using namespace mlir;
using namespace mlir::tl;

FailureOr<llvm::StringMap<double>>
mlir::tl::parseInputDensities(func::FuncOp func, llvm::StringRef pass,
                              const std::vector<std::string> &entries) {
  llvm::StringMap<double> given;
  for (const std::string &entry : entries) {
    size_t eq = entry.rfind('=');
    char *end = nullptr;
    double d = eq == std::string::npos
                   ? NAN
                   : std::strtod(entry.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq == 0 || end == entry.c_str() + eq + 1 ||
        *end || !(d >= 0 && d <= 1)) {
      func.emitError() << pass << ": input-densities: '" << entry
                       << "' is not name=D with 0 <= D <= 1";
      return failure();
    }
    given[entry.substr(0, eq)] = d;
  }
  return given;
}

std::optional<double>
mlir::tl::measuredDensity(func::FuncOp func, unsigned index,
                          const llvm::StringMap<double> &given) {
  std::optional<double> d;
  if (auto known = func.getArgAttrOfType<FloatAttr>(index, kDensityAttr))
    d = known.getValueAsDouble();
  if (auto name = func.getArgAttrOfType<StringAttr>(index, kNameAttr)) {
    auto it = given.find(name.strref());
    if (it == given.end())
      it =
          given.find(name.strref().take_until([](char c) { return c == '['; }));
    if (it != given.end())
      d = it->second;
  }
  return d;
}

double mlir::tl::argumentDensity(func::FuncOp func, unsigned index,
                                 const llvm::StringMap<double> &given) {
  return measuredDensity(func, index, given).value_or(1.0);
}

llvm::DenseMap<Value, double> mlir::tl::estimateDensities(
    func::FuncOp func, const llvm::StringMap<double> &given,
    llvm::function_ref<void(Operation *, double)> visit) {
  llvm::DenseMap<Value, double> density;
  for (BlockArgument arg : func.getArguments())
    density[arg] = argumentDensity(func, arg.getArgNumber(), given);
  func.walk([&](Operation *op) {
    auto sparsity = dyn_cast<SparsityOpInterface>(op);
    if (!sparsity || op->getNumResults() != 1)
      return;
    SmallVector<double> operands;
    for (Value v : op->getOperands()) {
      auto it = density.find(v);
      operands.push_back(it == density.end() ? 1.0 : it->second);
    }
    double d = sparsity.estimateDensity(operands);
    density[op->getResult(0)] = d;
    if (visit)
      visit(op, d);
  });
  return density;
}
