//===- StreamPlan.h - how a graph runs chunk by chunk -----------*- C++ -*-===//
//
// Streaming runs a graph on chunks of rows of some inputs (their first
// dimension, an entity axis) and assembles the outputs. Which assembly is
// right follows from the ops: an output that keeps the streamed axis is
// the concatenation of the chunks' outputs; one that reduced it away is
// the reduction of the chunks' results (a sum of chunk sums; max, min and
// prod likewise; a mean weighted by chunk size); one that never saw it is
// the same for every chunk. A value computed from such a reduction cannot
// be streamed (it needs the whole reduction first).
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_STREAMPLAN_H
#define TL_DRIVER_STREAMPLAN_H

#include "tl/Driver/CompiledGraph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <set>

namespace mlir::tl {

enum class Accumulate { sum, max, min, mean, prod };

struct StreamedOutput {
  enum Kind { Concat, Reduce, Invariant } kind = Invariant;
  int64_t dim = 0;                       // Concat: the dimension chunks tile
  Accumulate accumulate = Accumulate::sum; // Reduce: how chunk results combine
};

struct StreamPlan {
  std::vector<StreamedOutput> outputs; // one per function result
  /// Bytes of all values per streamed row, and of the values that do not
  /// depend on the row count (an upper bound: fusion keeps fewer).
  int64_t bytesPerRow = 0, fixedBytes = 0;
};

/// Plans `func` (bound, shapes static for `chunkRows` >= 2 rows) when the
/// arguments bound to the caller arrays in `streamed` are chunked along
/// their dimension 0.
llvm::Expected<StreamPlan> planStreaming(func::FuncOp func,
                                         const GraphSignature &signature,
                                         const std::set<std::string> &streamed,
                                         int64_t chunkRows);

} // namespace mlir::tl

#endif // TL_DRIVER_STREAMPLAN_H
