//===- TieredModules.cpp - an executable's compiled versions --------------===//

#include "TieredModules.h"

#include "tl/Codegen/TuningRecords.h"
#include "tl/Runtime/AsyncQueue.h"
#include "tl/Runtime/Benchmark.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "llvm/Support/JSON.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace tl;
using tl::runtime::Module;
using mlir::tl::TuningDecision;

/// A cap on the shape signatures counted: an executable fed ever new
/// shapes must not grow without bound.
static constexpr size_t kMaxCounted = 4096;

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string TieredModules::keyOf(const ShapeMap &shapes) {
  std::string key;
  for (const auto &[name, shape] : shapes)
    key += name + "=" + shapeText(shape) + ";";
  return key;
}

TieredModules::TieredModules(std::shared_ptr<const Module> base,
                             CompileEvent first, Compiler compiler,
                             Settings settings)
    : baseModule(std::move(base)),
      generic(baseModule->signature().isGeneric()),
      compiler(std::move(compiler)), settings(std::move(settings)),
      baseTier(first.tier) {
  events.push_back(std::move(first));
}

std::string TieredModules::shapeKey(
    const std::map<std::string, const runtime::Buffer *> &inputs,
    ShapeMap &shapes) const {
  for (const runtime::ArgBinding &arg : baseModule->signature().args) {
    if (arg.constant)
      continue;
    auto it = inputs.find(arg.caller);
    if (it == inputs.end() || !it->second)
      return "";
    shapes[arg.caller] = it->second->shape();
  }
  return keyOf(shapes);
}

/// "0/1", or "zeros 93%", with ", NaN" when any was seen.
static std::string describeValues(const runtime::ValueSummary &v) {
  std::string text;
  if (v.onlyZeroOne() && v.elements > 0)
    text = "0/1";
  else
    text = "zeros " +
           std::to_string(v.elements ? (100 * v.zeros + v.elements / 2) /
                                           v.elements
                                     : 0) +
           "%";
  return v.nans ? text + ", NaN" : text;
}

std::shared_ptr<const Module> TieredModules::select(
    const std::map<std::string, const runtime::Buffer *> &inputs) {
  if (!generic) {
    std::lock_guard<std::mutex> lock(mutex);
    ++calls;
    lastTier = baseTier;
    ++callsByTier[lastTier];
    return baseModule;
  }
  ShapeMap shapes;
  std::string key = shapeKey(inputs, shapes);
  std::shared_ptr<const Module> chosen;
  std::string chosenTier;
  bool queue = false;
  uint64_t count = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    ++calls;
    if (!key.empty()) {
      if (entries.size() >= kMaxCounted && !entries.count(key))
        for (auto it = entries.begin(); it != entries.end();)
          it = it->second.module || it->second.queued ? std::next(it)
                                                      : entries.erase(it);
      Entry &e = entries[key];
      e.shapes = shapes;
      count = ++e.calls;
      e.lastUse = ++clock;
      chosen = e.module;
      chosenTier = e.tier;
      if (!chosen && settings.hotThreshold > 0 && !e.queued && !e.failed &&
          e.calls >= static_cast<uint64_t>(settings.hotThreshold)) {
        e.queued = true;
        ++pending;
        queue = true;
      }
    }
  }
  // A value specialization runs only on inputs that keep its assumption.
  bool guardFailed =
      chosen && !chosen->signature().binaryInputs.empty() &&
      !chosen->checkAssumptions(inputs).ok();
  if (queue) {
    // The value profile of this call, taken here: the job runs later, when
    // the caller's arrays may be gone.
    std::map<std::string, std::string> values;
    std::vector<std::string> binary;
    if (settings.valueProfiles)
      for (const auto &[name, shape] : shapes) {
        runtime::ValueSummary v = runtime::summarizeValues(*inputs.at(name));
        values[name] = describeValues(v);
        if (v.onlyZeroOne() && v.elements > 0)
          binary.push_back(name);
      }
    // Tier 2 times candidates on this call's inputs: keep copies.
    std::shared_ptr<std::map<std::string, runtime::Buffer>> copies;
    if (settings.tuneSeconds > 0) {
      copies = std::make_shared<std::map<std::string, runtime::Buffer>>();
      for (const auto &[name, shape] : shapes)
        copies->emplace(name, inputs.at(name)->copyAs(inputs.at(name)->dtype()));
    }
    std::weak_ptr<TieredModules> weak = weak_from_this();
    std::string reason =
        "hot: " + std::to_string(count) + " calls with these shapes";
    auto done = [weak] {
      if (auto self = weak.lock()) {
        std::lock_guard<std::mutex> lock(self->mutex);
        --self->pending;
        self->idle.notify_all();
      }
    };
    runtime::AsyncQueue::compiles().push(
        [weak, key, shapes, binary, values, reason, copies, done] {
          if (auto self = weak.lock()) {
            self->specialize(key, shapes, binary, values, reason,
                             /*onlyIfCached=*/false);
            std::shared_ptr<const Module> version;
            {
              std::lock_guard<std::mutex> lock(self->mutex);
              version = self->entries[key].module;
            }
            if (copies && version) {
              std::map<std::string, const runtime::Buffer *> view;
              for (const auto &[name, b] : *copies)
                view[name] = &b;
              (void)self->tuneVersion(key, shapes, binary, version, view,
                                      self->settings.tuneSeconds);
            }
          }
          done();
        },
        done);
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (guardFailed)
    ++guardFallbacks;
  lastTier = chosen && !guardFailed ? chosenTier : "generic";
  ++callsByTier[lastTier];
  return chosen && !guardFailed ? chosen : baseModule;
}

