//===- tl-jit.cpp - compile and run a TensorLogic graph --------------------===//
//
//   tl-jit GRAPH.json|GRAPH.mlir|PROGRAM.tle [--inputs=IN.npz] [--input=NAME=2x3xf64=..]
//          [--output=OUT.npz] [--print] [--dtype=f64|f32] [--function=NAME]
//          [--reference] [--emit=tl|linalg|llvm-dialect|llvm-ir|asm|gpu|ptx]
//          [--device=cpu|cuda [--gpu-arch=sm_90]]
//          [--benchmark=N [--benchmark_format=console|json]]
//          [--grad=NAME,... [--cotangents=COT.npz] [--with-outputs]]
//          [--gradcheck]
//
// Inputs bind by name (G3); every output is written under its slot name
// (G4). Graphs are compiled by the library (tl::Executable, through the
// compile cache); --reference runs the reference interpreter instead.
// --grad compiles the adjoint (G12) and writes the gradients under the
// input names. This file parses flags, reads and writes .npy/.npz files
// at the edge and calls the public API (docs/CLI.md lists every flag).
// Exit status: 0 success, 1 a graph or run error, 2 a usage error.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Capabilities.h"
#include "tl/API/CompileLatency.h"
#include "tl/API/Debugging.h"
#include "tl/API/Streaming.h"
#include "tl/API/Training.h"
#include "tl/Driver/BuildId.h"
#include "tl/InitTL.h"
#include "tl/IO/Buffers.h"
#include "tl/IO/InlineInput.h"
#include "tl/IO/Inputs.h"
#include "tl/IO/Npy.h"
#include "tl/IO/Outputs.h"
#include "tl/IO/Print.h"
#include "tl/Runtime/Benchmark.h"
#include "tl/Runtime/Limits.h"
#include "tl/Runtime/Profiler.h"

// MLIR's debugging flags only (--mlir-print-ir-*, --mlir-timing).
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <deque>
#include <functional>
#include <sstream>

namespace cl = llvm::cl;
namespace io = mlir::tl::io;
using ::tl::runtime::Buffer;
using ::tl::runtime::DType;
using ::tl::runtime::SparseBuffer;

static cl::OptionCategory category("tl-jit options");
static cl::opt<std::string> graphPath(cl::Positional,
                                      cl::desc("<graph.json | graph.mlir | program.tle>"),
                                      cl::cat(category));
static cl::opt<std::string> inputsPath(
    "inputs", cl::desc("An .npz file whose arrays bind to the graph's inputs "
                       "by name"),
    cl::value_desc("file.npz"), cl::cat(category));
static cl::list<std::string> inlineInputs(
    "input",
    cl::desc("One input array: NAME=2x3xf64=1,2,3,4,5,6, NAME=f32=0.5 (0-d) "
             "or NAME=@file.npy; repeatable, wins over --inputs"),
    cl::value_desc("spec"), cl::cat(category));
static cl::list<std::string> outputPaths(
    "output",
    cl::desc("OUT.npz: every output, keyed by slot name; @OUT.npy "
             "(repeatable): one output per flag, in order"),
    cl::value_desc("OUT.npz|@OUT.npy"), cl::cat(category));
static cl::list<std::string> expectedOutputs(
    "expected_output",
    cl::desc("Compare an output and exit 1 on a mismatch: NAME=2x2xf64=... "
             "or NAME=@file.npy (by name), 2x2xf64=... or @file.npy (the "
             "i-th flag, the i-th output); repeatable"),
    cl::value_desc("spec"), cl::cat(category));
static cl::opt<double> expectedF32Threshold(
    "expected_f32_threshold",
    cl::desc("Absolute tolerance of --expected_output for f32 outputs"),
    cl::init(1e-4), cl::cat(category));
static cl::opt<double> expectedF64Threshold(
    "expected_f64_threshold",
    cl::desc("Absolute tolerance of --expected_output for f64 outputs"),
    cl::init(1e-4), cl::cat(category));
namespace {
enum class DTypeOpt { f64, f32 };
enum class EmitOpt { none, tl, linalg, llvmDialect, llvmIR, assembly, gpu, ptx };
enum class FormatOpt { console, json };
} // namespace
static cl::opt<DTypeOpt> dtype(
    "dtype", cl::desc("Element type to compute in (G5)"),
    cl::values(clEnumValN(DTypeOpt::f64, "f64", "64-bit floats (default)"),
               clEnumValN(DTypeOpt::f32, "f32", "32-bit floats")),
    cl::init(DTypeOpt::f64), cl::cat(category));
static cl::opt<bool> print("print",
                           cl::desc("Print every output (the default when "
                                    "no --output is given)"),
                           cl::cat(category));
static cl::opt<std::string> functionName(
    "function", cl::desc("The function of an MLIR file to run"),
    cl::init("main"), cl::cat(category));
static cl::opt<unsigned> printLimit(
    "output_max_element_count",
    cl::desc("Print at most this many elements of each output"),
    cl::init(1024), cl::cat(category));
static cl::opt<std::string> sparseOutputs(
    "sparse-outputs",
    cl::desc("Which outputs --output=OUT.npz stores and --print shows as "
             "sparse tensors: auto (density at or under "
             "--sparse-threshold), always or never"),
    cl::value_desc("auto|always|never"), cl::init("never"), cl::cat(category));
static cl::opt<double> sparseThreshold(
    "sparse-threshold",
    cl::desc("The density (nonzeros / elements) at or under which a tensor "
             "is sparse"),
    cl::init(0.05), cl::cat(category));
static cl::opt<bool> useReference(
    "reference",
    cl::desc("Run the reference interpreter instead of compiled code"),
    cl::cat(category));
