//===- GpuMapToThreads.cpp - linalg on buffers to mapped parallel loops ---===//
//
// The GPU pipeline's decision of where each iteration runs (Passes.td,
// tl-gpu-map-to-threads). What comes out is what
// convert-parallel-loops-to-gpu turns into launches: top-level scf.parallel
// nests whose outer loop is mapped to blocks and inner loop to threads,
// and nothing else in the function but allocations, views, constants and
// the return.
//
//===----------------------------------------------------------------------===//

#include "tl/Codegen/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::tl {
#define GEN_PASS_DEF_TLGPUMAPTOTHREADSPASS
#include "tl/Codegen/Passes.h.inc"
} // namespace mlir::tl

using namespace mlir;
using namespace mlir::tl;

namespace {

/// CUDA's limits on grid dims y and z (x allows 2^31 - 1 blocks).
constexpr int64_t kMaxGridYZ = 65535;
/// CUDA's limit on blockDim.z.
constexpr int64_t kMaxBlockZ = 64;

/// Parallel loops first, reductions inside, keeping each group's order.
LogicalResult parallelLoopsFirst(RewriterBase &rewriter,
                                 linalg::GenericOp op) {
  SmallVector<unsigned> order;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  size_t numParallel = order.size();
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      order.push_back(i);
  bool identity = true;
  for (unsigned i = 0; i < order.size(); ++i)
    identity &= order[i] == i;
  if (identity || numParallel == 0)
    return success();
  rewriter.setInsertionPoint(op);
  if (failed(interchangeGenericOp(rewriter, op, order)))
    return op.emitError("could not put the parallel loops first");
  return success();
}

/// Ops the runtime's launch plan handles on the host; everything else at
/// the function's top level must run in a kernel.
bool staysOnHost(Operation *op) {
  return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
             memref::GetGlobalOp, memref::CollapseShapeOp,
             memref::ExpandShapeOp, memref::CastOp, arith::ConstantOp,
             scf::ParallelOp, func::ReturnOp>(op) ||
         op->hasTrait<OpTrait::IsTerminator>();
}

gpu::ParallelLoopDimMappingAttr dimMapping(MLIRContext *ctx,
                                           gpu::Processor processor) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, id, id);
}

/// Wraps the ops of `run` (consecutive, at the function's top level) in a
/// one-iteration scf.parallel mapped to one block of one thread.
LogicalResult wrapInOneThread(RewriterBase &rewriter,
                              ArrayRef<Operation *> run) {
  llvm::SmallPtrSet<Operation *, 8> inRun(run.begin(), run.end());
  Block *block = run.front()->getBlock();
  for (Operation *op : run)
    for (Value v : op->getResults())
      for (Operation *user : v.getUsers())
        if (!inRun.contains(block->findAncestorOpInBlock(*user)))
          return op->emitError("a value computed outside any parallel loop "
                               "is used by host code: the GPU backend "
                               "cannot place it on the device");
  Location loc = run.front()->getLoc();
  rewriter.setInsertionPoint(run.front());
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  auto loop = rewriter.create<scf::ParallelOp>(loc, ValueRange{zero},
                                               ValueRange{one}, ValueRange{one});
  Block *body = loop.getBody();
  for (Operation *op : run)
    op->moveBefore(body->getTerminator());
  return gpu::setMappingAttr(
      loop, {dimMapping(rewriter.getContext(), gpu::Processor::BlockX)});
}

/// Constant trip count of dim `d` of `loop`, or -1.
int64_t tripCount(scf::ParallelOp loop, unsigned d) {
  auto lb = getConstantIntValue(loop.getLowerBound()[d]);
  auto ub = getConstantIntValue(loop.getUpperBound()[d]);
  auto step = getConstantIntValue(loop.getStep()[d]);
  if (!lb || !ub || !step || *step <= 0)
    return -1;
  return (*ub - *lb + *step - 1) / *step;
}

