//===- Export.cpp - the tl dialect to EinsumGraph JSON --------------------===//
//
// Every SSA value becomes a slot: arguments keep their binding name,
// constants their `const_` name, values returned as outputs the output's
// name, and the other intermediates temp_N. Each op becomes one node.
//
//===----------------------------------------------------------------------===//

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Target/TensorLogicJSON/JSONAttributes.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::tl;
namespace json = llvm::json;

/// The single function to export from a module or function op.
static FailureOr<func::FuncOp> findFunction(Operation *op) {
  if (auto f = llvm::dyn_cast<func::FuncOp>(op))
    return f;
  SmallVector<func::FuncOp> funcs;
  op->walk([&](func::FuncOp f) {
    if (!f.isExternal())
      funcs.push_back(f);
  });
  if (funcs.size() != 1)
    return op->emitError(
               "export: expected exactly one function with a body, found ")
           << funcs.size();
  return funcs.front();
}

/// `const_<v>` in the spelling Rust's f64::from_str reads back exactly.
static std::string constName(double v) {
  if (std::isnan(v))
    return "const_nan";
  if (std::isinf(v))
    return v > 0 ? "const_inf" : "const_-inf";
  if (v == std::trunc(v) && std::fabs(v) < 1e15)
    return "const_" + std::to_string(static_cast<long long>(v));
  // The shortest spelling that reads back exactly; 17 digits always do.
  char buf[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return std::string("const_") + buf;
}

LogicalResult mlir::tl::exportTensorLogicJSON(Operation *moduleOrFunc,
                                              llvm::raw_ostream &os) {
  FailureOr<func::FuncOp> found = findFunction(moduleOrFunc);
  if (failed(found))
    return failure();
  func::FuncOp func = *found;
  if (!func.getBody().hasOneBlock())
    return func.emitError("export: the function must have a single block");

  json::Array tensors;
  json::Array nodes;
  DenseMap<Value, size_t> slotOf;
  llvm::StringSet<> used;
  auto addSlot = [&](const std::string &name) {
    tensors.push_back(name);
    used.insert(name);
    return tensors.size() - 1;
  };

  // Names that values returned as outputs will take.
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  DenseMap<Value, std::string> outputName;
  SmallVector<std::string> resultNames;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
    std::string n = name ? name.str() : "output_" + std::to_string(i);
    resultNames.push_back(n);
    if (v.getDefiningOp() && !llvm::isa<ConstantOp>(v.getDefiningOp()))
      outputName.try_emplace(v, n);
  }

  for (BlockArgument arg : func.getArguments()) {
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
    slotOf[arg] =
        addSlot(name ? name.str() : "arg" + std::to_string(arg.getArgNumber()));
  }

  unsigned temp = 0;
  auto freshTemp = [&]() {
    std::string n;
    do
      n = "temp_" + std::to_string(temp++);
    while (used.contains(n));
    return n;
  };

  for (Operation &op : func.getBody().front()) {
    if (llvm::isa<func::ReturnOp>(op))
      continue;
    if (auto c = llvm::dyn_cast<ConstantOp>(op)) {
      auto dense = llvm::cast<DenseElementsAttr>(c.getValue());
      auto type = llvm::cast<ShapedType>(dense.getType());
      if (!type.hasRank() || type.getRank() != 0)
        return c.emitError("export: only 0-d constants have a TensorLogic "
                           "JSON form (const_<number> slots), got ")
               << type;
      double v = (*dense.getValues<APFloat>().begin()).convertToDouble();
      slotOf[c] = addSlot(c.getSlot() ? c.getSlot()->str() : constName(v));
      continue;
    }
    json::Object opObj, node;
    if (auto u = llvm::dyn_cast<UnaryOp>(op)) {
      opObj["ElemUnary"] =
          json::Object{{"op", stringifyUnaryKind(u.getKind())}};
    } else if (auto b = llvm::dyn_cast<BinaryOp>(op)) {
      opObj["ElemBinary"] =
          json::Object{{"op", stringifyBinaryKind(b.getKind())}};
    } else if (auto r = llvm::dyn_cast<ReduceOp>(op)) {
      json::Array axes;
      for (int64_t a : r.getAxes())
        axes.push_back(a);
      opObj["Reduce"] = json::Object{{"op", stringifyReduceKind(r.getKind())},
                                     {"axes", std::move(axes)}};
    } else if (auto e = llvm::dyn_cast<EinsumOp>(op)) {
      bool combine = e.getCombine() != BinaryKind::multiply;
      bool reduce = e.getReduce() != ReduceKind::sum;
      std::string spec = e.getSpec().str();
      if (combine && reduce)
        return e.emitError("export: an einsum with both a combine and a "
                           "reduce kind has no TensorLogic JSON form");
      if (combine)
        spec = stringifyBinaryKind(e.getCombine()).str() + "(" + spec + ")";
      if (reduce)
        spec = stringifyReduceKind(e.getReduce()).str() + "(" + spec + ")";
      opObj["Einsum"] = json::Object{{"spec", spec}};
    } else {
      return op.emitError("export: '")
             << op.getName() << "' has no TensorLogic JSON form";
    }
    json::Array ins;
    for (Value v : op.getOperands())
      ins.push_back(slotOf[v]);
    Value result = op.getResult(0);
    auto it = outputName.find(result);
    size_t slot = addSlot(it != outputName.end() ? it->second : freshTemp());
    slotOf[result] = slot;
    node["op"] = std::move(opObj);
    node["inputs"] = std::move(ins);
    node["outputs"] = json::Array{slot};
    if (Attribute md = op.getAttr("tl.metadata"))
      node["metadata"] = attributeToJson(md, /*objectExpected=*/true);
    nodes.push_back(std::move(node));
  }

  // Outputs: a value already in a slot of another name (an argument, a
  // constant, a value returned twice) is copied by an identity einsum.
  json::Array outputs;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    size_t slot = slotOf[v];
    if (*tensors[slot].getAsString() != resultNames[i]) {
      auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!type || type.getRank() > 52)
        return ret.emitError("export: output '")
               << resultNames[i]
               << "' aliases another slot and its rank is unknown";
      std::string labels;
      for (int64_t d = 0; d < type.getRank(); ++d)
        labels.push_back(d < 26 ? 'a' + d : 'A' + (d - 26));
      size_t copy = addSlot(resultNames[i]);
      nodes.push_back(json::Object{
          {"op", json::Object{{"Einsum", json::Object{{"spec", labels + "->" +
                                                                   labels}}}}},
          {"inputs", json::Array{slot}},
          {"outputs", json::Array{copy}}});
      slot = copy;
    }
    outputs.push_back(slot);
  }

  auto firstSlotNamed = [&](llvm::StringRef name) -> std::optional<size_t> {
    for (size_t i = 0; i < tensors.size(); ++i)
      if (*tensors[i].getAsString() == name)
        return i;
    return std::nullopt;
  };
  json::Object tensorMetadata;
  if (auto md = func->getAttrOfType<DictionaryAttr>("tl.tensor_metadata"))
    for (NamedAttribute e : md) {
      std::optional<size_t> slot = firstSlotNamed(e.getName());
      if (!slot) // keep metadata of slots that did not survive import
        slot = addSlot(e.getName().str());
      tensorMetadata[std::to_string(*slot)] =
          attributeToJson(e.getValue(), /*objectExpected=*/true);
    }
  json::Array graphInputs;
  if (auto names = func->getAttrOfType<ArrayAttr>("tl.graph_inputs"))
    for (Attribute a : names)
      if (auto s = llvm::dyn_cast<StringAttr>(a))
        if (std::optional<size_t> slot = firstSlotNamed(s.getValue()))
          graphInputs.push_back(*slot);

  json::Object graph{{"tensors", std::move(tensors)},
                     {"nodes", std::move(nodes)},
                     {"inputs", std::move(graphInputs)},
                     {"outputs", std::move(outputs)},
                     {"tensor_metadata", std::move(tensorMetadata)}};
  json::Value out = std::move(graph);
  if (auto wrapper = func->getAttrOfType<DictionaryAttr>("tl.wrapper")) {
    json::Object w;
    for (NamedAttribute e : wrapper)
      w[e.getName().str()] = attributeToJson(e.getValue());
    w["graph"] = std::move(out);
    out = std::move(w);
  }
  os << out << "\n"; // compact, like the serde output of the Rust compiler
  return success();
}
