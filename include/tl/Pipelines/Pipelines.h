//===- Pipelines.h - the pass pipelines every tool shares -------*- C++ -*-===//
//
// The single definition of pass order. tl-opt registers each pipeline by
// name, and tl-jit and the library call the same populate functions, so
// every tl-jit run can be reproduced with tl-opt.
//
//   tl (any shapes) --prepare--> tl (static) --to-linalg--> linalg on tensors
//                   --to-llvm--> LLVM dialect (tl-cpu-pipeline = all three)
//
//===----------------------------------------------------------------------===//

#ifndef TL_PIPELINES_PIPELINES_H
#define TL_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tl {

struct TLReferencePipelineOptions
    : public PassPipelineOptions<TLReferencePipelineOptions> {
  ListOption<std::string> inputShapes{
      *this, "input-shapes",
      llvm::cl::desc("Shapes of the arguments, as name=DxDx... (name= for "
                     "0-d); otherwise the tl.input_shapes attribute")};
  Option<bool> canonicalize{
      *this, "canonicalize",
      llvm::cl::desc("Fold identities and constants after specialization"),
      llvm::cl::init(true)};
  Option<bool> generic{
      *this, "generic",
      llvm::cl::desc("Shape-generic code: keep ranked arguments' dynamic "
                     "dims (and sizes given as ?) dynamic")};
  ListOption<std::string> inputDensities{
      *this, "input-densities",
      llvm::cl::desc("Measured densities of the arguments, as name=D: "
                     "tl-check-sizes sizes values the sparse route stores "
                     "sparse by their nonzeros")};
  Option<double> sparseThreshold{
      *this, "sparse-threshold",
      llvm::cl::desc("With input-densities: the density at or under which "
                     "a value is sparse"),
      llvm::cl::init(0.05)};
};

