//===- CacheModel.cpp - tile sizes from the cache hierarchy ---------------===//

#include "tl/Codegen/CacheModel.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

using namespace mlir::tl;

namespace {

/// "48K", "2048K", "32M" -> bytes; 0 when unreadable.
int64_t parseSize(const std::string &text) {
  char *end = nullptr;
  int64_t v = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str())
    return 0;
  char unit = *end;
  if (unit == 'K')
    v <<= 10;
  else if (unit == 'M')
    v <<= 20;
  return v;
}

std::string readLine(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

} // namespace

CacheInfo CacheInfo::host(const std::string &sysfs) {
  CacheInfo info;
  for (int i = 0; i < 8; ++i) {
    std::string dir = sysfs + "/index" + std::to_string(i);
    std::string level = readLine(dir + "/level");
    std::string type = readLine(dir + "/type");
    if (level.empty() || type == "Instruction")
      continue;
    int64_t size = parseSize(readLine(dir + "/size"));
    if (size <= 0)
      continue;
    if (level == "1")
      info.l1 = size;
    else if (level == "2")
      info.l2 = size;
    else if (level == "3")
      info.l3 = size;
  }
  return info;
}

int64_t mlir::tl::largestDivisorUpTo(int64_t range, int64_t cap) {
  cap = std::max<int64_t>(1, std::min(cap, range));
  for (int64_t t = cap; t > 1; --t)
    if (range % t == 0)
      return t;
  return 1;
}

ContractionTiles mlir::tl::chooseContractionTiles(int64_t m, int64_t n,
                                                  int64_t k,
                                                  int64_t elementBytes,
                                                  const CacheInfo &cache) {
  int64_t lanes = std::max<int64_t>(1, cache.vectorBytes / elementBytes);
  ContractionTiles t;
  // Two vectors of C columns; rows so that the accumulators (mr x 2
  // vectors) leave registers for the B vectors and an A broadcast.
  int64_t nrWant = 2 * lanes;
  int64_t mrWant = std::max<int64_t>(1, std::min<int64_t>(
                                            8, (cache.vectorRegisters - 4) / 2));
  // Whole vectors when a multiple of the lane count divides n.
  t.nr = largestDivisorUpTo(n, nrWant);
  for (int64_t v = 2; v >= 1; --v)
    if (n % (v * lanes) == 0) {
      t.nr = v * lanes;
      break;
    }
  t.mr = largestDivisorUpTo(m, mrWant);
  // Half of L1 for the A and B slivers; the rest for C and streaming.
  int64_t kcWant = cache.l1 / 2 / ((t.mr + t.nr) * elementBytes);
  t.kc = largestDivisorUpTo(k, std::max<int64_t>(kcWant, 1));
  int64_t mcWant = cache.l2 / 2 / (t.kc * elementBytes);
  mcWant = std::max<int64_t>(t.mr, mcWant / t.mr * t.mr);
  t.mc = largestDivisorUpTo(m, mcWant);
  if (t.mc % t.mr)
    t.mc = t.mr;
  int64_t ncWant = cache.l3 / 4 / (t.kc * elementBytes);
  ncWant = std::max<int64_t>(t.nr, ncWant / t.nr * t.nr);
  t.nc = largestDivisorUpTo(n, ncWant);
  if (t.nc % t.nr)
    t.nc = t.nr;
  return t;
}
