//===- CacheModelTest.cpp - tile sizes from the cache hierarchy -----------===//

#include "tl/Codegen/CacheModel.h"

#include "gtest/gtest.h"

using namespace mlir::tl;

namespace {

// sysfs as Linux lays it out: the instruction cache is skipped, K and M
// suffixes are read.
TEST(CacheModel, ReadsSysfs) {
  CacheInfo c = CacheInfo::host(TL_UNITTEST_INPUTS "/cache");
  EXPECT_EQ(c.l1, 32 << 10);
  EXPECT_EQ(c.l2, 512 << 10);
  EXPECT_EQ(c.l3, 16 << 20);
}

TEST(CacheModel, MissingSysfsKeepsDefaults) {
  CacheInfo c = CacheInfo::host("/nonexistent");
  CacheInfo d;
  EXPECT_EQ(c.l1, d.l1);
  EXPECT_EQ(c.l2, d.l2);
  EXPECT_EQ(c.l3, d.l3);
}

// The blocks fit the levels they are meant for, divide their ranges, and
// the register block uses whole vectors.
TEST(CacheModel, BlocksFitTheirCaches) {
  CacheInfo c; // 48K / 1M / 32M, 64-byte vectors, 32 registers
  for (int64_t bytes : {4, 8}) {
    ContractionTiles t = chooseContractionTiles(2048, 2048, 2048, bytes, c);
    int64_t lanes = 64 / bytes;
    EXPECT_EQ(t.nr, 2 * lanes);
    EXPECT_EQ(t.mr, 8);
    EXPECT_LE((t.mr + t.nr) * t.kc * bytes, c.l1 / 2);
    EXPECT_LE(t.mc * t.kc * bytes, c.l2 / 2);
    EXPECT_LE(t.kc * t.nc * bytes, c.l3 / 4);
    for (auto [block, range] :
         {std::pair{t.kc, 2048L}, {t.mc, 2048L}, {t.nc, 2048L}})
      EXPECT_EQ(range % block, 0);
    EXPECT_EQ(t.mc % t.mr, 0);
    EXPECT_EQ(t.nc % t.nr, 0);
  }
}

// Smaller caches, smaller blocks; ranges no block divides well still give
// exact divisors (here primes: blocks of 1 or the whole range).
TEST(CacheModel, ScalesWithCachesAndRanges) {
  CacheInfo big, small;
  small.l1 = 16 << 10;
  small.l2 = 256 << 10;
  ContractionTiles a = chooseContractionTiles(1024, 1024, 1024, 4, big);
  ContractionTiles b = chooseContractionTiles(1024, 1024, 1024, 4, small);
  EXPECT_LT(b.kc, a.kc);
  ContractionTiles p = chooseContractionTiles(13, 17, 19, 8, big);
  EXPECT_EQ(13 % p.mr, 0);
  EXPECT_EQ(17 % p.nr, 0);
  EXPECT_EQ(19 % p.kc, 0);
  EXPECT_EQ(largestDivisorUpTo(48, 32), 24);
  EXPECT_EQ(largestDivisorUpTo(7, 100), 7);
}

} // namespace
