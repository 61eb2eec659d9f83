//===- Passes.h - tl dialect passes -----------------------------*- C++ -*-===//

#ifndef TL_DIALECT_TL_TRANSFORMS_PASSES_H
#define TL_DIALECT_TL_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tl {

/// The function attribute that carries the inputs' shapes for
/// tl-specialize-shapes: a dictionary from argument name to array<i64>.
inline constexpr llvm::StringLiteral kInputShapesAttr = "tl.input_shapes";

#define GEN_PASS_DECL
#include "tl/Dialect/TL/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tl/Dialect/TL/Transforms/Passes.h.inc"

} // namespace mlir::tl

#endif // TL_DIALECT_TL_TRANSFORMS_PASSES_H
