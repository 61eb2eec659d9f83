//===- BooleanJoins.cpp - max-joins of 0/1 relations as counting joins ----===//
//
// A value specialization: it relies on the `tl.values = "binary"` marks of
// the arguments, which the tiered JIT sets from a value profile and guards
// at run time (docs/Tiering.md). The rewrite is exact for 0/1 operands:
// max over b of a product of 0/1 values is 1 iff some product is 1, iff
// the sum of the products (all >= 0) is positive.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"


namespace mlir::tl {
#define GEN_PASS_DEF_TLBOOLEANJOINSPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The name of `v` when it is an argument marked binary, else "".
std::string binaryArgument(func::FuncOp func, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner()->getParentOp() != func)
    return "";
  auto values =
      func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kValuesAttr);
  auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
  if (!values || values.getValue() != "binary" || !name)
    return "";
  return name.str();
}

/// Whether every summed label of `op` has a static size above 0.
bool reducesOverSomething(EinsumOp op, const EinsumSpec &spec) {
  std::string reduced = spec.reducedLabels();
  if (reduced.empty())
    return false; // nothing is maxed over: nothing to gain
  for (char label : reduced)
    for (auto [sub, operand] : llvm::zip(spec.inputs, op.getInputs())) {
      size_t at = sub.find(label);
      if (at == std::string::npos)
        continue;
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!type || type.isDynamicDim(at) || type.getDimSize(at) == 0)
        return false;
    }
  return true;
}

struct TLBooleanJoinsPass
    : mlir::tl::impl::TLBooleanJoinsPassBase<TLBooleanJoinsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // In first-seen order, each once.
    std::vector<std::string> relied;
    auto rely = [&](const std::string &what) {
      if (!llvm::is_contained(relied, what))
        relied.push_back(what);
    };
    func.walk([&](EinsumOp op) {
      if (op.getCombine() != BinaryKind::multiply ||
          op.getReduce() != ReduceKind::max)
        return;
      EinsumSpec spec = op.getParsedSpec();
      std::vector<std::string> names;
      for (Value operand : op.getInputs()) {
        std::string name = binaryArgument(func, operand);
        if (name.empty())
          return;
        names.push_back(name);
      }
      if (!reducesOverSomething(op, spec))
        return;
      OpBuilder b(op);
      auto sum = b.create<EinsumOp>(op.getLoc(), op.getResult().getType(),
                                    op.getSpec(), op.getInputs(),
                                    BinaryKind::multiply, ReduceKind::sum);
      sum->setDiscardableAttrs(op->getDiscardableAttrDictionary());
      auto step = b.create<UnaryOp>(op.getLoc(), UnaryKind::step, sum);
      op.getResult().replaceAllUsesWith(step.getResult());
      op.erase();
      for (std::string &n : names)
        rely("binary:" + n);
    });
    if (relied.empty())
      return;
    SmallVector<Attribute> assumes;
    Builder b(func.getContext());
    if (auto before = func->getAttrOfType<ArrayAttr>(kAssumesAttr))
      for (Attribute a : before)
        if (auto s = dyn_cast<StringAttr>(a))
          rely(s.str());
    for (const std::string &r : relied)
      assumes.push_back(b.getStringAttr(r));
    func->setAttr(kAssumesAttr, b.getArrayAttr(assumes));
  }
};

} // namespace
