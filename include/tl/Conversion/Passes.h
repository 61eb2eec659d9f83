//===- Passes.h - conversions out of the tl dialect -------------*- C++ -*-===//

#ifndef TL_CONVERSION_PASSES_H
#define TL_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
} // namespace mlir

namespace mlir::tl {

/// Patterns that lower every tl op on static shapes to linalg on tensors.
void populateTLToLinalgConversionPatterns(RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "tl/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tl/Conversion/Passes.h.inc"

} // namespace mlir::tl

#endif // TL_CONVERSION_PASSES_H
