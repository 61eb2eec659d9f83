//===- Executable.cpp - tl.Executable and tl.Future -----------------------===//

#include "Executable.h"
#include "Errors.h"
#include "Options.h"

#include "tl/Runtime/Reports.h"

#include "absl/container/inlined_vector.h"

#include <pybind11/stl.h>

#include <fstream>
#include <optional>

namespace py = pybind11;

namespace tl::python {

using runtime::Buffer;

std::shared_ptr<const Executable>
ExecutableCache::find(const std::string &key) {
  for (auto it = entries.begin(); it != entries.end(); ++it)
    if (it->first == key) {
      entries.splice(entries.begin(), entries, it);
      return it->second;
    }
  return nullptr;
}

void ExecutableCache::insert(const std::string &key,
                             std::shared_ptr<const Executable> exe) {
  entries.emplace_front(key, std::move(exe));
  while (entries.size() > bound)
    entries.pop_back();
}

std::vector<std::shared_ptr<const Executable>> ExecutableCache::all() const {
  std::vector<std::shared_ptr<const Executable>> out;
  for (const auto &entry : entries)
    out.push_back(entry.second);
  return out;
}

std::string shapeKey(const InputSet &in) {
  std::string key;
  for (const auto &[name, buffer] : in.map)
    key += name + "=" + buffer->typeString() + ";";
  for (const auto &[name, s] : in.sparse)
    key += name + "=" + s->typeString() + ";";
  return key;
}

namespace {

py::object shapeTuple(const std::vector<int64_t> &shape) {
  py::tuple t(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    t[i] = shape[i] < 0 ? py::object(py::none()) : py::object(py::int_(shape[i]));
  return std::move(t);
}

py::list infoList(const std::vector<TensorInfo> &infos) {
  py::list out;
  for (const TensorInfo &t : infos) {
    py::dict d;
    d["name"] = t.name;
    d["shape"] = shapeTuple(t.shape);
    d["dtype"] = dtypeName(t.dtype);
    out.append(d);
  }
  return out;
}

/// One recording at a time per process (Profiler.h).
std::mutex &profileMutex() {
  static std::mutex m;
  return m;
}

} // namespace

PyExecutable::PyExecutable(GraphSource source, CompileOptions options,
                           bool deferred)
    : source(std::move(source)), options(std::move(options)) {
  if (deferred)
    return;
  main = compileNow(this->options, nullptr);
  ready.store(true, std::memory_order_release);
}

PyExecutable::PyExecutable(std::shared_ptr<const Executable> loaded,
                           std::string path)
    : hasSource(false), main(std::move(loaded)) {
  source.name = std::move(path);
  const auto &infos = main->inputs().empty() ? main->outputs() : main->inputs();
  if (!infos.empty())
    options.dtype = infos.front().dtype;
  ready.store(true, std::memory_order_release);
}

std::shared_ptr<const Executable>
PyExecutable::compileNow(const CompileOptions &o,
                         const GradientOptions *gradient) {
  absl::StatusOr<std::shared_ptr<const Executable>> exe =
      absl::UnknownError("not compiled");
  {
    py::gil_scoped_release nogil;
    exe = gradient ? Executable::compileGradient(source, o, *gradient)
                   : Executable::compile(source, o);
  }
  return unwrap(std::move(exe));
}

void PyExecutable::requireSource(const char *what) const {
  if (!hasSource)
    throwStatus(absl::FailedPreconditionError(
        std::string(what) + ": this executable was loaded from the module '" +
        source.name +
        "', which holds code, not the graph; compile the graph with "
        "tl.compile for this"));
}

std::shared_ptr<const Executable> PyExecutable::compiled(const char *what) {
  if (ready.load(std::memory_order_acquire))
    return main;
  std::string why;
  {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mutex);
    if (perShape)
      why = "the graph did not compile shape-generically, so there is one "
            "executable per shape set (" +
            std::to_string(byShape.size()) +
            " so far); compile with shapes= for one";
    else
      why = "nothing is compiled yet: a JSON graph compiled without shapes= "
            "is compiled at its first call, which gives the ranks";
  }
  throwStatus(absl::FailedPreconditionError(std::string(what) + ": " + why));
}

std::shared_ptr<const Executable> PyExecutable::forCall(const InputSet &in) {
  if (ready.load(std::memory_order_acquire))
    return main;
  absl::Status error;
  std::shared_ptr<const Executable> exe;
  {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mutex);
    if (ready.load(std::memory_order_acquire))
      return main;
    std::string key = shapeKey(in);
    if (perShape && (exe = byShape.find(key)))
      return exe;
    if (!perShape) {
      // Shape-generic code from the call's ranks: later shapes run at once
      // and hot ones are specialized in the background (docs/Tiering.md);
      // this call's shapes are specialized now, so it runs fast code.
      CompileOptions generic = options;
      for (const auto &[name, buffer] : in.map)
        generic.inputShapes[name] = std::vector<int64_t>(buffer->rank(), -1);
      auto g = Executable::compile(source, generic);
      if (g.ok()) {
        main = *g;
        ready.store(true, std::memory_order_release);
        // Shapes that break the contract fail this specialization with the
        // message a compile for them gives (as the tools say it).
        absl::Status warm = options.hotThreshold > 0
                                ? main->warmUp({in.shapes()})
                                : absl::OkStatus();
        if (warm.ok() || warm.code() != absl::StatusCode::kInvalidArgument)
          return main;
        error = warm;
      }
    }
    // Not every graph compiles shape-generically: then one specialized
    // executable per shape set.
    if (error.ok()) {
      CompileOptions fixed = options;
      fixed.inputShapes = in.shapes();
      auto f = Executable::compile(source, fixed);
      if (f.ok()) {
        perShape = true;
        byShape.insert(key, *f);
        exe = *f;
      } else {
        error = f.status();
      }
    }
  }
  if (!error.ok())
    throwStatus(error);
  return exe;
}

