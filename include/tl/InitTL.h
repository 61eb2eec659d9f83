//===- InitTL.h - what the tl tools register --------------------*- C++ -*-===//
//
// Only the dialects and passes the tools use. The light set (tl, func, the
// generic transforms) is inline; the compiler's set lives in one .cpp.
// Registering everything costs 40 s of compile per tool.
//
//===----------------------------------------------------------------------===//

#ifndef TL_INITTL_H
#define TL_INITTL_H

#include "tl/Dialect/TL/IR/TLDialect.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::tl {

inline void registerTLDialects(DialectRegistry &registry) {
  registry.insert<TLDialect, func::FuncDialect>();
}

inline void registerTLToolPasses() {
  registerTLPasses(); // every pass of Passes.td
  // Generic passes users combine with ours.
  registerCanonicalizerPass();
  registerCSEPass();
  registerSymbolDCEPass();
}

/// tl plus every dialect, interface model and LLVM IR translation that the
/// CPU pipeline uses (lib/Pipelines/InitCompiler.cpp).
void registerTLCompilerDialects(DialectRegistry &registry);

/// registerTLToolPasses, the conversion and codegen passes, the pipelines,
/// and each upstream pass of the CPU pipeline (for tl-opt).
void registerTLCompilerPasses();

} // namespace mlir::tl

#endif // TL_INITTL_H
