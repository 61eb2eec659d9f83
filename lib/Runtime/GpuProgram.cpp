//===- GpuProgram.cpp - run a launch plan through the CUDA driver ---------===//

#include "GpuProgram.h"

#include "tl/Runtime/Profiler.h"

#include <cstring>

using namespace tl::runtime;
using namespace tl::runtime::cuda;

absl::StatusOr<std::unique_ptr<GpuProgram>> GpuProgram::load(GpuPlan plan) {
  auto d = cuda::driver();
  if (!d.ok())
    return d.status();
  std::unique_ptr<GpuProgram> p(new GpuProgram());
  p->driver = *d;
  p->plan = std::move(plan);
  const Driver &drv = *p->driver;
  if (auto s = drv.makeCurrent(); !s.ok())
    return s;
  for (const GpuPlan::Image &image : p->plan.images) {
    CUmodule m = nullptr;
    // PTX must end with a NUL; std::string's buffer does.
    if (auto s = drv.check(drv.cuModuleLoadData(&m, image.bytes.c_str()),
                           "cuModuleLoadData (kernel image '" + image.name +
                               "', " + image.format + ")");
        !s.ok())
      return s;
    p->modules.push_back(m);
  }
  for (const GpuPlan::Launch &l : p->plan.launches) {
    CUfunction f = nullptr;
    if (auto s = drv.check(
            drv.cuModuleGetFunction(&f, p->modules[l.image], l.kernel.c_str()),
            "cuModuleGetFunction ('" + l.kernel + "' in image '" +
                p->plan.images[l.image].name + "')");
        !s.ok())
      return s;
    p->functions.push_back(f);
  }
  p->constants.assign(p->plan.buffers.size(), 0);
  for (size_t i = 0; i < p->plan.buffers.size(); ++i) {
    const GpuPlan::BufferSpec &b = p->plan.buffers[i];
    if (b.kind != GpuPlan::BufferSpec::Kind::constant)
      continue;
    auto ptr = allocateDevice(b.data.size());
    if (!ptr.ok())
      return ptr.status();
    p->constants[i] = *ptr;
    if (auto s = drv.check(drv.cuMemcpyHtoD(*ptr, b.data.data(), b.data.size()),
                           "cuMemcpyHtoD (a constant)");
        !s.ok())
      return s;
  }
  return p;
}

GpuProgram::~GpuProgram() {
  if (!driver)
    return;
  for (size_t i = 0; i < constants.size(); ++i)
    releaseDevice(constants[i], plan.buffers[i].data.size());
  if (!driver->makeCurrent().ok())
    return;
  for (CUmodule m : modules)
    (void)driver->cuModuleUnload(m);
}

namespace {
/// A run's stream and device buffers, returned to the caches whatever
/// happens.
struct RunState {
  const Driver &drv;
  CUstream stream = nullptr;
  std::vector<std::pair<CUdeviceptr, size_t>> owned;
  /// While a profile is recorded: an event before the input copies, one
  /// after them and after each kernel, one after the result copies.
  std::vector<CUevent> events;
  explicit RunState(const Driver &drv) : drv(drv) {}
  ~RunState() {
    if (stream) {
      (void)drv.cuStreamSynchronize(stream);
      (void)drv.cuStreamDestroy(stream);
    }
    for (CUevent e : events)
      (void)drv.cuEventDestroy(e);
    for (auto [p, n] : owned)
      releaseDevice(p, n);
  }
  absl::Status mark() {
    if (events.empty() && !isRecording())
      return absl::OkStatus();
    CUevent e = nullptr;
    if (auto s = drv.check(drv.cuEventCreate(&e, 0), "cuEventCreate"); !s.ok())
      return s;
    events.push_back(e);
    return drv.check(drv.cuEventRecord(e, stream), "cuEventRecord");
  }
};
} // namespace

