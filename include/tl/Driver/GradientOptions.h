//===- GradientOptions.h - what an adjoint computes ------------*- C++ -*-===//
//
// One struct for the compiler (GraphRunner::differentiate) and the library
// API (Executable::compileGradient), which re-exports it. Plain C++: the
// API header includes it and stays free of MLIR and LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_GRADIENTOPTIONS_H
#define TL_DRIVER_GRADIENTOPTIONS_H

#include <string>
#include <vector>

namespace tl {

/// The adjoint of a graph (G12): one compiled function that runs the
/// forward pass and the backward pass.
struct GradientOptions {
  /// The caller's arrays to differentiate with respect to; empty: every
  /// array bound to a slot.
  std::vector<std::string> wrt;
  /// Return the forward outputs too (computed by the same call), before
  /// the gradients.
  bool withOutputs = true;
};

} // namespace tl

namespace mlir::tl {
using ::tl::GradientOptions;
} // namespace mlir::tl

#endif // TL_DRIVER_GRADIENTOPTIONS_H
