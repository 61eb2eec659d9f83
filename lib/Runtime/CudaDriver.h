//===- CudaDriver.h - the CUDA driver API entry points tl uses -*- C++ -*-===//
//
// Private to the runtime. The types and signatures are the driver API's
// (cuda.h, CUDA 12 and 13), declared here so that building needs no CUDA
// toolkit; the versioned symbols (_v2) are the ones cuda.h maps the plain
// names to.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_RUNTIME_CUDADRIVER_H
#define TL_LIB_RUNTIME_CUDADRIVER_H

#include "absl/status/statusor.h"

#include <cstddef>
#include <string_view>

namespace tl::runtime::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);

  /// device 0's primary context, current on the calling thread once
  /// makeCurrent() has run there.
  CUdevice device = 0;
  CUcontext context = nullptr;
  absl::Status makeCurrent() const;

  /// OK for CUDA_SUCCESS, else an error naming `call` and the driver's
  /// error name and text.
  absl::Status check(CUresult result, std::string_view call) const;
};

/// The driver, initialized, with device 0's primary context; or why not.
absl::StatusOr<const Driver *> driver();

/// Device memory from a cache of freed blocks (sizes rounded up), so a
/// run allocates nothing from the driver once a graph has run once.
absl::StatusOr<CUdeviceptr> allocateDevice(size_t bytes);
void releaseDevice(CUdeviceptr ptr, size_t bytes);

} // namespace tl::runtime::cuda

#endif // TL_LIB_RUNTIME_CUDADRIVER_H
