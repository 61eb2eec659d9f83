//===- WriteResultsInPlace.cpp - no final copy into out-parameters --------===//
//
// The copies that buffer-results-to-out-params inserts sit right before the
// return, so nothing reads or writes the allocation after its copy: using
// the out-parameter in its place from the start gives the same contents.
// Out-parameters are fresh arguments that only these copies touch, so no
// other access to them is reordered.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLWRITERESULTSINPLACEPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

struct TLWriteResultsInPlacePass
    : tl::impl::TLWriteResultsInPlacePassBase<TLWriteResultsInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(entry.getTerminator());
    if (!ret)
      return;
    // The copies into arguments that directly precede the return.
    SmallVector<memref::CopyOp> copies;
    for (Operation *op = ret->getPrevNode(); op; op = op->getPrevNode()) {
      auto copy = dyn_cast<memref::CopyOp>(op);
      if (!copy)
        break;
      copies.push_back(copy);
    }
    for (memref::CopyOp copy : llvm::reverse(copies)) {
      auto out = dyn_cast<BlockArgument>(copy.getTarget());
      auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
      if (!out || out.getOwner() != &entry || !alloc ||
          alloc.getType() != out.getType() || alloc->getBlock() != &entry)
        continue;
      // The out-parameter must be untouched by anything but this copy.
      if (!out.hasOneUse())
        continue;
      copy.erase();
      alloc.getResult().replaceAllUsesWith(out);
      alloc.erase();
    }
  }
};

} // namespace