LogicalResult mapNest(scf::ParallelOp loop, int64_t blockSize) {
  MLIRContext *ctx = loop.getContext();
  unsigned rank = loop.getNumLoops();
  SmallVector<int64_t> extent(rank), tile(rank, 1);
  for (unsigned d = 0; d < rank; ++d) {
    extent[d] = tripCount(loop, d);
    if (extent[d] < 0)
      return loop.emitError("a parallel loop of unknown trip count: the GPU "
                            "backend compiles static shapes only");
  }
  // Threads: the innermost dim first (contiguous in row-major results),
  // then the next one with the threads left over, then a third.
  int64_t left = blockSize;
  SmallVector<gpu::Processor> threadOf(rank, gpu::Processor::Sequential),
      blockOf(rank, gpu::Processor::Sequential);
  const gpu::Processor threads[] = {gpu::Processor::ThreadX,
                                    gpu::Processor::ThreadY,
                                    gpu::Processor::ThreadZ};
  const gpu::Processor blocks[] = {gpu::Processor::BlockX,
                                   gpu::Processor::BlockY,
                                   gpu::Processor::BlockZ};
  for (unsigned k = 0; k < 3 && k < rank && left > 1; ++k) {
    unsigned d = rank - 1 - k;
    int64_t t = std::min(left, std::max<int64_t>(extent[d], 1));
    if (k == 2)
      t = std::min(t, kMaxBlockZ);
    tile[d] = t;
    threadOf[d] = threads[k];
    left /= t;
  }
  for (unsigned k = 0; k < 3 && k < rank; ++k) {
    unsigned d = rank - 1 - k;
    int64_t tiles = (extent[d] + tile[d] - 1) / tile[d];
    if (k > 0 && tiles > kMaxGridYZ)
      continue; // sequential inside the kernel
    blockOf[d] = blocks[k];
  }
  auto [outer, inner] = scf::tileParallelLoop(loop, tile,
                                              /*noMinMaxBounds=*/true);
  SmallVector<gpu::ParallelLoopDimMappingAttr> outerMap, innerMap;
  for (unsigned d = 0; d < rank; ++d) {
    outerMap.push_back(dimMapping(ctx, blockOf[d]));
    innerMap.push_back(dimMapping(ctx, threadOf[d]));
  }
  if (failed(gpu::setMappingAttr(outer, outerMap)) ||
      failed(gpu::setMappingAttr(inner, innerMap)))
    return outer.emitError("could not map the loop nest to the GPU");
  return success();
}

struct TLGpuMapToThreadsPass
    : public mlir::tl::impl::TLGpuMapToThreadsPassBase<TLGpuMapToThreadsPass> {
  using TLGpuMapToThreadsPassBase::TLGpuMapToThreadsPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (blockSize < 1 || blockSize > 1024) {
      func.emitError("tl-gpu-map-to-threads: block-size must be 1..1024, not ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      // In place: `op` stays valid.
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
        if (failed(parallelLoopsFirst(rewriter, generic)))
          return signalPassFailure();
      linalg::LinalgOp linalgOp = op;
      if (!linalgOp.hasPureBufferSemantics()) {
        linalgOp.emitError("tl-gpu-map-to-threads needs linalg on buffers "
                           "(run after bufferization)");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(linalgOp);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, linalgOp)))
        return signalPassFailure();
      rewriter.eraseOp(linalgOp);
    }

    // Top-level runs of device work outside parallel loops.
    Block &body = func.getBody().front();
    SmallVector<SmallVector<Operation *>> runs(1);
    for (Operation &op : body) {
      if (staysOnHost(&op)) {
        if (!runs.back().empty())
          runs.emplace_back();
        continue;
      }
      runs.back().push_back(&op);
    }
    for (auto &run : runs)
      if (!run.empty() && failed(wrapInOneThread(rewriter, run)))
        return signalPassFailure();

    SmallVector<scf::ParallelOp> nests;
    for (Operation &op : body)
      if (auto loop = dyn_cast<scf::ParallelOp>(op))
        if (!loop->hasAttr(gpu::getMappingAttrName()))
          nests.push_back(loop);
    for (scf::ParallelOp loop : nests)
      if (failed(mapNest(loop, blockSize)))
        return signalPassFailure();
  }
};

} // namespace
