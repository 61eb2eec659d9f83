//===- EinsumSpec.h - einsum subscripts (G6) --------------------*- C++ -*-===//
//
// The parsed form of `in1,in2,...->out`. Labels are ASCII letters; spaces
// are ignored; an empty subscript is a 0-d operand. This file has no MLIR
// dependency so the importer, the verifiers and the evaluator share it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_IR_EINSUMSPEC_H
#define TL_DIALECT_TL_IR_EINSUMSPEC_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir::tl {

struct EinsumSpec {
  llvm::SmallVector<std::string, 2> inputs;
  std::string output;

  /// Parses a spec. The error message has no rule prefix ("implicit einsum
  /// ...", "invalid character '1' ...") so callers can add their context.
  static llvm::Expected<EinsumSpec> parse(llvm::StringRef spec);

  /// Labels that appear in some input but not in the output (summed).
  std::string reducedLabels() const;
  /// Labels of the output that appear in no input (G7 broadcasts).
  std::string broadcastLabels() const;
  /// True when `label` occurs in some input.
  bool inInputs(char label) const;
  /// The canonical text: subscripts joined by ',' then '->' and the output.
  std::string str() const;
  /// For a single operand whose labels are distinct and equal, as a set, to
  /// the output's: the permutation perm with output[i] = input[perm[i]].
  std::optional<llvm::SmallVector<int64_t>> getPermutation() const;
};

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_EINSUMSPEC_H