std::shared_ptr<const Executable>
PyExecutable::forSparseCall(const InputSet &in,
                            const GradientOptions *gradient) {
  if (!hasSource) // loaded code: it reads sparse inputs as it was compiled
    return gradient ? main : compiled("run");
  std::string key = shapeKey(in) + "|sparse|";
  for (const auto &[name, d] : in.densities())
    key += name + "=" + std::to_string(d) + ";";
  if (gradient) {
    key += gradient->withOutputs ? "|outputs|" : "|";
    for (const std::string &w : gradient->wrt)
      key += w + ",";
  }
  ExecutableCache &cache = gradient ? adjoints : sparseRoutes;
  std::shared_ptr<const Executable> exe;
  {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mutex);
    exe = cache.find(key);
  }
  if (exe)
    return exe;
  // The sparse route compiles for fixed shapes and the measured densities.
  CompileOptions o = options;
  o.inputShapes = in.shapes();
  o.inputDensities = in.densities();
  exe = compileNow(o, gradient);
  py::gil_scoped_release nogil;
  std::lock_guard<std::mutex> lock(mutex);
  cache.insert(key, exe);
  return exe;
}

py::dict PyExecutable::run(py::handle inputs, py::handle out,
                           py::handle kwargs) {
  InputSet in =
      InputSet::from(inputs, kwargs, options.dtype,
                     out && !out.is_none() ? -1 : options.sparseThreshold);
  if (!in.sparse.empty()) {
    std::shared_ptr<const Executable> exe = forSparseCall(in, nullptr);
    absl::StatusOr<Outputs> result = absl::UnknownError("not run");
    {
      py::gil_scoped_release nogil;
      result = exe->run(in.map, in.sparse);
    }
    return toDict(unwrap(std::move(result)));
  }
  std::shared_ptr<const Executable> exe = forCall(in);
  if (!out || out.is_none()) {
    absl::StatusOr<Outputs> result = absl::UnknownError("not run");
    {
      py::gil_scoped_release nogil;
      result = exe->run(in.map);
    }
    return toDict(unwrap(std::move(result)));
  }
  // A serving loop's own arrays: written in place, nothing allocated.
  if (!py::isinstance<py::dict>(out))
    throwStatus(absl::InvalidArgumentError(
        "out= is a dict of NumPy arrays by output name"));
  const std::vector<TensorInfo> &infos = exe->outputs();
  const std::vector<IntermediateInfo> &extra = exe->intermediates();
  size_t count = infos.size() + extra.size();
  auto nameOf = [&](size_t i) -> const std::string & {
    return i < infos.size() ? infos[i].name : extra[i - infos.size()].name;
  };
  Outputs outputs;
  outputs.entries.resize(count);
  absl::InlinedVector<bool, 8> given(count);
  for (auto item : py::reinterpret_borrow<py::dict>(out)) {
    Py_ssize_t size = 0;
    const char *key = py::isinstance<py::str>(item.first)
                          ? PyUnicode_AsUTF8AndSize(item.first.ptr(), &size)
                          : nullptr;
    size_t i = 0;
    while (i < count && !(key && nameOf(i).size() == size_t(size) &&
                          nameOf(i).compare(0, size, key, size) == 0))
      ++i;
    if (i == count) {
      std::string known;
      for (size_t j = 0; j < count; ++j)
        known += (known.empty() ? "'" : ", '") + nameOf(j) + "'";
      throwStatus(absl::NotFoundError(
          "G4: out['" + std::string(py::str(item.first)) +
          "'] names no output; the outputs are " + known));
    }
    outputs.entries[i].second =
        borrowWritable(item.second, options.dtype, "out", nameOf(i));
    given[i] = true;
  }
  absl::InlinedVector<size_t, 8> allocated;
  for (size_t i = 0; i < count; ++i) {
    outputs.entries[i].first = nameOf(i);
    if (!given[i])
      allocated.push_back(i);
  }
  if (!allocated.empty()) {
    Outputs fresh = unwrap(exe->allocateOutputs(in.map));
    for (size_t i : allocated)
      outputs.entries[i].second = std::move(fresh.entries[i].second);
  }
  absl::Status status;
  {
    py::gil_scoped_release nogil;
    status = exe->runInto(in.map, outputs);
  }
  check(status);
  auto outDict = py::reinterpret_borrow<py::dict>(out);
  for (size_t i : allocated)
    outDict[py::str(nameOf(i))] =
        toNumpy(std::move(outputs.entries[i].second));
  return outDict;
}