static cl::opt<EmitOpt> emit(
    "emit", cl::desc("Print the graph at one stage of compilation and stop"),
    cl::values(clEnumValN(EmitOpt::tl, "tl", "tl dialect, shapes static"),
               clEnumValN(EmitOpt::linalg, "linalg", "linalg on tensors"),
               clEnumValN(EmitOpt::llvmDialect, "llvm-dialect",
                          "LLVM dialect (what --tl-cpu-pipeline gives)"),
               clEnumValN(EmitOpt::llvmIR, "llvm-ir",
                          "LLVM IR after LLVM's optimizations"),
               clEnumValN(EmitOpt::assembly, "asm", "host assembly"),
               clEnumValN(EmitOpt::gpu, "gpu",
                          "--device=cuda: host launches and NVVM kernels"),
               clEnumValN(EmitOpt::ptx, "ptx", "--device=cuda: every kernel's PTX")),
    cl::init(EmitOpt::none), cl::cat(category));
static cl::opt<std::string> device(
    "device",
    cl::desc("Where the code runs: cpu, or cuda (an NVIDIA GPU through the "
             "CUDA driver; compiled for the inputs' shapes)"),
    cl::init("cpu"), cl::cat(category));
static cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("--device=cuda: the NVIDIA architecture the code is for"),
    cl::init("sm_90"), cl::cat(category));
static cl::opt<unsigned> optLevel(
    "O", cl::desc("LLVM optimization level (0-3)"), cl::init(3), cl::Prefix,
    cl::cat(category));
