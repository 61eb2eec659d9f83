//===- ParseSource.cpp - reading tl MLIR text ------------------------------===//

#include "tl/Dialect/TL/IR/ParseSource.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

using namespace mlir;

namespace {

bool isIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '.';
}

/// The offset of the first `sparse` keyword followed by `<`, outside
/// comments and string literals, or npos.
size_t findSparseAttribute(llvm::StringRef text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '/' && text.substr(i, 2) == "//") {
      i = text.find('\n', i);
      if (i == llvm::StringRef::npos)
        return i;
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        i += text[i] == '\\';
    } else if (c == 's' && text.substr(i).starts_with("sparse") &&
               (i == 0 || !isIdentifierChar(text[i - 1]))) {
      llvm::StringRef rest = text.substr(i + 6).ltrim();
      if (rest.starts_with("<"))
        return i;
    }
  }
  return llvm::StringRef::npos;
}

} // namespace

LogicalResult
mlir::tl::checkKnownParserCrashes(const llvm::SourceMgr &sourceMgr,
                                  MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  llvm::StringRef text = buffer->getBuffer();
  size_t at = findSparseAttribute(text);
  if (at == llvm::StringRef::npos)
    return success();
  unsigned line = 1, column = 1;
  for (size_t i = 0; i < at; ++i) {
    column = text[i] == '\n' ? 1 : column + 1;
    line += text[i] == '\n';
  }
  Location loc =
      FileLineColLoc::get(context, buffer->getBufferIdentifier(), line, column);
  return emitError(loc)
         << "sparse elements attributes (sparse<...>) are not accepted: tl "
            "has no use for them, and MLIR 19's parser crashes on malformed "
            "ones (llvm-project#132891); write the constant as dense<...>";
}

OwningOpRef<ModuleOp>
mlir::tl::parseTLSourceFile(const llvm::SourceMgr &sourceMgr,
                            MLIRContext *context) {
  if (failed(checkKnownParserCrashes(sourceMgr, context)))
    return nullptr;
  return parseSourceFile<ModuleOp>(sourceMgr, context);
}
