//===- tl-run.cpp - run a compiled TensorLogic module ---------------------===//
//
//   tl-run MODULE.tlm [--inputs=IN.npz] [--input=NAME=2x3xf64=...]
//          [--cotangents=COT.npz] [--output=OUT.npz | --output=@OUT.npy ...]
//          [--expected_output=SPEC ...] [--print]
//          [--output_max_element_count=N] [--benchmark=N [--benchmark_format=console|json]]
//          [--profile] [--describe] [--memory-limit=SIZE] [--device=cpu|cuda]
//
// Loads a module written by tl-compile (or Executable::save) and runs it
// with the same input binding (G3, G5) and output naming (G4) as tl-jit.
// It links the runtime and the .npy/.npz readers only: no MLIR, no LLVM,
// so a deployment is this binary, its shared libraries and the module.
// Exit status: 0 success, 1 a module or run error, 2 a usage error.
//
//===----------------------------------------------------------------------===//

#include "tl/IO/Buffers.h"
#include "tl/IO/InlineInput.h"
#include "tl/IO/Inputs.h"
#include "tl/IO/Npy.h"
#include "tl/IO/Outputs.h"
#include "tl/IO/Print.h"
#include "tl/Runtime/Benchmark.h"
#include "tl/Runtime/Limits.h"
#include "tl/Runtime/Module.h"
#include "tl/Runtime/Reports.h"
#include "tl/Version.h" // generated: TL_VERSION

#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace tl;
using runtime::Buffer;

namespace {
struct Options {
  std::string module;
  std::string device; // "" (the module's own), "cpu" or "cuda"
  std::string inputs, cotangents;
  std::vector<std::string> inlineInputs, outputs, expected;
  io::Tolerances tolerances;
  io::SparsePolicy sparse;
  bool thresholdGiven = false;
  bool print = false, describe = false, json = false, profile = false;
  long printLimit = 1024;
  long benchmark = 0;
};

const char *kUsage =
    "usage: tl-run MODULE.tlm [--inputs=IN.npz] [--input=NAME=2x3xf64=...]\n"
    "              [--cotangents=COT.npz] [--output=OUT.npz | --output=@OUT.npy ...]\n"
    "              [--expected_output=SPEC ...] [--print]\n"
    "              [--sparse-outputs=auto|always|never] [--sparse-threshold=F]\n"
    "              [--output_max_element_count=N] [--benchmark=N "
    "[--benchmark_format=console|json]]\n"
    "              [--profile] [--describe] [--memory-limit=SIZE]\n"
    "              [--device=cpu|cuda]\n"
    "\n"
    "Runs a module compiled by tl-compile. Inputs bind by name (G3); outputs\n"
    "are printed or written under their slot names (G4). --describe prints\n"
    "the module's manifest: target, options and signature. --profile times\n"
    "10 runs per node (modules compiled with tl-compile --profile).\n"
    "--memory-limit (bytes, or 512M, 8G) caps what one input array may\n"
    "need (default: TL_MEMORY_LIMIT, else the available memory).\n"
    "A module runs where it was compiled for (tl-compile --target); --device\n"
    "makes that a requirement, an error for a module of the other kind.\n";

int fail(const std::string &msg, int status = 1) {
  std::cerr << "tl-run: error: " << msg << "\n";
  return status;
}

/// "--name=value" -> value when `arg` starts with "--name=".
bool takeValue(const std::string &arg, const char *name, std::string &value) {
  std::string prefix = std::string("--") + name + "=";
  if (arg.compare(0, prefix.size(), prefix) != 0)
    return false;
  value = arg.substr(prefix.size());
  return true;
}

bool parseCount(const std::string &s, long &out) {
  char *end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end || v < 0)
    return false;
  out = v;
  return true;
}

