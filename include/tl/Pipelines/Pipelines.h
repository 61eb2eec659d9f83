//===- Pipelines.h - the pass pipelines every tool shares -------*- C++ -*-===//
//
// The single definition of pass order. tl-opt registers each pipeline by
// name, and tl-jit and the library call the same populate function, so
// every tl-jit run can be reproduced with tl-opt.
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
};

/// Makes shapes static (G11) and canonicalizes: what the reference
/// evaluator runs. Anchored on the module.
void populateTLReferencePipeline(OpPassManager &pm,
                                 const TLReferencePipelineOptions &options);

/// Registers --tl-reference-pipeline.
void registerTLPipelines();

} // namespace mlir::tl

#endif // TL_PIPELINES_PIPELINES_H
