//===- ExportDot.cpp - a Graphviz picture of a tl function -----------------===//
//
// Inputs are ellipses named by their binding name, ops rounded boxes with
// their kind (einsum spec) and result shape, outputs double octagons named
// by their slot; edges carry the value's type.
//
//===----------------------------------------------------------------------===//

#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "tl/Dialect/TL/IR/TLOps.h"

using namespace mlir;
using namespace mlir::tl;

static std::string escape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

static std::string typeText(Type t) {
  if (auto r = llvm::dyn_cast<RankedTensorType>(t))
    return formatShape(r.getShape());
  return "(unranked)";
}

static std::string opLabel(Operation &op) {
  if (auto u = llvm::dyn_cast<UnaryOp>(op))
    return stringifyUnaryKind(u.getKind()).str();
  if (auto b = llvm::dyn_cast<BinaryOp>(op))
    return stringifyBinaryKind(b.getKind()).str();
  if (auto r = llvm::dyn_cast<ReduceOp>(op)) {
    std::string s = stringifyReduceKind(r.getKind()).str() + " axes [";
    for (auto [i, a] : llvm::enumerate(r.getAxes()))
      s += (i ? ", " : "") + std::to_string(a);
    return s + "]";
  }
  if (auto e = llvm::dyn_cast<EinsumOp>(op)) {
    std::string s = "einsum " + e.getSpec().str();
    if (e.getCombine() != BinaryKind::multiply)
      s += "\\ncombine " + stringifyBinaryKind(e.getCombine()).str();
    if (e.getReduce() != ReduceKind::sum)
      s += "\\nreduce " + stringifyReduceKind(e.getReduce()).str();
    return s;
  }
  if (auto c = llvm::dyn_cast<ConstantOp>(op)) {
    if (c.getSlot())
      return c.getSlot()->str();
    return "constant";
  }
  return op.getName().getStringRef().str();
}

LogicalResult mlir::tl::exportDot(Operation *moduleOrFunc,
                                  llvm::raw_ostream &os) {
  SmallVector<func::FuncOp> funcs;
  if (auto f = llvm::dyn_cast<func::FuncOp>(moduleOrFunc))
    funcs.push_back(f);
  else
    moduleOrFunc->walk([&](func::FuncOp f) { funcs.push_back(f); });
  os << "digraph tl {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  unsigned next = 0;
  for (func::FuncOp func : funcs) {
    if (func.isExternal())
      continue;
    DenseMap<Value, std::string> ids;
    os << "  subgraph cluster_" << next++ << " {\n    label=\"@"
       << escape(func.getSymName()) << "\";\n";
    for (BlockArgument arg : func.getArguments()) {
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
      std::string id = "v" + std::to_string(next++);
      ids[arg] = id;
      os << "    " << id << " [shape=ellipse, label=\""
         << escape(name ? name.getValue() : "arg") << "\\n"
         << typeText(arg.getType()) << "\"];\n";
    }
    for (Operation &op : func.getBody().front()) {
      if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
          std::string id = "v" + std::to_string(next++);
          os << "    " << id << " [shape=doubleoctagon, label=\""
             << escape(name ? name.getValue() : "result") << "\"];\n";
          os << "    " << ids[v] << " -> " << id << ";\n";
        }
        continue;
      }
      std::string id = "v" + std::to_string(next++);
      std::string shape = llvm::isa<ConstantOp>(op) ? "plaintext" : "box";
      os << "    " << id << " [shape=" << shape << ", style=rounded, label=\""
         << escape(opLabel(op)) << "\\n";
      if (op.getNumResults())
        os << typeText(op.getResult(0).getType());
      os << "\"];\n";
      for (Value v : op.getOperands())
        os << "    " << ids[v] << " -> " << id << ";\n";
      for (Value r : op.getResults())
        ids[r] = id;
    }
    os << "  }\n";
  }
  os << "}\n";
  return success();
}