py::object PyExecutable::grad(py::handle inputs, py::handle wrt,
                              py::handle cotangents, bool withOutputs) {
  InputSet in = InputSet::from(inputs, py::handle(), options.dtype,
                               options.sparseThreshold);
  GradientOptions gradient;
  gradient.withOutputs = withOutputs;
  if (py::isinstance<py::str>(wrt))
    gradient.wrt.push_back(py::str(wrt));
  else if (!wrt.is_none())
    gradient.wrt = wrt.cast<std::vector<std::string>>();
  std::shared_ptr<const Executable> adjoint;
  if (!in.sparse.empty()) {
    if (!hasSource && !main->isGradient())
      requireSource("grad");
    adjoint = forSparseCall(in, &gradient);
  } else if (!hasSource) {
    if (!main->isGradient())
      requireSource("grad");
    adjoint = main;
  } else {
    std::string key = shapeKey(in) + (withOutputs ? "|outputs|" : "|");
    for (const std::string &w : gradient.wrt)
      key += w + ",";
    {
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mutex);
      adjoint = adjoints.find(key);
    }
    if (!adjoint) {
      // Gradients need every size known (G12): one adjoint per shape set.
      CompileOptions o = options;
      o.inputShapes = in.shapes();
      adjoint = compileNow(o, &gradient);
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mutex);
      adjoints.insert(key, adjoint);
    }
  }
  InputSet cot = InputSet::from(cotangents, py::handle(), options.dtype);
  absl::StatusOr<Gradients> result = absl::UnknownError("not run");
  {
    py::gil_scoped_release nogil;
    result = adjoint->runGradient(in.map, in.sparse, cot.map);
  }
  Gradients g = unwrap(std::move(result));
  py::dict grads = toDict(std::move(g.gradients));
  if (withOutputs)
    return py::make_tuple(toDict(std::move(g.outputs)), grads);
  return std::move(grads);
}

