//===- CompiledGraph.h - the runtime's module types in the compiler -*- C++ -*-===//
//
// The compiler produces what the runtime runs (tl/Runtime/Module.h): the
// signature it records while binding a graph and the module it compiles
// are the runtime's types, used here under the compiler's namespace.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_COMPILEDGRAPH_H
#define TL_DRIVER_COMPILEDGRAPH_H

#include "tl/Runtime/Module.h"

namespace mlir::tl {

/// The runtime is MLIR-free and lives in ::tl; inside mlir::tl the name
/// would otherwise resolve to this namespace.
namespace runtime = ::tl::runtime;

using ArgBinding = runtime::ArgBinding;
using ResultInfo = runtime::ResultInfo;
using GraphSignature = runtime::Signature;
using CompiledGraph = runtime::Module;
using NamedBuffers = std::vector<std::pair<std::string, runtime::Buffer>>;

} // namespace mlir::tl

#endif // TL_DRIVER_COMPILEDGRAPH_H
