//===- ExposeIntermediates.cpp - return every computed value --------------===//

#include "tl/Dialect/TL/IR/GradientRegistry.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLEXPOSEINTERMEDIATESPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {
struct TLExposeIntermediatesPass
    : tl::impl::TLExposeIntermediatesPassBase<TLExposeIntermediatesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    MLIRContext *ctx = &getContext();
    Block &body = func.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    SmallVector<Value> results(ret.getOperands());
    SmallVector<DictionaryAttr> resultAttrs;
    Builder b(ctx);
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      DictionaryAttr attrs = func.getResultAttrDict(i);
      resultAttrs.push_back(attrs ? attrs : b.getDictionaryAttr({}));
    }
    llvm::StringMap<unsigned> writes;
    unsigned index = 0;
    for (Operation &op : body.without_terminator()) {
      ++index;
      if (isa<ConstantOp>(op) || op.getNumResults() != 1)
        continue;
      std::string name = slotOf(&op);
      if (name.empty())
        name = "value" + std::to_string(index - 1);
      if (unsigned n = ++writes[name]; n > 1)
        name += "#" + std::to_string(n);
      results.push_back(op.getResult(0));
      resultAttrs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr(kNameAttr, b.getStringAttr(name)),
           b.getNamedAttr("tl.node", b.getStringAttr(describeOp(&op))),
           b.getNamedAttr("tl.op", b.getStringAttr(gradientKey(&op)))}));
    }
    OpBuilder(ret).create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    func.setFunctionType(FunctionType::get(ctx, func.getArgumentTypes(),
                                           ValueRange(results).getTypes()));
    func.setAllResultAttrs(resultAttrs);
  }
};
} // namespace
