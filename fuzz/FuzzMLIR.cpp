//===- FuzzMLIR.cpp - what the MLIR-facing fuzz targets share -------------===//

#include "FuzzMLIR.h"
#include "FuzzLimits.h"

#include "tl/InitTL.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdlib>

using namespace mlir;

namespace tl::fuzz {

std::unique_ptr<MLIRContext> makeContext() {
  static const bool once = [] {
    mlir::tl::registerTLToolPasses();
    setFuzzMemoryLimit();
    return true;
  }();
  (void)once;
  DialectRegistry registry;
  mlir::tl::registerTLDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry,
                                               MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  context->printOpOnDiagnostic(false);
  context->getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  return context;
}

void runTLPasses(ModuleOp module) {
  PassManager pm(module->getContext());
  if (failed(parsePassPipeline(
          "builtin.module(func.func(canonicalize,cse,tl-order-contractions,"
          "tl-form-fusion-groups,tl-check-sizes))",
          pm))) {
    // The pipeline text is ours: a failure here is a bug in the target.
    std::abort();
  }
  (void)pm.run(module);
}

} // namespace tl::fuzz