absl::Status GpuProgram::run(const std::vector<const Buffer *> &args,
                             const std::vector<Buffer *> &results) const {
  const Driver &drv = *driver;
  if (auto s = drv.makeCurrent(); !s.ok())
    return s;
  RunState state(drv);
  // CU_STREAM_NON_BLOCKING: no implicit ordering with other runs.
  if (auto s = drv.check(drv.cuStreamCreate(&state.stream, 1), "cuStreamCreate");
      !s.ok())
    return s;
  double hostStartUs = profilerNowUs();
  if (auto s = state.mark(); !s.ok())
    return s;
  using Kind = GpuPlan::BufferSpec::Kind;
  std::vector<CUdeviceptr> ptrs(plan.buffers.size(), 0);
  for (size_t i = 0; i < plan.buffers.size(); ++i) {
    const GpuPlan::BufferSpec &b = plan.buffers[i];
    if (b.kind == Kind::constant) {
      ptrs[i] = constants[i];
      continue;
    }
    const Buffer *host = b.kind == Kind::arg      ? args.at(b.index)
                         : b.kind == Kind::result ? results.at(b.index)
                                                  : nullptr;
    if (host && size_t(host->numElements()) * dtypeSize(host->dtype()) !=
                    size_t(b.bytes))
      return absl::InternalError(
          "GPU launch plan: buffer " + std::to_string(i) + " holds " +
          std::to_string(b.bytes) + " bytes but the call gives " +
          std::to_string(host->numElements() * dtypeSize(host->dtype())));
    auto p = allocateDevice(b.bytes);
    if (!p.ok())
      return p.status();
    ptrs[i] = *p;
    state.owned.emplace_back(*p, b.bytes);
    if (b.kind == Kind::arg && b.bytes)
      if (auto s = drv.check(drv.cuMemcpyHtoDAsync(*p, host->data(), b.bytes,
                                                   state.stream),
                             "cuMemcpyHtoDAsync (argument " +
                                 std::to_string(b.index) + ")");
          !s.ok())
        return s;
  }
  if (auto s = state.mark(); !s.ok())
    return s;
  std::vector<void *> params;
  for (size_t k = 0; k < plan.launches.size(); ++k) {
    const GpuPlan::Launch &l = plan.launches[k];
    params.clear();
    for (size_t b : l.buffers)
      params.push_back(&ptrs[b]);
    if (auto s = drv.check(
            drv.cuLaunchKernel(functions[k], l.grid[0], l.grid[1], l.grid[2],
                               l.block[0], l.block[1], l.block[2],
                               l.sharedBytes, state.stream, params.data(),
                               nullptr),
            "cuLaunchKernel ('" + l.kernel + "' of image '" +
                plan.images[l.image].name + "')");
        !s.ok())
      return s;
    if (auto s = state.mark(); !s.ok())
      return s;
  }
  for (size_t i = 0; i < plan.buffers.size(); ++i) {
    const GpuPlan::BufferSpec &b = plan.buffers[i];
    if (b.kind != Kind::result || !b.bytes)
      continue;
    Buffer *host = results.at(b.index);
    if (auto s = drv.check(
            drv.cuMemcpyDtoHAsync(host->data(), ptrs[i],
                                  b.bytes, state.stream),
            "cuMemcpyDtoHAsync (result " + std::to_string(b.index) + ")");
        !s.ok())
      return s;
  }
  if (auto s = state.mark(); !s.ok())
    return s;
  if (auto s = drv.check(drv.cuStreamSynchronize(state.stream),
                         "cuStreamSynchronize (the run's kernels)");
      !s.ok())
    return s;
  return recordSpans(state.events, hostStartUs);
}

absl::Status GpuProgram::recordSpans(const std::vector<CUevent> &events,
                                     double hostStartUs) const {
  // Spans k < launches: kernel k; then the input and the result copies
  // (the names GpuBackend gives the signature's profile nodes).
  size_t n = plan.launches.size();
  if (events.size() != n + 3)
    return absl::OkStatus(); // the recording started during the run
  auto at = [&](size_t e, double &us) {
    float ms = 0;
    absl::Status s = driver->check(
        driver->cuEventElapsedTime(&ms, events[0], events[e]),
        "cuEventElapsedTime");
    us = hostStartUs + ms * 1000.0;
    return s;
  };
  uint32_t thread = profilerThread();
  auto span = [&](int64_t id, size_t from, size_t to) {
    Span s{id, thread, 0, 0};
    absl::Status st = at(from, s.beginUs);
    if (st.ok())
      st = at(to, s.endUs);
    if (st.ok())
      recordSpan(s);
    return st;
  };
  for (size_t k = 0; k < n; ++k)
    if (auto s = span(k, k + 1, k + 2); !s.ok())
      return s;
  if (auto s = span(n, 0, 1); !s.ok())
    return s;
  return span(n + 1, n + 1, n + 2);
}
