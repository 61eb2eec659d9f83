//===- FuzzMLIR.h - what the MLIR-facing fuzz targets share -----*- C++ -*-===//
//
// One MLIRContext per process would grow without bound (attributes and
// types are uniqued and never freed), so each input gets a fresh one; the
// registrations that cost time are done once.
//
//===----------------------------------------------------------------------===//

#ifndef TL_FUZZ_FUZZMLIR_H
#define TL_FUZZ_FUZZMLIR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace tl::fuzz {

/// A context with tl and func loaded, threading off, diagnostics dropped
/// (a refused input is an expected outcome; only crashes are findings).
std::unique_ptr<mlir::MLIRContext> makeContext();

/// Runs what every compile runs after the import on a verified module
/// (canonicalization with tl's folds, CSE, contraction ordering, fusion
/// grouping, the size check): its failures are fine, crashes are not.
void runTLPasses(mlir::ModuleOp module);

} // namespace tl::fuzz

#endif // TL_FUZZ_FUZZMLIR_H
