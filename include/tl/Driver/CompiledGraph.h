//===- CompiledGraph.h - a JIT-compiled graph and its signature -*- C++ -*-===//
//
// Native code for one graph at fixed input shapes, with what is needed to
// call it by name: which caller array (or constant) feeds each argument,
// and each output's slot name and shape. Immutable after compile: run() is
// safe to call from many threads at once (each call builds its own memref
// descriptors; the generated code allocates its temporaries per call).
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_COMPILEDGRAPH_H
#define TL_DRIVER_COMPILEDGRAPH_H

#include "tl/ExecutionEngine/JitModule.h"
#include "tl/Runtime/Buffer.h"

#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::tl {

/// The runtime is MLIR-free and lives in ::tl; inside mlir::tl the name
/// would otherwise resolve to this namespace.
namespace runtime = ::tl::runtime;

/// One argument of the compiled function.
struct ArgBinding {
  std::string slot;   // the graph's name for it (tl.name)
  std::string caller; // the caller's array that feeds it, or empty
  std::optional<double> constant; // a const_<number> slot's value
  std::vector<int64_t> shape;
};

struct ResultInfo {
  std::string name;
  std::vector<int64_t> shape;
};

struct GraphSignature {
  bool f32 = false;
  std::vector<ArgBinding> args;
  std::vector<ResultInfo> results;
  /// With the pipeline's `profile` option: the name of each span id the
  /// instrumented code records (tl-instrument-nodes).
  std::vector<std::string> profileNodes;
};

using NamedBuffers = std::vector<std::pair<std::string, tl::runtime::Buffer>>;

class CompiledGraph {
public:
  CompiledGraph(std::unique_ptr<JitModule> jit, JitModule::PackedFn fn,
                GraphSignature signature);

  const GraphSignature &getSignature() const { return signature; }
  tl::runtime::DType getDType() const {
    return signature.f32 ? tl::runtime::DType::f32 : tl::runtime::DType::f64;
  }
  const JitModule &getJit() const { return *jit; }

  /// The arguments of one call, in order: the caller's buffers where they
  /// can be read in place, copies where not, and the constants.
  struct BoundArgs {
    std::vector<tl::runtime::Buffer> copies; // what `args` may point into
    std::vector<const tl::runtime::Buffer *> args;
  };

  /// Binds the caller's arrays by name (G3). An input of the other float
  /// type or with gaps is copied (G5); every other mismatch (a missing
  /// name, a shape the code was not compiled for) is an error.
  llvm::Expected<BoundArgs>
  bind(const std::map<std::string, const tl::runtime::Buffer *> &inputs) const;

  /// bind(), then a call with freshly allocated outputs.
  llvm::Expected<NamedBuffers>
  run(const std::map<std::string, const tl::runtime::Buffer *> &inputs) const;

  /// Runs on buffers that match the signature exactly: one per argument
  /// (contiguous, of the compute type) and one preallocated per result.
  /// No checks beyond an assert; this is the hot path of a benchmark.
  void runUnchecked(llvm::ArrayRef<const tl::runtime::Buffer *> args,
                    llvm::ArrayRef<tl::runtime::Buffer *> results) const;

  /// Output buffers of the right types and shapes, zero-filled.
  std::vector<tl::runtime::Buffer> allocateResults() const;

private:
  std::unique_ptr<JitModule> jit;
  JitModule::PackedFn fn;
  GraphSignature signature;
  /// 0-d buffers holding the constant slots' values, by argument position
  /// (empty buffers for the other arguments).
  std::vector<tl::runtime::Buffer> constants;
};

} // namespace mlir::tl

#endif // TL_DRIVER_COMPILEDGRAPH_H
