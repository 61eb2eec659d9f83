//===- CpuBackend.cpp - the CPU pipeline, object code, the ELF loader -----===//

#include "tl/Driver/Backend.h"

#include "tl/Driver/GraphRunner.h"

using namespace mlir;
using namespace mlir::tl;

Backend::~Backend() = default;

void mlir::tl::buildPipelineOptions(const CodegenOptions &codegen,
                                    const TargetDescription &target,
                                    TLCpuPipelineOptions &pipeline) {
  pipeline.vectorize = codegen.vectorize;
  pipeline.threads = codegen.threads;
  pipeline.onednn = codegen.onednn;
  pipeline.approximateExp = codegen.approximateExp;
  pipeline.profile = codegen.profile;
  applyTarget(pipeline, target);
}

namespace {
class CpuBackend : public Backend {
public:
  llvm::StringRef name() const override { return "cpu"; }

  llvm::Expected<KeyValues>
  keyParts(const CompileRequest &request) const override {
    auto target = describeTarget(request.jit);
    if (!target)
      return target.takeError();
    TLCpuPipelineOptions pipeline;
    buildPipelineOptions(request.codegen, *target, pipeline);
    std::string options = "backend=cpu";
    for (const auto &[k, v] : describeCodegenOptions(pipeline, request.jit))
      options += "," + k + "=" + v;
    return KeyValues{{"options", options}, {"target", target->key()}};
  }

  llvm::Expected<std::shared_ptr<const CompiledGraph>>
  compile(GraphRunner &runner, const CompileRequest &request,
          KeyValues extra) const override {
    auto target = describeTarget(request.jit);
    if (!target)
      return target.takeError();
    TLCpuPipelineOptions pipeline;
    buildPipelineOptions(request.codegen, *target, pipeline);
    extra.insert(extra.begin(), {"backend", "cpu"});
    return runner.compile(pipeline, request.jit, std::move(extra));
  }

  std::vector<std::string> emitStages() const override {
    return {"linalg", "llvm-dialect", "llvm-ir", "asm"};
  }

  llvm::Expected<std::string> emit(GraphRunner &runner,
                                   const CompileRequest &request,
                                   llvm::StringRef stage) const override {
    auto target = describeTarget(request.jit);
    if (!target)
      return target.takeError();
    TLCpuPipelineOptions pipeline;
    buildPipelineOptions(request.codegen, *target, pipeline);
    if (llvm::Error e = runner.lower(
            stage == "linalg" ? Stage::linalg : Stage::llvm, pipeline))
      return std::move(e);
    if (stage == "llvm-ir")
      return emitLLVMIR(runner.getModule(), request.jit);
    if (stage == "asm")
      return emitAssembly(runner.getModule(), request.jit);
    std::string text;
    llvm::raw_string_ostream os(text);
    runner.getModule().print(os);
    os << "\n";
    return text;
  }
};
} // namespace

llvm::Expected<const Backend *> mlir::tl::findBackend(llvm::StringRef name) {
  static const CpuBackend cpu;
  if (name == cpu.name())
    return &cpu;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown backend '" + name +
                                     "' (this build has: cpu)");
}
