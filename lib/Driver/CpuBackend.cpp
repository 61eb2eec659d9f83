//===- CpuBackend.cpp - the CPU pipeline, object code, the ELF loader -----===//

#include "tl/Driver/Backend.h"

#include "tl/Codegen/TuningRecords.h"
#include "tl/Driver/GraphRunner.h"
#include "tl/Runtime/Sha256.h"

using namespace mlir;
using namespace mlir::tl;

Backend::~Backend() = default;

std::vector<std::string>
mlir::tl::densityEntries(const CodegenOptions &codegen) {
  std::vector<std::string> entries;
  for (const auto &[name, density] : codegen.inputDensities) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", density);
    entries.push_back(name + "=" + text);
  }
  return entries;
}

void mlir::tl::buildPipelineOptions(const CodegenOptions &codegen,
                                    const TargetDescription &target,
                                    TLCpuPipelineOptions &pipeline) {
  pipeline.vectorize = codegen.vectorize;
  pipeline.threads = codegen.threads;
  pipeline.onednn = codegen.onednn;
  pipeline.blas = codegen.blas;
  pipeline.approximateExp = codegen.approximateExp;
  pipeline.profile = codegen.profile;
  pipeline.semiNaive = codegen.semiNaive;
  pipeline.tuningRecords = codegen.tuningRecords;
  pipeline.inputDensities = densityEntries(codegen);
  pipeline.sparseThreshold = codegen.sparseThreshold;
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
    KeyValues parts{{"options", options}, {"target", target->key()}};
    // The records change code: their content is part of the key (the
    // folder's path is not).
    if (!request.codegen.tuningRecords.empty()) {
      std::string all;
      for (const auto &[key, record] :
           loadTuningRecords(request.codegen.tuningRecords, nullptr))
        all += formatTuningRecord(record);
      if (!all.empty())
        parts.emplace_back("tuning", ::tl::runtime::sha256Hex(all));
    }
    return parts;
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
      return emitLLVMIR(runner.getModule(), runner.getEntryName(), request.jit);
    if (stage == "asm")
      return emitAssembly(runner.getModule(), runner.getEntryName(),
                          request.jit);
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
  if (name == cudaBackend()->name())
    return cudaBackend();
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown device '" + name +
                                     "' (this build has: cpu, cuda)");
}
