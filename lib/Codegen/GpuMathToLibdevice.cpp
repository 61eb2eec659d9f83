//===- GpuMathToLibdevice.cpp - libdevice calls MLIR 19 does not make -----===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLGPUMATHTOLIBDEVICEPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// libdevice's name for `op` on `type`, or "" when it has none here.
std::string libdeviceName(Operation *op, Type type) {
  const char *base = isa<math::RoundOp>(op)       ? "__nv_round"
                     : isa<math::RoundEvenOp>(op) ? "__nv_rint"
                                                  : nullptr;
  if (!base || !(type.isF32() || type.isF64()))
    return "";
  return std::string(base) + (type.isF32() ? "f" : "");
}

struct TLGpuMathToLibdevicePass
    : public mlir::tl::impl::TLGpuMathToLibdevicePassBase<
          TLGpuMathToLibdevicePass> {
  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<math::RoundOp, math::RoundEvenOp>(op))
        ops.push_back(op);
    });
    OpBuilder b(module.getContext());
    for (Operation *op : ops) {
      Type type = op->getResult(0).getType();
      std::string name = libdeviceName(op, type);
      if (name.empty())
        continue; // vectors or other types: left for the conversion to report
      auto callee = symbols.lookup<LLVM::LLVMFuncOp>(name);
      if (!callee) {
        b.setInsertionPointToStart(module.getBody());
        callee = b.create<LLVM::LLVMFuncOp>(
            module.getLoc(), name, LLVM::LLVMFunctionType::get(type, {type}));
        symbols.insert(callee);
      }
      b.setInsertionPoint(op);
      auto call = b.create<LLVM::CallOp>(op->getLoc(), callee,
                                         ValueRange{op->getOperand(0)});
      op->replaceAllUsesWith(call.getResults());
      op->erase();
    }
  }
};

} // namespace
