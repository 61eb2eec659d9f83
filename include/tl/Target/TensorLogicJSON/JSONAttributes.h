//===- JSONAttributes.h - metadata between JSON and attributes --*- C++ -*-===//
//
// Node and tensor metadata are arbitrary JSON that must survive a round
// trip. They live in the IR as attributes: objects become dictionaries,
// arrays arrays, integers i64, other numbers f64, null a unit attribute.
// An object with an empty key (no dictionary can hold one) is kept as its
// JSON text in a string attribute.
//
//===----------------------------------------------------------------------===//

#ifndef TL_TARGET_TENSORLOGICJSON_JSONATTRIBUTES_H
#define TL_TARGET_TENSORLOGICJSON_JSONATTRIBUTES_H

#include "mlir/IR/Attributes.h"
#include "llvm/Support/JSON.h"

namespace mlir::tl {

Attribute jsonToAttribute(const llvm::json::Value &value, MLIRContext *ctx);
/// The inverse; a string attribute that holds a JSON object's text (the
/// fallback above) becomes that object again when `objectExpected`.
llvm::json::Value attributeToJson(Attribute attr, bool objectExpected = false);

} // namespace mlir::tl

#endif // TL_TARGET_TENSORLOGICJSON_JSONATTRIBUTES_H
