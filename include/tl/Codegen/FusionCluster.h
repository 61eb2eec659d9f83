//===- FusionCluster.h - producers that can run inside a tiled op -*- C++
//-*-===//
//
// tl-parallelize and tl-block-rows tile a linalg op and fuse its producers
// into the new loops. A producer may move into the loop only when nothing
// outside it still needs the producer's whole result; this is the one
// place that decides which producers qualify.
//
//===----------------------------------------------------------------------===//

#ifndef TL_CODEGEN_FUSIONCLUSTER_H
#define TL_CODEGEN_FUSIONCLUSTER_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::tl {

/// `root` and the ops of `candidates` it reaches backwards through operands
/// whose every user is `root` or another of them: fusing them into `root`'s
/// tiles leaves nothing outside that needs them. A producer read twice
/// inside (softmax's exp, by its sum and by the division) qualifies; the
/// tiling clones it once per read and CSE merges the clones.
llvm::DenseSet<Operation *>
fusableProducers(linalg::LinalgOp root, ArrayRef<linalg::LinalgOp> candidates);

/// True when a reduction of `cluster` (linalg ops) is read by another of its
/// ops: the rows are read again after the reduction has seen all of them
/// (softmax's max and sum), which tl-block-rows keeps in L1.
bool isMultiPass(const llvm::DenseSet<Operation *> &cluster);

/// After scf::tileConsumerAndFuseProducersUsingSCF on `root`: adds the
/// fused producers to `fused`, points the users of `root`'s results at the
/// tiled loop's, and erases `root` and the producers nothing reads any more.
void replaceWithTiled(RewriterBase &rewriter, Operation *root,
                      const scf::SCFTileAndFuseResult &result,
                      llvm::DenseSet<Operation *> &fused);

/// Elements of a static shaped type, -1 otherwise.
int64_t staticElements(Type type);

} // namespace mlir::tl

#endif // TL_CODEGEN_FUSIONCLUSTER_H