py::list PyExecutable::runBatch(py::handle items, int threads,
                                const std::string &errors) {
  if (errors != "raise" && errors != "return")
    throw py::value_error("errors= is 'raise' or 'return'; got '" + errors +
                          "'");
  std::deque<InputSet> sets;
  for (py::handle item : items)
    sets.push_back(InputSet::from(item, py::handle(), options.dtype));
  // Items run by one runBatch per executable (one unless compiled per
  // shape set).
  std::vector<std::shared_ptr<const Executable>> exes;
  for (const InputSet &in : sets)
    exes.push_back(forCall(in));
  std::vector<std::optional<absl::StatusOr<Outputs>>> results(sets.size());
  {
    py::gil_scoped_release nogil;
    std::vector<bool> done(sets.size());
    for (size_t i = 0; i < sets.size(); ++i) {
      if (done[i])
        continue;
      std::vector<size_t> group;
      std::vector<std::map<std::string, const Buffer *>> maps;
      for (size_t j = i; j < sets.size(); ++j)
        if (!done[j] && exes[j] == exes[i]) {
          group.push_back(j);
          maps.push_back(sets[j].map);
          done[j] = true;
        }
      auto out = exes[i]->runBatch(maps, threads);
      for (size_t k = 0; k < group.size(); ++k)
        results[group[k]] = std::move(out[k]);
    }
  }
  py::list out;
  for (size_t i = 0; i < results.size(); ++i) {
    absl::StatusOr<Outputs> &r = *results[i];
    if (r.ok()) {
      out.append(toDict(std::move(*r)));
      continue;
    }
    // The message names the item ("batch item 3: ...").
    if (errors == "raise")
      throwStatus(r.status());
    out.append(makeError(r.status()));
  }
  return out;
}

namespace {

/// tl.Future: a run queued by Executable.run_async.
class Future {
public:
  Future(AsyncRun run, InputSet inputs)
      : asyncRun(std::move(run)), inputs(std::move(inputs)) {}
  Future(Future &&) = default;
  ~Future() {
    // The run reads the inputs this future keeps: it must end first.
    if (!taken && asyncRun.valid()) {
      py::gil_scoped_release nogil;
      asyncRun.wait();
    }
  }

  py::object result(py::object timeout) {
    if (!taken) {
      bool ready = true;
      std::optional<double> seconds;
      if (!timeout.is_none())
        seconds = timeout.cast<double>();
      {
        py::gil_scoped_release nogil;
        if (!seconds)
          asyncRun.wait();
        else
          ready = asyncRun.waitFor(*seconds);
      }
      if (!ready) {
        PyErr_SetString(PyExc_TimeoutError,
                        "the run did not finish within the timeout");
        throw py::error_already_set();
      }
      absl::StatusOr<Outputs> r = asyncRun.get();
      taken = true;
      inputs = InputSet();
      if (r.ok())
        value = toDict(std::move(*r));
      else
        error = r.status();
    }
    if (!error.ok())
      throwStatus(error);
    return value;
  }
  bool done() const { return taken || asyncRun.ready(); }
  bool cancel() {
    if (taken)
      return false;
    bool removed = asyncRun.cancel();
    cancelled = cancelled || removed;
    return removed;
  }
  bool isCancelled() const { return cancelled; }

private:
  AsyncRun asyncRun;
  InputSet inputs;
  bool taken = false, cancelled = false;
  py::object value;
  absl::Status error;
};

} // namespace

namespace {

/// tl.BoundCall: Executable.bind's result. It holds the bound arrays, so
/// they live as long as it does.
class PyBound {
public:
  PyBound(InputSet inputs, Outputs outputs, py::dict out,
          std::shared_ptr<const Executable> exe)
      : inputs(std::move(inputs)), outputs(std::move(outputs)),
        out(std::move(out)), exe(std::move(exe)) {}
  void bind() {
    call = unwrap(exe->bind(inputs.map, outputs));
  }
  py::dict run() {
    absl::Status status;
    {
      py::gil_scoped_release nogil;
      status = call->run();
    }
    check(status);
    return out;
  }
  const py::dict &outputDict() const { return out; }

private:
  InputSet inputs;
  Outputs outputs; // borrows the arrays of `out`
  py::dict out;
  std::shared_ptr<const Executable> exe;
  std::unique_ptr<BoundCall> call;
};

} // namespace

