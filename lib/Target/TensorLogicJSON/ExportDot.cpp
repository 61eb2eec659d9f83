//===- ExportDot.cpp - a Graphviz picture of a tl function
//-----------------===//
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

namespace {

/// Writes a function's ops as Graphviz nodes and edges; a fixpoint's body
/// is a dashed cluster whose states are fed by the op and by its yield.
class DotWriter {
public:
  DotWriter(llvm::raw_ostream &os, unsigned &next) : os(os), next(next) {}

  void writeFunction(func::FuncOp func) {
    os << "  subgraph cluster_" << next++ << " {\n    label=\"@"
       << escape(func.getSymName()) << "\";\n";
    for (BlockArgument arg : func.getArguments()) {
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
      node(arg, "ellipse", name ? name.getValue() : "arg", arg.getType());
    }
    writeBlock(func.getBody().front(), func, "    ");
    os << "  }\n";
  }

private:
  std::string newId() { return "v" + std::to_string(next++); }
  void node(Value v, llvm::StringRef shape, llvm::StringRef label, Type type) {
    std::string id = newId();
    ids[v] = id;
    os << "    " << id << " [shape=" << shape << ", label=\"" << escape(label)
       << "\\n"
       << typeText(type) << "\"];\n";
  }

  void writeBlock(Block &block, func::FuncOp func, llvm::StringRef indent) {
    for (Operation &op : block) {
      if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
          std::string id = newId();
          os << indent << id << " [shape=doubleoctagon, label=\""
             << escape(name ? name.getValue() : "result") << "\"];\n";
          os << indent << ids[v] << " -> " << id << ";\n";
        }
        continue;
      }
      std::string id = newId();
      if (auto yield = llvm::dyn_cast<YieldOp>(op)) {
        // The next states go back to the states, dashed.
        os << indent << id << " [shape=box, style=dashed, label=\"yield\"];\n";
        for (Value v : yield.getValues())
          os << indent << ids[v] << " -> " << id << ";\n";
        for (BlockArgument state : block.getArguments())
          os << indent << id << " -> " << ids[state]
             << " [style=dashed, label=\"next\"];\n";
        continue;
      }
      std::string shape = llvm::isa<ConstantOp>(op) ? "plaintext" : "box";
      os << indent << id << " [shape=" << shape << ", style=rounded, label=\""
         << escape(opLabel(op)) << "\\n";
      if (op.getNumResults())
        os << typeText(op.getResult(0).getType());
      os << "\"];\n";
      for (Value v : op.getOperands())
        os << indent << ids[v] << " -> " << id << ";\n";
      for (Value r : op.getResults())
        ids[r] = id;
      if (auto fixpoint = llvm::dyn_cast<FixpointOp>(op)) {
        os << indent << "subgraph cluster_" << next++ << " {\n"
           << indent << "  label=\"fixpoint body\";\n"
           << indent << "  style=dashed;\n";
        std::string inner = (indent + "  ").str();
        for (BlockArgument state : fixpoint.getBodyBlock().getArguments()) {
          std::string stateId = newId();
          ids[state] = stateId;
          os << inner << stateId
             << " [shape=ellipse, style=dashed, label=\"state "
             << state.getArgNumber() << "\\n"
             << typeText(state.getType()) << "\"];\n";
          os << inner << id << " -> " << stateId << " [style=dotted];\n";
        }
        writeBlock(fixpoint.getBodyBlock(), func, inner);
        os << indent << "}\n";
      }
    }
  }

  llvm::raw_ostream &os;
  unsigned &next;
  DenseMap<Value, std::string> ids;
};

} // namespace

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
  for (func::FuncOp func : funcs)
    if (!func.isExternal())
      DotWriter(os, next).writeFunction(func);
  os << "}\n";
  return success();
}
