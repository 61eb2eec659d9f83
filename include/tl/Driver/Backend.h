//===- Backend.h - the code generators behind compileGraph ------*- C++ -*-===//
//
// compileGraph (GraphRunner.h) imports, binds, differentiates and
// specializes a graph the same way for every target, consults the compile
// cache, and on a miss hands the specialized tl module to a backend, which
// lowers it and returns a runtime module (tl/Runtime/Module.h). Two
// backends exist: "cpu" (CpuBackend.cpp: the CPU pipeline, LLVM object
// code, the runtime's ELF loader) and "cuda" (GpuBackend.cpp: the GPU
// pipeline, PTX or cubin and a launch plan the runtime runs through the
// CUDA driver). docs/Architecture.md, "Adding a backend".
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_BACKEND_H
#define TL_DRIVER_BACKEND_H

#include "tl/Driver/CompiledGraph.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mlir::tl {

class GraphRunner;
struct CompileRequest;

using KeyValues = std::vector<std::pair<std::string, std::string>>;

class Backend {
public:
  virtual ~Backend();
  /// "cpu": requests name it, manifests and cache keys record it.
  virtual llvm::StringRef name() const = 0;
  /// The parts of the compile cache key this backend decides: "options"
  /// (everything that changes its code) and "target" (the machine facts).
  virtual llvm::Expected<KeyValues>
  keyParts(const CompileRequest &request) const = 0;
  /// Lowers `runner`'s bound, specialized module and returns the loaded
  /// module; `extra` goes into its manifest.
  virtual llvm::Expected<std::shared_ptr<const CompiledGraph>>
  compile(GraphRunner &runner, const CompileRequest &request,
          KeyValues extra) const = 0;
  /// The stages emit() can print, after "tl" (which every backend shares):
  /// for "cpu", linalg, llvm-dialect, llvm-ir and asm.
  virtual std::vector<std::string> emitStages() const = 0;
  /// Lowers `runner`'s bound, specialized module to `stage` (one of
  /// emitStages()) and returns it as text.
  virtual llvm::Expected<std::string> emit(GraphRunner &runner,
                                           const CompileRequest &request,
                                           llvm::StringRef stage) const = 0;
};

/// The backend called `name`, or an error listing the ones there are.
llvm::Expected<const Backend *> findBackend(llvm::StringRef name);
/// NVIDIA GPUs (GpuBackend.cpp).
const Backend *cudaBackend();

} // namespace mlir::tl

#endif // TL_DRIVER_BACKEND_H
