//===- FormFusionGroups.cpp - decide the loop nests of a tl function ------===//
//
// Groups are grown from the last op backwards: a producer joins its
// consumer's group when all of its users are already in that group and the
// pair can share one loop nest without recomputing anything (see the pass
// description in Passes.td for the rules). The result is only attributes;
// the linalg-level passes apply it.
//
//===----------------------------------------------------------------------===//

#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Dialect/TL/Transforms/FusionGroups.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLFORMFUSIONGROUPSPASS
#include "tl/Dialect/TL/Transforms/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// The most ops one fusion group holds.
constexpr size_t kMaxGroupOps = 32;

/// A one-operand einsum that only moves data (a broadcast, a transpose,
/// or both: no label summed, none repeated): each output element is one
/// input element, so a consumer can read it through an indexing map.
bool isView(Operation *op) {
  auto einsum = dyn_cast<EinsumOp>(op);
  if (!einsum || einsum->getNumOperands() != 1)
    return false;
  // One operand and nothing summed: the combine and reduce kinds of G8
  // do not apply.
  EinsumSpec spec = einsum.getParsedSpec();
  const std::string &in = spec.inputs[0], &out = spec.output;
  llvm::SmallDenseSet<char, 16> outLabels(out.begin(), out.end());
  llvm::SmallDenseSet<char, 16> inLabels(in.begin(), in.end());
  return outLabels.size() == out.size() && inLabels.size() == in.size() &&
         llvm::all_of(in, [&](char c) { return outLabels.contains(c); });
}
bool isElementwise(Operation *op) {
  return isa<UnaryOp, BinaryOp>(op) || isView(op);
}
/// Contractions and reductions: ops with a loop nest of their own shape.
bool isAnchor(Operation *op) {
  return isa<ReduceOp, EinsumOp>(op) && !isView(op);
}

/// True when the einsum reads every element of operand `index` exactly
/// once: the operand's labels are distinct and are all of the op's labels.
bool readsOperandOnce(EinsumOp op, unsigned index) {
  EinsumSpec spec = op.getParsedSpec();
  const std::string &labels = spec.inputs[index];
  llvm::SmallDenseSet<char, 16> own(labels.begin(), labels.end());
  if (own.size() != labels.size())
    return false;
  for (const std::string &in : spec.inputs)
    for (char c : in)
      if (!own.contains(c))
        return false;
  for (char c : spec.output)
    if (!own.contains(c))
      return false;
  return true;
}

/// Whether `producer` may run in the loop nest of `consumer` (through
/// `operand`), given whether the group already has an anchor.
bool canFuse(Operation *producer, OpOperand &operand, bool groupHasAnchor) {
  Operation *consumer = operand.getOwner();
  Type produced = producer->getResult(0).getType();
  if (isElementwise(producer)) {
    if (isElementwise(consumer))
      return produced == consumer->getResult(0).getType();
    if (isa<ReduceOp>(consumer))
      return true;
    if (auto einsum = dyn_cast<EinsumOp>(consumer))
      return readsOperandOnce(einsum, operand.getOperandNumber());
    return false;
  }
  // An epilogue: the contraction's result is consumed element by element
  // (not through a view, which would reorder it).
  return isAnchor(producer) && !groupHasAnchor &&
         isa<UnaryOp, BinaryOp>(consumer) &&
         produced == consumer->getResult(0).getType();
}

struct TLFormFusionGroupsPass
    : tl::impl::TLFormFusionGroupsPassBase<TLFormFusionGroupsPass> {
  void runOnOperation() override {
    // The function's block, then each fixpoint's body: groups never span
    // two blocks (a loop body runs once per iteration), and their numbers
    // run on from block to block.
    int64_t next = 0;
    formGroups(getOperation().getBody().front(), next);
    getOperation().walk<WalkOrder::PreOrder>(
        [&](FixpointOp op) { formGroups(op.getBodyBlock(), next); });
  }

  static void formGroups(Block &body, int64_t &next) {
    llvm::DenseMap<Operation *, int64_t> groupOf;
    SmallVector<SmallVector<Operation *>> groups;
    for (Operation &root : llvm::reverse(body)) {
      if (!(isElementwise(&root) || isAnchor(&root)) || groupOf.count(&root))
        continue;
      int64_t id = groups.size();
      groups.emplace_back();
      bool hasAnchor = false;
      SmallVector<Operation *> worklist;
      auto join = [&](Operation *op) {
        groupOf[op] = id;
        groups.back().push_back(op);
        hasAnchor |= isAnchor(op);
        worklist.push_back(op);
      };
      join(&root);
      while (!worklist.empty()) {
        Operation *consumer = worklist.pop_back_val();
        for (OpOperand &operand : consumer->getOpOperands()) {
          Operation *producer = operand.get().getDefiningOp();
          if (!producer || groupOf.count(producer) ||
              !(isElementwise(producer) || isAnchor(producer)) ||
              producer->getBlock() != &body)
            continue;
          bool usersInGroup = llvm::all_of(producer->getUsers(), [&](auto *u) {
            auto it = groupOf.find(u);
            return it != groupOf.end() && it->second == id;
          });
          // A group's ops become one loop body: past a few dozen, LLVM's
          // instruction selection and scheduling grow faster than the
          // body, and a long chain gains nothing from one more op in it.
          if (groups.back().size() >= kMaxGroupOps)
            continue;
          if (usersInGroup && canFuse(producer, operand, hasAnchor))
            join(producer);
        }
      }
    }
    // Number the groups in program order so the tags read top to bottom.
    llvm::DenseMap<int64_t, int64_t> renumber;
    for (Operation &op : body) {
      auto it = groupOf.find(&op);
      if (it == groupOf.end())
        continue;
      auto [slot, inserted] =
          renumber.try_emplace(it->second, next + renumber.size());
      setFusionGroup(&op, slot->second);
    }
    next += renumber.size();
  }
};

} // namespace
