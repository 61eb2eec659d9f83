//===- ContractionPath.h - cheapest pairwise order of an einsum -*- C++ -*-===//
//
// The order in which an n-operand multiply/sum einsum is split into
// pairwise contractions. Plain C++ (no MLIR) so it is unit-tested on its
// own. The cost of a pairwise step is its loop volume: the product of the
// sizes of every label of its two operands and its result, i.e. the number
// of multiply-adds it performs.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_TRANSFORMS_CONTRACTIONPATH_H
#define TL_DIALECT_TL_TRANSFORMS_CONTRACTIONPATH_H

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mlir::tl {

struct ContractionPath {
  /// opt_einsum's convention: each step names two positions in the current
  /// operand list (first < second); both are removed and the result is
  /// appended at the end.
  std::vector<std::pair<int, int>> steps;
  /// Subscripts of each step's result, in step order; the last is the
  /// einsum's output.
  std::vector<std::string> results;
  /// Sum of the steps' loop volumes.
  double cost = 0;
  /// True when the exhaustive search ran (false: greedy).
  bool optimal = false;
};

/// The cheapest path for `inputs -> output` with `sizes` giving every
/// label's extent. Exhaustive dynamic programming over operand subsets for
/// up to `exhaustiveLimit` operands, greedy (cheapest next pair) beyond.
/// Ties keep the earlier operands first, so the result is deterministic.
ContractionPath findContractionPath(const std::vector<std::string> &inputs,
                                    const std::string &output,
                                    const std::map<char, int64_t> &sizes,
                                    int exhaustiveLimit = 8);

/// The loop volume of evaluating the einsum in one loop nest, for
/// comparison with a path's cost.
double naiveContractionCost(const std::vector<std::string> &inputs,
                            const std::string &output,
                            const std::map<char, int64_t> &sizes);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_TRANSFORMS_CONTRACTIONPATH_H