/// 0 when parsed; otherwise the exit status.
int parseArgs(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], v;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--version") {
      std::cout << "tl-run (tl " << TL_VERSION << ", runtime ABI "
                << runtime::kRuntimeABIVersion << ", module formats "
                << runtime::kOldestModuleFormatVersion << "-"
                << runtime::kModuleFormatVersion << ")\n";
      std::exit(0);
    } else if (arg == "--print") {
      o.print = true;
    } else if (arg == "--describe") {
      o.describe = true;
    } else if (arg == "--profile") {
      o.profile = true;
    } else if (takeValue(arg, "device", v)) {
      if (v != "cpu" && v != "cuda")
        return fail("--device='" + v + "': expected cpu or cuda", 2);
      o.device = v;
    } else if (takeValue(arg, "inputs", v)) {
      o.inputs = v;
    } else if (takeValue(arg, "input", v)) {
      o.inlineInputs.push_back(v);
    } else if (takeValue(arg, "cotangents", v)) {
      o.cotangents = v;
    } else if (takeValue(arg, "output", v)) {
      o.outputs.push_back(v);
    } else if (takeValue(arg, "expected_output", v)) {
      o.expected.push_back(v);
    } else if (takeValue(arg, "expected_f32_threshold", v) ||
               takeValue(arg, "expected_f64_threshold", v)) {
      char *end = nullptr;
      double t = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(t >= 0))
        return fail(arg + ": expected a non-negative number", 2);
      (arg.find("f32") != std::string::npos ? o.tolerances.f32
                                            : o.tolerances.f64) = t;
    } else if (takeValue(arg, "sparse-outputs", v)) {
      auto mode = io::SparsePolicy::parseMode(v);
      if (!mode)
        return fail("--sparse-outputs='" + v +
                        "': expected auto, always or never",
                    2);
      o.sparse.mode = *mode;
    } else if (takeValue(arg, "sparse-threshold", v)) {
      char *end = nullptr;
      double t = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(t >= 0 && t <= 1))
        return fail("--sparse-threshold='" + v +
                        "': expected a density between 0 and 1",
                    2);
      o.sparse.threshold = t;
      o.thresholdGiven = true;
    } else if (takeValue(arg, "output_max_element_count", v)) {
      if (!parseCount(v, o.printLimit))
        return fail("--output_max_element_count='" + v + "' is not a count", 2);
    } else if (takeValue(arg, "benchmark", v)) {
      if (!parseCount(v, o.benchmark) || o.benchmark == 0)
        return fail("--benchmark='" + v + "' is not a positive count", 2);
    } else if (takeValue(arg, "memory-limit", v)) {
      std::optional<uint64_t> bytes = runtime::parseByteSize(v);
      if (!bytes)
        return fail("--memory-limit='" + v +
                        "': expected a positive size such as 512M or 8G",
                    2);
      runtime::setMemoryLimit(*bytes);
    } else if (takeValue(arg, "benchmark_format", v)) {
      if (v != "console" && v != "json")
        return fail("--benchmark_format='" + v + "': expected console or json",
                    2);
      o.json = v == "json";
    } else if (arg.size() > 1 && arg[0] == '-') {
      return fail("unknown option '" + arg + "'\n" + kUsage, 2);
    } else if (o.module.empty()) {
      o.module = arg;
    } else {
      return fail("more than one module given ('" + o.module + "', '" + arg +
                      "')",
                  2);
    }
  }
  if (o.module.empty())
    return fail(std::string("no module given\n") + kUsage, 2);
  if (o.thresholdGiven &&
      o.sparse.mode != io::SparsePolicy::Mode::automatic)
    return fail("--sparse-threshold is the density of "
                "--sparse-outputs=auto; add it",
                2);
  return 0;
}

std::string shapeText(const std::vector<int64_t> &shape, runtime::DType t) {
  std::string s;
  for (int64_t d : shape)
    s += (runtime::isSymbolDim(d) ? std::string("?") : std::to_string(d)) +
         "x";
  return s + runtime::dtypeName(t);
}

void describe(const runtime::Module &m) {
  const runtime::ModuleManifest &info = m.manifest();
  const runtime::Signature &sig = m.signature();
  std::cout << "module: " << info.compiler << ", format "
            << info.formatVersion << "\n"
            << "target: " << info.triple << " " << info.cpu << "\n";
  for (const auto &[k, v] : info.options)
    if (k.compare(0, 4, "key.") != 0)
      std::cout << "option: " << k << "=" << v << "\n";
  for (const runtime::ArgBinding &a : sig.args) {
    if (a.constant)
      continue;
    std::cout << "input: " << a.caller << " "
              << shapeText(a.shape, sig.dtype) << " (slot " << a.slot << ")\n";
  }
  static const char *const kinds[] = {"output: ", "gradient: ",
                                      "intermediate: "};
  for (size_t i = 0; i < sig.results.size(); ++i)
    std::cout << kinds[static_cast<int>(sig.resultKind(i))]
              << sig.results[i].name << " "
              << shapeText(sig.results[i].shape, sig.dtype) << "\n";
}
} // namespace

