//===- JSONAttributes.cpp - metadata between JSON and attributes -----------===//

#include "tl/Target/TensorLogicJSON/JSONAttributes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
namespace json = llvm::json;

static bool hasEmptyKey(const json::Value &v) {
  if (const json::Object *o = v.getAsObject()) {
    for (const auto &kv : *o)
      if (llvm::StringRef(kv.first).empty() || hasEmptyKey(kv.second))
        return true;
  } else if (const json::Array *a = v.getAsArray()) {
    for (const json::Value &e : *a)
      if (hasEmptyKey(e))
        return true;
  }
  return false;
}

Attribute mlir::tl::jsonToAttribute(const json::Value &value, MLIRContext *ctx) {
  Builder b(ctx);
  switch (value.kind()) {
  case json::Value::Null:
    return b.getUnitAttr();
  case json::Value::Boolean:
    return b.getBoolAttr(*value.getAsBoolean());
  case json::Value::Number:
    if (std::optional<int64_t> i = value.getAsInteger())
      return b.getI64IntegerAttr(*i);
    return b.getF64FloatAttr(*value.getAsNumber());
  case json::Value::String:
    return b.getStringAttr(*value.getAsString());
  case json::Value::Array: {
    SmallVector<Attribute> elements;
    for (const json::Value &e : *value.getAsArray())
      elements.push_back(jsonToAttribute(e, ctx));
    return b.getArrayAttr(elements);
  }
  case json::Value::Object: {
    if (hasEmptyKey(value)) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << value;
      return b.getStringAttr(text);
    }
    SmallVector<NamedAttribute> entries;
    for (const auto &[k, v] : *value.getAsObject())
      entries.push_back(b.getNamedAttr(k.str(), jsonToAttribute(v, ctx)));
    return b.getDictionaryAttr(entries);
  }
  }
  return b.getUnitAttr();
}

json::Value mlir::tl::attributeToJson(Attribute attr, bool objectExpected) {
  if (!attr || llvm::isa<UnitAttr>(attr))
    return nullptr;
  if (auto b = llvm::dyn_cast<BoolAttr>(attr))
    return b.getValue();
  if (auto i = llvm::dyn_cast<IntegerAttr>(attr))
    return i.getInt();
  if (auto f = llvm::dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto s = llvm::dyn_cast<StringAttr>(attr)) {
    if (objectExpected) {
      llvm::Expected<json::Value> parsed = json::parse(s.getValue());
      if (parsed && parsed->getAsObject())
        return std::move(*parsed);
      llvm::consumeError(parsed ? llvm::Error::success() : parsed.takeError());
    }
    return s.getValue().str();
  }
  if (auto a = llvm::dyn_cast<ArrayAttr>(attr)) {
    json::Array out;
    for (Attribute e : a)
      out.push_back(attributeToJson(e));
    return out;
  }
  if (auto d = llvm::dyn_cast<DictionaryAttr>(attr)) {
    json::Object out;
    for (NamedAttribute e : d)
      out[e.getName().str()] = attributeToJson(e.getValue());
    return out;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  attr.print(os);
  return text;
}