py::object PyExecutable::bind(py::handle inputs, py::handle out) {
  InputSet in = InputSet::from(inputs, py::handle(), options.dtype);
  if (!in.converted.empty())
    throwStatus(absl::InvalidArgumentError(
        "bind: input '" + in.converted.front() +
        "' would be converted (G5), and a bound call reads its arrays at "
        "every run: bind a C-contiguous " +
        std::string(options.dtype == DType::f32 ? "float32" : "float64") +
        " NumPy array (np.ascontiguousarray(x, dtype=...)) and refill it"));
  std::shared_ptr<const Executable> exe = forCall(in);
  const std::vector<TensorInfo> &infos = exe->outputs();
  const std::vector<IntermediateInfo> &extra = exe->intermediates();
  py::dict given = out.is_none() ? py::dict()
                                 : py::reinterpret_borrow<py::dict>(out);
  // Arrays of our own for the outputs not given, sized for these inputs.
  Outputs sized = unwrap(exe->allocateOutputs(in.map));
  py::dict arrays;
  Outputs outputs;
  for (size_t i = 0; i < sized.size(); ++i) {
    const std::string &name = i < infos.size()
                                  ? infos[i].name
                                  : extra[i - infos.size()].name;
    py::str key(name);
    py::object array =
        given.contains(key)
            ? py::reinterpret_borrow<py::object>(given[key])
            : py::object(py::array(numpyType(options.dtype),
                                   std::vector<py::ssize_t>(
                                       sized[i].shape().begin(),
                                       sized[i].shape().end())));
    outputs.entries.emplace_back(
        name, borrowWritable(array, options.dtype, "out", name));
    arrays[key] = array;
  }
  for (auto item : given)
    if (!arrays.contains(item.first))
      throwStatus(absl::NotFoundError("G4: out['" +
                                      std::string(py::str(item.first)) +
                                      "'] names no output"));
  auto bound = std::make_unique<PyBound>(std::move(in), std::move(outputs),
                                         arrays, exe);
  bound->bind();
  return py::cast(std::move(bound));
}

py::object PyExecutable::runAsync(py::handle inputs, py::handle kwargs) {
  InputSet in = InputSet::from(inputs, kwargs, options.dtype);
  std::shared_ptr<const Executable> exe = forCall(in);
  AsyncRun run = exe->runAsync(in.map);
  return py::cast(Future(std::move(run), std::move(in)));
}

py::dict PyExecutable::profile(py::handle inputs, unsigned runs,
                               py::handle trace) {
  InputSet in = InputSet::from(inputs, py::handle(), options.dtype);
  std::shared_ptr<const Executable> exe;
  if (options.profile) {
    exe = forCall(in);
  } else {
    // Instrumented code is a compile of its own (CompileOptions::profile).
    requireSource("profile");
    std::string key = shapeKey(in);
    {
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mutex);
      exe = profiled.find(key);
    }
    if (!exe) {
      CompileOptions o = options;
      o.profile = true;
      o.inputShapes = in.shapes();
      exe = compileNow(o, nullptr);
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mutex);
      profiled.insert(key, exe);
    }
  }
  Outputs outputs = unwrap(exe->allocateOutputs(in.map));
  absl::Status first;
  runtime::ProfileRecording recording;
  {
    py::gil_scoped_release nogil;
    first = exe->runInto(in.map, outputs);
    if (first.ok()) {
      std::lock_guard<std::mutex> lock(profileMutex());
      recording = runtime::recordProfile(
          std::max(runs, 1u), [&] { (void)exe->runInto(in.map, outputs); });
    }
  }
  check(first);
  const std::vector<std::string> &names = exe->profileNodes();
  double total = 0;
  py::list runUs;
  std::vector<double> sorted;
  for (const runtime::Span &r : recording.runs) {
    runUs.append(r.endUs - r.beginUs);
    sorted.push_back(r.endUs - r.beginUs);
    total += r.endUs - r.beginUs;
  }
  std::sort(sorted.begin(), sorted.end());
  std::map<int64_t, double> perNode;
  for (const runtime::Span &s : recording.nodes)
    perNode[s.id] += s.endUs - s.beginUs;
  std::vector<std::pair<double, int64_t>> order;
  for (auto [id, us] : perNode)
    order.push_back({us, id});
  std::sort(order.rbegin(), order.rend());
  py::list nodes;
  double n = std::max<double>(recording.runs.size(), 1);
  for (auto [us, id] : order) {
    py::dict d;
    d["node"] = id >= 0 && size_t(id) < names.size() ? names[id]
                                                     : "span " + std::to_string(id);
    d["us"] = us / n;
    d["share"] = total > 0 ? us / total : 0.0;
    nodes.append(d);
  }
  py::dict out;
  out["runs_us"] = runUs;
  out["median_us"] = sorted.empty() ? 0.0 : sorted[sorted.size() / 2];
  out["nodes"] = nodes;
  out["report"] = runtime::formatProfile(recording, exe->compilePhases(), names);
  if (trace && !trace.is_none()) {
    std::string path = py::str(py::module_::import("os").attr("fspath")(trace));
    std::ofstream file(path);
    file << runtime::formatChromeTrace(recording, exe->compilePhases(), names,
                                       "python", exe->profileShapes());
    if (!file)
      throwStatus(absl::PermissionDeniedError("cannot write the trace '" +
                                              path + "'"));
    out["trace"] = path;
  }
  return out;
}

