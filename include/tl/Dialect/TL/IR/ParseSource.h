//===- ParseSource.h - reading tl MLIR text ---------------------*- C++ -*-===//
//
// Every tool reads MLIR text through here, so that input which is known to
// crash MLIR 19's own parser is refused with a message first (found by
// tl-fuzz-mlir; the crashes are upstream's, fixed in later LLVM releases).
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_IR_PARSESOURCE_H
#define TL_DIALECT_TL_IR_PARSESOURCE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

namespace mlir::tl {

/// Emits an error at the first construct of the main buffer that MLIR 19's
/// parser cannot be trusted with, and fails; succeeds otherwise. Today:
/// `sparse<...>` elements attributes (llvm-project#132891: a malformed one
/// makes the parser dereference a null attribute).
LogicalResult checkKnownParserCrashes(const llvm::SourceMgr &sourceMgr,
                                      MLIRContext *context);

/// checkKnownParserCrashes, then MLIR's parser; null after a diagnostic.
OwningOpRef<ModuleOp> parseTLSourceFile(const llvm::SourceMgr &sourceMgr,
                                        MLIRContext *context);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_PARSESOURCE_H
