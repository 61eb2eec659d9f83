//===- CompileLatency.h - how long compiling a graph takes ------*- C++ -*-===//
//
// What `tl-jit --benchmark` reports as compile_median and
// compile_cached_median (docs/Performance.md, "Compile latency").
//
// This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_COMPILELATENCY_H
#define TL_API_COMPILELATENCY_H

#include "tl/API/Executable.h"
#include "tl/Runtime/Benchmark.h"

namespace tl {

struct CompileLatency {
  /// No cache and a fresh context: a new process without a cache.
  runtime::Timing cold;
  /// A warm persistent cache and nothing kept in memory: a new process
  /// with a cache.
  runtime::Timing cached;
};

/// Compiles the graph at `path` (its adjoint with `gradient`)
/// `repetitions` times each way and returns the medians. The cached
/// compiles use a cache directory of their own (removed afterwards), so
/// the user's cache neither helps nor changes; an entry is stored before
/// the timing starts. The in-process cache is cleared.
absl::StatusOr<CompileLatency>
measureCompileLatency(const std::string &path, const CompileOptions &options,
                      const GradientOptions *gradient, unsigned repetitions);

} // namespace tl

#endif // TL_API_COMPILELATENCY_H