static cl::opt<bool> vectorize(
    "vectorize", cl::desc("Tile and vectorize in MLIR (default on)"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> onednn(
    "onednn",
    cl::desc("Run large f32 matmuls in oneDNN where the cost model says so "
             "(default on)"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> semiNaive(
    "semi-naive",
    cl::desc("Evaluate transitive-closure fixpoints semi-naively over bit "
             "rows (default on; off: the plain loop of dense joins)"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> blas(
    "blas",
    cl::desc("Run large f64 matmuls in OpenBLAS where the cost model says so "
             "(default on)"),
    cl::init(true), cl::cat(category));
static cl::opt<std::string> mcpu(
    "mcpu", cl::desc("Target CPU (default: the host's)"), cl::cat(category));
static cl::opt<std::string> mattr(
    "mattr", cl::desc("Target features, e.g. -avx512f (default: the host's)"),
    cl::cat(category));
static cl::opt<std::string> dumpObject(
    "dump-object", cl::desc("Write the generated object code to this file"),
    cl::value_desc("file.o"), cl::cat(category));
static cl::opt<unsigned> benchmark(
    "benchmark",
    cl::desc("Run N times after a warm-up and print the median time, and "
             "the median compile time"),
    cl::init(0), cl::value_desc("N"), cl::cat(category));
static cl::opt<unsigned> compileRepetitions(
    "benchmark_compile_repetitions",
    cl::desc("How many times --benchmark compiles the graph from its text "
             "to time compilation"),
    cl::init(5), cl::cat(category));
static cl::opt<FormatOpt> benchmarkFormat(
    "benchmark_format", cl::desc("How --benchmark prints its results"),
    cl::values(clEnumValN(FormatOpt::console, "console", "a table"),
               clEnumValN(FormatOpt::json, "json",
                          "Google Benchmark's JSON")),
    cl::init(FormatOpt::console), cl::cat(category));

static cl::list<std::string> gradNames(
    "grad",
    cl::desc("Compute the gradients (G12) with respect to these input "
             "arrays and write them under their names"),
    cl::CommaSeparated, cl::value_desc("NAME,..."), cl::cat(category));
static cl::opt<std::string> cotangentsPath(
    "cotangents",
    cl::desc("With --grad: one cotangent per output, keyed by the output's "
             "name (default: ones, the gradient of the sum of the outputs)"),
    cl::value_desc("file.npz"), cl::cat(category));
static cl::opt<bool> noCache(
    "no-cache",
    cl::desc("Compile without the persistent compile cache (neither read "
             "nor written)"),
    cl::cat(category));
static cl::opt<std::string> cacheDir(
    "cache-dir",
    cl::desc("The compile cache's directory (default: TL_CACHE_DIR, else "
             "$XDG_CACHE_HOME/tl, else ~/.cache/tl)"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool> explainCache(
    "explain-cache",
    cl::desc("Say on stderr whether the compile cache had the graph, and for "
             "a miss which part of the key matched no entry"),
    cl::cat(category));

static cl::opt<bool> withOutputs(
    "with-outputs",
    cl::desc("With --grad: write the forward outputs too, from the same "
             "call"),
    cl::cat(category));
static cl::opt<bool> gradcheck(
    "gradcheck",
    cl::desc("Check the gradients of every input (or those of --grad) "
             "against central finite differences in f64, and exit 1 when "
             "one disagrees"),
    cl::cat(category));

namespace {
enum class CapabilitiesOpt { none, text, json };
} // namespace
static cl::opt<CapabilitiesOpt> capabilities(
    "capabilities",
    cl::desc("Print what this build and machine support (dtypes, ops, "
             "devices, CPU features, oneDNN/CUDA) and exit"),
    cl::values(clEnumValN(CapabilitiesOpt::text, "", "key: value lines"),
               clEnumValN(CapabilitiesOpt::text, "text", "key: value lines"),
               clEnumValN(CapabilitiesOpt::json, "json", "one JSON object")),
    cl::ValueOptional, cl::init(CapabilitiesOpt::none), cl::cat(category));
static cl::list<std::string> batchInputs(
    "batch",
    cl::desc("Run the graph once per .npz (compiled once, for the first "
             "file's shapes), in parallel, writing each item's outputs to "
             "--output-dir/<file stem>.npz; a failing item is reported "
             "and the others still run"),
    cl::CommaSeparated, cl::value_desc("IN.npz,..."), cl::cat(category));
static cl::opt<std::string> outputDir(
    "output-dir", cl::desc("With --batch: where the outputs go"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool> batchAsync(
    "batch-async",
    cl::desc("With --batch: queue every item with Executable::runAsync (one "
             "worker, items in order) instead of runBatch's threads"),
    cl::cat(category));
static cl::opt<int> batchThreads(
    "batch-threads",
    cl::desc("With --batch: items run at once (default: one per hardware "
             "thread)"),
    cl::init(0), cl::cat(category));

static cl::opt<std::string> dumpIntermediates(
    "dump-intermediates",
    cl::desc("Write every intermediate tensor to DIR/<slot>.npy (slots "
             "written twice get #2, ...; ops of MLIR input value<N>)"),
    cl::value_desc("dir"), cl::cat(category));
static cl::opt<bool> checkNumerics(
    "check-numerics",
    cl::desc("Fail at the first NaN or infinity, naming the node and op "
             "that produced it"),
    cl::cat(category));

static cl::opt<bool> profile(
    "profile",
    cl::desc("Compile with per-node timing, run --profile-runs times and "
             "print compile phases, per-node times, the bottleneck and the "
             "peak memory"),
    cl::cat(category));
static cl::opt<unsigned> profileRuns(
    "profile-runs", cl::desc("Runs timed by --profile and --trace"),
    cl::init(10), cl::cat(category));
static cl::opt<std::string> tracePath(
    "trace",
    cl::desc("Write a Chrome trace (Perfetto, chrome://tracing) with the "
             "compile phases and one span per node per run"),
    cl::value_desc("file.json"), cl::cat(category));

static cl::list<std::string> streamNames(
    "stream",
    cl::desc("Stream these input arrays along their first dimension under "
             "--memory-budget (inputs from --stream-input, outputs to "
             "--output-dir/<output>.npy)"),
    cl::CommaSeparated, cl::value_desc("NAME,..."), cl::cat(category));
static cl::list<std::string> streamInputs(
    "stream-input",
    cl::desc("With --stream: an input array's .npy file (memory-mapped); "
             "repeatable"),
    cl::value_desc("NAME=FILE.npy"), cl::cat(category));
static cl::opt<std::string> memoryBudget(
    "memory-budget",
    cl::desc("With --stream: bytes the run may add to resident memory "
             "(suffix K, M or G; default 256M)"),
    cl::init("256M"), cl::value_desc("SIZE"), cl::cat(category));
static cl::opt<std::string> checkpointPath(
    "checkpoint",
    cl::desc("With --stream: record progress after every chunk; a run that "
             "finds the file resumes from it"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<int64_t> streamChunkRows(
    "stream-chunk-rows",
    cl::desc("With --stream: rows per chunk (default: from the budget)"),
    cl::init(0), cl::cat(category));
static cl::opt<int> streamThrottleMs(
    "stream-throttle-ms",
    cl::desc("With --stream: sleep after each chunk (for tests and demos)"),
    cl::init(0), cl::cat(category));

static cl::opt<bool> strictInputs(
    "strict-inputs",
    cl::desc("An input array that binds no input of the graph is an error "
             "(default: a warning naming the nearest input)"),
    cl::cat(category));

static cl::opt<std::string> memoryLimit(
    "memory-limit",
    cl::desc("Refuse inputs and graph values that need more bytes than this "
             "(suffix K, M, G or T; default: TL_MEMORY_LIMIT, else the "
             "machine's available memory)"),
    cl::value_desc("SIZE"), cl::cat(category));

static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Compile for this shape of an input instead of its array's, "
             "NAME=2x3; ? for a size known only at run time (shape-generic "
             "code, docs/Tiering.md); repeatable"),
    cl::value_desc("name=dims"), cl::cat(category));
static cl::opt<int> hotThreshold(
    "hot-threshold",
    cl::desc("Shape-generic code: specialize a shape in the background "
             "after this many calls with it (0: never; default 3)"),
    cl::init(3), cl::cat(category));
static cl::opt<double> tuneSeconds(
    "tune", cl::ValueOptional,
    cl::desc("Tier 2: time candidate code generation choices on the inputs "
             "for up to SECONDS (default 10) before the run; the winners "
             "are kept as tuning records in the cache directory"),
    cl::value_desc("seconds"), cl::cat(category));
static cl::opt<std::string> jitLog(
    "jit-log",
    cl::desc("Write every compile (tier, shapes, reason, ms, cache) to this "
             "file as a JSON array"),
    cl::value_desc("file.json"), cl::cat(category));
static cl::opt<bool> fallback(
    "fallback",
    cl::desc("If code generation fails, say so and run the reference "
             "interpreter instead (graph errors still fail)"),
    cl::cat(category));

static int fail(const llvm::Twine &msg, int status = 1) {
  llvm::WithColor::error(llvm::errs(), "tl-jit") << msg << "\n";
  return status;
}
static int fail(const absl::Status &status) {
  return fail(std::string(status.message()));
}

static void printWarnings(const ::tl::Executable &exe) {
  for (const std::string &warning : exe.warnings())
    llvm::WithColor::warning(llvm::errs(), "tl-jit") << warning << "\n";
}

/// What the runs reported (a fixpoint stopped at max_iterations with
/// warn_at_limit), each message once however many runs repeated it.
static void printRunWarnings() {
  std::vector<std::string> printed;
  for (std::string &warning : ::tl::Executable::takeRunWarnings()) {
    if (llvm::is_contained(printed, warning))
      continue;
    llvm::WithColor::warning(llvm::errs(), "tl-jit") << warning << "\n";
    printed.push_back(std::move(warning));
  }
}

/// The library's compile options for the flags given.
static ::tl::CompileOptions apiOptions() {
  ::tl::CompileOptions options;
  options.dtype = dtype == DTypeOpt::f32 ? DType::f32 : DType::f64;
  options.dtypeFromGraph = dtype.getNumOccurrences() == 0;
  options.function = functionName;
  options.optLevel = optLevel;
  options.vectorize = vectorize;
  options.onednn = onednn;
  options.blas = blas;
  options.semiNaive = semiNaive;
  options.cpu = mcpu;
  options.features = mattr;
  options.device = device;
  options.gpuArch = gpuArch;
  options.profile = profile || !tracePath.empty();
  options.cache = !noCache;
  options.cacheDir = cacheDir;
  options.exposeIntermediates = !dumpIntermediates.empty() || checkNumerics;
  options.strictInputs = strictInputs;
  options.hotThreshold = hotThreshold;
  return options;
}

/// --input-shape over the shapes taken from the arrays.
static absl::Status applyInputShapes(::tl::CompileOptions &options) {
  for (const std::string &spec : inputShapes) {
    auto parsed = ::tl::parseShapeSpec(spec);
    if (!parsed.ok())
      return absl::InvalidArgumentError("--input-shape=" +
                                        std::string(parsed.status().message()));
    options.inputShapes[parsed->first] = parsed->second;
  }
  return absl::OkStatus();
}

/// --jit-log: every compile of `exe`, once its background compiles are
/// done.
static int writeJitLog(const ::tl::Executable &exe) {
  if (jitLog.empty())
    return 0;
  exe.waitForBackgroundCompiles();
  std::error_code ec;
  llvm::raw_fd_ostream os(jitLog, ec);
  if (ec)
    return fail("cannot write '" + jitLog + "': " + ec.message());
  os << ::tl::jitLogJSON(exe.stats().events);
  return 0;
}

/// --grad's options, or nullptr without --grad.
static const ::tl::GradientOptions *gradientOptions() {
  static ::tl::GradientOptions gradient;
  if (gradNames.empty())
    return nullptr;
  gradient.wrt.assign(gradNames.begin(), gradNames.end());
  gradient.withOutputs = withOutputs;
  return &gradient;
}

/// The runtime's buffers over arrays read at this edge, by name.
struct BoundArrays {
  std::deque<Buffer> storage;
  std::map<std::string, const Buffer *> named;
  BoundArrays(const BoundArrays &) = delete;
  explicit BoundArrays(const io::NamedArrays &arrays) {
    for (const auto &[name, array] : arrays) {
      storage.push_back(io::toBuffer(array));
      named[name] = &storage.back();
    }
  }
};

static io::NamedArrays toArrays(const ::tl::Outputs &outputs, size_t begin,
                                size_t end) {
  io::NamedArrays arrays;
  for (size_t i = begin; i < end; ++i)
    arrays.emplace_back(outputs.name(i), io::toArray(outputs[i]));
  return arrays;
}

/// --benchmark: compile times (cold and cached, in the library) and the
/// median of `benchmark` runs after one warm-up call.
/// `call` runs the code once.
static int runBenchmark(const ::tl::CompileOptions &options,
                        const std::function<absl::Status()> &call) {
  auto compile = ::tl::measureCompileLatency(
      graphPath, options, gradientOptions(), compileRepetitions);
  if (!compile.ok())
    return fail("--benchmark: " + std::string(compile.status().message()));
  if (absl::Status st = call(); !st.ok())
    return fail(st);
  ::tl::runtime::Timing run =
      ::tl::runtime::medianOf(benchmark, [&] { return call().ok(); });
  std::string base = llvm::sys::path::stem(graphPath).str();
  llvm::outs() << ::tl::runtime::formatBenchmarks(
      {{base + "/compile_median", unsigned(compileRepetitions), compile->cold},
       {base + "/compile_cached_median", unsigned(compileRepetitions),
        compile->cached},
       {base + "/run_median", unsigned(benchmark), run}},
      benchmarkFormat == FormatOpt::json,
      {{"executable", "tl-jit"},
       {"graph", graphPath},
       {"dtype", dtype == DTypeOpt::f32 ? "f32" : "f64"},
       {"library_build_type", "release"}});
  return 0;
}

/// --profile / --trace: `profileRuns` timed runs with the node spans
/// recorded.
static int runProfile(const ::tl::Executable &exe,
                      const std::map<std::string, const Buffer *> &inputs) {
  namespace rt = ::tl::runtime;
  auto allocated = exe.allocateOutputs(inputs);
  if (!allocated.ok())
    return fail(allocated.status());
  ::tl::Outputs &outputs = *allocated;
  if (absl::Status st = exe.runInto(inputs, outputs); !st.ok())
    return fail(st);
  rt::ProfileRecording recording = rt::recordProfile(
      profileRuns, [&] { (void)exe.runInto(inputs, outputs); });
  if (!tracePath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(tracePath, ec);
    if (ec)
      return fail("cannot write '" + tracePath + "': " + ec.message());
    os << rt::formatChromeTrace(recording, exe.compilePhases(),
                                exe.profileNodes(), "tl-jit main",
                                exe.profileShapes());
  }
  if (profile)
    llvm::outs() << "tier: " << exe.stats().lastTier << "\n"
                 << rt::formatProfile(recording, exe.compilePhases(),
                                      exe.profileNodes());
  return 0;
}

/// --stream: chunked over memory-mapped inputs under a memory budget.
static int runStream() {
  auto graph = ::tl::readGraphFile(graphPath);
  if (!graph.ok())
    return fail(graph.status());
  ::tl::StreamOptions stream;
  stream.streamed.assign(streamNames.begin(), streamNames.end());
  for (llvm::StringRef spec : streamInputs) {
    auto [name, file] = spec.split('=');
    if (name.empty() || file.empty())
      return fail("--stream-input='" + spec + "': expected NAME=FILE.npy", 2);
    stream.inputFiles[name.str()] = file.str();
  }
  std::optional<uint64_t> budget = ::tl::runtime::parseByteSize(memoryBudget);
  stream.memoryBudget = budget ? int64_t(*budget) : -1;
  if (!budget)
    return fail("--memory-budget='" + memoryBudget +
                    "': expected a positive size such as 512K, 64M or 2G",
                2);
  stream.chunkRows = streamChunkRows;
  stream.outputDir = outputDir;
  stream.checkpoint = checkpointPath;
  stream.throttleMs = streamThrottleMs;
  auto report =
      ::tl::runStreaming(graph->text, graph->format, apiOptions(), stream);
  if (!report.ok())
    return fail(report.status());
  llvm::outs() << report->str() << "\n";
  for (const std::string &f : report->outputFiles)
    llvm::outs() << "  " << f << "\n";
  return 0;
}

/// --batch: one compile for the first readable file's shapes, every
/// file's arrays run by the library's batch (or async) runner, results
/// written as they are listed; failures reported per item.
static int runBatch() {
  std::vector<io::NamedArrays> arrays(batchInputs.size());
  std::vector<std::string> loadErrors(batchInputs.size());
  for (auto [i, path] : llvm::enumerate(batchInputs)) {
    auto read = io::readInputArchive(path);
    if (read.ok())
      arrays[i] = std::move(*read);
    else
      loadErrors[i] = std::string(read.status().message());
  }
  size_t first = llvm::find(loadErrors, "") - loadErrors.begin();
  if (first == arrays.size())
    return fail("--batch: no input file could be read; the first: " +
                loadErrors[0]);
  // Items of different shapes share one shape-generic compile: a dim
  // that differs between readable items is left to run time (-1).
  ::tl::CompileOptions options = apiOptions();
  for (const auto &[name, array] : arrays[first])
    options.inputShapes[name] = array.shape;
  for (const io::NamedArrays &item : arrays)
    for (const auto &[name, array] : item) {
      auto it = options.inputShapes.find(name);
      if (it == options.inputShapes.end() ||
          it->second.size() != array.shape.size())
        continue; // binding and rank errors are the item's own
      for (size_t d = 0; d < array.shape.size(); ++d)
        if (it->second[d] != array.shape[d])
          it->second[d] = -1;
    }
  if (absl::Status st = applyInputShapes(options); !st.ok())
    return fail(std::string(st.message()), 2);
  auto exe = ::tl::Executable::compileFile(graphPath, options);
  if (!exe.ok())
    return fail(exe.status());
  printWarnings(**exe);
  std::deque<BoundArrays> bound; // never moved: items point into it
  std::vector<std::map<std::string, const Buffer *>> items;
  for (const io::NamedArrays &item : arrays)
    items.push_back(bound.emplace_back(item).named);
  std::vector<absl::StatusOr<::tl::Outputs>> results;
  if (batchAsync) {
    std::vector<::tl::AsyncRun> runs;
    for (const auto &item : items)
      runs.push_back((*exe)->runAsync(item));
    for (::tl::AsyncRun &run : runs)
      results.push_back(run.get());
  } else {
    results = (*exe)->runBatch(items, batchThreads);
  }
  int failed = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    std::string item = "batch item " + std::to_string(i) + " ('" +
                       batchInputs[i] + "')";
    llvm::SmallString<256> out(outputDir);
    llvm::sys::path::append(out,
                            llvm::sys::path::stem(batchInputs[i]) + ".npz");
    std::string error;
    if (!loadErrors[i].empty())
      error = item + ": " + loadErrors[i];
    else if (!results[i].ok()) // the message names the item
      error = batchInputs[i] + ": " + std::string(results[i].status().message());
    else if (absl::Status st = io::writeNpz(
                 std::string(out.str()),
                 toArrays(*results[i], 0, results[i]->size()));
             !st.ok())
      error = item + ": " + std::string(st.message());
    if (!error.empty()) {
      ++failed;
      fail(error);
      continue;
    }
    llvm::outs() << item << ": ok -> " << out << "\n";
  }
  llvm::outs() << (results.size() - failed) << "/" << results.size()
               << " batch items succeeded\n";
  if (int status = writeJitLog(**exe))
    return status;
  return failed ? 1 : 0;
}

/// --gradcheck: the compiled adjoint against central finite differences
/// of the compiled forward function, in f64.
static int
runGradcheck(const ::tl::CompileOptions &options,
             const std::map<std::string, const Buffer *> &inputs,
             const std::map<std::string, const SparseBuffer *> &sparseInputs) {
  auto graph = ::tl::readGraphFile(graphPath);
  if (!graph.ok())
    return fail(graph.status());
  ::tl::GradCheckOptions check;
  check.wrt.assign(gradNames.begin(), gradNames.end());
  // gradcheck compiles in f64 whatever --dtype says.
  auto report = ::tl::gradcheck(graph->text, graph->format, options, inputs,
                                sparseInputs, check);
  if (!report.ok())
    return fail(report.status());
  llvm::outs() << report->str() << "\n";
  return report->ok ? 0 : 1;
}

/// --reference, and --fallback after a failed compile: the interpreter.
static absl::StatusOr<::tl::Outputs>
runReference(const ::tl::CompileOptions &options,
             const std::map<std::string, const Buffer *> &inputs) {
  auto graph = ::tl::readGraphFile(graphPath);
  if (!graph.ok())
    return graph.status();
  auto reference =
      ::tl::Executable::compileReference(*graph, options);
  if (!reference.ok())
    return reference.status();
  return (*reference)->run(inputs);
}

/// The graph compiled with the command line's options, run once (after
/// --benchmark, --profile or --trace, when given); its results in
/// `outputs`, or in `sparseRoute` when it ran with sparse inputs (results
/// computed sparse stay sparse). Returns an exit status.
static int
compileAndRun(const ::tl::CompileOptions &options,
              const std::map<std::string, const Buffer *> &inputs,
              const std::map<std::string, const SparseBuffer *> &sparseInputs,
              ::tl::Outputs &outputs, io::NamedOutputs &sparseRoute,
              std::vector<::tl::IntermediateInfo> &intermediates) {
  const ::tl::GradientOptions *gradient = gradientOptions();
  auto exe = gradient ? ::tl::Executable::compileGradientFile(
                            graphPath, options, *gradient)
                      : ::tl::Executable::compileFile(graphPath, options);
  if (!exe.ok()) {
    if (!fallback || gradient || options.profile)
      return fail(exe.status());
    // Graph errors fail the interpreter the same way; anything else is a
    // code generation failure the interpreter does not have.
    auto result = runReference(options, inputs);
    if (!result.ok())
      return fail(result.status());
    llvm::WithColor::warning(llvm::errs(), "tl-jit")
        << "code generation failed (" << std::string(exe.status().message())
        << "); ran the reference interpreter instead (--fallback)\n";
    outputs = std::move(*result);
    return 0;
  }
  printWarnings(**exe);
  if (explainCache)
    llvm::errs() << "tl-jit: " << (*exe)->cacheReport() << "\n";
  if (!dumpObject.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(dumpObject, ec);
    if (ec)
      return fail("cannot write '" + dumpObject + "': " + ec.message());
    os << (*exe)->objectCode();
  }
  // The adjoint's extra inputs: one cotangent per forward output.
  std::optional<BoundArrays> cotangents;
  if (gradient) {
    io::NamedArrays read;
    if (!cotangentsPath.empty()) {
      auto npz = io::readNpz(cotangentsPath);
      if (!npz.ok())
        return fail(npz.status());
      read = std::move(*npz);
    }
    cotangents.emplace(read);
  }
  if (!sparseInputs.empty()) {
    // The sparse route; an adjoint's outputs, then its gradients (dense).
    auto runRoute = [&]() -> absl::StatusOr<io::NamedOutputs> {
      io::NamedOutputs named;
      if (!gradient) {
        auto results = (*exe)->runSparse(inputs, sparseInputs);
        if (!results.ok())
          return results.status();
        for (auto &[name, result] : *results)
          named.emplace_back(name, io::toValue(std::move(result)));
        return named;
      }
      auto g = (*exe)->runGradient(inputs, sparseInputs, cotangents->named);
      if (!g.ok())
        return g.status();
      for (::tl::Outputs *part : {&g->outputs, &g->gradients})
        for (auto &[name, buffer] : part->entries)
          named.emplace_back(
              name, io::toValue(::tl::runtime::AnyBuffer(std::move(buffer))));
      return named;
    };
    // Each run allocates its sparse results: their sizes are known only
    // once computed.
    if (benchmark) {
      if (int status =
              runBenchmark(options, [&] { return runRoute().status(); }))
        return status;
      return writeJitLog(**exe);
    }
    auto results = runRoute();
    if (!results.ok())
      return fail(results.status());
    sparseRoute = std::move(*results);
    return writeJitLog(**exe);
  }
  std::map<std::string, const Buffer *> all = inputs;
  std::deque<Buffer> ones;
  if (gradient)
    if (absl::Status st = (*exe)->addCotangents(cotangents->named, all, ones);
        !st.ok())
      return fail(st);
  if (tuneSeconds.getNumOccurrences()) {
    double seconds = tuneSeconds > 0 ? double(tuneSeconds) : 10.0;
    if (absl::Status st = (*exe)->tune(all, seconds); !st.ok())
      return fail("--tune: " + std::string(st.message()));
  }
  if (benchmark) {
    auto allocated = (*exe)->allocateOutputs(all);
    if (!allocated.ok())
      return fail(allocated.status());
    if (int status = runBenchmark(
            options, [&] { return (*exe)->runInto(all, *allocated); }))
      return status;
    return writeJitLog(**exe);
  }
  if (profile || !tracePath.empty())
    if (int status = runProfile(**exe, all))
      return status;
  auto allocated = (*exe)->allocateOutputs(all);
  if (!allocated.ok())
    return fail(allocated.status());
  outputs = std::move(*allocated);
  if (absl::Status st = (*exe)->runInto(all, outputs); !st.ok())
    return fail(st);
  intermediates = (*exe)->intermediates();
  if (checkNumerics)
    if (absl::Status st = ::tl::checkNumerics(**exe, inputs, outputs);
        !st.ok())
      return fail("--check-numerics: " + std::string(st.message()));
  return writeJitLog(**exe);
}

/// A flag that would do nothing in this combination is a usage error,
/// never silently ignored (checked before any other combination rule).
static int refuseNoOps() {
  bool stream = !streamNames.empty(), batch = !batchInputs.empty();
  bool timing = profile || !tracePath.empty();
  struct Rule {
    const cl::Option &flag;
    bool applies;
    const char *needs;
  };
  const Rule rules[] = {
      {profile, !stream && !batch,
       "times one graph run by run; it has no --batch or --stream"},
      {tracePath, !stream && !batch,
       "times one graph run by run; it has no --batch or --stream"},
      {profileRuns, timing, "needs --profile or --trace"},
      {outputDir, stream || batch, "needs --batch or --stream"},
      {batchAsync, batch, "needs --batch"},
      {batchThreads, batch, "needs --batch"},
      {memoryBudget, stream, "needs --stream"},
      {streamChunkRows, stream, "needs --stream"},
      {streamThrottleMs, stream, "needs --stream"},
      {withOutputs, !gradNames.empty(), "needs --grad"},
      {expectedF32Threshold, !expectedOutputs.empty(),
       "needs --expected_output"},
      {expectedF64Threshold, !expectedOutputs.empty(),
       "needs --expected_output"},
      {expectedOutputs,
       !stream && !batch && !benchmark && !gradcheck && emit == EmitOpt::none,
       "compares the outputs of one run; it has no --batch, --stream, "
       "--benchmark, --gradcheck or --emit"},
      {outputPaths,
       !stream && !batch && !benchmark && !gradcheck && emit == EmitOpt::none,
       "writes the outputs of one run (--batch and --stream take "
       "--output-dir)"},
      {benchmarkFormat, benchmark > 0, "needs --benchmark"},
      {compileRepetitions, benchmark > 0, "needs --benchmark"},
      {dumpObject, !useReference,
       "writes compiled code; --reference compiles none"},
      {explainCache, !useReference && emit == EmitOpt::none,
       "reports a compile; --reference and --emit do not use the cache"},
      {fallback, !useReference,
       "has nothing to fall back from with --reference"},
      {jitLog, !useReference && !stream && !gradcheck && emit == EmitOpt::none,
       "logs compiles of a run or a batch; --reference, --stream, "
       "--gradcheck and --emit make none it can log"},
      {tuneSeconds,
       !useReference && !stream && !batch && !gradcheck &&
           emit == EmitOpt::none && gradNames.empty(),
       "tunes the code of one run; drop --reference, --stream, --batch, "
       "--gradcheck, --grad and --emit"},
      {hotThreshold, !useReference && !stream && emit == EmitOpt::none,
       "specializes shape-generic code as it runs; drop --reference, "
       "--stream and --emit"},
      {optLevel, !useReference, "shapes compiled code; drop --reference"},
      {vectorize, !useReference, "shapes compiled code; drop --reference"},
      {onednn, !useReference, "shapes compiled code; drop --reference"},
      {blas, !useReference, "shapes compiled code; drop --reference"},
      {semiNaive, !useReference, "shapes compiled code; drop --reference"},
      {mcpu, !useReference, "shapes compiled code; drop --reference"},
      {mattr, !useReference, "shapes compiled code; drop --reference"},
      {printLimit,
       print || (outputPaths.empty() && expectedOutputs.empty() && !profile &&
                 tracePath.empty() && !benchmark && emit == EmitOpt::none &&
                 !stream && !batch),
       "limits printed outputs; nothing is printed in this combination "
       "(add --print)"},
      {sparseOutputs,
       emit == EmitOpt::none && !stream && !batch && !benchmark && !gradcheck,
       "chooses how outputs are written and printed; none are in this "
       "combination"},
  };
  for (const Rule &rule : rules)
    if (rule.flag.getNumOccurrences() && !rule.applies)
      return fail("--" + rule.flag.ArgStr + " " + rule.needs, 2);
  return 0;
}

static int runTool(int argc, char **argv) {
  // MLIR's own debugging flags, as in tl-opt: --mlir-print-ir-after-all,
  // --mlir-print-ir-before=PASS, --mlir-timing, --mlir-print-debuginfo...
  mlir::tl::registerTLCompilerPasses(); // so the flags can name passes
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  mlir::tl::setVersionPrinter("tl-jit");
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "tl-jit: compile and run a TensorLogic "
                                   "graph\n",
                                   &llvm::errs()))
    return 2;
  if (!memoryLimit.empty()) {
    std::optional<uint64_t> bytes = ::tl::runtime::parseByteSize(memoryLimit);
    if (!bytes)
      return fail("--memory-limit='" + memoryLimit +
                      "': expected a positive size such as 512M or 8G",
                  2);
    ::tl::runtime::setMemoryLimit(*bytes);
  }
  if (capabilities != CapabilitiesOpt::none) {
    ::tl::Capabilities c = ::tl::queryCapabilities();
    llvm::outs() << (capabilities == CapabilitiesOpt::json ? c.json() + "\n"
                                                           : c.text());
    return 0;
  }
  if (graphPath.empty())
    return fail("no graph given (tl-jit GRAPH.json|GRAPH.mlir|PROGRAM.tle ...; "
                "--help lists the options)",
                2);
  if (int status = refuseNoOps())
    return status;
  if (!streamNames.empty()) {
    if (outputDir.empty())
      return fail("--stream needs --output-dir", 2);
    if (!inputsPath.empty() || !inlineInputs.empty() || !batchInputs.empty() ||
        !gradNames.empty() || useReference || emit != EmitOpt::none ||
        benchmark)
      return fail("--stream reads its inputs from --stream-input files and "
                  "has no --inputs, --input, --batch, --grad, --reference, "
                  "--emit or --benchmark",
                  2);
    return runStream();
  }
  if (!streamInputs.empty() || !checkpointPath.empty())
    return fail("--stream-input and --checkpoint need --stream", 2);
  if (!batchInputs.empty()) {
    if (outputDir.empty())
      return fail("--batch needs --output-dir", 2);
    if (!inputsPath.empty() || !inlineInputs.empty() || !gradNames.empty() ||
        gradcheck || useReference || emit != EmitOpt::none || benchmark)
      return fail("--batch takes its inputs from the listed files and has "
                  "no --inputs, --input, --grad, --gradcheck, --reference, "
                  "--emit or --benchmark",
                  2);
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create '" + outputDir + "': " + ec.message());
    return runBatch();
  }
  if (!cotangentsPath.empty() && gradNames.empty())
    return fail("--cotangents needs --grad", 2);
  if (gradcheck && (useReference || emit != EmitOpt::none || benchmark))
    return fail("--gradcheck compiles and checks gradients; it has no "
                "--reference, --emit or --benchmark",
                2);
  if (useReference && (!dumpIntermediates.empty() || checkNumerics))
    return fail("--dump-intermediates and --check-numerics inspect compiled "
                "code; drop --reference",
                2);
  if ((profile || !tracePath.empty()) && (useReference || benchmark))
    return fail("--profile and --trace time compiled code; drop --reference "
                "and --benchmark",
                2);
  if (useReference && !gradNames.empty())
    return fail("--reference has no gradients; drop --grad", 2);
  if (useReference && (emit != EmitOpt::none || benchmark))
    return fail("--reference runs the interpreter; it has no --emit or "
                "--benchmark",
                2);
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) + " is out of range (0-3)", 2);
  if (!io::SparsePolicy::parseMode(sparseOutputs))
    return fail("--sparse-outputs='" + sparseOutputs +
                    "': expected auto, always or never",
                2);
  if (!(sparseThreshold >= 0 && sparseThreshold <= 1))
    return fail("--sparse-threshold=" + std::to_string(sparseThreshold) +
                    ": expected a density between 0 and 1",
                2);

  // Inputs: the .npz, then --input (which wins), converted at this edge.
  auto read = io::readInputValues(inputsPath, inlineInputs);
  if (!read.ok())
    return fail(std::string(read.status().message()),
                io::exitStatus(read.status()));
  // The sparse route (issue 19): a plain run or --benchmark on the CPU
  // reads its sparse inputs sparse when one is at or under
  // --sparse-threshold; every other mode binds their dense forms.
  std::deque<SparseBuffer> sparseStore;
  std::map<std::string, const SparseBuffer *> sparseInputs;
  std::map<std::string, double> densities;
  bool anySparse = false, sparseEnough = false;
  for (const auto &[name, value] : *read)
    if (const auto *sparse = std::get_if<SparseBuffer>(&value)) {
      anySparse = true;
      densities[name] = sparse->density();
      sparseEnough |= sparse->density() <= sparseThreshold;
    }
  if (sparseThreshold.getNumOccurrences() && sparseOutputs != "auto" &&
      !anySparse)
    return fail("--sparse-threshold is the density of --sparse-outputs=auto "
                "and of sparse inputs; add --sparse-outputs=auto or give a "
                "sparse input",
                2);
  bool mayReadSparse = device == "cpu" && !useReference && !profile &&
                       tracePath.empty() && !tuneSeconds.getNumOccurrences() &&
                       !checkNumerics && dumpIntermediates.empty() && !fallback;
  io::NamedInputs values = std::move(*read);
  if (mayReadSparse && sparseEnough)
    for (auto it = values.begin(); it != values.end();) {
      auto *sparse = std::get_if<SparseBuffer>(&it->second);
      if (!sparse) {
        ++it;
        continue;
      }
      sparseInputs[it->first] = &sparseStore.emplace_back(std::move(*sparse));
      it = values.erase(it);
    }
  auto dense = io::denseInputs(std::move(values), inputsPath, inlineInputs);
  if (!dense.ok())
    return fail(std::string(dense.status().message()),
                io::exitStatus(dense.status()));
  io::NamedArrays arrays = std::move(*dense);
  BoundArrays inputs(arrays);
  ::tl::CompileOptions options = apiOptions();
  for (const auto &[name, array] : arrays)
    options.inputShapes[name] = array.shape;
  for (const auto &[name, sparse] : sparseInputs)
    options.inputShapes[name] = sparse->shape;
  if (!sparseInputs.empty()) {
    options.inputDensities = densities;
    options.sparseThreshold = sparseThreshold;
  }
  if (absl::Status st = applyInputShapes(options); !st.ok())
    return fail(std::string(st.message()), 2);

  if (gradcheck)
    return runGradcheck(options, inputs.named, sparseInputs);
  if (emit != EmitOpt::none) {
    static const char *const stages[] = {
        "", "tl", "linalg", "llvm-dialect", "llvm-ir", "asm", "gpu", "ptx"};
    auto text = ::tl::emitGraphFile(graphPath, options,
                                    stages[static_cast<int>(emit.getValue())],
                                    gradientOptions());
    if (!text.ok())
      return fail(text.status());
    llvm::outs() << *text;
    return 0;
  }

  ::tl::Outputs outputs;
  io::NamedOutputs sparseRoute;
  std::vector<::tl::IntermediateInfo> intermediates;
  if (useReference) {
    auto result = runReference(options, inputs.named);
    if (!result.ok())
      return fail(result.status());
    outputs = std::move(*result);
  } else if (int status = compileAndRun(options, inputs.named, sparseInputs,
                                        outputs, sparseRoute, intermediates)) {
    return status;
  }
  printRunWarnings();
  if (benchmark)
    return 0;
  size_t numResults = outputs.size() - intermediates.size();
  if (!dumpIntermediates.empty())
    if (absl::Status st = io::writeNpyFiles(
            dumpIntermediates.getValue(),
            toArrays(outputs, numResults, outputs.size()));
        !st.ok())
      return fail(st);

  // --profile and --trace print their report instead, unless asked.
  io::OutputOptions deliver;
  deliver.files.assign(outputPaths.begin(), outputPaths.end());
  deliver.expected.assign(expectedOutputs.begin(), expectedOutputs.end());
  deliver.tolerances.f32 = expectedF32Threshold;
  deliver.tolerances.f64 = expectedF64Threshold;
  deliver.print = print;
  deliver.quiet = profile || !tracePath.empty();
  deliver.printLimit = printLimit;
  deliver.sparse.mode = *io::SparsePolicy::parseMode(sparseOutputs);
  deliver.sparse.threshold = sparseThreshold;
  std::ostringstream printed;
  absl::Status st = io::deliverOutputs(
      deliver,
      sparseInputs.empty() ? io::toOutputs(toArrays(outputs, 0, numResults))
                           : std::move(sparseRoute),
      printed);
  llvm::outs() << printed.str();
  if (!st.ok())
    return fail(std::string(st.message()), io::exitStatus(st));
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  int status = runTool(argc, argv);
  // A full disk or a closed pipe on standard output is an error with its
  // reason, not LLVM's "IO failure on output stream" abort at exit.
  llvm::outs().flush();
  if (llvm::outs().has_error()) {
    std::error_code ec = llvm::outs().error();
    llvm::outs().clear_error();
    return fail("cannot write the standard output: " + ec.message());
  }
  return status;
}