void TieredModules::specialize(
    const std::string &key, const ShapeMap &shapes,
    const std::vector<std::string> &binary,
    const std::map<std::string, std::string> &values,
    const std::string &reason, bool onlyIfCached) {
  auto start = std::chrono::steady_clock::now();
  VersionRequest request;
  request.shapes = shapes;
  request.binary = binary;
  request.onlyIfCached = onlyIfCached;
  auto compiled = compiler(request);
  CompileEvent event;
  event.tier = "specialized";
  event.shapes = shapes;
  event.reason = reason;
  event.values = values;
  event.ms = std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - start)
                 .count();
  if (compiled.ok() && !compiled->module)
    return; // not in the cache: nothing to log
  if (compiled.ok()) {
    event.cache = !compiled->cacheOn ? "off"
                  : compiled->cacheHit ? "hit"
                                       : "miss";
    event.assumes = compiled->module->signature().binaryInputs;
    std::string tuned = compiled->module->manifest().option("tuned-ops");
    if (!tuned.empty() && tuned != "0") {
      event.tier = "tuned";
      event.reason += "; followed " + tuned + " tuning records";
    }
    install(key, compiled->module, event.tier);
    if (!onlyIfCached)
      recordHot(shapes);
  } else {
    event.reason = "failed: " + std::string(compiled.status().message());
    event.cache = "miss";
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (!compiled.ok())
    entries[key].failed = true;
  events.push_back(std::move(event));
}

void TieredModules::install(const std::string &key,
                            std::shared_ptr<const Module> module,
                            const std::string &tier) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!generic) {
    // Fixed shapes: the tuned code replaces the one version.
    baseModule = std::move(module);
    baseTier = tier;
    return;
  }
  Entry &e = entries[key];
  e.queued = false;
  if (!e.module)
    ++versions;
  e.module = std::move(module);
  e.tier = tier;
  e.lastUse = ++clock;
  // Past the cap the least recently used version goes; a run that still
  // holds it keeps it alive until it returns.
  while (versions > static_cast<size_t>(std::max(settings.maxVersions, 0))) {
    auto oldest = entries.end();
    for (auto it = entries.begin(); it != entries.end(); ++it)
      if (it->second.module &&
          (oldest == entries.end() ||
           it->second.lastUse < oldest->second.lastUse))
        oldest = it;
    if (oldest == entries.end())
      break;
    oldest->second.module.reset();
    oldest->second.calls = 0;
    --versions;
  }
}

absl::Status TieredModules::warmUp(const std::vector<ShapeMap> &shapes) {
  if (!generic)
    return absl::FailedPreconditionError(
        "warmUp: this executable was compiled for fixed shapes; compile it "
        "with unknown sizes (-1) to serve several shapes");
  for (const ShapeMap &s : shapes) {
    std::string key = keyOf(s);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = entries.find(key);
      if (it != entries.end() && it->second.module)
        continue;
    }
    specialize(key, s, {}, {}, "warmUp", /*onlyIfCached=*/false);
    std::lock_guard<std::mutex> lock(mutex);
    if (entries[key].failed)
      return absl::InvalidArgumentError("warmUp: " + events.back().reason);
  }
  return absl::OkStatus();
}

