//===- GpuProgram.h - a launch plan loaded onto the GPU ---------*- C++ -*-===//
//
// Private to the runtime: Module (Module.h) holds one for a module whose
// manifest says backend=cuda and runs it in place of native code.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_RUNTIME_GPUPROGRAM_H
#define TL_LIB_RUNTIME_GPUPROGRAM_H

#include "CudaDriver.h"

#include "tl/Runtime/Buffer.h"
#include "tl/Runtime/GpuPlan.h"

#include <memory>
#include <vector>

namespace tl::runtime {

class GpuProgram {
public:
  /// Loads every image into the driver and uploads the constants.
  static absl::StatusOr<std::unique_ptr<GpuProgram>> load(GpuPlan plan);
  ~GpuProgram();

  /// One run on its own stream: the arguments are copied to the device,
  /// the kernels launched in order, the results copied back. Buffers match
  /// the signature (contiguous, of the compute type).
  absl::Status run(const std::vector<const Buffer *> &args,
                   const std::vector<Buffer *> &results) const;

private:
  GpuProgram() = default;
  /// With a profile being recorded: each kernel's and each copy's time
  /// from the run's CUDA events, as spans on the profiler's clock.
  absl::Status recordSpans(const std::vector<cuda::CUevent> &events,
                           double hostStartUs) const;
  GpuPlan plan;
  const cuda::Driver *driver = nullptr;
  std::vector<cuda::CUmodule> modules;
  /// Per launch, its function.
  std::vector<cuda::CUfunction> functions;
  /// Per buffer, the device copy of a constant (0 for the others).
  std::vector<cuda::CUdeviceptr> constants;
};

} // namespace tl::runtime

#endif // TL_LIB_RUNTIME_GPUPROGRAM_H
