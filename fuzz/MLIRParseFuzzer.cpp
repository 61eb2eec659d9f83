//===- MLIRParseFuzzer.cpp - fuzz MLIR input in the tl dialect ------------===//
//
// Input: MLIR text. The parser with tl's custom assembly, tl's verifiers
// and the passes every compile runs must refuse or accept it, never crash
// or hang.
//
//===----------------------------------------------------------------------===//

#include "FuzzMLIR.h"

#include "tl/Dialect/TL/IR/ParseSource.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = tl::fuzz::makeContext();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  // As the tools read it (GraphRunner): MLIR's lexer relies on the NUL
  // that a MemoryBuffer copy puts after the text.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.mlir"), llvm::SMLoc());
  auto module = mlir::tl::parseTLSourceFile(sourceMgr, context.get());
  if (!module || failed(mlir::verify(*module)))
    return 0;
  tl::fuzz::runTLPasses(*module);
  return 0;
}
