//===- InstrumentNodes.cpp - runtime spans around each node's kernel ------===//
//
// Per-node timing from the generated code itself: the spans measure what
// runs (after fusion, threading and library calls), and a span that holds
// the work of several nodes (a fused kernel, a parallel region) is named by
// all of them.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "tl/Dialect/TL/IR/TLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <functional>
#include <set>

namespace mlir::tl {
#define GEN_PASS_DEF_TLINSTRUMENTNODESPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

using NodeSet = llvm::SetVector<std::string, std::vector<std::string>,
                                std::set<std::string>>;

/// The node names ("node 3 (...)") in a location, else its source lines
/// ("line 3"), into `out`.
void collectKeys(Location loc, NodeSet &nodes,
                 llvm::SetVector<int64_t> &lines) {
  if (auto n = dyn_cast<NameLoc>(loc)) {
    if (n.getName().strref().starts_with("node "))
      nodes.insert(n.getName().str());
    collectKeys(n.getChildLoc(), nodes, lines);
  } else if (auto f = dyn_cast<FusedLoc>(loc)) {
    for (Location l : f.getLocations())
      collectKeys(l, nodes, lines);
  } else if (auto f = dyn_cast<FileLineColLoc>(loc)) {
    if (f.getLine())
      lines.insert(f.getLine());
  }
}

/// "node 3 (...)" -> 3, for ordering.
int64_t nodeIndex(llvm::StringRef name) {
  int64_t index = 0;
  name.drop_front(5).take_while(llvm::isDigit).getAsInteger(10, index);
  return index;
}

/// What a span around `op` is named: every node whose work it holds, in
/// node order ("node 0 (Einsum 'ab,bc->ac') + node 1 (ElemUnary
/// sigmoid)"), looking into nested regions and into the functions it
/// references (the chunks tl-parallelize outlined); for MLIR input, the
/// source lines ("line 3 + line 4"); "" for an op that belongs to no node.
std::string spanKey(Operation *op, SymbolTable &symbols) {
  NodeSet nodes;
  llvm::SetVector<int64_t> lines;
  llvm::SmallPtrSet<Operation *, 4> visited;
  std::function<void(Operation *)> visit = [&](Operation *o) {
    // Functions an op calls or passes on (tl_rt_parallel_for takes the
    // outlined chunk as a func.constant operand).
    auto follow = [&](Operation *holder) {
      for (NamedAttribute attr : holder->getAttrs())
        if (auto ref = dyn_cast<FlatSymbolRefAttr>(attr.getValue()))
          if (Operation *callee = symbols.lookup(ref.getValue()))
            if (isa<func::FuncOp>(callee) && visited.insert(callee).second)
              visit(callee);
    };
    o->walk([&](Operation *inner) {
      // Nodes own work, not the constants and index arithmetic LLVM
      // lowering gives unknown or shared locations.
      if (!inner->hasTrait<OpTrait::ConstantLike>())
        collectKeys(inner->getLoc(), nodes, lines);
      follow(inner);
      for (Value operand : inner->getOperands())
        if (Operation *def = operand.getDefiningOp())
          follow(def);
    });
  };
  visit(op);
  if (!nodes.empty()) {
    SmallVector<std::string> sorted(nodes.begin(), nodes.end());
    llvm::stable_sort(sorted, [](const std::string &a, const std::string &b) {
      return nodeIndex(a) < nodeIndex(b);
    });
    return llvm::join(sorted, " + ");
  }
  SmallVector<int64_t> sortedLines(lines.begin(), lines.end());
  llvm::sort(sortedLines);
  std::string key;
  for (int64_t line : sortedLines)
    key += (key.empty() ? "line " : " + line ") + std::to_string(line);
  return key;
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
  /// Spans around runs of work ops with one name; bookkeeping in between
  /// does not break a run. A loop (a compiled tl.fixpoint) gets no span of
  /// its own: the ops in its body do, so each iteration is recorded.
  static void instrumentBlock(Block &block, OpBuilder &b, func::FuncOp begin,
                              func::FuncOp end, SymbolTable &symbols,
                              SmallVector<Attribute> &names,
                              llvm::StringMap<int64_t> &ids) {
    Operation *first = nullptr, *last = nullptr;
    std::string current;
    auto close = [&] {
      if (!first)
        return;
      auto [it, inserted] = ids.try_emplace(current, names.size());
      if (inserted)
        names.push_back(b.getStringAttr(current));
      b.setInsertionPoint(first);
      Value id =
          b.create<arith::ConstantIntOp>(first->getLoc(), it->second, 64);
      b.create<func::CallOp>(first->getLoc(), begin, ValueRange{id});
      b.setInsertionPointAfter(last);
      b.create<func::CallOp>(last->getLoc(), end, ValueRange{id});
      first = last = nullptr;
    };
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (auto loop = dyn_cast<scf::WhileOp>(op)) {
        close();
        for (Region &region : loop->getRegions())
          for (Block &inner : region)
            instrumentBlock(inner, b, begin, end, symbols, names, ids);
        continue;
      }
      if (!isWork(&op))
        continue;
      std::string name = spanKey(&op, symbols);
      if (name.empty()) {
        // Work of no node (copying results out, say) joins the open
        // span, or is left to "outside any node".
        if (first)
          last = &op;
        continue;
      }
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

    SymbolTable symbols(module);
    SmallVector<Attribute> names;
    llvm::StringMap<int64_t> ids; // by key
    for (auto f : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (f.isPrivate() || f.isExternal())
        continue;
      for (Block &block : f.getBody())
        instrumentBlock(block, b, begin, end, symbols, names, ids);
    }
    module->setAttr("tl.profile_nodes", b.getArrayAttr(names));
  }
};

} // namespace
