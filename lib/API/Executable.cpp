//===- Executable.cpp - compile a TensorLogic graph and run it -------------===//
//
// A thin shell over the driver: the same GraphRunner and pipelines as
// tl-jit, with llvm::Error turned into absl::Status at the boundary.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"

#include "SourceFormat.h"

#include "TieredModules.h"

#include "tl/Driver/GraphRunner.h"
#include "tl/Runtime/CallStatus.h"
#include "tl/Runtime/Sha256.h"
#include "tl/Target/TensorLogicJSON/TensorLogicJSON.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>

using namespace tl;

struct Executable::Impl {
  /// The module compile() made (for a shape-generic executable, the
  /// generic one); `tiers` picks the version each run uses.
  std::shared_ptr<const tl::runtime::Module> graph;
  std::shared_ptr<TieredModules> tiers;
  std::vector<TensorInfo> inputs, outputs;
  // Adjoints only: the forward outputs whose cotangents the call takes,
  // and the gradients (the last results of the compiled function).
  std::vector<TensorInfo> cotangents, gradients;
  std::vector<IntermediateInfo> intermediates;
  // Every result of the compiled function: outputs, gradients,
  // intermediates.
  std::vector<TensorInfo> results;
  // Reference executables keep the graph and interpret it on each run.
  bool isReference = false;
  std::string text;
  std::string sourceName; // the path, for messages; "" for a buffer
  GraphFormat format = GraphFormat::kAuto;
  CompileOptions options;
  double compileSeconds = 0;
  std::string cacheReport;
  std::vector<tl::runtime::Phase> phases;
  std::vector<std::string> warnings;
};

const Buffer *Outputs::find(std::string_view name) const {
  for (const auto &[n, b] : entries)
    if (n == name)
      return &b;
  return nullptr;
}