void PyExecutable::save(const std::string &path) {
  std::shared_ptr<const Executable> exe = compiled("save");
  absl::Status status;
  {
    py::gil_scoped_release nogil;
    status = exe->save(path);
  }
  check(status);
}

void PyExecutable::warmUp(py::handle shapes) {
  std::shared_ptr<const Executable> exe = compiled("warm_up");
  std::vector<std::map<std::string, std::vector<int64_t>>> sets;
  for (py::handle s : shapes)
    sets.push_back(shapesFrom(s));
  absl::Status status;
  {
    py::gil_scoped_release nogil;
    status = exe->warmUp(sets);
  }
  check(status);
}

void PyExecutable::tune(py::handle inputs, double seconds) {
  InputSet in = InputSet::from(inputs, py::handle(), options.dtype);
  std::shared_ptr<const Executable> exe = forCall(in);
  absl::Status status;
  {
    py::gil_scoped_release nogil;
    status = exe->tune(in.map, seconds);
  }
  check(status);
}

void PyExecutable::waitForBackgroundCompiles() {
  std::vector<std::shared_ptr<const Executable>> all;
  {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mutex);
    if (main)
      all.push_back(main);
    for (auto &e : byShape.all())
      all.push_back(e);
    for (auto &e : all)
      e->waitForBackgroundCompiles();
  }
}

py::list PyExecutable::inputs() { return infoList(compiled("inputs")->inputs()); }
py::list PyExecutable::outputs() {
  return infoList(compiled("outputs")->outputs());
}
py::list PyExecutable::warnings() {
  return py::cast(compiled("warnings")->warnings());
}
double PyExecutable::compileSeconds() {
  return compiled("compile_seconds")->compileSeconds();
}
std::string PyExecutable::cacheReport() {
  return compiled("cache_report")->cacheReport();
}

py::dict PyExecutable::stats() {
  py::dict out;
  if (!ready.load(std::memory_order_acquire)) {
    out["events"] = py::list();
    out["calls"] = 0;
    out["calls_by_tier"] = py::dict();
    out["last_tier"] = "";
    out["versions"] = 0;
    out["guard_fallbacks"] = 0;
    return out;
  }
  ExecutableStats s = main->stats();
  py::list events;
  for (const CompileEvent &e : s.events) {
    py::dict d;
    d["tier"] = e.tier;
    py::dict shapes;
    for (const auto &[name, shape] : e.shapes)
      shapes[py::str(name)] = shapeTuple(shape);
    d["shapes"] = shapes;
    d["reason"] = e.reason;
    d["ms"] = e.ms;
    d["cache"] = e.cache;
    d["values"] = py::cast(e.values);
    d["assumes"] = py::cast(e.assumes);
    events.append(d);
  }
  out["events"] = events;
  out["calls"] = s.calls;
  out["calls_by_tier"] = py::cast(s.callsByTier);
  out["last_tier"] = s.lastTier;
  out["versions"] = s.versions;
  out["guard_fallbacks"] = s.guardFallbacks;
  return out;
}

std::string PyExecutable::repr() {
  std::string what = source.name.empty() ? "graph" : "'" + source.name + "'";
  if (!ready.load(std::memory_order_acquire))
    return "<tl.Executable " + what + " " + dtypeName(options.dtype) +
           ", compiled at the first call>";
  std::string in;
  for (const TensorInfo &t : main->inputs()) {
    in += (in.empty() ? "" : ", ") + t.name + ": ";
    for (int64_t d : t.shape)
      in += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
    in += dtypeName(t.dtype);
  }
  return "<tl.Executable " + what + " (" + in + ")" +
         (main->isGradient() ? " adjoint" : "") + ">";
}

