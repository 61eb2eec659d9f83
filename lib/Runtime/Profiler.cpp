//===- Profiler.cpp - spans recorded by instrumented code ------------------===//

#include "tl/Runtime/Profiler.h"

#include "tl/Runtime/RuntimeABI.h"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <mutex>

using namespace tl::runtime;

namespace {
std::atomic<bool> recording{false};
std::mutex mutex;
std::vector<Span> spans;
std::atomic<uint32_t> nextThread{0};

const std::chrono::steady_clock::time_point &origin() {
  static const auto t0 = std::chrono::steady_clock::now();
  return t0;
}

/// Open spans of this thread: instrumented kernels do not nest within one
/// call, but a graph run from inside another's callback could.
struct Open {
  int64_t id;
  double beginUs;
};
thread_local std::vector<Open> open;
} // namespace

double tl::runtime::profilerNowUs() {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now() - origin())
      .count();
}

uint32_t tl::runtime::profilerThread() {
  thread_local uint32_t id = nextThread.fetch_add(1);
  return id;
}

void tl::runtime::startRecording() {
  std::lock_guard<std::mutex> lock(mutex);
  spans.clear();
  recording = true;
}

std::vector<Span> tl::runtime::stopRecording() {
  std::lock_guard<std::mutex> lock(mutex);
  recording = false;
  return std::move(spans);
}

bool tl::runtime::isRecording() {
  return recording.load(std::memory_order_relaxed);
}

void tl::runtime::recordSpan(const Span &span) {
  std::lock_guard<std::mutex> lock(mutex);
  if (recording)
    spans.push_back(span);
}

int64_t tl::runtime::peakResidentBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t(usage.ru_maxrss) * 1024; // Linux reports KiB
}

extern "C" void tl_rt_span_begin(int64_t id) {
  if (recording.load(std::memory_order_relaxed))
    open.push_back({id, profilerNowUs()});
}

extern "C" void tl_rt_span_end(int64_t id) {
  if (!recording.load(std::memory_order_relaxed) || open.empty() ||
      open.back().id != id)
    return;
  Span s{id, profilerThread(), open.back().beginUs, profilerNowUs()};
  open.pop_back();
  std::lock_guard<std::mutex> lock(mutex);
  if (recording)
    spans.push_back(s);
}
