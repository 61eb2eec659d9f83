//===- Export.cpp - the tl dialect to EinsumGraph JSON --------------------===//
//
// Every SSA value becomes a slot: arguments keep their binding name,
// constants their `const_` name, values returned as outputs the output's
// name, and the other intermediates temp_N. Each op becomes one node; a
// tl.fixpoint becomes a node of the extension tl.fixpoint/1 whose body
// holds its ops, and the graph is then versioned to declare it.
//
//===----------------------------------------------------------------------===//

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Target/TensorLogicJSON/JSONAttributes.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

#include <functional>

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

  // slot `to` = slot `from`, an identity einsum of the value's rank.
  auto copyNode = [&](size_t from, size_t to, Type valueType,
                      Operation *where) -> FailureOr<json::Value> {
    auto type = llvm::dyn_cast<RankedTensorType>(valueType);
    if (!type || type.getRank() > 52)
      return where->emitError("export: slot '")
             << *tensors[to].getAsString()
             << "' takes a copy of another slot, and the value's rank is "
                "unknown";
    std::string labels;
    for (int64_t d = 0; d < type.getRank(); ++d)
      labels.push_back(d < 26 ? 'a' + d : 'A' + (d - 26));
    return json::Value(json::Object{
        {"op",
         json::Object{
             {"Einsum", json::Object{{"spec", labels + "->" + labels}}}}},
        {"inputs", json::Array{from}},
        {"outputs", json::Array{to}}});
  };

  bool usesFixpoint = false;
  DenseMap<Value, size_t> stateSlot; // values a body writes into a state

  std::function<LogicalResult(Block &, json::Array &)> exportBlock =
      [&](Block &block, json::Array &nodes) -> LogicalResult {
    for (Operation &op : block) {
      if (llvm::isa<func::ReturnOp, YieldOp>(op))
        continue;
      if (auto fix = llvm::dyn_cast<FixpointOp>(op)) {
        // The extension's node: the states are slots the body reads as the
        // current values and leaves holding the next ones.
        usesFixpoint = true;
        json::Array ins, outs, body;
        for (Value init : fix.getInits())
          ins.push_back(slotOf[init]);
        SmallVector<size_t> states;
        for (auto [i, r] : llvm::enumerate(fix.getResults())) {
          auto it = outputName.find(r);
          size_t slot =
              addSlot(it != outputName.end() ? it->second : freshTemp());
          states.push_back(slot);
          outs.push_back(slot);
          slotOf[r] = slot;
          slotOf[fix.getBodyBlock().getArgument(i)] = slot;
        }
        // A next state that its node can write straight into the state's
        // slot: yielded once and used nowhere else, and the state's current
        // value is not read after it (the slot then no longer holds it).
        Block &loop = fix.getBodyBlock();
        for (auto [i, v] : llvm::enumerate(fix.getYield().getValues())) {
          Operation *def = v.getDefiningOp();
          if (!def || def->getBlock() != &loop || !v.hasOneUse() ||
              llvm::isa<ConstantOp>(def))
            continue;
          BlockArgument current = loop.getArgument(i);
          bool readLater = false;
          for (Operation *o = def->getNextNode(); o && !readLater;
               o = o->getNextNode())
            o->walk([&](Operation *inner) {
              readLater |= llvm::is_contained(inner->getOperands(), current);
            });
          if (!readLater)
            stateSlot[v] = states[i];
        }
        if (failed(exportBlock(loop, body)))
          return failure();
        // Next values into the states' slots; one read from another state's
        // slot goes through a temporary, so no copy overwrites a value a
        // later one reads.
        SmallVector<std::pair<size_t, Type>> moves; // (from, type) per state
        for (auto [i, v] : llvm::enumerate(fix.getYield().getValues())) {
          size_t from = slotOf[v];
          // The state's type where the value's rank is not known (import
          // leaves unranked values that a state's type ranks).
          Type type = llvm::isa<RankedTensorType>(v.getType())
                          ? v.getType()
                          : fix.getResult(i).getType();
          if (from != states[i] && llvm::is_contained(states, from)) {
            size_t temp = addSlot(freshTemp());
            FailureOr<json::Value> copy = copyNode(from, temp, type, fix);
            if (failed(copy))
              return failure();
            body.push_back(std::move(*copy));
            from = temp;
          }
          moves.push_back({from, type});
        }
        for (auto [i, move] : llvm::enumerate(moves)) {
          if (move.first == states[i])
            continue;
          FailureOr<json::Value> copy =
              copyNode(move.first, states[i], move.second, fix);
          if (failed(copy))
            return failure();
          body.push_back(std::move(*copy));
        }
        json::Object payload{{"body", std::move(body)},
                             {"max_iterations", fix.getMaxIterations()}};
        payload["tolerance"] = fix.getTolerance().convertToDouble();
        if (fix.getWarnAtLimit())
          payload["at_limit"] = "warn";
        nodes.push_back(
            json::Object{{"op", json::Object{{"Fixpoint", std::move(payload)}}},
                         {"inputs", std::move(ins)},
                         {"outputs", std::move(outs)}});
        continue;
      }
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
      auto state = stateSlot.find(result);
      size_t slot =
          state != stateSlot.end()
              ? state->second
              : addSlot(it != outputName.end() ? it->second : freshTemp());
      slotOf[result] = slot;
      node["op"] = std::move(opObj);
      node["inputs"] = std::move(ins);
      node["outputs"] = json::Array{slot};
      if (Attribute md = op.getAttr("tl.metadata"))
        node["metadata"] = attributeToJson(md, /*objectExpected=*/true);
      nodes.push_back(std::move(node));
    }
    return success();
  };
  if (failed(exportBlock(func.getBody().front(), nodes)))
    return failure();

  // Outputs: a value already in a slot of another name (an argument, a
  // constant, a value returned twice) is copied by an identity einsum.
  json::Array outputs;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    size_t slot = slotOf[v];
    if (*tensors[slot].getAsString() != resultNames[i]) {
      size_t copy = addSlot(resultNames[i]);
      FailureOr<json::Value> node = copyNode(slot, copy, v.getType(), ret);
      if (failed(node))
        return failure();
      nodes.push_back(std::move(*node));
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
  auto wrapper = func->getAttrOfType<DictionaryAttr>("tl.wrapper");
  if (wrapper || usesFixpoint) {
    // Fixpoints need the versioned wrapper, which declares the extension.
    json::Object w;
    if (wrapper)
      for (NamedAttribute e : wrapper)
        w[e.getName().str()] = attributeToJson(e.getValue());
    else
      w["version"] = "1.0.0";
    if (usesFixpoint) {
      json::Array extensions;
      if (const json::Array *given = w.getArray("extensions"))
        extensions = *given;
      bool declared = llvm::any_of(extensions, [](const json::Value &e) {
        return e.getAsString() == kFixpointExtension;
      });
      if (!declared)
        extensions.push_back(kFixpointExtension);
      w["extensions"] = std::move(extensions);
    }
    w["graph"] = std::move(out);
    out = std::move(w);
  }
  os << out << "\n"; // compact, like the serde output of the Rust compiler
  return success();
}