void registerExecutable(py::module_ &m) {
  py::class_<Future>(m, "Future",
                     "A run queued by Executable.run_async, like "
                     "concurrent.futures.Future.")
      .def("result", &Future::result, py::arg("timeout") = py::none(),
           "The outputs (waiting for them, at most `timeout` seconds); "
           "raises the run's error, tl.CancelledError if it was cancelled.")
      .def("done", &Future::done)
      .def("cancel", &Future::cancel,
           "Removes the run from the queue if it has not started.")
      .def("cancelled", &Future::isCancelled);

  py::class_<PyBound>(m, "BoundCall",
                      "Executable.bind's pre-bound call: calling it runs "
                      "the code on the bound arrays' current contents and "
                      "returns the output dict (the same arrays each time).")
      .def("__call__", &PyBound::run)
      .def("run", &PyBound::run)
      .def_property_readonly("outputs", &PyBound::outputDict);

  py::class_<PyExecutable>(m, "Executable",
                           "A compiled graph: call it with arrays by name.")
      .def(py::init([](py::handle graph, bool isPath, py::handle shapes,
                       py::handle dtype, const py::dict &options) {
             GraphSource source = graphFrom(graph, isPath);
             CompileOptions o = compileOptionsFrom(dtype, shapes, options);
             bool deferred =
                 shapes.is_none() &&
                 resolveGraphFormat(source.text, source.format) ==
                     GraphFormat::kTensorLogicJSON;
             return std::make_unique<PyExecutable>(std::move(source),
                                                   std::move(o), deferred);
           }),
           py::arg("graph"), py::arg("is_path"), py::arg("shapes"),
           py::arg("dtype"), py::arg("options"))
      .def("__call__",
           [](PyExecutable &e, const py::kwargs &kwargs) {
             return e.run(py::handle(), py::none(), kwargs);
           })
      // No **kwargs here: pybind11 would copy the call's keywords each time.
      .def(
          "run",
          [](PyExecutable &e, py::handle inputs, py::handle out) {
            return e.run(inputs, out, py::handle());
          },
          py::arg("inputs"), py::kw_only(), py::arg("out") = py::none())
      .def("bind", &PyExecutable::bind, py::arg("inputs"), py::kw_only(),
           py::arg("out") = py::none())
      .def("grad", &PyExecutable::grad, py::arg("inputs"),
           py::arg("wrt") = py::none(), py::arg("cotangents") = py::none(),
           py::kw_only(), py::arg("with_outputs") = false)
      .def("run_batch", &PyExecutable::runBatch, py::arg("items"),
           py::kw_only(), py::arg("threads") = 0, py::arg("errors") = "raise")
      .def(
          "run_async",
          [](PyExecutable &e, py::handle inputs, const py::kwargs &kwargs) {
            return e.runAsync(inputs, kwargs);
          },
          py::arg("inputs") = py::none())
      .def("profile", &PyExecutable::profile, py::arg("inputs"),
           py::kw_only(), py::arg("runs") = 10, py::arg("trace") = py::none())
      .def("save",
           [](PyExecutable &e, py::handle path) {
             e.save(py::str(py::module_::import("os").attr("fspath")(path)));
           },
           py::arg("path"))
      .def("warm_up", &PyExecutable::warmUp, py::arg("shapes"))
      .def("tune", &PyExecutable::tune, py::arg("inputs"),
           py::arg("seconds") = 1.0)
      .def("wait_for_background_compiles",
           &PyExecutable::waitForBackgroundCompiles)
      .def_property_readonly("inputs", &PyExecutable::inputs)
      .def_property_readonly("outputs", &PyExecutable::outputs)
      .def_property_readonly("warnings", &PyExecutable::warnings)
      .def_property_readonly("compile_seconds", &PyExecutable::compileSeconds)
      .def_property_readonly("cache_report", &PyExecutable::cacheReport)
      .def_property_readonly("dtype",
                             [](const PyExecutable &e) {
                               return dtypeName(e.dtype());
                             })
      .def("stats", &PyExecutable::stats)
      .def("__repr__", &PyExecutable::repr);

  m.def(
      "load",
      [](py::handle path) {
        std::string p = py::str(py::module_::import("os").attr("fspath")(path));
        absl::StatusOr<std::shared_ptr<const Executable>> exe =
            absl::UnknownError("not loaded");
        {
          py::gil_scoped_release nogil;
          exe = Executable::load(p);
        }
        return std::make_unique<PyExecutable>(unwrap(std::move(exe)), p);
      },
      py::arg("path"),
      "Loads a module written by Executable.save or tl-compile (no "
      "compiler runs).");
}

} // namespace tl::python
