//===- Differentiate.cpp - reverse mode on the tl dialect (G12) -----------===//
//
// The adjoint function recomputes the forward values (it is a separate
// function, so nothing is saved between calls) and then walks the ops
// backwards, asking each for its vector-Jacobian product (ReverseMode.h;
// a tl.fixpoint answers with a tl.fixpoint_adjoint). Everything it
// builds is tl IR, so it is fused and compiled like a forward graph.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/ReverseMode.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLDIFFERENTIATEPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

std::string nameOf(func::FuncOp f, unsigned i, bool result) {
  auto a = result ? f.getResultAttrOfType<StringAttr>(i, kNameAttr)
                  : f.getArgAttrOfType<StringAttr>(i, kNameAttr);
  if (a)
    return a.str();
  return (result ? "result" : "arg") + std::to_string(i);
}

struct TLDifferentiatePass
    : tl::impl::TLDifferentiatePassBase<TLDifferentiatePass> {
  using TLDifferentiatePassBase::TLDifferentiatePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto f = module.lookupSymbol<func::FuncOp>(funcName);
    if (!f || f.isExternal()) {
      module.emitError("tl-differentiate: no function @") << funcName;
      return signalPassFailure();
    }
    if (!f.getBody().hasOneBlock()) {
      f.emitError("tl-differentiate: the function must have one block");
      return signalPassFailure();
    }
    // The arguments to differentiate with respect to.
    SmallVector<unsigned> wrtArgs;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      if (wrt.empty() || llvm::is_contained(wrt, nameOf(f, i, false)))
        wrtArgs.push_back(i);
    for (const std::string &w : wrt)
      if (llvm::none_of(wrtArgs, [&](unsigned i) {
            return nameOf(f, i, false) == w;
          })) {
        f.emitError("G12: no argument named '") << w << "' to differentiate";
        return signalPassFailure();
      }

    MLIRContext *ctx = &getContext();
    SmallVector<Type> argTypes(f.getArgumentTypes());
    llvm::append_range(argTypes, f.getResultTypes());
    SmallVector<Type> resultTypes;
    if (keepOutputs)
      llvm::append_range(resultTypes, f.getResultTypes());
    for (unsigned i : wrtArgs)
      resultTypes.push_back(f.getArgumentTypes()[i]);
    OpBuilder b(ctx);
    b.setInsertionPointAfter(f);
    auto g = b.create<func::FuncOp>(f.getLoc(), funcName + "_grad",
                                    FunctionType::get(ctx, argTypes,
                                                      resultTypes));
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      g.setArgAttrs(i, f.getArgAttrDict(i));
    for (unsigned i = 0; i < f.getNumResults(); ++i)
      g.setArgAttr(f.getNumArguments() + i, kNameAttr,
                   b.getStringAttr(nameOf(f, i, true) + ".cotangent"));
    unsigned firstGrad = keepOutputs ? f.getNumResults() : 0;
    for (unsigned i = 0; i < firstGrad; ++i)
      g.setResultAttrs(i, f.getResultAttrDict(i));
    for (auto [k, i] : llvm::enumerate(wrtArgs))
      g.setResultAttr(firstGrad + k, kNameAttr,
                      b.getStringAttr(nameOf(f, i, false)));

    Block *entry = g.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping forward;
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      forward.map(f.getArgument(i), entry->getArgument(i));
    Block &body = f.getBody().front();
    SmallVector<Operation *> clones;
    for (Operation &op : body.without_terminator())
      clones.push_back(b.clone(op, forward));

    Cotangents adjoint;
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    for (auto [i, v] : llvm::enumerate(ret.getOperands()))
      accumulateCotangent(b, adjoint, forward.lookup(v),
                          entry->getArgument(f.getNumArguments() + i),
                          ret.getLoc());
    if (failed(propagateCotangents(b, clones, adjoint)))
      return signalPassFailure();

    SmallVector<Value> results;
    if (keepOutputs)
      for (Value v : ret.getOperands())
        results.push_back(forward.lookup(v));
    SmallVector<Value> grads;
    for (unsigned i : wrtArgs) {
      Value ct = adjoint.lookup(entry->getArgument(i));
      if (!ct) // the outputs do not depend on it
        ct = zerosOf(b, f.getLoc(), f.getArgumentTypes()[i]);
      grads.push_back(ct);
    }
    if (sumInto.empty()) {
      llvm::append_range(results, grads);
      b.create<func::ReturnOp>(f.getLoc(), results);
      return;
    }
    // One gradient per array: the sum over the slots bound to it.
    SmallVector<std::string> arrays;
    llvm::StringMap<Value> sums;
    for (const std::string &pair : sumInto) {
      size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        f.emitError("tl-differentiate: sum-into entry '")
            << pair << "' is not ARRAY=SLOT";
        return signalPassFailure();
      }
      std::string array = pair.substr(0, eq), slot = pair.substr(eq + 1);
      Value grad;
      for (auto [k, i] : llvm::enumerate(wrtArgs))
        if (nameOf(f, i, false) == slot)
          grad = grads[k];
      if (!grad) {
        f.emitError("tl-differentiate: sum-into names slot '")
            << slot << "', which is not differentiated";
        return signalPassFailure();
      }
      auto [it, inserted] = sums.try_emplace(array, grad);
      if (inserted) {
        arrays.push_back(array);
        continue;
      }
      if (it->second.getType() != grad.getType()) {
        f.emitError("G12: the slots bound to array '")
            << array << "' have different types (" << it->second.getType()
            << ", " << grad.getType() << ")";
        return signalPassFailure();
      }
      it->second = b.create<BinaryOp>(f.getLoc(), grad.getType(),
                                      BinaryKind::add, it->second, grad);
    }
    for (const std::string &array : arrays)
      results.push_back(sums.lookup(array));
    b.create<func::ReturnOp>(f.getLoc(), results);
    SmallVector<DictionaryAttr> resultAttrs;
    for (unsigned i = 0; i < firstGrad; ++i)
      resultAttrs.push_back(g.getResultAttrDict(i)
                                ? g.getResultAttrDict(i)
                                : b.getDictionaryAttr({}));
    for (const std::string &array : arrays)
      resultAttrs.push_back(b.getDictionaryAttr(
          b.getNamedAttr(kNameAttr, b.getStringAttr(array))));
    g.setFunctionType(FunctionType::get(ctx, argTypes,
                                        ValueRange(results).getTypes()));
    g.setAllResultAttrs(resultAttrs);
  }
};

} // namespace
