//===- SourceFormat.h - which front end reads a graph -----------*- C++ -*-===//

#ifndef TL_TARGET_SOURCEFORMAT_H
#define TL_TARGET_SOURCEFORMAT_H

#include "llvm/ADT/StringRef.h"

namespace mlir::tl {

enum class SourceFormat {
  mlir,            // tl dialect text
  tensorLogicJSON, // the TensorLogic compiler's EinsumGraph JSON
  tensorEquations, // a Tensor Logic program (docs/TensorEquations.md)
};

/// The one place a graph's format is decided: by the file's extension
/// (.tle, .json, .mlir), else by its text (JSON starts with '{', anything
/// else is MLIR). `path` may be empty.
SourceFormat detectSourceFormat(llvm::StringRef path, llvm::StringRef text);

/// "<mlir>", "<json>" or "<equations>": a graph's name in messages when it
/// has no file.
llvm::StringRef defaultSourceName(SourceFormat format);

} // namespace mlir::tl

#endif // TL_TARGET_SOURCEFORMAT_H