/// The profile file: one line per hot shape set, "name=2x3;other=4;".
void TieredModules::recordHot(const ShapeMap &shapes) {
  if (settings.profilePath.empty())
    return;
  std::string line = keyOf(shapes);
  std::lock_guard<std::mutex> lock(mutex);
  std::ifstream in(settings.profilePath);
  std::string existing;
  size_t lines = 0;
  while (std::getline(in, existing)) {
    if (existing == line)
      return;
    ++lines;
  }
  if (lines >= kMaxCounted)
    return;
  (void)llvm::sys::fs::create_directories(
      llvm::sys::path::parent_path(settings.profilePath));
  std::ofstream out(settings.profilePath, std::ios::app);
  out << line << "\n";
}

void TieredModules::loadProfile() {
  if (!generic || settings.profilePath.empty() || settings.hotThreshold <= 0)
    return;
  std::ifstream in(settings.profilePath);
  std::string line;
  int loaded = 0;
  while (loaded < settings.maxVersions && std::getline(in, line)) {
    // A damaged line is skipped: the profile only saves compile time.
    ShapeMap shapes;
    std::stringstream fields(line);
    std::string field;
    bool ok = !line.empty();
    while (ok && std::getline(fields, field, ';')) {
      size_t eq = field.find('=');
      if (eq == std::string::npos || eq == 0) {
        ok = false;
        break;
      }
      std::vector<int64_t> shape;
      std::stringstream dims(field.substr(eq + 1));
      std::string d;
      while (ok && std::getline(dims, d, 'x')) {
        char *end = nullptr;
        long long v = std::strtoll(d.c_str(), &end, 10);
        ok = !d.empty() && *end == 0 && v >= 0;
        shape.push_back(v);
      }
      shapes[field.substr(0, eq)] = shape;
    }
    if (!ok || keyOf(shapes) != line)
      continue;
    specialize(line, shapes, {}, {}, "hot in an earlier process",
               /*onlyIfCached=*/true);
    ++loaded;
  }
}

namespace {
/// Median run time of `module` on `inputs`, in ms (inputs bound and
/// outputs allocated once, one warm-up run); -1 when it cannot run.
double timeRuns(const Module &module,
                const std::map<std::string, const runtime::Buffer *> &inputs,
                double budgetMs) {
  auto bound = module.bind(inputs);
  if (!bound.ok())
    return -1;
  std::vector<runtime::Buffer> outputs = module.allocateResults(*bound);
  std::vector<runtime::Buffer *> results;
  for (runtime::Buffer &b : outputs)
    results.push_back(&b);
  auto start = std::chrono::steady_clock::now();
  if (!module.runUnchecked(bound->args, results).ok())
    return -1;
  double once = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  // Enough runs to see through noise, within a slice of the budget.
  unsigned runs = static_cast<unsigned>(
      std::clamp(budgetMs / 20 / std::max(once, 1e-3), 3.0, 15.0));
  runtime::Timing t = runtime::medianOf(runs, [&] {
    return module.runUnchecked(bound->args, results).ok();
  });
  return t.failed() ? -1 : t.realNs / 1e6;
}

/// The candidates tried for an op of `kind`, around the model's choice.
std::vector<TuningDecision> candidatesFor(const std::string &kind) {
  std::vector<TuningDecision> out;
  auto with = [&](auto set) {
    TuningDecision d;
    set(d);
    out.push_back(d);
  };
  if (kind == "matmul-f32") {
    with([](TuningDecision &d) { d.kernel = "onednn"; });
    with([](TuningDecision &d) { d.kernel = "generated"; });
  }
  if (kind == "matmul-f64") {
    with([](TuningDecision &d) { d.kernel = "blas"; });
    with([](TuningDecision &d) { d.kernel = "generated"; });
  }
  if (kind == "matmul-f32" || kind == "matmul-f64" || kind == "contraction") {
    with([](TuningDecision &d) { d.cacheScale = 50; });
    with([](TuningDecision &d) { d.cacheScale = 200; });
  }
  for (int64_t chunks : {0, 1, 8})
    with([&](TuningDecision &d) { d.chunksPerThread = chunks; });
  return out;
}

/// `base` with `over`'s fields that are set.
TuningDecision merged(TuningDecision base, const TuningDecision &over) {
  if (!over.kernel.empty())
    base.kernel = over.kernel;
  if (over.chunksPerThread >= 0)
    base.chunksPerThread = over.chunksPerThread;
  if (over.cacheScale > 0)
    base.cacheScale = over.cacheScale;
  return base;
}

/// A fresh folder for one candidate's records.
std::string scratchFolder() {
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("tl-tune", dir))
    return "";
  return std::string(dir.str());
}
} // namespace

