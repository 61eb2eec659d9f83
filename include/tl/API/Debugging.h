//===- Debugging.h - find the first non-finite value of a run ---*- C++ -*-===//
//
// What `tl-jit --check-numerics` asks of the library: compile with
// CompileOptions::exposeIntermediates, run, then checkNumerics() names the
// input that already held a NaN or infinity, or the node and op that made
// the first one.
//
// This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_DEBUGGING_H
#define TL_API_DEBUGGING_H

#include "tl/API/Executable.h"

namespace tl {

/// OK when every input and every value of `outputs` (a run of `exe`) is
/// finite. Otherwise a FAILED_PRECONDITION naming the first input that
/// holds a NaN or infinity, else the first intermediate in program order
/// (its node, op, slot and element), else the first output.
absl::Status checkNumerics(const Executable &exe,
                           const std::map<std::string, const Buffer *> &inputs,
                           const Outputs &outputs);

} // namespace tl

#endif // TL_API_DEBUGGING_H