Executable::Executable(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Executable::~Executable() = default;

const std::vector<TensorInfo> &Executable::inputs() const {
  return impl->inputs;
}
const std::vector<TensorInfo> &Executable::outputs() const {
  return impl->outputs;
}
const std::vector<TensorInfo> &Executable::cotangents() const {
  return impl->cotangents;
}
const std::vector<TensorInfo> &Executable::gradients() const {
  return impl->gradients;
}
const std::vector<IntermediateInfo> &Executable::intermediates() const {
  return impl->intermediates;
}
bool Executable::isGradient() const {
  return impl->graph && impl->graph->signature().isGradient;
}
bool Executable::isReference() const { return impl->isReference; }
const std::vector<std::string> &Executable::profileShapes() const {
  static const std::vector<std::string> none;
  return impl->graph ? impl->graph->signature().profileShapes : none;
}
const std::vector<std::string> &Executable::profileNodes() const {
  static const std::vector<std::string> none;
  return impl->graph ? impl->graph->signature().profileNodes : none;
}
double Executable::compileSeconds() const { return impl->compileSeconds; }
const std::vector<std::string> &Executable::warnings() const {
  return impl->warnings;
}
std::vector<std::string> Executable::takeRunWarnings() {
  return runtime::takeRunWarnings();
}
const std::string &Executable::cacheReport() const { return impl->cacheReport; }
const std::vector<tl::runtime::Phase> &Executable::compilePhases() const {
  return impl->phases;
}
std::string_view Executable::objectCode() const {
  return impl->graph ? std::string_view(impl->graph->objectCode())
                     : std::string_view();
}
void Executable::clearInProcessCache() { mlir::tl::clearInProcessCache(); }

absl::Status Executable::addCotangents(
    const std::map<std::string, const Buffer *> &cotangents,
    std::map<std::string, const Buffer *> &inputs,
    std::deque<Buffer> &storage) const {
  if (!isGradient())
    return absl::FailedPreconditionError(
        "addCotangents: this executable computes the graph's outputs; "
        "compile it with compileGradient");
  return impl->graph->addCotangents(cotangents, inputs, storage);
}

static absl::Status toStatus(llvm::Error error, absl::StatusCode code) {
  return absl::Status(code, llvm::toString(std::move(error)));
}


namespace {
/// The bytes a buffer's elements occupy, [lo, hi).
struct ByteSpan {
  uintptr_t lo = 0, hi = 0;
  bool overlaps(const ByteSpan &o) const {
    return lo < hi && o.lo < o.hi && lo < o.hi && o.lo < hi;
  }
};

ByteSpan byteSpan(const Buffer &b) {
  if (!b.data() || b.numElements() == 0)
    return {};
  int64_t first = 0, last = 0;
  for (int64_t d = 0; d < b.rank(); ++d) {
    int64_t extent = (b.shape()[d] - 1) * b.strides()[d];
    (extent < 0 ? first : last) += extent;
  }
  auto base = reinterpret_cast<uintptr_t>(b.data());
  int64_t size = static_cast<int64_t>(runtime::dtypeSize(b.dtype()));
  return {base + first * size, base + (last + 1) * size};
}
} // namespace

absl::StatusOr<GraphSource> tl::readGraphFile(const std::string &path) {
  // "-" is standard input, read once: a tool may compile the graph more
  // than once (--benchmark), and standard input cannot be read again.
  static std::mutex stdinMutex;
  static std::optional<std::string> stdinText;
  if (path == "-") {
    std::lock_guard<std::mutex> lock(stdinMutex);
    if (!stdinText) {
      auto buffer = llvm::MemoryBuffer::getSTDIN();
      if (!buffer)
        return absl::NotFoundError("cannot read standard input: " +
                                   buffer.getError().message());
      stdinText = (*buffer)->getBuffer().str();
    }
    GraphSource source;
    source.text = *stdinText;
    source.format = resolveGraphFormat(source.text, GraphFormat::kAuto);
    source.name = "<stdin>";
    return source;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return absl::NotFoundError("cannot read '" + path +
                               "': " + buffer.getError().message());
  GraphSource source;
  source.text = (*buffer)->getBuffer().str();
  source.format = fromSourceFormat(
      mlir::tl::detectSourceFormat(path, source.text));
  source.name = path;
  return source;
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileFile(const std::string &path,
                        const CompileOptions &options) {
  auto source = readGraphFile(path);
  if (!source.ok())
    return source.status();
  return compile(*source, options);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compile(const GraphSource &source, const CompileOptions &options) {
  return compileImpl(source.text, source.format, options, nullptr, source.name);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileGradient(const GraphSource &source,
                            const CompileOptions &options,
                            const GradientOptions &gradient) {
  return compileImpl(source.text, source.format, options, &gradient,
                     source.name);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileGradientFile(const std::string &path,
                                const CompileOptions &options,
                                const GradientOptions &gradient) {
  auto source = readGraphFile(path);
  if (!source.ok())
    return source.status();
  return compileGradient(*source, options, gradient);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileGradient(std::string_view text, GraphFormat format,
                            const CompileOptions &options,
                            const GradientOptions &gradient) {
  return compileImpl(text, format, options, &gradient);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compile(std::string_view text, GraphFormat format,
                    const CompileOptions &options) {
  return compileImpl(text, format, options, nullptr);
}

absl::StatusOr<std::pair<std::string, std::vector<int64_t>>>
tl::parseShapeSpec(std::string_view text) {
  llvm::StringRef spec(text.data(), text.size());
  auto bad = [&] {
    return absl::InvalidArgumentError(
        "'" + spec.str() +
        "': expected NAME=DIMS, e.g. parent=5x5, parent=?x5 (? for a size "
        "known only at run time), NAME= for 0-d");
  };
  auto [name, dims] = spec.split('=');
  if (name.empty() || !spec.contains('='))
    return bad();
  std::vector<int64_t> shape;
  if (!dims.empty() && dims != "scalar") {
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef d : parts) {
      int64_t v;
      if (d == "?")
        v = -1;
      else if (d.getAsInteger(10, v) || v < 0)
        return bad();
      shape.push_back(v);
    }
  }
  return std::make_pair(name.str(), shape);
}

GraphFormat tl::resolveGraphFormat(std::string_view text, GraphFormat format) {
  if (format != GraphFormat::kAuto)
    return format;
  return fromSourceFormat(mlir::tl::detectSourceFormat(
      "", llvm::StringRef(text.data(), text.size())));
}

/// How the options bind a graph: in options.dtype, the named function.
static mlir::tl::RunOptions runOptions(const CompileOptions &options) {
  mlir::tl::RunOptions run;
  run.useF32 = options.dtype == DType::f32;
  run.dtypeGiven = !options.dtypeFromGraph;
  run.functionName = options.function;
  run.strictInputs = options.strictInputs;
  return run;
}

/// Loads `text` into `runner` as compileReference() does: bound by the
/// names of options.inputShapes, in options.dtype.
static llvm::Error loadGraph(mlir::tl::GraphRunner &runner,
                             std::string_view text, GraphFormat format,
                             const CompileOptions &options,
                             const std::string &sourceName) {
  std::vector<std::string> names;
  for (const auto &[name, shape] : options.inputShapes)
    names.push_back(name);
  mlir::tl::SourceFormat source = toSourceFormat(format);
  return runner.loadBuffer(llvm::StringRef(text.data(), text.size()), source,
                           !sourceName.empty()
                               ? llvm::StringRef(sourceName)
                               : mlir::tl::defaultSourceName(source),
                           names, runOptions(options));
}

/// A signature's shape as the API gives it: -1 for a size known only at
/// run time.
static std::vector<int64_t> apiShape(std::vector<int64_t> shape) {
  for (int64_t &d : shape)
    d = tl::runtime::isSymbolDim(d) ? -1 : d;
  return shape;
}

/// The signature's inputs, outputs, cotangents and gradients as the API
/// describes them.
static std::unique_ptr<Executable::Impl>
describe(std::shared_ptr<const tl::runtime::Module> graph) {
  auto impl = std::make_unique<Executable::Impl>();
  const tl::runtime::Signature &sig = graph->signature();
  DType dtype = sig.dtype;
  for (const auto &arg : sig.args)
    if (!arg.constant && !llvm::StringRef(arg.caller).starts_with(
                             tl::runtime::cotangentName("")) &&
        llvm::none_of(impl->inputs, [&](const TensorInfo &t) {
          return t.name == arg.caller;
        }))
      impl->inputs.push_back({arg.caller, dtype, apiShape(arg.shape)});
  for (const auto &c : sig.cotangents)
    impl->cotangents.push_back({c.name, dtype, c.shape});
  size_t firstIntermediate = sig.results.size() - sig.intermediates.size();
  for (const auto &[i, result] : llvm::enumerate(sig.results)) {
    std::vector<int64_t> shape = apiShape(result.shape);
    switch (sig.resultKind(i)) {
    case tl::runtime::ResultKind::output:
      impl->outputs.push_back({result.name, dtype, shape});
      break;
    case tl::runtime::ResultKind::gradient:
      impl->gradients.push_back({result.name, dtype, shape});
      break;
    case tl::runtime::ResultKind::intermediate: {
      const auto &origin = sig.intermediates[i - firstIntermediate];
      impl->intermediates.push_back(
          {result.name, origin.node, origin.op, dtype, shape});
      break;
    }
    }
    impl->results.push_back({result.name, dtype, shape});
  }
  impl->graph = std::move(graph);
  return impl;
}

/// The driver's request for a graph and the API's options: the one place
/// CompileOptions become compiler options.
static mlir::tl::CompileRequest makeRequest(std::string_view text,
                                            GraphFormat format,
                                            const CompileOptions &options,
                                            const GradientOptions *gradient,
                                            const std::string &sourceName) {
  format = resolveGraphFormat(text, format);
  mlir::tl::CompileRequest request;
  request.text = llvm::StringRef(text.data(), text.size());
  request.format = toSourceFormat(format);
  request.sourceName = !sourceName.empty()
                           ? llvm::StringRef(sourceName)
                           : mlir::tl::defaultSourceName(request.format);
  request.run = runOptions(options);
  request.shapes = options.inputShapes;
  if (gradient)
    request.gradient = *gradient;
  request.exposeIntermediates = options.exposeIntermediates;
  request.jit.optLevel = options.optLevel;
  request.jit.cpu = options.cpu;
  request.jit.features = options.features;
  request.cache.enabled = options.cache;
  request.cache.dir = options.cacheDir;
  request.cache.maxBytes = options.cacheMaxBytes;
  request.codegen.vectorize = options.vectorize;
  request.codegen.threads = options.threads;
  request.codegen.onednn = options.onednn;
  request.codegen.blas = options.blas;
  request.codegen.approximateExp = options.approximateExp;
  request.codegen.profile = options.profile;
  request.codegen.semiNaive = options.semiNaive;
  request.backend = options.device;
  request.codegen.gpuArch = options.gpuArch;
  request.codegen.gpuFormat = options.gpuFormat;
  request.codegen.inputDensities = options.inputDensities;
  request.codegen.sparseThreshold = options.sparseThreshold;
  // Tuning records of earlier tier-2 runs (any process) shape the code.
  if (options.cache) {
    mlir::tl::CacheSettings cache;
    cache.dir = options.cacheDir;
    std::string dir = mlir::tl::resolveCacheDir(cache);
    if (!dir.empty() && llvm::sys::fs::is_directory(dir + "/tuning"))
      request.codegen.tuningRecords = dir + "/tuning";
  }
  return request;
}

static std::string cacheOutcome(const mlir::tl::CacheReport &report) {
  switch (report.outcome) {
  case mlir::tl::CacheReport::kDisabled:
    return "off";
  case mlir::tl::CacheReport::kMiss:
    return "miss";
  default:
    return "hit";
  }
}

/// The versions of a compiled executable: the first one, and for
/// shape-generic code a compiler of specialized versions (tier 1).
static std::shared_ptr<TieredModules>
makeTiers(const Executable::Impl &impl, std::string_view text,
          GraphFormat format, const CompileOptions &options,
          const GradientOptions *gradient, const std::string &sourceName,
          const mlir::tl::CacheReport &cache) {
  CompileEvent first;
  bool generic = impl.graph->signature().isGeneric();
  first.tier = generic ? "generic" : "specialized";
  for (const TensorInfo &t : impl.inputs)
    first.shapes[t.name] = t.shape;
  first.reason = generic ? "unknown sizes at compile time"
                         : "shapes given at compile time";
  first.ms = impl.compileSeconds * 1000;
  first.cache = cacheOutcome(cache);
  std::string tuned = impl.graph->manifest().option("tuned-ops");
  if (!tuned.empty() && tuned != "0") {
    first.tier = "tuned";
    first.reason += "; followed " + tuned + " tuning records";
  }
  TieredModules::Settings settings;
  settings.hotThreshold = options.hotThreshold;
  settings.maxVersions = options.maxVersions;
  settings.valueProfiles = options.valueProfiles;
  settings.tuneSeconds = options.tune;
  mlir::tl::CacheSettings cacheSettings;
  cacheSettings.enabled = options.cache;
  cacheSettings.dir = options.cacheDir;
  settings.tuningDir = mlir::tl::cacheSidePath(cacheSettings, "tuning", "");
  std::optional<GradientOptions> grad;
  if (gradient)
    grad = *gradient;
  auto compiler = [text = std::string(text), format, options, grad,
                   sourceName](const VersionRequest &version)
      -> absl::StatusOr<CompiledVersion> {
    CompileOptions fixed = options;
    fixed.inputShapes = version.shapes;
    fixed.cache = options.cache && version.cache;
    mlir::tl::CompileRequest request = makeRequest(
        text, format, fixed, grad ? &*grad : nullptr, sourceName);
    request.onlyIfCached = version.onlyIfCached;
    request.binaryInputs = version.binary;
    if (!version.tuningRecords.empty())
      request.codegen.tuningRecords = version.tuningRecords;
    auto compiled = mlir::tl::compileGraph(request);
    if (!compiled)
      return toStatus(compiled.takeError(),
                      absl::StatusCode::kInvalidArgument);
    CompiledVersion v;
    v.module = std::move(compiled->module);
    v.cacheOn = compiled->cache.outcome != mlir::tl::CacheReport::kDisabled;
    v.cacheHit = cacheOutcome(compiled->cache) == "hit";
    return v;
  };
  if (!generic)
    return std::make_shared<TieredModules>(impl.graph, std::move(first),
                                           std::move(compiler), settings);
  // The hot shapes of this graph, compiled as asked, across processes.
  std::string identity = std::string(text) + "\n" + sourceName;
  for (const auto &[name, shape] : options.inputShapes)
    identity += "\n" + name + "=" + tl::runtime::shapeString(shape);
  for (const auto &[key, value] : impl.graph->manifest().options)
    if (key != "tuned-ops" && key.compare(0, 4, "key.") != 0)
      identity += "\n" + key + "=" + value;
  settings.profilePath = mlir::tl::cacheSidePath(
      cacheSettings, "profiles", tl::runtime::sha256Hex(identity) + ".hot");
  auto tiers = std::make_shared<TieredModules>(
      impl.graph, std::move(first), std::move(compiler), settings);
  tiers->loadProfile();
  return tiers;
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileImpl(std::string_view text, GraphFormat format,
                        const CompileOptions &options,
                        const GradientOptions *gradient,
                        const std::string &sourceName) {
  auto start = std::chrono::steady_clock::now();
  auto compiled = mlir::tl::compileGraph(
      makeRequest(text, format, options, gradient, sourceName));
  if (!compiled)
    return toStatus(compiled.takeError(), absl::StatusCode::kInvalidArgument);
  auto impl = describe(std::move(compiled->module));
  impl->cacheReport = compiled->cache.describe();
  impl->phases = compiled->phases;
  impl->warnings = std::move(compiled->warnings);
  impl->compileSeconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  impl->tiers = makeTiers(*impl, text, format, options, gradient, sourceName,
                          compiled->cache);
  return std::shared_ptr<const Executable>(new Executable(std::move(impl)));
}

/// The module to run `inputs` on (counted for tiering).
static std::shared_ptr<const tl::runtime::Module>
selectModule(const Executable::Impl &impl,
             const std::map<std::string, const Buffer *> &inputs) {
  return impl.tiers ? impl.tiers->select(inputs) : impl.graph;
}

/// For code that reads every array dense: the sparse arrays it reads are
/// validated and expanded into `storage` and bound in `all` (a caller may
/// pass relations the graph does not read; those are skipped).
static absl::Status densifySparseInputs(
    const Executable::Impl &impl, const char *caller,
    const std::map<std::string, const SparseBuffer *> &sparseInputs,
    std::map<std::string, const Buffer *> &all, std::deque<Buffer> &storage) {
  for (const auto &[name, sparse] : sparseInputs) {
    if (all.count(name))
      return absl::InvalidArgumentError(
          std::string(caller) + ": sparse input '" + name +
          "' is also given as a dense array; give it once");
    bool read = false;
    for (const TensorInfo &t : impl.inputs)
      read |= t.name == name;
    if (!read)
      continue;
    std::string what = std::string(caller) + ": sparse input '" + name + "'";
    if (absl::Status st = sparse->validate(what); !st.ok())
      return st;
    auto buffer = sparse->toDense();
    if (!buffer.ok())
      return absl::Status(buffer.status().code(),
                          what + ": " + std::string(buffer.status().message()));
    all[name] = &storage.emplace_back(std::move(*buffer));
  }
  return absl::OkStatus();
}

ExecutableStats Executable::stats() const {
  if (impl->tiers)
    return impl->tiers->stats();
  return ExecutableStats();
}

absl::Status Executable::warmUp(
    const std::vector<std::map<std::string, std::vector<int64_t>>> &shapes)
    const {
  if (!impl->tiers)
    return absl::FailedPreconditionError(
        "warmUp: a reference executable interprets the graph; nothing to "
        "compile");
  return impl->tiers->warmUp(shapes);
}

absl::Status
Executable::tune(const std::map<std::string, const Buffer *> &inputs,
                 double seconds) const {
  if (!impl->tiers)
    return absl::FailedPreconditionError(
        "tune: a reference executable interprets the graph; nothing to tune");
  if (!(seconds > 0))
    return absl::InvalidArgumentError("tune: the time budget must be "
                                      "positive (seconds)");
  return impl->tiers->tune(inputs, seconds);
}

void Executable::waitForBackgroundCompiles() const {
  if (impl->tiers)
    impl->tiers->waitForBackground();
}

std::vector<std::string> tl::emitStages() { return mlir::tl::emitStages(); }

static absl::StatusOr<std::string>
emitImpl(std::string_view text, GraphFormat format,
         const CompileOptions &options, std::string_view stage,
         const GradientOptions *gradient, const std::string &sourceName) {
  auto printed = mlir::tl::emitGraph(
      makeRequest(text, format, options, gradient, sourceName),
      llvm::StringRef(stage.data(), stage.size()));
  if (!printed)
    return toStatus(printed.takeError(), absl::StatusCode::kInvalidArgument);
  return std::move(*printed);
}

absl::StatusOr<std::string> tl::emitGraph(std::string_view text,
                                          GraphFormat format,
                                          const CompileOptions &options,
                                          std::string_view stage,
                                          const GradientOptions *gradient) {
  return emitImpl(text, format, options, stage, gradient, "");
}

absl::StatusOr<std::string> tl::emitGraphFile(const std::string &path,
                                              const CompileOptions &options,
                                              std::string_view stage,
                                              const GradientOptions *gradient) {
  auto source = readGraphFile(path);
  if (!source.ok())
    return source.status();
  return emitImpl(source->text, source->format, options, stage, gradient,
                  source->name);
}

absl::Status Executable::save(const std::string &path) const {
  if (!impl->graph)
    return absl::FailedPreconditionError(
        "save: a reference executable has no compiled code to save");
  return impl->graph->save(path);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::load(const std::string &path) {
  auto start = std::chrono::steady_clock::now();
  auto module = tl::runtime::Module::loadFile(path);
  if (!module.ok())
    return module.status();
  auto impl = describe(std::move(*module));
  impl->compileSeconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  // A loaded module has no graph to specialize: it runs as it is.
  CompileEvent loaded;
  loaded.tier =
      impl->graph->signature().isGeneric() ? "generic" : "specialized";
  for (const TensorInfo &t : impl->inputs)
    loaded.shapes[t.name] = t.shape;
  loaded.reason = "loaded from " + path;
  loaded.ms = impl->compileSeconds * 1000;
  loaded.cache = "off";
  TieredModules::Settings settings;
  settings.hotThreshold = 0;
  impl->tiers = std::make_shared<TieredModules>(impl->graph, std::move(loaded),
                                                nullptr, settings);
  return std::shared_ptr<const Executable>(new Executable(std::move(impl)));
}

/// Splits an adjoint's results into outputs, gradients and intermediates.
static Gradients
classifyGradientResults(const tl::runtime::Signature &sig,
                        std::vector<std::pair<std::string, Buffer>> results) {
  Gradients g;
  for (auto [i, named] : llvm::enumerate(results))
    (sig.resultKind(i) == tl::runtime::ResultKind::output     ? g.outputs
     : sig.resultKind(i) == tl::runtime::ResultKind::gradient ? g.gradients
                                                              : g.intermediates)
        .entries.push_back(std::move(named));
  return g;
}

absl::StatusOr<Gradients> Executable::runGradient(
    const std::map<std::string, const Buffer *> &inputs,
    const std::map<std::string, const Buffer *> &cotangents) const {
  return runGradient(inputs, {}, cotangents);
}

absl::StatusOr<Gradients> Executable::runGradient(
    const std::map<std::string, const Buffer *> &inputs,
    const std::map<std::string, const SparseBuffer *> &sparseInputs,
    const std::map<std::string, const Buffer *> &cotangents) const {
  if (!isGradient())
    return absl::FailedPreconditionError(
        "runGradient: this executable computes the graph's outputs; compile "
        "it with compileGradient to get gradients");
  std::map<std::string, const Buffer *> all = inputs;
  std::deque<Buffer> ones;
  if (absl::Status s = impl->graph->addCotangents(cotangents, all, ones);
      !s.ok())
    return s;
  const tl::runtime::Signature &sig = impl->graph->signature();
  if (sparseInputs.empty() || !sig.returnsResults) {
    std::deque<Buffer> dense;
    if (absl::Status s =
            densifySparseInputs(*impl, "runGradient", sparseInputs, all, dense);
        !s.ok())
      return s;
    auto result = selectModule(*impl, all)->run(all);
    if (!result.ok())
      return result.status();
    return classifyGradientResults(sig, std::move(*result));
  }
  // The sparse route: relations stay sparse; the gradients (with respect
  // to dense arrays) and the outputs come back dense.
  auto result = impl->graph->run(all, sparseInputs);
  if (!result.ok())
    return result.status();
  auto dense = runtime::denseResults(std::move(*result));
  if (!dense.ok())
    return dense.status();
  return classifyGradientResults(sig, std::move(*dense));
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileReference(const GraphSource &source,
                             const CompileOptions &options) {
  return compileReferenceImpl(source.text, source.format, options,
                              source.name);
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileReference(std::string_view text, GraphFormat format,
                             const CompileOptions &options) {
  return compileReferenceImpl(text, format, options, "");
}

absl::StatusOr<std::shared_ptr<const Executable>>
Executable::compileReferenceImpl(std::string_view text, GraphFormat format,
                                 const CompileOptions &options,
                                 const std::string &sourceName) {
  auto start = std::chrono::steady_clock::now();
  format = resolveGraphFormat(text, format);
  // Validate once now (G1-G11), so a bad graph fails here, not per run.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::tl::GraphRunner runner(&context);
  if (llvm::Error e = loadGraph(runner, text, format, options, sourceName))
    return toStatus(std::move(e), absl::StatusCode::kInvalidArgument);
  if (llvm::Error e = runner.bind(options.inputShapes))
    return toStatus(std::move(e), absl::StatusCode::kInvalidArgument);
  if (llvm::Error e = runner.lower(mlir::tl::Stage::tl,
                                   mlir::tl::TLCpuPipelineOptions()))
    return toStatus(std::move(e), absl::StatusCode::kInvalidArgument);
  auto impl = std::make_unique<Impl>();
  impl->isReference = true;
  impl->text = std::string(text);
  impl->sourceName = sourceName;
  impl->format = format;
  impl->options = options;
  mlir::func::FuncOp func = runner.getFunction();
  for (const auto &[name, shape] : options.inputShapes)
    impl->inputs.push_back({name, options.dtype, shape});
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto name = func.getResultAttrOfType<mlir::StringAttr>(i, "tl.name");
    auto ranked = llvm::cast<mlir::RankedTensorType>(type);
    impl->outputs.push_back(
        {name ? name.str() : "result" + std::to_string(i), options.dtype,
         std::vector<int64_t>(ranked.getShape().begin(),
                              ranked.getShape().end())});
  }
  impl->results = impl->outputs;
  impl->compileSeconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  return std::shared_ptr<const Executable>(new Executable(std::move(impl)));
}

static absl::StatusOr<Outputs>
runReference(const Executable::Impl &impl,
             const std::map<std::string, const Buffer *> &inputs) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::tl::GraphRunner runner(&context);
  if (llvm::Error e =
          loadGraph(runner, impl.text, impl.format, impl.options,
                    impl.sourceName))
    return toStatus(std::move(e), absl::StatusCode::kInvalidArgument);
  auto result = runner.runReference(inputs);
  if (!result)
    return toStatus(result.takeError(), absl::StatusCode::kInvalidArgument);
  Outputs outputs;
  outputs.entries = std::move(*result);
  return outputs;
}

absl::StatusOr<Outputs>
Executable::run(const std::map<std::string, const Buffer *> &inputs) const {
  if (impl->isReference)
    return runReference(*impl, inputs);
  if (isGradient())
    return absl::FailedPreconditionError(
        "run: this executable is an adjoint; call runGradient");
  auto result = selectModule(*impl, inputs)->run(inputs);
  if (!result.ok())
    return result.status();
  Outputs outputs;
  outputs.entries = std::move(*result);
  return outputs;
}

absl::StatusOr<std::vector<std::pair<std::string, AnyBuffer>>>
Executable::runSparse(
    const std::map<std::string, const Buffer *> &inputs,
    const std::map<std::string, const SparseBuffer *> &sparseInputs) const {
  for (const auto &[name, sparse] : sparseInputs)
    if (inputs.count(name))
      return absl::InvalidArgumentError(
          "run: sparse input '" + name +
          "' is also given as a dense array; give it once");
  // Code of the sparse route validates the sparse arrays it binds.
  if (!impl->isReference && impl->graph->signature().returnsResults)
    return impl->graph->run(inputs, sparseInputs);
  std::map<std::string, const Buffer *> all = inputs;
  std::deque<Buffer> dense;
  if (absl::Status s =
          densifySparseInputs(*impl, "run", sparseInputs, all, dense);
      !s.ok())
    return s;
  auto outputs = run(all);
  if (!outputs.ok())
    return outputs.status();
  std::vector<std::pair<std::string, AnyBuffer>> results;
  for (auto &[name, buffer] : outputs->entries)
    results.emplace_back(std::move(name), std::move(buffer));
  return results;
}

absl::StatusOr<Outputs> Executable::run(
    const std::map<std::string, const Buffer *> &inputs,
    const std::map<std::string, const SparseBuffer *> &sparseInputs) const {
  auto results = runSparse(inputs, sparseInputs);
  if (!results.ok())
    return results.status();
  auto dense = runtime::denseResults(std::move(*results));
  if (!dense.ok())
    return dense.status();
  Outputs outputs;
  outputs.entries = std::move(*dense);
  return outputs;
}

Outputs Executable::allocateOutputs() const {
  Outputs outputs;
  if (impl->isReference) {
    for (const TensorInfo &t : impl->results)
      outputs.entries.emplace_back(t.name, Buffer::allocate(t.dtype, t.shape));
    return outputs;
  }
  std::vector<Buffer> buffers = impl->graph->allocateResults();
  for (size_t i = 0; i < buffers.size(); ++i)
    outputs.entries.emplace_back(impl->results[i].name, std::move(buffers[i]));
  return outputs;
}

absl::StatusOr<Outputs> Executable::allocateOutputs(
    const std::map<std::string, const Buffer *> &inputs) const {
  if (impl->isReference)
    return allocateOutputs();
  auto bound = impl->graph->bind(inputs);
  if (!bound.ok())
    return bound.status();
  std::vector<Buffer> buffers = impl->graph->allocateResults(*bound);
  Outputs outputs;
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (!buffers[i].data() && buffers[i].numElements() > 0)
      return absl::ResourceExhaustedError(
          "out of memory allocating the output '" + impl->results[i].name +
          "' (" + buffers[i].typeString() + ")");
    outputs.entries.emplace_back(impl->results[i].name, std::move(buffers[i]));
  }
  return outputs;
}

/// The checks runInto and bind make of the caller's output buffers for a
/// run of `module` on `bound`: types, shapes, and no memory shared with an
/// input or another output. Fills `results`.
static absl::Status checkOutputs(const Executable::Impl &impl,
                                 const tl::runtime::Module &module,
                                 const tl::runtime::Module::BoundArgs &bound,
                                 Outputs &outputs,
                                 std::vector<Buffer *> &results,
                                 const char *what) {
  if (outputs.size() != impl.results.size())
    return absl::InvalidArgumentError(
        std::string(what) + ": " + std::to_string(outputs.size()) +
        " output buffers for " + std::to_string(impl.results.size()) +
        " outputs (use allocateOutputs)");
  for (size_t i = 0; i < outputs.size(); ++i) {
    Buffer &b = outputs[i];
    const TensorInfo &want = impl.results[i];
    const std::vector<int64_t> &shape = bound.resultShapes[i];
    if (!b.data() && b.numElements() > 0 && b.shape() == shape)
      return absl::ResourceExhaustedError(
          "out of memory allocating the output '" + want.name + "' (" +
          b.typeString() + ")");
    if (b.dtype() != want.dtype || b.shape() != shape || !b.isContiguous() ||
        (!b.data() && b.numElements() > 0))
      return absl::InvalidArgumentError(
          std::string(what) + ": output '" + want.name + "' is " +
          b.typeString() + "; the graph writes a contiguous " +
          runtime::dtypeName(want.dtype) + " array of shape " +
          runtime::shapeString(shape) +
          (module.signature().isGeneric() ||
                   impl.graph->signature().isGeneric()
               ? " for these inputs (use allocateOutputs(inputs))"
               : " (use allocateOutputs)"));
    results.push_back(&b);
  }
  // Compiled code writes results in place while it still reads inputs.
  for (size_t i = 0; i < results.size(); ++i) {
    ByteSpan out = byteSpan(*results[i]);
    for (size_t j = 0; j < bound.args.size(); ++j)
      if (out.overlaps(byteSpan(*bound.args[j])))
        return absl::InvalidArgumentError(
            std::string(what) + ": output '" + impl.results[i].name +
            "' overlaps input '" + module.signature().args[j].caller +
            "'; the graph writes outputs while it reads inputs");
    for (size_t j = 0; j < i; ++j)
      if (out.overlaps(byteSpan(*results[j])))
        return absl::InvalidArgumentError(
            std::string(what) + ": outputs '" + impl.results[j].name +
            "' and '" + impl.results[i].name + "' share memory");
  }
  return absl::OkStatus();
}

absl::Status
Executable::runInto(const std::map<std::string, const Buffer *> &inputs,
                    Outputs &outputs) const {
  if (impl->isReference)
    return absl::FailedPreconditionError(
        "runInto: a reference executable interprets the graph; call run()");
  if (outputs.size() != impl->results.size())
    return absl::InvalidArgumentError(
        "runInto: " + std::to_string(outputs.size()) + " output buffers for " +
        std::to_string(impl->results.size()) + " outputs (use allocateOutputs)");
  std::shared_ptr<const tl::runtime::Module> module =
      selectModule(*impl, inputs);
  auto bound = module->bind(inputs);
  if (!bound.ok())
    return bound.status();
  std::vector<Buffer *> results;
  if (absl::Status s =
          checkOutputs(*impl, *module, *bound, outputs, results, "runInto");
      !s.ok())
    return s;
  return module->runUnchecked(bound->args, results);
}

struct BoundCall::State {
  std::shared_ptr<const Executable> exe; // keeps the module's owner alive
  std::shared_ptr<const tl::runtime::Module> module;
  std::vector<const Buffer *> args;
  std::vector<Buffer *> results;
  tl::runtime::Module::PackedCall packed; // descriptors built once
};

BoundCall::BoundCall(std::unique_ptr<State> state) : state(std::move(state)) {}
BoundCall::~BoundCall() = default;

absl::Status BoundCall::run() const {
  return state->module->runPacked(state->packed);
}

absl::StatusOr<std::unique_ptr<BoundCall>>
Executable::bind(const std::map<std::string, const Buffer *> &inputs,
                 Outputs &outputs) const {
  if (impl->isReference)
    return absl::FailedPreconditionError(
        "bind: a reference executable interprets the graph; call run()");
  // The version for these shapes, chosen once. A version that relies on
  // the values of this call (0/1 inputs) is not: later contents may differ.
  std::shared_ptr<const tl::runtime::Module> module =
      selectModule(*impl, inputs);
  if (!module->signature().binaryInputs.empty())
    module = impl->tiers ? impl->tiers->base() : impl->graph;
  auto bound = module->bind(inputs);
  if (!bound.ok())
    return bound.status();
  if (!bound->copies.empty()) {
    for (size_t j = 0; j < bound->args.size(); ++j)
      for (const Buffer &copy : bound->copies)
        if (bound->args[j] == &copy)
          return absl::InvalidArgumentError(
              "bind: input '" + module->signature().args[j].caller +
              "' would be converted (G5: the code reads contiguous " +
              runtime::dtypeName(module->signature().dtype) +
              " arrays), and a bound call reads its arrays at every run; "
              "bind a converted array instead");
    return absl::InvalidArgumentError(
        "bind: an input would be converted (G5); bind contiguous arrays of "
        "the compute type");
  }
  auto state = std::make_unique<BoundCall::State>();
  if (absl::Status s =
          checkOutputs(*impl, *module, *bound, outputs, state->results, "bind");
      !s.ok())
    return s;
  state->exe = shared_from_this();
  state->module = std::move(module);
  state->args = std::move(bound->args);
  state->packed = state->module->pack(state->args, state->results);
  return std::unique_ptr<BoundCall>(new BoundCall(std::move(state)));
}