absl::Status TieredModules::tuneVersion(
    const std::string &key, const ShapeMap &shapes,
    const std::vector<std::string> &binary,
    std::shared_ptr<const Module> start,
    const std::map<std::string, const runtime::Buffer *> &inputs,
    double seconds) {
  auto began = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         began)
        .count();
  };
  double budgetMs = seconds * 1000;
  double untuned = timeRuns(*start, inputs, budgetMs);
  if (untuned < 0)
    return absl::InvalidArgumentError(
        "tune: the inputs do not fit the code for these shapes");
  // The ops the tuner may decide, "key:kind" each.
  std::vector<std::pair<std::string, std::string>> ops;
  {
    std::stringstream list(start->manifest().option("tunable-ops"));
    std::string item;
    while (list >> item)
      if (size_t colon = item.find(':'); colon != std::string::npos)
        ops.emplace_back(item.substr(0, colon), item.substr(colon + 1));
  }
  // Start from what earlier tuning decided.
  std::map<std::string, mlir::tl::TuningRecord> chosen;
  if (!settings.tuningDir.empty())
    for (auto &[k, r] : mlir::tl::loadTuningRecords(settings.tuningDir,
                                                    nullptr))
      if (llvm::any_of(ops, [&](const auto &op) { return op.first == k; }))
        chosen[k] = r;
  std::shared_ptr<const Module> best = start;
  double bestMs = untuned;
  int tried = 0;
  for (const auto &[opKey, kind] : ops) {
    for (const TuningDecision &candidate : candidatesFor(kind)) {
      if (elapsed() > seconds)
        break;
      std::string dir = scratchFolder();
      if (dir.empty())
        return absl::InternalError("tune: cannot create a scratch folder");
      std::map<std::string, mlir::tl::TuningRecord> trial = chosen;
      mlir::tl::TuningRecord &r = trial[opKey];
      r.key = opKey;
      r.op = kind;
      r.decision = merged(r.decision, candidate);
      for (const auto &[k, rec] : trial)
        mlir::tl::writeTuningRecord(dir, rec);
      VersionRequest request;
      request.shapes = shapes;
      request.binary = binary;
      request.tuningRecords = dir;
      request.cache = false;
      auto compiled = compiler(request);
      llvm::sys::fs::remove_directories(dir);
      ++tried;
      if (!compiled.ok() || !compiled->module)
        continue;
      double ms = timeRuns(*compiled->module, inputs, budgetMs);
      // Noise on a shared machine is a few percent: a candidate must win
      // clearly, so the model's choice stays when it is as fast.
      if (ms > 0 && ms < bestMs * 0.97) {
        bestMs = ms;
        best = compiled->module;
        chosen = std::move(trial);
      }
    }
  }
  // Confirm the winner against the untuned code, measured in turns: a
  // machine whose load changed during the search must not leave slower
  // code behind.
  double speedup = 1;
  if (best != start) {
    double a = 0, b = 0;
    for (int turn = 0; turn < 3; ++turn) {
      a += timeRuns(*start, inputs, budgetMs);
      b += timeRuns(*best, inputs, budgetMs);
    }
    speedup = a / b;
    if (!(speedup > 1.03))
      best = start;
  }
  // The winners, as records later compiles in any process follow; the
  // tuned code is then compiled once more through the cache, under the
  // key those records give, so the next process loads it from there.
  size_t written = 0;
  if (best != start && !settings.tuningDir.empty()) {
    for (auto &[k, r] : chosen) {
      r.speedup = speedup;
      written += mlir::tl::writeTuningRecord(settings.tuningDir, r);
    }
    VersionRequest request;
    request.shapes = shapes;
    request.binary = binary;
    auto cached = compiler(request);
    if (cached.ok() && cached->module)
      best = cached->module;
  }
  if (best != start)
    install(key, best, "tuned");
  CompileEvent event;
  event.tier = "tuned";
  event.shapes = shapes;
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2fx", speedup);
  event.reason =
      "tuned " + std::to_string(tried) + " candidates in " +
      std::to_string(static_cast<int>(elapsed() * 1000)) + " ms: " +
      (best == start ? std::string("the cache model's choice stays (no "
                                   "candidate was 3% faster)")
                     : std::string(ratio) + " over the untuned code, " +
                           std::to_string(written) + " tuning records");
  event.ms = elapsed() * 1000;
  event.cache = "miss";
  std::lock_guard<std::mutex> lock(mutex);
  events.push_back(std::move(event));
  return absl::OkStatus();
}

