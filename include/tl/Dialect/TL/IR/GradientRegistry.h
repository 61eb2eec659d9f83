//===- GradientRegistry.h - overriding an op's gradient rule ----*- C++ -*-===//
//
// tl-differentiate asks this registry before an op's own rule
// (DifferentiableOpInterface), so a user can replace a gradient without
// touching the op: a straight-through estimator for `step` or `round`, a
// clipped gradient for `log`, a custom rule for a kind the user added.
//
//   tl::registerGradientOverride("tl.unary:step", [](OpBuilder &b,
//       Operation *op, Value ct, SmallVectorImpl<Value> &grads) {
//     grads.push_back(ct); // d step / dx := 1
//     return success();
//   });
//
// Keys are the op name, with ':' and the kind for ops that have one:
// "tl.unary:relu", "tl.binary:max", "tl.reduce:prod", "tl.einsum" (every
// einsum). The registry is process-wide and thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_IR_GRADIENTREGISTRY_H
#define TL_DIALECT_TL_IR_GRADIENTREGISTRY_H

#include "mlir/IR/Builders.h"

#include <functional>
#include <string>

namespace mlir::tl {

/// Builds one cotangent per operand of `op` (null: zero), like
/// DifferentiableOpInterface::buildVJP.
using GradientRule = std::function<LogicalResult(
    OpBuilder &, Operation *op, Value cotangent, SmallVectorImpl<Value> &)>;

/// The registry key of `op` ("tl.unary:relu").
std::string gradientKey(Operation *op);

/// Installs (or replaces) the rule for `key`.
void registerGradientOverride(llvm::StringRef key, GradientRule rule);
/// Removes it; true when there was one.
bool removeGradientOverride(llvm::StringRef key);
/// The rule for `key`, or an empty function.
GradientRule lookupGradientOverride(llvm::StringRef key);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_GRADIENTREGISTRY_H
