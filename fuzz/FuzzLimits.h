//===- FuzzLimits.h - the memory limit every fuzz target runs under -*- C++ -*-===//
//
// Arrays and graphs may declare any size; the runtime's memory limit
// (tl/Runtime/Limits.h) refuses what exceeds it. A small limit keeps every
// accepted input fast under ASan and coverage (a 150 MB splat takes over
// 10 s there), so libFuzzer's timeout and RSS limit flag only real hangs
// and leaks, while the limit checks themselves are still reached.
//
//===----------------------------------------------------------------------===//

#ifndef TL_FUZZ_FUZZLIMITS_H
#define TL_FUZZ_FUZZLIMITS_H

#include "tl/Runtime/Limits.h"

#include <cstdint>

namespace tl::fuzz {
inline void setFuzzMemoryLimit() { runtime::setMemoryLimit(uint64_t(16) << 20); }
} // namespace tl::fuzz

#endif // TL_FUZZ_FUZZLIMITS_H
