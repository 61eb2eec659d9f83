//===- CacheModel.h - tile sizes from the cache hierarchy -------*- C++ -*-===//
//
// Plain C++ (no MLIR) so it is unit-tested on its own. The host's caches
// come from sysfs; the model turns them into the blocks of a contraction
// C[i,j] += A[i,k] * B[k,j], the way BLIS-style kernels are blocked:
//
//   register block mr x nr: the accumulators fill most vector registers;
//   kc: an mr x kc sliver of A and a kc x nr sliver of B stay in L1;
//   mc: an mc x kc block of A stays in L2;
//   nc: a kc x nc panel of B stays in (this core's share of) L3.
//
//===----------------------------------------------------------------------===//

#ifndef TL_CODEGEN_CACHEMODEL_H
#define TL_CODEGEN_CACHEMODEL_H

#include <cstdint>
#include <string>

namespace mlir::tl {

struct CacheInfo {
  int64_t l1 = 48 << 10, l2 = 1 << 20, l3 = 32 << 20; // bytes (data caches)
  int64_t vectorBytes = 64;                            // one vector register
  int64_t vectorRegisters = 32;

  /// The host's sizes from /sys/devices/system/cpu/cpu0/cache (levels 1-3,
  /// data or unified); a level that cannot be read keeps its default.
  static CacheInfo host(const std::string &sysfs =
                            "/sys/devices/system/cpu/cpu0/cache");
};

struct ContractionTiles {
  int64_t mr, nr;     // register block (rows of C, columns of C)
  int64_t kc, mc, nc; // cache blocks of k, i, j
};

/// Blocks for an M x N x K contraction of `elementBytes`-wide elements.
/// Every block divides its range (so each tile is static) and is at most
/// the range.
ContractionTiles chooseContractionTiles(int64_t m, int64_t n, int64_t k,
                                        int64_t elementBytes,
                                        const CacheInfo &cache);

/// The largest divisor of `range` that is at most `cap` (at least 1).
int64_t largestDivisorUpTo(int64_t range, int64_t cap);

} // namespace mlir::tl

#endif // TL_CODEGEN_CACHEMODEL_H