absl::Status TieredModules::tune(
    const std::map<std::string, const runtime::Buffer *> &inputs,
    double seconds) {
  if (!compiler)
    return absl::FailedPreconditionError(
        "tune: this executable was loaded from a module file; there is no "
        "graph to compile candidates from");
  ShapeMap shapes;
  std::string key = shapeKey(inputs, shapes);
  if (key.empty())
    return absl::InvalidArgumentError(
        "tune: the inputs do not bind every argument of the graph");
  std::shared_ptr<const Module> start;
  {
    std::lock_guard<std::mutex> lock(mutex);
    start = baseModule;
  }
  if (generic) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = entries.find(key);
      if (it != entries.end() && it->second.module)
        start = it->second.module;
    }
    if (start == baseModule) {
      // Tuning is of specialized code: specialize these shapes first.
      specialize(key, shapes, {}, {}, "tune", /*onlyIfCached=*/false);
      std::lock_guard<std::mutex> lock(mutex);
      auto it = entries.find(key);
      if (it == entries.end() || !it->second.module)
        return absl::InvalidArgumentError("tune: " + events.back().reason);
      start = it->second.module;
    }
  }
  return tuneVersion(key, shapes, start->signature().binaryInputs, start,
                     inputs, seconds);
}

void TieredModules::waitForBackground() {
  std::unique_lock<std::mutex> lock(mutex);
  idle.wait(lock, [&] { return pending == 0; });
}

ExecutableStats TieredModules::stats() const {
  std::lock_guard<std::mutex> lock(mutex);
  ExecutableStats s;
  s.events = events;
  s.calls = calls;
  s.callsByTier = callsByTier;
  s.lastTier = lastTier;
  s.versions = versions;
  s.guardFallbacks = guardFallbacks;
  return s;
}

std::string tl::jitLogJSON(const std::vector<CompileEvent> &events) {
  auto quote = [](const std::string &text) {
    std::string out;
    llvm::raw_string_ostream os(out);
    os << llvm::json::Value(text);
    return os.str();
  };
  // One event per line, fields in a fixed order, ms to the microsecond:
  // readable, and still one JSON array.
  std::string text = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    const CompileEvent &e = events[i];
    std::string shapes;
    for (const auto &[name, shape] : e.shapes) {
      std::string dims;
      for (int64_t d : shape)
        dims += (dims.empty() ? "" : ",") + std::to_string(d);
      shapes += (shapes.empty() ? "" : ",") + quote(name) + ":[" + dims + "]";
    }
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", e.ms);
    std::string line = "{\"tier\":" + quote(e.tier) + ",\"shapes\":{" + shapes +
                       "},\"reason\":" + quote(e.reason) + ",\"ms\":" + ms +
                       ",\"cache\":" + quote(e.cache);
    if (!e.values.empty()) {
      std::string values;
      for (const auto &[name, v] : e.values)
        values += (values.empty() ? "" : ",") + quote(name) + ":" + quote(v);
      line += ",\"values\":{" + values + "}";
    }
    if (!e.assumes.empty()) {
      std::string assumes;
      for (const std::string &name : e.assumes)
        assumes += (assumes.empty() ? "" : ",") + quote("binary:" + name);
      line += ",\"assumes\":[" + assumes + "]";
    }
    text += (i ? ",\n  " : "\n  ") + line + "}";
  }
  return text + (events.empty() ? "]\n" : "\n]\n");
}
