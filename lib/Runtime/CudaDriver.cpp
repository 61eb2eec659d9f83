//===- CudaDriver.cpp - dlopen the CUDA driver; devices; device memory ----===//

#include "CudaDriver.h"

#include "tl/Runtime/Cuda.h"

#include <dlfcn.h>

#include <cstdlib>

#include <map>
#include <mutex>
#include <vector>

using namespace tl::runtime;
using namespace tl::runtime::cuda;

std::string DeviceInfo::arch() const {
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

absl::Status Driver::check(CUresult result, std::string_view call) const {
  if (result == 0)
    return absl::OkStatus();
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(result, &name) != 0 || !name)
    name = "an unknown CUDA error";
  if (cuGetErrorString(result, &text) != 0 || !text)
    text = "";
  return absl::InternalError(std::string(call) + " failed: " + name + " (" +
                             std::to_string(result) +
                             (*text ? std::string(": ") + text : "") + ")");
}

absl::Status Driver::makeCurrent() const {
  return check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
}

namespace {
struct Opened {
  Driver driver{};
  absl::Status status;
};

template <typename F> bool bind(void *lib, F &fn, const char *name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  return fn != nullptr;
}

Opened open() {
  Opened o;
  // TL_CUDA_DRIVER names the library where the loader's paths miss it.
  const char *env = getenv("TL_CUDA_DRIVER");
  std::string path = env && *env ? env : "libcuda.so.1";
  void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    o.status = absl::UnavailableError(
        "no CUDA driver: " + path + " could not be opened (" +
        (why ? why : "not found") +
        "); GPU code needs an NVIDIA GPU and its driver");
    return o;
  }
  Driver &d = o.driver;
  const char *missing = nullptr;
  auto need = [&](auto &fn, const char *name) {
    if (!missing && !bind(lib, fn, name))
      missing = name;
  };
  need(d.cuInit, "cuInit");
  need(d.cuDriverGetVersion, "cuDriverGetVersion");
  need(d.cuDeviceGetCount, "cuDeviceGetCount");
  need(d.cuDeviceGet, "cuDeviceGet");
  need(d.cuDeviceGetName, "cuDeviceGetName");
  need(d.cuDeviceGetAttribute, "cuDeviceGetAttribute");
  need(d.cuDeviceTotalMem, "cuDeviceTotalMem_v2");
  need(d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  need(d.cuCtxSetCurrent, "cuCtxSetCurrent");
  need(d.cuModuleLoadData, "cuModuleLoadData");
  need(d.cuModuleGetFunction, "cuModuleGetFunction");
  need(d.cuModuleUnload, "cuModuleUnload");
  need(d.cuLaunchKernel, "cuLaunchKernel");
  need(d.cuMemAlloc, "cuMemAlloc_v2");
  need(d.cuMemFree, "cuMemFree_v2");
  need(d.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  need(d.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  need(d.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  need(d.cuStreamCreate, "cuStreamCreate");
  need(d.cuStreamDestroy, "cuStreamDestroy_v2");
  need(d.cuStreamSynchronize, "cuStreamSynchronize");
  need(d.cuEventCreate, "cuEventCreate");
  need(d.cuEventRecord, "cuEventRecord");
  need(d.cuEventSynchronize, "cuEventSynchronize");
  need(d.cuEventDestroy, "cuEventDestroy_v2");
  need(d.cuGetErrorName, "cuGetErrorName");
  need(d.cuGetErrorString, "cuGetErrorString");
  // CUDA 12.8 added the _v2 form; older drivers have only the plain one.
  if (!bind(lib, d.cuEventElapsedTime, "cuEventElapsedTime_v2"))
    need(d.cuEventElapsedTime, "cuEventElapsedTime");
  if (missing) {
    o.status = absl::UnavailableError(
        std::string("the CUDA driver (libcuda.so.1) lacks ") + missing +
        ": it is older than the CUDA 12 driver API tl uses");
    return o;
  }
  if ((o.status = d.check(d.cuInit(0), "cuInit")); !o.status.ok())
    return o;
  int count = 0;
  if ((o.status = d.check(d.cuDeviceGetCount(&count), "cuDeviceGetCount"));
      !o.status.ok())
    return o;
  if (count == 0) {
    o.status = absl::UnavailableError(
        "the CUDA driver is installed but sees no GPU");
    return o;
  }
  if ((o.status = d.check(d.cuDeviceGet(&d.device, 0), "cuDeviceGet"));
      !o.status.ok())
    return o;
  o.status = d.check(d.cuDevicePrimaryCtxRetain(&d.context, d.device),
                     "cuDevicePrimaryCtxRetain");
  return o;
}

const Opened &opened() {
  static const Opened o = open();
  return o;
}

/// Freed device blocks by rounded size.
struct Cache {
  std::mutex mutex;
  std::map<size_t, std::vector<CUdeviceptr>> free;
};
Cache &cache() {
  static Cache *c = new Cache(); // outlives static destructors
  return *c;
}

size_t roundUp(size_t bytes) {
  // 256-byte granules (CUDA's allocation alignment) up to 1 MiB, then
  // powers of two over 8 so the waste stays under 12.5%.
  if (bytes <= (size_t(1) << 20))
    return (std::max<size_t>(bytes, 1) + 255) & ~size_t(255);
  size_t step = size_t(1) << (63 - __builtin_clzll(bytes) - 3);
  return (bytes + step - 1) / step * step;
}
} // namespace

absl::StatusOr<const Driver *> tl::runtime::cuda::driver() {
  const Opened &o = opened();
  if (!o.status.ok())
    return o.status;
  return &o.driver;
}

absl::StatusOr<DriverInfo> tl::runtime::cuda::driverInfo() {
  auto d = driver();
  if (!d.ok())
    return d.status();
  const Driver &drv = **d;
  DriverInfo info;
  if (auto s = drv.check(drv.cuDriverGetVersion(&info.version),
                         "cuDriverGetVersion");
      !s.ok())
    return s;
  int count = 0;
  if (auto s = drv.check(drv.cuDeviceGetCount(&count), "cuDeviceGetCount");
      !s.ok())
    return s;
  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT and COMPUTE_CAPABILITY_*.
  constexpr int kSMs = 16, kMajor = 75, kMinor = 76;
  for (int i = 0; i < count; ++i) {
    CUdevice dev;
    DeviceInfo di;
    di.ordinal = i;
    char name[256] = {0};
    size_t bytes = 0;
    if (auto s = drv.check(drv.cuDeviceGet(&dev, i), "cuDeviceGet"); !s.ok())
      return s;
    if (auto s = drv.check(drv.cuDeviceGetName(name, sizeof name - 1, dev),
                           "cuDeviceGetName");
        !s.ok())
      return s;
    di.name = name;
    if (auto s = drv.check(drv.cuDeviceGetAttribute(&di.multiprocessors, kSMs, dev),
                           "cuDeviceGetAttribute");
        !s.ok())
      return s;
    if (auto s = drv.check(drv.cuDeviceGetAttribute(&di.major, kMajor, dev),
                           "cuDeviceGetAttribute");
        !s.ok())
      return s;
    if (auto s = drv.check(drv.cuDeviceGetAttribute(&di.minor, kMinor, dev),
                           "cuDeviceGetAttribute");
        !s.ok())
      return s;
    if (auto s = drv.check(drv.cuDeviceTotalMem(&bytes, dev), "cuDeviceTotalMem");
        !s.ok())
      return s;
    di.memoryBytes = bytes;
    info.devices.push_back(std::move(di));
  }
  return info;
}

absl::StatusOr<CUdeviceptr> tl::runtime::cuda::allocateDevice(size_t bytes) {
  auto d = driver();
  if (!d.ok())
    return d.status();
  size_t size = roundUp(bytes);
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.find(size);
    if (it != c.free.end() && !it->second.empty()) {
      CUdeviceptr p = it->second.back();
      it->second.pop_back();
      return p;
    }
  }
  CUdeviceptr p = 0;
  CUresult r = (*d)->cuMemAlloc(&p, size);
  if (r != 0) {
    // Out of memory with blocks cached: give them back and try once more.
    std::vector<CUdeviceptr> cached;
    {
      std::lock_guard<std::mutex> lock(c.mutex);
      for (auto &[sz, list] : c.free)
        cached.insert(cached.end(), list.begin(), list.end());
      c.free.clear();
    }
    for (CUdeviceptr q : cached)
      (void)(*d)->cuMemFree(q);
    r = (*d)->cuMemAlloc(&p, size);
  }
  if (auto s = (*d)->check(r, "cuMemAlloc (" + std::to_string(size) + " bytes)");
      !s.ok())
    return s;
  return p;
}

void tl::runtime::cuda::releaseDevice(CUdeviceptr ptr, size_t bytes) {
  if (!ptr)
    return;
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free[roundUp(bytes)].push_back(ptr);
}
