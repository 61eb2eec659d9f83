//===- CheckSizes.cpp - refuse values too large to compute ------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Densities.h"
#include "tl/Dialect/TL/Transforms/Passes.h"
#include "tl/Runtime/Limits.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

namespace mlir::tl {
#define GEN_PASS_DEF_TLCHECKSIZESPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;
namespace runtime = ::tl::runtime;

namespace {

std::string typeText(RankedTensorType type) {
  std::string s;
  for (int64_t d : type.getShape())
    s += std::to_string(d) + "x";
  llvm::raw_string_ostream os(s);
  type.getElementType().print(os);
  return os.str();
}

/// The most points an einsum may iterate over: 2^42 (4.4e12) is minutes
/// of work at this machine's peak; more (an outer product summed away,
/// whose value is small but whose loop nest is not) is refused.
constexpr uint64_t kMaxIterations = uint64_t(1) << 42;

struct TLCheckSizesPass
    : mlir::tl::impl::TLCheckSizesPassBase<TLCheckSizesPass> {
  using TLCheckSizesPassBase::TLCheckSizesPassBase;

  /// The expected density of values stored sparse (the sparse route);
  /// empty otherwise.
  llvm::DenseMap<Value, double> sparse;

  /// The expected density of `value` when it is stored sparse.
  std::optional<double> sparseDensity(Value value) const {
    auto it = sparse.find(value);
    if (it == sparse.end())
      return std::nullopt;
    return it->second;
  }

  /// False (after the error) when the einsum's loop nest, the product of
  /// the sizes of its distinct labels (scaled by its sparse operands'
  /// densities), is beyond kMaxIterations.
  bool checkLoops(EinsumOp op) {
    EinsumSpec spec = op.getParsedSpec();
    std::map<char, int64_t> sizes;
    for (auto [labels, operand] : llvm::zip(spec.inputs, op->getOperands())) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!type || !type.hasStaticShape() ||
          type.getRank() != int64_t(labels.size()))
        return true;
      for (auto [label, size] : llvm::zip(labels, type.getShape()))
        sizes[label] = size;
    }
    uint64_t points = 1;
    std::string shown;
    bool overflow = false;
    for (auto [label, size] : sizes) {
      shown += std::string(shown.empty() ? "" : ", ") + label + "=" +
               std::to_string(size);
      if (size == 0)
        return true;
      overflow |= __builtin_mul_overflow(points, uint64_t(size), &points);
    }
    double visited = 1;
    for (auto [label, size] : sizes)
      visited *= double(size);
    for (Value operand : op->getOperands())
      if (std::optional<double> d = sparseDensity(operand))
        visited *= *d;
    if (!overflow && points <= kMaxIterations)
      return true;
    if (visited <= double(kMaxIterations))
      return true;
    InFlightDiagnostic diag = op->emitError()
                              << "G11: " << describeOp(op)
                              << " iterates over ";
    if (overflow)
      diag << "more than 2^64";
    else
      diag << points;
    diag << " points (" << shown << "), more than tl runs in one einsum ("
         << kMaxIterations << ")";
    return false;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    uint64_t limit =
        memoryLimit > 0 ? uint64_t(memoryLimit) : runtime::memoryLimit();
    if (!inputDensities.empty()) {
      auto given = parseInputDensities(func, "tl-check-sizes", inputDensities);
      if (failed(given))
        return signalPassFailure();
      for (auto [value, d] : estimateDensities(func, *given)) {
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (type && type.getRank() > 0 && d <= sparseThreshold)
          sparse[value] = d;
      }
    }
    // Returns false (after the error) when `value` is too large.
    auto check = [&](Value value, Operation *at, const std::string &what) {
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || !type.hasStaticShape() ||
          !type.getElementType().isIntOrFloat())
        return true;
      size_t width =
          std::max<size_t>(1, type.getElementType().getIntOrFloatBitWidth() / 8);
      std::vector<int64_t> dims(type.getShape().begin(), type.getShape().end());
      std::optional<uint64_t> bytes = runtime::checkedBytes(dims, width);
      std::optional<double> d = sparseDensity(value);
      if (bytes && d) {
        // Each expected nonzero: its value and one coordinate per level.
        double nonzeros = std::ceil(*d * double(*bytes / width));
        bytes = uint64_t(
            std::min(nonzeros * double(width + 8 * dims.size()), 0x1p63));
      }
      if (bytes && *bytes <= limit)
        return true;
      InFlightDiagnostic diag = at->emitError() << "G11: " << what << " a "
                                                << typeText(type) << " value";
      if (d) {
        char density[32];
        std::snprintf(density, sizeof density, "%g", *d);
        diag << " stored sparse (expected density " << std::string(density)
             << ")";
      }
      diag << ": ";
      if (!bytes)
        diag << "its size overflows 64-bit arithmetic";
      else
        diag << runtime::formatBytes(*bytes) << ", more than the memory limit of "
             << runtime::formatBytes(limit)
             << " (TL_MEMORY_LIMIT or --memory-limit)";
      return false;
    };
    bool ok = true;
    for (BlockArgument arg : func.getArguments()) {
      auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "tl.name");
      ok &= check(arg, func,
                  "argument '" + (name ? name.str() : std::to_string(arg.getArgNumber())) +
                      "' is");
      if (!ok)
        break;
    }
    if (ok)
      func.walk([&](Operation *op) {
        for (Value r : op->getResults())
          if (!check(r, op, describeOp(op) + " computes")) {
            ok = false;
            return WalkResult::interrupt();
          }
        if (auto einsum = dyn_cast<EinsumOp>(op); einsum && !checkLoops(einsum)) {
          ok = false;
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
