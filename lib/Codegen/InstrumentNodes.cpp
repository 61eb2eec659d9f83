//===- InstrumentNodes.cpp - runtime spans around each node's kernel ------===//
//
// Per-node timing from the generated code itself: the spans measure what
// runs (after fusion, threading and library calls), and an op that fused
// several nodes is named by the first of them.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLINSTRUMENTNODESPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// What groups ops into one span: the imported node, else the source line
/// (all ops lowered from one tl op share it), else the op's name.
std::string spanKey(Operation *op) {
  std::string node = describeOp(op);
  if (llvm::StringRef(node).starts_with("node "))
    return node;
  Location loc = op->getLoc();
  while (true) {
    if (auto f = dyn_cast<FileLineColLoc>(loc))
      return f.getLine() ? "line " + std::to_string(f.getLine()) : node;
    if (auto n = dyn_cast<NameLoc>(loc)) {
      loc = n.getChildLoc();
      continue;
    }
    if (auto f = dyn_cast<FusedLoc>(loc); f && !f.getLocations().empty()) {
      loc = f.getLocations().front();
      continue;
    }
    return node;
  }
}

/// Ops that do work worth timing (not bookkeeping).
bool isWork(Operation *op) {
  if (op->hasTrait<OpTrait::IsTerminator>() || op->hasTrait<OpTrait::ConstantLike>())
    return false;
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::CastOp, memref::SubViewOp, memref::ReinterpretCastOp,
          memref::ExpandShapeOp, memref::CollapseShapeOp, memref::DimOp,
          memref::TransposeOp, bufferization::DeallocOp,
          bufferization::ToMemrefOp, bufferization::ToTensorOp>(op))
    return false;
  return !op->getDialect() ||
         op->getDialect()->getNamespace() != "arith" || op->getNumRegions();
}

struct TLInstrumentNodesPass
    : tl::impl::TLInstrumentNodesPassBase<TLInstrumentNodesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    auto type = b.getFunctionType({b.getI64Type()}, {});
    auto declare = [&](StringRef name) {
      if (auto f = module.lookupSymbol<func::FuncOp>(name))
        return f;
      auto f = b.create<func::FuncOp>(module.getLoc(), name, type);
      f.setPrivate();
      return f;
    };
    func::FuncOp begin = declare("tl_rt_span_begin");
    func::FuncOp end = declare("tl_rt_span_end");

    SmallVector<Attribute> names;
    llvm::StringMap<int64_t> ids; // by key
    for (auto f : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (f.isPrivate() || f.isExternal())
        continue;
      for (Block &block : f.getBody()) {
        // Runs of work ops with one name; bookkeeping in between does not
        // break a run.
        Operation *first = nullptr, *last = nullptr;
        std::string current;
        auto close = [&] {
          if (!first)
            return;
          auto [it, inserted] = ids.try_emplace(current, names.size());
          if (inserted) // a line is shown with the op the span starts at
            names.push_back(b.getStringAttr(
                llvm::StringRef(current).starts_with("line ")
                    ? current + " (" + describeOp(first) + ")"
                    : current));
          b.setInsertionPoint(first);
          Value id = b.create<arith::ConstantIntOp>(first->getLoc(),
                                                    it->second, 64);
          b.create<func::CallOp>(first->getLoc(), begin, ValueRange{id});
          b.setInsertionPointAfter(last);
          b.create<func::CallOp>(last->getLoc(), end, ValueRange{id});
          first = last = nullptr;
        };
        for (Operation &op : llvm::make_early_inc_range(block)) {
          if (!isWork(&op))
            continue;
          std::string name = spanKey(&op);
          if (first && name != current)
            close();
          if (!first) {
            first = &op;
            current = name;
          }
          last = &op;
        }
        close();
      }
    }
    module->setAttr("tl.profile_nodes", b.getArrayAttr(names));
  }
};

} // namespace
