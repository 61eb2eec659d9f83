//===- Profiler.h - spans recorded by instrumented code ---------*- C++ -*-===//
//
// Code compiled with the pipeline's `profile` option calls
// tl_rt_span_begin(id) / tl_rt_span_end(id) around each node's kernel
// (tl-instrument-nodes). The calls record nothing unless a recording is
// active, and code compiled without the option has no calls at all.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_PROFILER_H
#define TL_RUNTIME_PROFILER_H

#include <cstdint>
#include <vector>

namespace tl::runtime {

struct Span {
  int64_t id;        // the node index the instrumentation assigned
  uint32_t thread;   // a small per-process thread number
  double beginUs, endUs; // profilerNowUs() at begin and end
};

/// Microseconds on the steady clock since the process started profiling.
double profilerNowUs();
/// This thread's small number (the same one spans carry).
uint32_t profilerThread();

/// Starts recording spans (clearing earlier ones); stopRecording returns
/// them in the order they ended. One recording at a time per process.
void startRecording();
std::vector<Span> stopRecording();
/// Whether a recording is active; and a span measured elsewhere added to
/// it (a GPU kernel's CUDA-event time, placed on this clock).
bool isRecording();
void recordSpan(const Span &span);

/// The process's peak resident memory so far, in bytes (getrusage).
int64_t peakResidentBytes();

} // namespace tl::runtime

#endif // TL_RUNTIME_PROFILER_H
