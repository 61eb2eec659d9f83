//===- OneDNNKernels.cpp - choose oneDNN for GEMMs, then call it ----------===//
//
// tl-select-kernels marks the f32 matmuls and batched matmuls where oneDNN's
// sgemm beats generated code (a cost model: enough multiply-adds to pay for
// the call); tl-call-kernels, after bufferization, replaces each marked op
// by a call to the runtime's tl_rt_sgemm / tl_rt_batch_sgemm with the
// operands as strided memrefs. The decision is the op attribute
// `tl.kernel = "onednn"`, so lit tests and --emit=linalg show it, and
// tl-parallelize and tl-vectorize leave marked ops to the library (oneDNN
// threads internally).
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLSELECTKERNELSPASS
#define GEN_PASS_DEF_TLCALLKERNELSPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

bool mlir::tl::isLibraryKernel(Operation *op) {
  return op->hasAttr(kKernelAttr);
}

namespace {

/// M*N*K (times the batch) of a static matmul or batch_matmul, or 0.
int64_t multiplyAdds(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
    return 0;
  int64_t v = 1;
  for (int64_t r : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(r))
      return 0;
    v *= r;
  }
  return v;
}

struct TLSelectKernelsPass
    : tl::impl::TLSelectKernelsPassBase<TLSelectKernelsPass> {
  using TLSelectKernelsPassBase::TLSelectKernelsPassBase;

  void runOnOperation() override {
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() ||
          !getElementTypeOrSelf(op.getDpsInits()[0].getType()).isF32())
        return;
      int64_t volume = multiplyAdds(op);
      if (volume > 0 && volume >= minVolume)
        op->setAttr(kKernelAttr, StringAttr::get(op->getContext(), "onednn"));
    });
  }
};

struct TLCallKernelsPass
    : tl::impl::TLCallKernelsPassBase<TLCallKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (isLibraryKernel(op) && op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : ops) {
      bool batched = isa<linalg::BatchMatmulOp>(op);
      StringRef name = batched ? "tl_rt_batch_sgemm" : "tl_rt_sgemm";
      // Any strides and offset: one C signature serves every call.
      int64_t rank = batched ? 3 : 2;
      auto anyLayout = StridedLayoutAttr::get(
          &getContext(), ShapedType::kDynamic,
          SmallVector<int64_t>(rank, ShapedType::kDynamic));
      auto argType = MemRefType::get(
          SmallVector<int64_t>(rank, ShapedType::kDynamic), b.getF32Type(),
          anyLayout);
      auto callee = module.lookupSymbol<func::FuncOp>(name);
      if (!callee) {
        b.setInsertionPointToStart(module.getBody());
        callee = b.create<func::FuncOp>(
            op.getLoc(), name,
            b.getFunctionType({argType, argType, argType}, {}));
        callee.setPrivate();
      }
      b.setInsertionPoint(op);
      SmallVector<Value> args;
      for (Value v : op->getOperands())
        args.push_back(b.create<memref::CastOp>(op.getLoc(), argType, v));
      b.create<func::CallOp>(op.getLoc(), callee, args);
      op->erase();
    }
  }
};

} // namespace
