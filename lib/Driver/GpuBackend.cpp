//===- GpuBackend.cpp - NVIDIA GPUs: the GPU pipeline and launch plans ----===//
//
// The "cuda" backend (Backend.h). Its target facts are decided here and
// nowhere else: the architecture (CodegenOptions::gpuArch), the CUDA
// toolkit (CUDA_PATH, else /usr/local/cuda: libdevice for math functions,
// ptxas for cubin) and the device code's form. Nothing here needs a GPU:
// compiling for one works on any machine; only running needs the driver.
//
//===----------------------------------------------------------------------===//

#include "tl/Driver/Backend.h"

#include "LaunchPlan.h"

#include "tl/Driver/BuildId.h"
#include "tl/Driver/GraphRunner.h"
#include "tl/Runtime/Sha256.h"

#include "llvm/Support/FormatVariadic.h"

#include <unistd.h>

using namespace mlir;
using namespace mlir::tl;

namespace {

struct GpuTarget {
  std::string arch;
  std::string ptxFeatures = "+ptx80";
  std::string toolkit;
  std::string format; // "isa" or "bin"
  int64_t blockSize = 256;

  std::string key() const {
    return "arch=" + arch + "," + ptxFeatures + ",format=" + format;
  }
};

llvm::Expected<GpuTarget> describeGpuTarget(const CodegenOptions &codegen) {
  GpuTarget t;
  t.arch = codegen.gpuArch.empty() ? "sm_90" : codegen.gpuArch;
  llvm::StringRef arch = t.arch;
  unsigned cc = 0;
  if (!arch.consume_front("sm_") || arch.getAsInteger(10, cc) || cc < 50)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unknown GPU architecture '" + t.arch +
            "' (expected sm_<compute capability>, sm_50 or later, e.g. "
            "sm_90 for an H100 or H200)");
  const char *env = getenv("CUDA_PATH");
  t.toolkit = env && *env ? env : "/usr/local/cuda";
  bool ptxas = access((t.toolkit + "/bin/ptxas").c_str(), X_OK) == 0;
  if (codegen.gpuFormat.empty())
    t.format = ptxas ? "bin" : "isa";
  else if (codegen.gpuFormat == "isa" || codegen.gpuFormat == "ptx")
    t.format = "isa";
  else if (codegen.gpuFormat == "bin" || codegen.gpuFormat == "cubin")
    t.format = "bin";
  else
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unknown GPU code format '" + codegen.gpuFormat +
            "' (expected ptx or cubin)");
  if (t.format == "bin" && !ptxas)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "cubin needs the CUDA toolkit's ptxas, which is not at " + t.toolkit +
            "/bin/ptxas (set CUDA_PATH, or ask for ptx)");
  return t;
}

void fillPipeline(const GpuTarget &t, TLGpuPipelineOptions &p) {
  p.gpuArch = t.arch;
  p.ptxFeatures = t.ptxFeatures;
  p.toolkit = t.toolkit;
  p.format = t.format;
  p.blockSize = t.blockSize;
}

KeyValues describeOptions(const GpuTarget &t) {
  return {{"backend", "cuda"},
          {"gpu-arch", t.arch},
          {"ptx-features", t.ptxFeatures},
          {"gpu-format", t.format},
          {"block-size", std::to_string(t.blockSize)}};
}

class GpuBackend : public Backend {
public:
  llvm::StringRef name() const override { return "cuda"; }

  llvm::Expected<KeyValues>
  keyParts(const CompileRequest &request) const override {
    auto target = describeGpuTarget(request.codegen);
    if (!target)
      return target.takeError();
    std::string options;
    for (const auto &[k, v] : describeOptions(*target))
      options += (options.empty() ? "" : ",") + k + "=" + v;
    return KeyValues{{"options", options}, {"target", target->key()}};
  }

  llvm::Expected<std::shared_ptr<const CompiledGraph>>
  compile(GraphRunner &runner, const CompileRequest &request,
          KeyValues extra) const override {
    auto target = describeGpuTarget(request.codegen);
    if (!target)
      return target.takeError();
    TLGpuPipelineOptions pipeline;
    fillPipeline(*target, pipeline);
    if (llvm::Error e = runner.lowerForGpu(pipeline))
      return std::move(e);
    size_t numArgs = runner.getSignature().args.size();
    auto plan = buildLaunchPlan(runner.getModule(), runner.getEntryName(),
                                numArgs);
    if (!plan)
      return plan.takeError();
    std::string object = ::tl::runtime::serializeGpuPlan(*plan);
    runtime::ModuleManifest manifest;
    manifest.compiler = compilerName();
    manifest.triple = "nvptx64-nvidia-cuda";
    manifest.cpu = target->arch;
    manifest.features = target->ptxFeatures;
    manifest.entry = runner.getEntryName().str();
    manifest.objectHash = ::tl::runtime::sha256Hex(object);
    manifest.options = describeOptions(*target);
    for (auto &kv : extra)
      manifest.options.push_back(std::move(kv));
    manifest.signature = runner.getSignature();
    // GpuProgram records one span per kernel, then the copies
    // (Profiler.h), whenever a profile is taken.
    manifest.signature.profileNodes.clear();
    manifest.signature.profileShapes.clear();
    for (const auto &l : plan->launches) {
      const auto &g = l.grid, &b = l.block;
      manifest.signature.profileNodes.push_back(
          "kernel " + plan->images[l.image].name);
      manifest.signature.profileShapes.push_back(
          llvm::formatv("grid {0}x{1}x{2}, block {3}x{4}x{5}", g[0], g[1],
                        g[2], b[0], b[1], b[2])
              .str());
    }
    manifest.signature.profileNodes.push_back("copy inputs to the GPU");
    manifest.signature.profileNodes.push_back("copy results from the GPU");
    manifest.signature.profileShapes.resize(
        manifest.signature.profileNodes.size());
    auto loaded =
        runtime::Module::create(std::move(manifest), std::move(object));
    if (!loaded.ok())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     std::string(loaded.status().message()));
    return std::move(*loaded);
  }

  std::vector<std::string> emitStages() const override {
    return {"gpu", "ptx"};
  }

  llvm::Expected<std::string> emit(GraphRunner &runner,
                                   const CompileRequest &request,
                                   llvm::StringRef stage) const override {
    auto target = describeGpuTarget(request.codegen);
    if (!target)
      return target.takeError();
    TLGpuPipelineOptions pipeline;
    fillPipeline(*target, pipeline);
    pipeline.format = "isa";
    pipeline.serialize = stage != "gpu";
    if (llvm::Error e = runner.lowerForGpu(pipeline))
      return std::move(e);
    std::string text;
    if (stage == "gpu") {
      llvm::raw_string_ostream os(text);
      runner.getModule().print(os);
      os << "\n";
      return text;
    }
    auto plan = buildLaunchPlan(runner.getModule(), runner.getEntryName(),
                                runner.getSignature().args.size());
    if (!plan)
      return plan.takeError();
    for (const auto &image : plan->images)
      text += "// kernel image " + image.name + "\n" + image.bytes + "\n";
    return text;
  }
};

} // namespace

const Backend *mlir::tl::cudaBackend() {
  static const GpuBackend gpu;
  return &gpu;
}
