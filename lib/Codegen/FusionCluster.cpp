//===- FusionCluster.cpp - producers that can run inside a tiled op -------===//

#include "tl/Codegen/FusionCluster.h"

using namespace mlir;

int64_t mlir::tl::staticElements(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape() ? shaped.getNumElements() : -1;
}

llvm::DenseSet<Operation *>
mlir::tl::fusableProducers(linalg::LinalgOp root,
                           ArrayRef<linalg::LinalgOp> candidates) {
  llvm::DenseSet<Operation *> cluster;
  SmallVector<Operation *> work = {root};
  while (!work.empty()) {
    Operation *next = work.pop_back_val();
    if (!cluster.insert(next).second)
      continue;
    for (Value operand : next->getOperands())
      if (auto producer = operand.getDefiningOp<linalg::LinalgOp>())
        if (llvm::is_contained(candidates, producer))
          work.push_back(producer);
  }
  // Drop producers read from outside until none is: dropping one can
  // expose another (a producer of the dropped op).
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation *p : llvm::to_vector(cluster))
      if (p != root.getOperation() &&
          llvm::any_of(p->getUsers(),
                       [&](Operation *u) { return !cluster.contains(u); })) {
        cluster.erase(p);
        changed = true;
      }
  }
  return cluster;
}

bool mlir::tl::isMultiPass(const llvm::DenseSet<Operation *> &cluster) {
  for (Operation *op : cluster) {
    if (cast<linalg::LinalgOp>(op).getNumReductionLoops() == 0)
      continue;
    for (Operation *user : op->getUsers())
      if (user != op && cluster.contains(user))
        return true;
  }
  return false;
}

void mlir::tl::replaceWithTiled(RewriterBase &rewriter, Operation *root,
                                const scf::SCFTileAndFuseResult &result,
                                llvm::DenseSet<Operation *> &fused) {
  for (Operation *p : result.fusedProducers)
    fused.insert(p);
  for (OpResult r : root->getResults())
    if (Value repl = result.replacements.lookup(r))
      rewriter.replaceAllUsesWith(r, repl);
  rewriter.eraseOp(root);
  for (Operation *p : result.fusedProducers)
    if (p->use_empty())
      rewriter.eraseOp(p);
}
