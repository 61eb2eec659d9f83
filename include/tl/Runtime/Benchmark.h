//===- Benchmark.h - timing medians and Google Benchmark's report -*- C++ -*-===//
//
// What tl-jit --benchmark and tl-run --benchmark print: medians of real and
// thread CPU time, in Google Benchmark's console table or its JSON layout
// (aggregate entries named "<graph>/<what>_median"), so the same scripts
// read both tools.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_BENCHMARK_H
#define TL_RUNTIME_BENCHMARK_H

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tl::runtime {

struct Timing {
  double realNs = 0, cpuNs = 0;
  bool failed() const { return realNs < 0; }
};

/// Runs `fn` `count` times and returns the median real and CPU times; a
/// failed run (fn returns false) makes the result failed().
Timing medianOf(unsigned count, const std::function<bool()> &fn);

struct BenchmarkEntry {
  std::string name; // "grandparent/run_median"
  unsigned iterations;
  Timing timing;
};

/// `s` as a JSON string literal, quotes included (the reports write JSON
/// by hand: the runtime has no JSON library).
std::string jsonString(const std::string &s);

/// The report: Google Benchmark's console table, or its JSON with
/// `context` (key, value) pairs.
std::string
formatBenchmarks(const std::vector<BenchmarkEntry> &entries, bool json,
                 const std::vector<std::pair<std::string, std::string>> &context);

} // namespace tl::runtime

#endif // TL_RUNTIME_BENCHMARK_H
