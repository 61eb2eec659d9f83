//===- Reports.h - what the tools print about a run -------------*- C++ -*-===//
//
// The profile report and Chrome trace of --profile/--trace, and the
// non-finite value search of --check-numerics, in the runtime so that every
// tool (tl-jit, tl-run) and library user prints the same thing. No MLIR or
// LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_REPORTS_H
#define TL_RUNTIME_REPORTS_H

#include "tl/Runtime/Buffer.h"
#include "tl/Runtime/Profiler.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tl::runtime {

/// One step of compiling, on the profiler's clock (profilerNowUs).
struct Phase {
  std::string name;
  double beginUs, endUs;
};

/// Timed runs with every node span recorded.
struct ProfileRecording {
  std::vector<Span> runs;  // one per run (id -1)
  std::vector<Span> nodes; // the spans the code recorded
  uint32_t thread = 0;     // the thread that ran them
};

/// Calls `run` once (not recorded), then `runs` times with spans recorded.
ProfileRecording recordProfile(unsigned runs, const std::function<void()> &run);

/// The --profile report: compile phases, median run, time per node with
/// its share, time outside nodes, the bottleneck, peak memory.
/// `nodeNames[id]` names span `id`.
/// `phasesTitle` heads the phases ("compile", "load").
std::string formatProfile(const ProfileRecording &recording,
                          const std::vector<Phase> &phases,
                          const std::vector<std::string> &nodeNames,
                          const std::string &phasesTitle = "compile");

/// A Chrome trace (chrome://tracing, Perfetto): a compile span with the
/// phases in it, run spans, node spans on their threads. A node span's
/// `args` list its node ids and ops (from its name) and, when
/// `nodeShapes` has them, the shapes of their values.
std::string formatChromeTrace(const ProfileRecording &recording,
                              const std::vector<Phase> &phases,
                              const std::vector<std::string> &nodeNames,
                              const std::string &threadName,
                              const std::vector<std::string> &nodeShapes = {});

/// The row-major index of the first NaN or infinity in `b`, or -1.
int64_t firstNonFinite(const Buffer &b);
/// "NaN at [1, 2]".
std::string describeElement(const Buffer &b, int64_t index);

} // namespace tl::runtime

#endif // TL_RUNTIME_REPORTS_H
