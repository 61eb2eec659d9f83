//===- Capabilities.h - what this build and machine support -----*- C++ -*-===//
//
// A query for tools and users deciding how to run: element types, ops,
// devices, the host CPU and its features, and which libraries this build
// can call. `tl-jit --capabilities[=json]` prints it. This header includes
// no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_CAPABILITIES_H
#define TL_API_CAPABILITIES_H

#include <string>
#include <vector>

namespace tl {

struct Capabilities {
  std::string version;                 // tl's version
  std::vector<std::string> dtypes;     // compute types (G5)
  std::vector<std::string> unaryOps, binaryOps, reduceOps;
  std::vector<std::string> features;   // gradients, batch, async, ...
  std::vector<std::string> devices;    // where graphs run
  std::string cpuName;                 // LLVM's name for the host CPU
  std::vector<std::string> cpuFeatures; // enabled host features (avx512f, ...)
  unsigned hardwareThreads = 0;
  int threads = 0;                     // the runtime pool's size
  bool onednn = false;                 // oneDNN sgemm linked and callable
  std::string onednnVersion;
  /// OpenBLAS for f64 GEMMs, loaded at run time; the note is its
  /// configuration, or why it could not be loaded.
  bool blas = false;
  std::string blasNote;
  /// An NVIDIA GPU can run graphs here (the CUDA driver, opened at run
  /// time, sees one). Compiling for GPUs (tl-compile --target=cuda) works
  /// on every machine.
  bool cuda = false;
  std::string cudaNote;                // why not, when it is false
  std::string cudaDriver;              // the driver's CUDA version, "13.0"
  struct Gpu {
    std::string name;
    std::string arch;                  // sm_90
    int multiprocessors = 0;
    uint64_t memoryBytes = 0;
  };
  std::vector<Gpu> gpus;

  /// "key: value" lines.
  std::string text() const;
  /// One JSON object with the same fields.
  std::string json() const;
};

Capabilities queryCapabilities();

} // namespace tl

#endif // TL_API_CAPABILITIES_H
