//===- Pipelines.cpp - the pass pipelines every tool shares ----------------===//

#include "tl/Pipelines/Pipelines.h"

#include "tl/Codegen/Passes.h"
#include "tl/Codegen/TargetDescription.h"
#include "tl/ExecutionEngine/JitModule.h"
#include "tl/Conversion/Passes.h"
#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SparseTensor/Pipelines/Passes.h"
#include "mlir/Dialect/SparseTensor/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tl;

void mlir::tl::populateTLReferencePipeline(
    OpPassManager &pm, const TLReferencePipelineOptions &options) {
  TLSpecializeShapesPassOptions specialize;
  specialize.inputShapes = options.inputShapes;
  specialize.generic = options.generic;
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createTLSpecializeShapesPass(specialize));
  // Values nothing reads are not computed, so not sized: an adjoint's
  // unused cotangents of a relation are erased here first.
  if (options.canonicalize)
    fpm.addPass(createCanonicalizerPass());
  TLCheckSizesPassOptions sizes;
  sizes.inputDensities = options.inputDensities;
  sizes.sparseThreshold = options.sparseThreshold;
  fpm.addPass(createTLCheckSizesPass(sizes));
}

void mlir::tl::populateTLToLinalgPipeline(OpPassManager &pm,
                                          const TLCpuPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  // After the ordering: it sums a rule's terms separately, which leaves
  // same generation's recursive term one join (split in two).
  if (options.orderContractions)
    fpm.addPass(createTLOrderContractionsPass());
  if (options.semiNaive)
    fpm.addPass(createTLSemiNaivePass());
  if (options.fuse)
    fpm.addPass(createTLFormFusionGroupsPass());
  fpm.addPass(createConvertTLToLinalgPass());
  if (options.fuse)
    fpm.addPass(createTLFuseElementwisePass());
  fpm.addPass(createCanonicalizerPass());
}

void mlir::tl::applyTarget(TLCpuPipelineOptions &options,
                           const TargetDescription &target) {
  if (!options.vectorBytes)
    options.vectorBytes = target.caches.vectorBytes;
  if (!options.vectorRegisters)
    options.vectorRegisters = target.caches.vectorRegisters;
  if (!options.l1)
    options.l1 = target.caches.l1;
  if (!options.l2)
    options.l2 = target.caches.l2;
  if (!options.l3)
    options.l3 = target.caches.l3;
  if (!options.threads)
    options.threads = target.cores;
}

/// Options left at 0 by a tl-opt user: the host's target description,
/// the same one the library uses when not told otherwise.
static const TargetDescription &hostTarget() {
  static const TargetDescription host = [] {
    auto t = describeTarget(JitOptions());
    if (!t) {
      llvm::consumeError(t.takeError());
      return TargetDescription();
    }
    return *t;
  }();
  return host;
}

void mlir::tl::populateLinalgToLLVMPipeline(
    OpPassManager &pm, const TLCpuPipelineOptions &options) {
  auto orHost = [](int64_t v, int64_t host) { return v ? v : host; };
  const TargetDescription &host = hostTarget();
  int64_t threads = orHost(options.threads, host.cores);
  // Measured decisions first, as data the choosing passes read.
  TLApplyTuningPassOptions tuning;
  tuning.records = options.tuningRecords;
  tuning.vectorBytes = orHost(options.vectorBytes, host.caches.vectorBytes);
  tuning.l1 = orHost(options.l1, host.caches.l1);
  tuning.l2 = orHost(options.l2, host.caches.l2);
  tuning.l3 = orHost(options.l3, host.caches.l3);
  tuning.threads = threads;
  pm.addPass(createTLApplyTuningPass(tuning));
  if (options.onednn || options.blas) {
    TLSelectKernelsPassOptions select;
    select.minVolume = options.onednnMinVolume;
    select.onednn = options.onednn;
    select.blas = options.blas;
    pm.nest<func::FuncOp>().addPass(createTLSelectKernelsPass(select));
  }
  if (threads != 1) {
    TLParallelizePassOptions parallelize;
    parallelize.numThreads = threads;
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createTLParallelizePass(parallelize));
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }
  {
    TLBlockRowsPassOptions rows;
    rows.l1 = orHost(options.l1, host.caches.l1);
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createTLBlockRowsPass(rows));
    fpm.addPass(createCanonicalizerPass());
    // Merges the copies of a producer fused once per reader (the CSE
    // after tl-parallelize does the same for its chunks).
    fpm.addPass(createCSEPass());
  }
  if (options.vectorize) {
    TLPlanTilingPassOptions plan;
    plan.vectorBytes = orHost(options.vectorBytes, host.caches.vectorBytes);
    plan.vectorRegisters =
        orHost(options.vectorRegisters, host.caches.vectorRegisters);
    plan.l1 = orHost(options.l1, host.caches.l1);
    plan.l2 = orHost(options.l2, host.caches.l2);
    plan.l3 = orHost(options.l3, host.caches.l3);
    TLSplitReductionsPassOptions split;
    split.vectorBytes = plan.vectorBytes;
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createTLSplitReductionsPass(split));
    fpm.addPass(createTLPlanTilingPass(plan));
    fpm.addPass(createTLVectorizePass());
    fpm.addPass(createCanonicalizerPass());
  }

  // Tensors to buffers. Results become out-parameters so the caller owns
  // every output buffer (and can reuse it across runs).
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizationOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // A fixpoint loop's next states are new tensors, not its current ones
  // updated in place; the deallocation pipeline frees the old ones.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(bufferization::createBufferResultsToOutParamsPass());
  pm.nest<func::FuncOp>().addPass(createTLWriteResultsInPlacePass());
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
  pm.addPass(createCanonicalizerPass());
  {
    // An output the private caches of all threads cannot hold is streamed
    // past them.
    TLStreamingStoresPassOptions streaming;
    streaming.minBytes = orHost(options.l2, host.caches.l2) * threads;
    pm.addPass(createTLStreamingStoresPass(streaming));
  }
  // Deallocations are placed by now, after each forall that reads the
  // buffer, so outlining cannot shorten a buffer's life.
  pm.addPass(createTLOutlineParallelPass());
  pm.addPass(createTLCallKernelsPass());
  if (options.profile)
    pm.addPass(createTLInstrumentNodesPass());

  // Buffers to loops to LLVM.
  if (options.approximateExp)
    pm.nest<func::FuncOp>().addPass(createTLApproximateMathPass());
  pm.nest<func::FuncOp>().addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (tan, tanh) becomes a libm call, one
  // per lane; this must come before vector ops are lowered.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::tl::populateTLSparseRoute(OpPassManager &pm,
                                     const TLCpuPipelineOptions &options) {
  populateTLSparseToLinalg(pm, options);
  populateSparseToLLVM(pm);
}

