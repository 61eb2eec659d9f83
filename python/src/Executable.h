//===- Executable.h - tl.Executable and tl.Future ---------------*- C++ -*-===//
//
// tl.Executable wraps a tl::Executable with what Python users expect of a
// compiled function: shapes taken from the first call when none were
// given, gradients compiled on first use per shape set, a profiled twin
// compiled on first use of profile(). Every run releases the GIL.
//
//===----------------------------------------------------------------------===//

#ifndef TL_PYTHON_EXECUTABLE_H
#define TL_PYTHON_EXECUTABLE_H

#include "Arrays.h"

#include "tl/API/Executable.h"

#include <pybind11/pybind11.h>

#include <atomic>
#include <list>
#include <mutex>

namespace tl::python {

/// Executables by key, the least recently used dropped past a bound.
class ExecutableCache {
public:
  explicit ExecutableCache(size_t bound) : bound(bound) {}
  std::shared_ptr<const Executable> find(const std::string &key);
  void insert(const std::string &key, std::shared_ptr<const Executable> exe);
  size_t size() const { return entries.size(); }
  std::vector<std::shared_ptr<const Executable>> all() const;

private:
  size_t bound;
  std::list<std::pair<std::string, std::shared_ptr<const Executable>>> entries;
};

class PyExecutable {
public:
  /// Compiles now, or at the first call when `deferred` (a JSON graph
  /// without shapes: the call gives the ranks).
  PyExecutable(GraphSource source, CompileOptions options, bool deferred);
  /// A module loaded by tl.load (no graph: no gradient or profiled twin).
  PyExecutable(std::shared_ptr<const Executable> loaded, std::string path);

  /// `inputs` a dict (or None), `kwargs` more inputs (or a null handle).
  pybind11::dict run(pybind11::handle inputs, pybind11::handle out,
                     pybind11::handle kwargs);
  pybind11::object grad(pybind11::handle inputs, pybind11::handle wrt,
                        pybind11::handle cotangents, bool withOutputs);
  pybind11::list runBatch(pybind11::handle items, int threads,
                          const std::string &errors);
  pybind11::object runAsync(pybind11::handle inputs, pybind11::handle kwargs);
  /// Executable.bind: a tl.BoundCall over these arrays.
  pybind11::object bind(pybind11::handle inputs, pybind11::handle out);
  pybind11::dict profile(pybind11::handle inputs, unsigned runs,
                         pybind11::handle trace);
  void save(const std::string &path);
  void warmUp(pybind11::handle shapes);
  void tune(pybind11::handle inputs, double seconds);
  void waitForBackgroundCompiles();

  pybind11::list inputs();
  pybind11::list outputs();
  pybind11::dict stats();
  pybind11::list warnings();
  std::string repr();
  DType dtype() const { return options.dtype; }
  double compileSeconds();
  std::string cacheReport();

private:
  /// The executable for a call with `in`, compiling it first if needed
  /// (the GIL released meanwhile).
  std::shared_ptr<const Executable> forCall(const InputSet &in);
  /// The executable (or, with `gradient`, the adjoint) for a call with
  /// SciPy matrices kept sparse: compiled for the call's shapes and the
  /// matrices' measured densities (the sparse route), one per set.
  std::shared_ptr<const Executable>
  forSparseCall(const InputSet &in, const GradientOptions *gradient);
  /// The executable compiled so far, or a FailedPrecondition naming `what`.
  std::shared_ptr<const Executable> compiled(const char *what);
  /// Compiles with `o` (and `gradient`) with the GIL released.
  std::shared_ptr<const Executable>
  compileNow(const CompileOptions &o, const GradientOptions *gradient);
  void requireSource(const char *what) const;

  GraphSource source;
  bool hasSource = true;
  CompileOptions options;

  std::mutex mutex; // guards everything below; never held with the GIL
  std::shared_ptr<const Executable> main;
  std::atomic<bool> ready{false}; // main is set (and never changes again)
  /// Set when the graph does not compile shape-generically: one
  /// specialized executable per shape set.
  bool perShape = false;
  ExecutableCache byShape{8};
  ExecutableCache adjoints{8};
  ExecutableCache sparseRoutes{8};
  ExecutableCache profiled{4};
};

/// The shapes of `in` as one string ("p=2x3;q=3"), a cache key.
std::string shapeKey(const InputSet &in);

/// Defines tl.Executable, tl.Future, tl.compile's C++ half and tl.load.
void registerExecutable(pybind11::module_ &m);

} // namespace tl::python

#endif // TL_PYTHON_EXECUTABLE_H
