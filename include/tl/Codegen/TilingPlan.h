//===- TilingPlan.h - tiling decisions as op attributes ---------*- C++ -*-===//
//
// tl-plan-tiling decides, tl-vectorize applies. The decision lives on the
// op as `tl.tiling = {cache = array<i64: ...>, cache_order = array<i64:
// ...>, register = array<i64: ...>}`: a tile size per loop (0: untiled)
// for the cache level, the loop order of the cache tiles (outermost first;
// empty: the op's own), and the register block that is vectorized.
//
//===----------------------------------------------------------------------===//

#ifndef TL_CODEGEN_TILINGPLAN_H
#define TL_CODEGEN_TILINGPLAN_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::tl {

inline constexpr llvm::StringLiteral kTilingAttr = "tl.tiling";

/// Reductions along the innermost, contiguous loop of rows at least this
/// long and at most kTreeReductionRegisters vector registers long get whole
/// rows as blocks (tl-plan-tiling), each reduced as a tree (tl-vectorize).
constexpr int64_t kMinTreeReduction = 16;
constexpr int64_t kTreeReductionRegisters = 16;

struct TilingPlan {
  SmallVector<int64_t> cache, cacheOrder, reg;

  /// The plan on `op`, or nothing when it has none (or a malformed one).
  static std::optional<TilingPlan> read(Operation *op);
  void write(Operation *op) const;
};

} // namespace mlir::tl

#endif // TL_CODEGEN_TILINGPLAN_H