struct TLCpuPipelineOptions
    : public PassPipelineOptions<TLCpuPipelineOptions> {
  ListOption<std::string> inputShapes{
      *this, "input-shapes",
      llvm::cl::desc("Shapes of the arguments, as name=DxDx... (name= for "
                     "0-d); otherwise the tl.input_shapes attribute")};
  Option<bool> generic{
      *this, "generic",
      llvm::cl::desc("Shape-generic code: keep ranked arguments' dynamic "
                     "dims (and sizes given as ?) dynamic")};
  Option<bool> orderContractions{
      *this, "order-contractions",
      llvm::cl::desc("Merge einsum chains and split n-ary einsums in the "
                     "cheapest order (tl-order-contractions)"),
      llvm::cl::init(true)};
  ListOption<std::string> inputDensities{
      *this, "input-densities",
      llvm::cl::desc("Measured densities of the arguments, as name=D: the "
                     "sparse route (tl-assign-sparsity, tl-encode-sparsity, "
                     "the sparsifier)")};
  Option<double> sparseThreshold{
      *this, "sparse-threshold",
      llvm::cl::desc("With input-densities: the density at or under which "
                     "a value is sparse"),
      llvm::cl::init(0.05)};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Form fusion groups on the tl graph and fuse linalg "
                                   "ops within them"),
                    llvm::cl::init(true)};
  Option<bool> semiNaive{
      *this, "semi-naive",
      llvm::cl::desc("Evaluate transitive-closure fixpoints semi-naively over "
                     "bit rows (tl-semi-naive); off: the plain loop"),
      llvm::cl::init(true)};
  Option<bool> profile{
      *this, "profile",
      llvm::cl::desc("Time each node's kernel with runtime calls "
                     "(tl-instrument-nodes); off: no calls at all"),
      llvm::cl::init(false)};
  Option<bool> approximateExp{
      *this, "approximate-exp",
      llvm::cl::desc("Compute f32 and f64 exp with vector polynomials (a few ulp "
                     "from libm) instead of one libm call per element "
                     "(tl-approximate-math)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg ops (otherwise scalar loops "
                     "that LLVM may auto-vectorize)"),
      llvm::cl::init(true)};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads the code is chunked for (0: the machine's "
                     "hardware threads; 1: serial code)"),
      llvm::cl::init(0)};
  Option<bool> onednn{
      *this, "onednn",
      llvm::cl::desc("Run large f32 matmuls with oneDNN's sgemm "
                     "(tl-select-kernels decides which)"),
      llvm::cl::init(true)};
  Option<bool> blas{
      *this, "blas",
      llvm::cl::desc("Run large f64 matmuls with OpenBLAS's dgemm, loaded "
                     "at run time (tl-select-kernels decides which)"),
      llvm::cl::init(true)};
  Option<std::string> tuningRecords{
      *this, "tuning-records",
      llvm::cl::desc("A folder of tuning records whose measured decisions "
                     "the code generation follows (tl-apply-tuning)")};
  Option<int64_t> onednnMinVolume{
      *this, "onednn-min-volume",
      llvm::cl::desc("Fewest multiply-adds of a matmul sent to a library "
                     "(oneDNN, OpenBLAS)"),
      llvm::cl::init(262144)};
  // The target (TargetDescription.h): 0 takes the host's value. The
  // library sets every one from its target description, so a compile is
  // reproduced by passing the values its module manifest records.
  Option<int64_t> vectorBytes{
      *this, "vector-bytes",
      llvm::cl::desc("Bytes in a vector register (64 for AVX-512; 0: the "
                     "target's)"),
      llvm::cl::init(0)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers (0: the target's)"), llvm::cl::init(0)};
  Option<int64_t> l1{*this, "l1",
                     llvm::cl::desc("L1 data cache bytes (0: the target's)"),
                     llvm::cl::init(0)};
  Option<int64_t> l2{*this, "l2",
                     llvm::cl::desc("L2 cache bytes (0: the target's)"),
                     llvm::cl::init(0)};
  Option<int64_t> l3{*this, "l3",
                     llvm::cl::desc("L3 cache bytes (0: the target's)"),
                     llvm::cl::init(0)};
};

struct TargetDescription;

/// Sets every target option left at 0 (and threads = 0) from `target`.
void applyTarget(TLCpuPipelineOptions &options,
                 const TargetDescription &target);

/// Makes shapes static (G11) and canonicalizes: what the reference
/// evaluator runs. Anchored on the module.
void populateTLReferencePipeline(OpPassManager &pm,
                                 const TLReferencePipelineOptions &options);

/// tl on static shapes to linalg on tensors, fused. Anchored on the module.
void populateTLToLinalgPipeline(OpPassManager &pm,
                                const TLCpuPipelineOptions &options);

/// linalg on tensors to the LLVM dialect: vectorize, bufferize (results
/// become out-parameters the caller allocates), lower. Anchored on the
/// module.
void populateLinalgToLLVMPipeline(OpPassManager &pm,
                                  const TLCpuPipelineOptions &options);

/// The sparse route (issue 19), taken when input densities are given:
/// tl-assign-sparsity decides layouts, the lowering and
/// tl-encode-sparsity make them types, and MLIR's sparsifier compiles the
/// module to the LLVM dialect. Its entry point takes each sparse argument
/// as positions, coordinates and values (index-typed, i64) and returns its
/// results (sparse ones as the same three buffers) instead of writing
/// out-parameters. Anchored on the module. Its two halves: up to linalg
/// on tensors with sparse_tensor types (the layouts a module's signature
/// records), then the sparsifier.
void populateTLSparseRoute(OpPassManager &pm,
                           const TLCpuPipelineOptions &options);
void populateTLSparseToLinalg(OpPassManager &pm,
                              const TLCpuPipelineOptions &options);
void populateSparseToLLVM(OpPassManager &pm);

/// The three stages above in order (or the sparse route when input
/// densities are given): a tl module to LLVM dialect for the host CPU.
void populateTLCpuPipeline(OpPassManager &pm,
                           const TLCpuPipelineOptions &options);

/// Registers --tl-reference-pipeline and --tl-cpu-pipeline.
/// The GPU pipeline (GpuPipeline.cpp): the same tl preparation as the CPU
/// pipeline, then bufferization, loops mapped to blocks and threads
/// (tl-gpu-map-to-threads), kernels outlined into a gpu.module, NVVM, and
/// the device code as PTX or cubin (gpu-module-to-binary). The host
/// function that remains only allocates, launches and returns: the
/// runtime runs it as a launch plan (GpuPlan.h), without host code.
struct TLGpuPipelineOptions
    : public PassPipelineOptions<TLGpuPipelineOptions> {
  ListOption<std::string> inputShapes{
      *this, "input-shapes",
      llvm::cl::desc("Shapes of the arguments, as name=DxDx... (name= for "
                     "0-d); otherwise the tl.input_shapes attribute")};
  Option<bool> orderContractions{
      *this, "order-contractions",
      llvm::cl::desc("Merge einsum chains and split n-ary einsums in the "
                     "cheapest order (tl-order-contractions)"),
      llvm::cl::init(true)};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Form fusion groups on the tl graph and "
                                   "fuse linalg ops within them (one kernel "
                                   "per group)"),
                    llvm::cl::init(true)};
  Option<std::string> gpuArch{
      *this, "gpu-arch",
      llvm::cl::desc("The NVIDIA architecture the code is for"),
      llvm::cl::init("sm_90")};
  Option<std::string> ptxFeatures{
      *this, "ptx-features",
      llvm::cl::desc("The PTX ISA version of the output, as an LLVM NVPTX "
                     "feature"),
      llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Device code: isa (PTX text, compiled by the driver "
                     "at load), bin (cubin, through the toolkit's ptxas) or "
                     "fatbin"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("The CUDA toolkit (libdevice for math functions, "
                     "ptxas for bin)"),
      llvm::cl::init("/usr/local/cuda")};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block (tl-gpu-map-to-threads)"),
      llvm::cl::init(256)};
  Option<bool> serialize{
      *this, "serialize",
      llvm::cl::desc("End with gpu-module-to-binary (off: the kernels stay "
                     "in NVVM inside their gpu.module)"),
      llvm::cl::init(true)};
};

void populateTLGpuPipeline(OpPassManager &pm,
                           const TLGpuPipelineOptions &options);
/// The same from tl on static shapes (what the library runs after its
/// own specialization).
void populateTLGpuCodegenPipeline(OpPassManager &pm,
                                  const TLGpuPipelineOptions &options);

void registerTLPipelines();

} // namespace mlir::tl

#endif // TL_PIPELINES_PIPELINES_H