int main(int argc, char **argv) {
  Options o;
  if (int status = parseArgs(argc, argv, o))
    return status;
  if (o.describe || !o.device.empty()) {
    // The manifest alone: a GPU module is described where there is no GPU.
    auto bytes = runtime::readFile(o.module);
    if (!bytes.ok())
      return fail(std::string(bytes.status().message()));
    auto parsed = runtime::parseModule(*bytes, o.module);
    if (!parsed.ok())
      return fail(std::string(parsed.status().message()));
    bool gpu = runtime::Module::isGpuManifest(parsed->first);
    if (!o.device.empty() && gpu != (o.device == "cuda"))
      return fail(o.module + " was compiled for " +
                      (gpu ? "an NVIDIA GPU" : "the CPU") +
                      "; compile it with tl-compile --target=" + o.device +
                      " to run it with --device=" + o.device,
                  2);
    if (o.describe) {
      auto created = runtime::Module::create(std::move(parsed->first),
                                             std::string(parsed->second));
      if (!created.ok())
        return fail(o.module + ": " + std::string(created.status().message()));
      describe(**created);
      if (!(*created)->runnable().ok())
        std::cout << "runnable: no ("
                  << (*created)->runnable().message() << ")\n";
      return 0;
    }
  }
  double loadStart = runtime::profilerNowUs();
  auto module = runtime::Module::loadFile(o.module);
  double loadEnd = runtime::profilerNowUs();
  if (!module.ok())
    return fail(std::string(module.status().message()));
  const runtime::Module &m = **module;

  auto read = io::readInputs(o.inputs, o.inlineInputs);
  if (!read.ok())
    return fail(std::string(read.status().message()),
                io::exitStatus(read.status()));
  io::NamedArrays arrays = std::move(*read);
  std::deque<Buffer> buffers;
  std::map<std::string, const Buffer *> named;
  for (const auto &[name, array] : arrays) {
    buffers.push_back(io::toBuffer(array));
    named[name] = &buffers.back();
  }
  if (m.signature().isGradient) {
    std::map<std::string, const Buffer *> cotangents;
    if (!o.cotangents.empty()) {
      auto read = io::readNpz(o.cotangents);
      if (!read.ok())
        return fail(std::string(read.status().message()));
      for (const auto &[name, array] : *read) {
        buffers.push_back(io::toBuffer(array));
        cotangents[name] = &buffers.back();
      }
    }
    if (absl::Status s = m.addCotangents(cotangents, named, buffers); !s.ok())
      return fail(std::string(s.message()));
  } else if (!o.cotangents.empty()) {
    return fail("--cotangents: the module computes outputs, not gradients "
                "(compile it with tl-compile --grad)",
                2);
  }

  if (o.profile || o.benchmark) {
    // The inputs bound once, the results allocated once, the call repeated.
    auto bound = m.bind(named);
    if (!bound.ok())
      return fail(std::string(bound.status().message()));
    std::vector<Buffer> outputs = m.allocateResults(*bound);
    std::vector<Buffer *> results;
    for (Buffer &b : outputs)
      results.push_back(&b);
    absl::Status failed;
    auto call = [&] {
      if (absl::Status s = m.runUnchecked(bound->args, results); !s.ok())
        failed = s;
    };
    if (o.profile) {
      runtime::ProfileRecording recording = runtime::recordProfile(10, call);
      if (!failed.ok())
        return fail(std::string(failed.message()));
      std::cout << runtime::formatProfile(recording,
                                          {{"load module", loadStart, loadEnd}},
                                          m.signature().profileNodes, "load");
      return 0;
    }
    call(); // warm-up
    runtime::Timing run =
        runtime::medianOf(static_cast<unsigned>(o.benchmark), [&] {
          call();
          return true;
        });
    if (!failed.ok())
      return fail(std::string(failed.message()));
    std::string base = o.module;
    if (size_t slash = base.find_last_of('/'); slash != std::string::npos)
      base = base.substr(slash + 1);
    if (size_t dot = base.rfind('.'); dot != std::string::npos && dot > 0)
      base = base.substr(0, dot);
    std::cout << runtime::formatBenchmarks(
        {{base + "/run_median", static_cast<unsigned>(o.benchmark), run}},
        o.json,
        {{"executable", "tl-run"},
         {"module", o.module},
         {"dtype", runtime::dtypeName(m.dtype())},
         {"library_build_type", "release"}});
    return 0;
  }

  auto result = m.run(named);
  if (!result.ok())
    return fail(std::string(result.status().message()));
  io::NamedOutputs outputs;
  for (const auto &[name, buffer] : *result)
    outputs.emplace_back(name, io::toArray(buffer));
  io::OutputOptions deliver;
  deliver.files = o.outputs;
  deliver.expected = o.expected;
  deliver.tolerances = o.tolerances;
  deliver.print = o.print;
  deliver.printLimit = size_t(o.printLimit);
  deliver.sparse = o.sparse;
  if (absl::Status s = io::deliverOutputs(deliver, outputs, std::cout); !s.ok())
    return fail(std::string(s.message()), io::exitStatus(s));
  return 0;
}
