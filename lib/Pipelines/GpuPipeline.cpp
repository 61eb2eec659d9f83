//===- GpuPipeline.cpp - tl to kernels for NVIDIA GPUs ---------------------===//
//
// docs/toolchain.md section 6 records the upstream route that produced PTX
// with Debian's MLIR 19; this is that route behind tl's own preparation
// and loop mapping. Kernels take bare pointers (one per memref): the
// runtime passes device addresses, and every memref a kernel sees has a
// static shape and an identity layout.
//
//===----------------------------------------------------------------------===//

#include "tl/Pipelines/Pipelines.h"

#include "tl/Codegen/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToGPU/SCFToGPUPass.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tl;

/// Copies that bufferization inserts become linalg.copy, which
/// tl-gpu-map-to-threads turns into a kernel like any other linalg op.
static LogicalResult copyInKernel(OpBuilder &b, Location loc, Value from,
                                  Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

void mlir::tl::populateTLGpuPipeline(OpPassManager &pm,
                                     const TLGpuPipelineOptions &options) {
  TLReferencePipelineOptions prepare;
  prepare.inputShapes = options.inputShapes;
  populateTLReferencePipeline(pm, prepare);
  populateTLGpuCodegenPipeline(pm, options);
}

void mlir::tl::populateTLGpuCodegenPipeline(
    OpPassManager &pm, const TLGpuPipelineOptions &options) {
  TLCpuPipelineOptions toLinalg;
  toLinalg.orderContractions = options.orderContractions;
  toLinalg.fuse = options.fuse;
  toLinalg.semiNaive = false; // a host kernel; GPU code refuses recursion
  populateTLToLinalgPipeline(pm, toLinalg);

  // Tensors to buffers; results become out-parameters the runtime
  // allocates on the device.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizationOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bufferize.memCpyFn = copyInKernel;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.memCpyFn = copyInKernel;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.nest<func::FuncOp>().addPass(createTLWriteResultsInPlacePass());
  pm.addPass(createCanonicalizerPass());

  // Loops to blocks and threads, then kernels.
  TLGpuMapToThreadsPassOptions map;
  map.blockSize = options.blockSize;
  pm.nest<func::FuncOp>().addPass(createTLGpuMapToThreadsPass(map));
  pm.nest<func::FuncOp>().addPass(createParallelLoopToGpuPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  // Constants move into the kernels, so that kernels take only buffers.
  pm.addPass(createGpuLauchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());

  // Kernels to NVVM and device code.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.gpuArch;
  target.features = options.ptxFeatures;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createConvertSCFToCFPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createTLGpuMathToLibdevicePass());
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (!options.serialize)
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
