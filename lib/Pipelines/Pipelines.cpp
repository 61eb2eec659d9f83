//===- Pipelines.cpp - the pass pipelines every tool shares ----------------===//

#include "tl/Pipelines/Pipelines.h"

#include "tl/Dialect/TL/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::tl;

void mlir::tl::populateTLReferencePipeline(
    OpPassManager &pm, const TLReferencePipelineOptions &options) {
  TLSpecializeShapesPassOptions specialize;
  specialize.inputShapes = options.inputShapes;
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createTLSpecializeShapesPass(specialize));
  if (options.canonicalize)
    fpm.addPass(createCanonicalizerPass());
}

void mlir::tl::registerTLPipelines() {
  PassPipelineRegistration<TLReferencePipelineOptions>(
      "tl-reference-pipeline",
      "Specialize shapes and canonicalize: the IR the reference evaluator runs",
      populateTLReferencePipeline);
}
