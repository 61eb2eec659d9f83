//===- ReverseMode.h - propagating cotangents backwards (G12) --*- C++ -*-===//
//
// The one reverse walk of reverse-mode differentiation: tl-differentiate
// runs it over a function's ops, and a tl.fixpoint's rule
// (FixpointAdjoint.cpp) over the ops of its body, so a body differentiates
// exactly as a function does (overrides, per-op rules, nested fixpoints).
//
//===----------------------------------------------------------------------===//

#ifndef TL_DIALECT_TL_IR_REVERSEMODE_H
#define TL_DIALECT_TL_IR_REVERSEMODE_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::tl {

/// Cotangents by value; a value without an entry has a zero cotangent.
using Cotangents = llvm::DenseMap<Value, Value>;

/// Adds `cotangent` to the cotangent of `value` (a tl.binary add when it
/// already has one).
void accumulateCotangent(OpBuilder &builder, Cotangents &cotangents,
                         Value value, Value cotangent, Location loc);

/// Walks `ops` (in program order) backwards and adds, for every op with a
/// cotangent on a result, the cotangents of the values it reads (the
/// gradient registry's override first, else DifferentiableOpInterface).
/// Fails with a diagnostic on the op that has no rule or whose rule fails.
LogicalResult propagateCotangents(OpBuilder &builder,
                                  ArrayRef<Operation *> ops,
                                  Cotangents &cotangents);

/// A tensor of zeros of `type` (a static shape).
Value zerosOf(OpBuilder &builder, Location loc, Type type);

} // namespace mlir::tl

#endif // TL_DIALECT_TL_IR_REVERSEMODE_H
