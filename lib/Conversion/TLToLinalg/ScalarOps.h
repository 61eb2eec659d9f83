//===- ScalarOps.h - one element of a tl op in arith/math -------*- C++ -*-===//
//
// The bodies of the linalg ops that TLToLinalg builds. Each function must
// compute what ScalarSemantics.h computes for the reference evaluator: the
// NaN rules of G9/G10 (fmax/fmin, relu(NaN) = 0) and the same order of
// operations, so that the JIT and the evaluator round alike.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_CONVERSION_TLTOLINALG_SCALAROPS_H
#define TL_LIB_CONVERSION_TLTOLINALG_SCALAROPS_H

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::tl {

Value emitUnary(OpBuilder &b, Location loc, UnaryKind kind, Value x);
Value emitBinary(OpBuilder &b, Location loc, BinaryKind kind, Value lhs,
                 Value rhs);
/// The identity of a reduction fold (mean starts as a sum).
Value emitReduceInit(OpBuilder &b, Location loc, ReduceKind kind,
                     FloatType type);
/// One step of a fold: acc (op) x.
Value emitReduceStep(OpBuilder &b, Location loc, ReduceKind kind, Value acc,
                     Value x);

} // namespace mlir::tl

#endif // TL_LIB_CONVERSION_TLTOLINALG_SCALAROPS_H
