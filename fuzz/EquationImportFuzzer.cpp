//===- EquationImportFuzzer.cpp - fuzz the tensor-equation importer -------===//
//
// Input: the text of a .tle program. The parser, the ordering of the
// equations into fixpoints, the lowering to tl ops, the verifiers and the
// passes every compile runs must refuse or accept it, never crash or hang.
//
//===----------------------------------------------------------------------===//

#include "FuzzMLIR.h"

#include "tl/Target/TensorEquations/TensorEquations.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = tl::fuzz::makeContext();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  mlir::tl::TensorEquationOptions options;
  options.useF32 = size % 2;
  auto module = mlir::tl::importTensorEquations(text, context.get(), options);
  if (!module || failed(mlir::verify(*module)))
    return 0;
  std::string dot;
  llvm::raw_string_ostream os(dot);
  (void)mlir::tl::exportDot(*module, os);
  tl::fuzz::runTLPasses(*module);
  return 0;
}
