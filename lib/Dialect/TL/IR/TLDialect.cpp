//===- TLDialect.cpp - the tl dialect -------------------------------------===//

#include "tl/Dialect/TL/IR/TLDialect.h"
#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tl;

#include "tl/Dialect/TL/IR/TLOpsDialect.cpp.inc"
#include "tl/Dialect/TL/IR/TLEnums.cpp.inc"

void TLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tl/Dialect/TL/IR/TLOps.cpp.inc"
      >();
}

Operation *TLDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = llvm::dyn_cast<DenseElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, type, elements, StringAttr());
}
