//===- Cuda.h - NVIDIA GPUs through the CUDA driver, opened at run time -*- C++ -*-===//
//
// The driver library (libcuda.so.1) is opened with dlopen on first use,
// never linked: every tl binary starts on machines without it, and asking
// for a GPU there is an error that says what is missing. No MLIR or LLVM
// dependency; no CUDA header is needed to build it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_CUDA_H
#define TL_RUNTIME_CUDA_H

#include "absl/status/statusor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tl::runtime::cuda {

struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int major = 0, minor = 0; // compute capability
  int multiprocessors = 0;
  uint64_t memoryBytes = 0;
  /// "sm_90" for compute capability 9.0.
  std::string arch() const;
};

struct DriverInfo {
  /// CUDA_VERSION style: 13000 for 13.0.
  int version = 0;
  std::vector<DeviceInfo> devices;
};

/// The driver and its devices, or why there are none (no libcuda.so.1, no
/// device, cuInit failed: the driver's own error name and text).
absl::StatusOr<DriverInfo> driverInfo();

} // namespace tl::runtime::cuda

#endif // TL_RUNTIME_CUDA_H
