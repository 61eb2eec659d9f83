//===- TLDialect.h - the tl dialect -----------------------------*- C++ -*-===//

#ifndef TL_DIALECT_TL_IR_TLDIALECT_H
#define TL_DIALECT_TL_IR_TLDIALECT_H

#include "mlir/IR/Dialect.h"

#include "tl/Dialect/TL/IR/TLOpsDialect.h.inc"

#endif // TL_DIALECT_TL_IR_TLDIALECT_H
