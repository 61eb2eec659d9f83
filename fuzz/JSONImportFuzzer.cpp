//===- JSONImportFuzzer.cpp - fuzz the TensorLogic JSON importer ----------===//
//
// Input: the text of a graph. The importer (G1-G5), the verifiers, the
// passes every compile runs, and the export back to JSON must refuse or
// accept it, never crash or hang.
//
//===----------------------------------------------------------------------===//

#include "FuzzMLIR.h"

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = tl::fuzz::makeContext();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  mlir::tl::ImportOptions options;
  // Odd sizes bind at import against a fixed set of caller names, even
  // sizes leave binding for later: both paths of G3 are reached.
  if (size % 2)
    options.callerNames = std::vector<std::string>{"a", "b", "parent", "x"};
  auto module = mlir::tl::importTensorLogicJSON(text, context.get(), options);
  if (!module || failed(mlir::verify(*module)))
    return 0;
  std::string json;
  llvm::raw_string_ostream os(json);
  (void)mlir::tl::exportTensorLogicJSON(*module, os);
  tl::fuzz::runTLPasses(*module);
  return 0;
}
