//===- GpuPlan.h - what a GPU module runs: kernels and launches -*- C++ -*-===//
//
// The GPU backend compiles a graph into device code (PTX or cubin, one
// image per kernel) and a host function that only allocates buffers and
// launches kernels. That function is recorded as a launch plan, so the
// runtime runs GPU modules without generated host code and without MLIR
// or LLVM: device buffers for the arguments, results, temporaries and
// constants, then each launch in order on one stream.
//
// Serialized as the object part of a .tlm file (Module.h) whose manifest
// has backend=cuda:
//   "tl-gpu-plan 1\n"
//   "image <name> <ptx|cubin|fatbin> <bytes>\n" <bytes> "\n"
//   "buffer arg <index> <bytes>\n" | "buffer result <index> <bytes>\n" |
//   "buffer temp <bytes>\n" | "buffer constant <bytes>\n" <bytes> "\n"
//   "launch <image> <kernel> <gx> <gy> <gz> <bx> <by> <bz> <shared> <buffers...>\n"
//   "end\n"
// Buffers are numbered in the order of their lines; a launch's kernel
// takes one device pointer per buffer it lists (bare pointers).
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_GPUPLAN_H
#define TL_RUNTIME_GPUPLAN_H

#include "absl/status/statusor.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::runtime {

struct GpuPlan {
  struct Image {
    std::string name;
    std::string format; // "ptx", "cubin" or "fatbin"
    std::string bytes;
  };
  struct BufferSpec {
    enum class Kind { arg, result, temp, constant };
    Kind kind = Kind::temp;
    /// The argument's or result's position in the signature.
    int64_t index = 0;
    int64_t bytes = 0;
    /// A constant's contents (bytes long).
    std::string data;
  };
  struct Launch {
    size_t image = 0;
    std::string kernel;
    std::array<int64_t, 3> grid{1, 1, 1}, block{1, 1, 1};
    int64_t sharedBytes = 0;
    std::vector<size_t> buffers;
  };
  std::vector<Image> images;
  std::vector<BufferSpec> buffers;
  std::vector<Launch> launches;
};

std::string serializeGpuPlan(const GpuPlan &plan);
/// Checks every count and index; `what` names the module in errors.
absl::StatusOr<GpuPlan> parseGpuPlan(std::string_view bytes,
                                     std::string_view what);

} // namespace tl::runtime

#endif // TL_RUNTIME_GPUPLAN_H
