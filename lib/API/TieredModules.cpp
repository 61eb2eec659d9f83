//===- TieredModules.cpp - an executable's compiled versions --------------===//

#include "TieredModules.h"

#include "tl/Runtime/AsyncQueue.h"

#include "llvm/Support/JSON.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace tl;
using tl::runtime::Module;

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
      compiler(std::move(compiler)), settings(std::move(settings)) {
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
    ++callsByTier[events.front().tier];
    lastTier = events.front().tier;
    return baseModule;
  }
  ShapeMap shapes;
  std::string key = shapeKey(inputs, shapes);
  std::shared_ptr<const Module> chosen;
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
        [weak, key, shapes, binary, values, reason, done] {
          if (auto self = weak.lock())
            self->specialize(key, shapes, binary, values, reason,
                             /*onlyIfCached=*/false);
          done();
        },
        done);
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (guardFailed)
    ++guardFallbacks;
  lastTier = chosen && !guardFailed ? "specialized" : "generic";
  ++callsByTier[lastTier];
  return chosen && !guardFailed ? chosen : baseModule;
}

void TieredModules::specialize(
    const std::string &key, const ShapeMap &shapes,
    const std::vector<std::string> &binary,
    const std::map<std::string, std::string> &values,
    const std::string &reason, bool onlyIfCached) {
  auto start = std::chrono::steady_clock::now();
  auto compiled = compiler(shapes, binary, onlyIfCached);
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
    install(key, compiled->module);
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
                            std::shared_ptr<const Module> module) {
  std::lock_guard<std::mutex> lock(mutex);
  Entry &e = entries[key];
  e.queued = false;
  if (!e.module)
    ++versions;
  e.module = std::move(module);
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
  // One event per line: readable, and still one JSON array.
  std::string text = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    const CompileEvent &e = events[i];
    llvm::json::Object shapes;
    for (const auto &[name, shape] : e.shapes) {
      llvm::json::Array dims;
      for (int64_t d : shape)
        dims.push_back(d);
      shapes[name] = std::move(dims);
    }
    llvm::json::Object event{{"tier", e.tier},
                             {"shapes", std::move(shapes)},
                             {"reason", e.reason},
                             {"ms", std::round(e.ms * 1000) / 1000},
                             {"cache", e.cache}};
    if (!e.values.empty()) {
      llvm::json::Object values;
      for (const auto &[name, text] : e.values)
        values[name] = text;
      event["values"] = std::move(values);
    }
    if (!e.assumes.empty()) {
      llvm::json::Array assumes;
      for (const std::string &name : e.assumes)
        assumes.push_back("binary:" + name);
      event["assumes"] = std::move(assumes);
    }
    std::string line;
    llvm::raw_string_ostream os(line);
    os << llvm::json::Value(std::move(event));
    text += (i ? ",\n  " : "\n  ") + os.str();
  }
  return text + (events.empty() ? "]\n" : "\n]\n");
}