void mlir::tl::populateTLSparseToLinalg(OpPassManager &pm,
                                        const TLCpuPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  if (options.orderContractions)
    fpm.addPass(createTLOrderContractionsPass());
  TLAssignSparsityPassOptions assign;
  assign.inputDensities = options.inputDensities;
  assign.threshold = options.sparseThreshold;
  fpm.addPass(createTLAssignSparsityPass(assign));
  // No fusion groups: the sparsifier fuses what it can itself, and a
  // fused body would hide the zero-keeping steps tl-encode-sparsity reads.
  fpm.addPass(createConvertTLToLinalgPass());
  fpm.addPass(createTLEncodeSparsityPass());
  fpm.addPass(createCanonicalizerPass());
  pm.addPass(createTLOutlineSparseKernelsPass());
}

void mlir::tl::populateSparseToLLVM(OpPassManager &pm) {
  // Plain buffers at the entry point, and no calls into MLIR's sparse
  // runtime library: the runtime stays free of MLIR.
  // (libMLIR.so exports only the option-less constructor.)
  std::unique_ptr<Pass> assembler = createSparseAssembler();
  LogicalResult set = assembler->initializeOptions(
      "direct-out=true", [](const Twine &) { return failure(); });
  assert(succeeded(set) && "sparse-assembler has a direct-out option");
  (void)set;
  pm.addPass(std::move(assembler));
  sparse_tensor::SparsifierOptions sparsifier;
  sparsifier.enableRuntimeLibrary = false;
  sparse_tensor::buildSparsifier(pm, sparsifier);
}

void mlir::tl::populateTLCpuPipeline(OpPassManager &pm,
                                     const TLCpuPipelineOptions &options) {
  TLReferencePipelineOptions prepare;
  prepare.inputShapes = options.inputShapes;
  prepare.generic = options.generic;
  prepare.inputDensities = options.inputDensities;
  prepare.sparseThreshold = options.sparseThreshold;
  populateTLReferencePipeline(pm, prepare);
  if (!options.inputDensities.empty()) {
    populateTLSparseRoute(pm, options);
    return;
  }
  populateTLToLinalgPipeline(pm, options);
  populateLinalgToLLVMPipeline(pm, options);
}

void mlir::tl::registerTLPipelines() {
  PassPipelineRegistration<TLReferencePipelineOptions>(
      "tl-reference-pipeline",
      "Specialize shapes and canonicalize: the IR the reference evaluator runs",
      populateTLReferencePipeline);
  PassPipelineRegistration<TLCpuPipelineOptions>(
      "tl-cpu-pipeline",
      "Lower a tl module to the LLVM dialect for the host CPU (what tl-jit "
      "compiles)",
      populateTLCpuPipeline);
  PassPipelineRegistration<TLGpuPipelineOptions>(
      "tl-gpu-pipeline",
      "Lower a tl module to kernels in a gpu.binary (PTX or cubin) and a "
      "host function of launches (what tl-jit --device=cuda compiles)",
      populateTLGpuPipeline);
}
