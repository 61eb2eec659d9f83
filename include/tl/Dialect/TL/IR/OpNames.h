//===- OpNames.h - op names, aliases and suggestions (G8-G10) ---*- C++ -*-===//

#ifndef TL_DIALECT_TL_IR_OPNAMES_H
#define TL_DIALECT_TL_IR_OPNAMES_H

#include "tl/Dialect/TL/IR/TLOps.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::tl {

/// Case-insensitive lookups that accept the aliases of G9/G10
/// (`neg`, `oneminus`, `minimum`, `product`, ...).
std::optional<UnaryKind> lookupUnaryKind(llvm::StringRef name);
std::optional<BinaryKind> lookupBinaryKind(llvm::StringRef name);
std::optional<ReduceKind> lookupReduceKind(llvm::StringRef name);

/// Every accepted spelling (canonical names and aliases).
std::vector<std::string> allUnaryNames();
std::vector<std::string> allBinaryNames();
std::vector<std::string> allReduceNames();

/// Edits from `a` to `b`: insertions, deletions, substitutions and swaps
/// of neighbouring characters.
unsigned typoDistance(llvm::StringRef a, llvm::StringRef b);

/// The index of the candidate closest to `name` (the first of equals),
/// if one is within one edit per three characters, like a spelling
/// checker.
std::optional<size_t> closestName(llvm::StringRef name,
                                  const std::vector<std::string> &candidates);

/// G13: " (did you mean 'sigmoid'?)" for the closest candidate, or "".
std::string suggestName(llvm::StringRef name,
                        const std::vector<std::string> &candidates);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_OPNAMES_H
