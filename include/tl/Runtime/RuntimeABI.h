//===- RuntimeABI.h - functions generated code calls -------------*- C++ -*-===//
//
// The C entry points that compiled graphs call, and the table the JIT uses
// to resolve them (the executables link the runtime statically, so the
// symbols are not in the process's dynamic symbol table).
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_RUNTIMEABI_H
#define TL_RUNTIME_RUNTIMEABI_H

#include <cstdint>
#include <utility>
#include <vector>

extern "C" {
/// Runs body(i, i + 1, ctx) for every i in [0, trips) on the global thread
/// pool (tl-outline-parallel emits the calls).
void tl_rt_parallel_for(int64_t trips,
                        void (*body)(int64_t lo, int64_t hi, void *ctx),
                        void *ctx);
}

namespace tl::runtime {

/// Name and address of every entry point above.
std::vector<std::pair<const char *, void *>> runtimeSymbols();

} // namespace tl::runtime

#endif // TL_RUNTIME_RUNTIMEABI_H
