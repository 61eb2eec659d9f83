//===- Limits.h - sizes checked before anything is allocated ----*- C++ -*-===//
//
// Every reader, the runtime's allocations and the compiler's graph check
// compute array sizes here: with overflow checks, and against one memory
// limit per process, so an absurd claim in a file header or a shape is an
// error that names it, never a wrapped size, an abort or the kernel's OOM
// killer.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_LIMITS_H
#define TL_RUNTIME_LIMITS_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::runtime {

/// Arrays have at most this many dimensions (NumPy's limit).
constexpr size_t kMaxRank = 32;

/// dims[0] * ... * dims[n-1] * elementBytes, or nullopt when a dimension is
/// negative or the product of the nonzero dimensions times elementBytes
/// exceeds 2^62 (so a zero-size array of absurd other dimensions is
/// refused too: its shape alone would overflow later).
std::optional<uint64_t> checkedBytes(const std::vector<int64_t> &dims,
                                     size_t elementBytes);

/// dims[0] * ... * dims[n-1], saturated at INT64_MAX instead of wrapping
/// (0 when a dimension is 0): the element count of a shape that may be
/// absurd.
int64_t elementCount(const std::vector<int64_t> &dims);

/// The most bytes one run may allocate: set by setMemoryLimit (tl-jit
/// --memory-limit), else TL_MEMORY_LIMIT (bytes, or with a K, M, G or T
/// suffix), else the machine's available memory (MemAvailable).
uint64_t memoryLimit();
/// 0 restores the default.
void setMemoryLimit(uint64_t bytes);
/// "64M" -> 64 << 20; nullopt for anything else than a positive size.
std::optional<uint64_t> parseByteSize(std::string_view text);
/// "1.5 GiB", "512 B".
std::string formatBytes(uint64_t bytes);

} // namespace tl::runtime

#endif // TL_RUNTIME_LIMITS_H
