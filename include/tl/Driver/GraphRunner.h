//===- GraphRunner.h - load, bind and run a graph ---------------*- C++ -*-===//
//
// What tl-jit does, as a library: load a TensorLogic JSON graph or a tl
// MLIR file, bind the caller's named arrays to its inputs (G3, G5), run
// the reference pipeline with the inputs' shapes and evaluate. Errors come
// back as llvm::Error; MLIR diagnostics raised on the way are collected
// into the error's message.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_GRAPHRUNNER_H
#define TL_DRIVER_GRAPHRUNNER_H

#include "tl/IO/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::tl {

struct RunOptions {
  bool useF32 = false;
  /// Whether the dtype was asked for explicitly (an MLIR file must then
  /// have that element type).
  bool dtypeGiven = false;
  std::string functionName = "main";
};

class GraphRunner {
public:
  explicit GraphRunner(MLIRContext *context) : context(context) {}

  /// Loads `path` (.json: TensorLogic, anything else: MLIR), importing
  /// JSON with the names of `inputs` so binding happens at import.
  llvm::Error load(llvm::StringRef path, const io::NamedArrays &inputs,
                   const RunOptions &options);

  /// Binds, specializes and evaluates; outputs keyed by slot name (G4).
  llvm::Expected<io::NamedArrays> run(const io::NamedArrays &inputs);

  ModuleOp getModule() { return module.get(); }

private:
  MLIRContext *context;
  RunOptions options;
  OwningOpRef<ModuleOp> module;
};

} // namespace mlir::tl

#endif // TL_DRIVER_GRAPHRUNNER_H
