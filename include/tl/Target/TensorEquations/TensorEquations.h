//===- TensorEquations.h - Tensor Logic equations -> tl dialect -*- C++ -*-===//
//
// Programs in Tensor Logic's notation (docs/TensorEquations.md), one
// equation per line:
//
//   Ancestor[x,z] = step(Parent[x,z] + Ancestor[x,y] Parent[y,z])
//
// become one func.func: a tensor that no equation defines is an argument
// named after it, each left-hand side a result under its name; an index
// that is not on the left-hand side is summed at the smallest
// subexpression holding all its uses (inside `step` above), so a product
// of factors is one tl.einsum; equations that read their own left-hand
// side, or form a cycle, become one tl.fixpoint that starts from zeros.
//
//===----------------------------------------------------------------------===//

#ifndef TL_TARGET_TENSOREQUATIONS_TENSOREQUATIONS_H
#define TL_TARGET_TENSOREQUATIONS_TENSOREQUATIONS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace mlir::tl {

struct TensorEquationOptions {
  /// The element type of every tensor: f64 unless f32 is asked for.
  bool useF32 = false;
  std::string functionName = "main";
  /// The file name of locations and messages.
  std::string sourceName = "<equations>";
};

/// Whether `path` names a tensor-equation program (its extension is .tle).
bool isTensorEquationFile(llvm::StringRef path);

/// Imports a program; errors are emitted as diagnostics at their line and
/// column and give a null module.
OwningOpRef<ModuleOp>
importTensorEquations(llvm::StringRef text, MLIRContext *context,
                      const TensorEquationOptions &options);

} // namespace mlir::tl

#endif // TL_TARGET_TENSOREQUATIONS_TENSOREQUATIONS_H
