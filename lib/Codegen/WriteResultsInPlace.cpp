//===- WriteResultsInPlace.cpp - no final copy into out-parameters --------===//
//
// The copies that buffer-results-to-out-params inserts sit right before the
// return, so nothing reads or writes the allocation after its copy: using
// the out-parameter in its place from the start gives the same contents.
// The allocation may reach the copy through the tiled loops that carry it
// (each yields the buffer it was given). Out-parameters are fresh arguments that only these copies touch, so no
// other access to them is reordered.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLWRITERESULTSINPLACEPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The allocation `value` is, seen through scf.for loops that carry a
/// buffer and yield it back unchanged (the tiled loops of a kernel that
/// writes into its output), or null.
memref::AllocOp carriedAlloc(Value value) {
  while (auto loop = value.getDefiningOp<scf::ForOp>()) {
    auto result = cast<OpResult>(value);
    unsigned i = result.getResultNumber();
    Value yielded = loop.getBody()->getTerminator()->getOperand(i);
    Value iterArg = loop.getRegionIterArg(i);
    // What the body yields must be the carried buffer itself, directly or
    // through a nested loop of the same kind.
    Value inner = yielded;
    while (inner != iterArg) {
      auto nested = inner.getDefiningOp<scf::ForOp>();
      if (!nested)
        return nullptr;
      unsigned j = cast<OpResult>(inner).getResultNumber();
      if (nested.getBody()->getTerminator()->getOperand(j) !=
          nested.getRegionIterArg(j))
        return nullptr;
      inner = nested.getInitArgs()[j];
    }
    value = loop.getInitArgs()[i];
  }
  return value.getDefiningOp<memref::AllocOp>();
}

/// A copy's (source, target): memref.copy on the CPU, linalg.copy where the
/// GPU pipeline has copies made as kernels; nulls for anything else.
std::pair<Value, Value> copyOperands(Operation *op) {
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return {copy.getSource(), copy.getTarget()};
  if (auto copy = dyn_cast<linalg::CopyOp>(op))
    if (copy.hasPureBufferSemantics())
      return {copy.getInputs()[0], copy.getOutputs()[0]};
  return {};
}

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
    SmallVector<Operation *> copies;
    for (Operation *op = ret->getPrevNode(); op; op = op->getPrevNode()) {
      if (!copyOperands(op).first)
        break;
      copies.push_back(op);
    }
    for (Operation *copy : llvm::reverse(copies)) {
      auto [source, target] = copyOperands(copy);
      auto out = dyn_cast<BlockArgument>(target);
      memref::AllocOp alloc = carriedAlloc(source);
      if (!out || out.getOwner() != &entry || !alloc ||
          alloc.getType() != out.getType() || alloc->getBlock() != &entry)
        continue;
      // The out-parameter must be untouched by anything but this copy.
      if (!out.hasOneUse())
        continue;
      copy->erase();
      alloc.getResult().replaceAllUsesWith(out);
      alloc.erase();
      // Loops that carried the allocation now carry the out-parameter:
      // their results are that buffer too, and nothing else reads them.
    }
  }
};

} // namespace
