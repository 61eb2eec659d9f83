//===- InitTL.h - what the tl tools register --------------------*- C++ -*-===//
//
// Only the dialects and passes the tools use: tl, func and the generic
// transforms. Registering everything costs 40 s of compile per tool.
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

} // namespace mlir::tl

#endif // TL_INITTL_H
