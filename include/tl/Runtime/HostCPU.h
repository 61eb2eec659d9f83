//===- HostCPU.h - the instruction set extensions this CPU has --*- C++ -*-===//
//
// What the runtime checks before it runs a module: the features the code
// was compiled for (LLVM's names, "+avx512f") against cpuid. Only the
// features in its table are checked; the others are taken on trust.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_HOSTCPU_H
#define TL_RUNTIME_HOSTCPU_H

#include <string>
#include <string_view>
#include <vector>

namespace tl::runtime {

/// The features enabled ("+name") in LLVM's comma-separated `features`
/// that this CPU lacks, in the order given.
std::vector<std::string> missingCPUFeatures(std::string_view features);

/// Whether this CPU has `feature` (LLVM's name); true for names the table
/// does not know.
bool hostHasFeature(std::string_view feature);

} // namespace tl::runtime

#endif // TL_RUNTIME_HOSTCPU_H
