//===- Limits.cpp - sizes checked before anything is allocated -------------===//

#include "tl/Runtime/Limits.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace tl::runtime;

std::optional<uint64_t> tl::runtime::checkedBytes(
    const std::vector<int64_t> &dims, size_t elementBytes) {
  constexpr uint64_t kMax = uint64_t(1) << 62;
  uint64_t nonzero = elementBytes;
  bool empty = false;
  for (int64_t d : dims) {
    if (d < 0)
      return std::nullopt;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (nonzero > kMax / uint64_t(d))
      return std::nullopt;
    nonzero *= uint64_t(d);
  }
  return empty ? 0 : nonzero;
}

int64_t tl::runtime::elementCount(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t d : dims) {
    if (d == 0)
      return 0;
    overflow |= __builtin_mul_overflow(n, d, &n);
  }
  return overflow ? INT64_MAX : n;
}

std::optional<uint64_t> tl::runtime::parseByteSize(std::string_view text) {
  uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
    case 'K': case 'k': scale = uint64_t(1) << 10; break;
    case 'M': case 'm': scale = uint64_t(1) << 20; break;
    case 'G': case 'g': scale = uint64_t(1) << 30; break;
    case 'T': case 't': scale = uint64_t(1) << 40; break;
    default: break;
    }
    if (scale != 1)
      text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 19)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v == 0 || v > (uint64_t(1) << 62) / scale)
    return std::nullopt;
  return v * scale;
}

std::string tl::runtime::formatBytes(uint64_t bytes) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB",
                                      "EiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  char buf[48];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu B", (unsigned long long)bytes);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

static std::atomic<uint64_t> explicitLimit{0};

void tl::runtime::setMemoryLimit(uint64_t bytes) { explicitLimit = bytes; }

/// MemAvailable from /proc/meminfo, else the physical memory.
static uint64_t availableMemory() {
  if (std::FILE *f = std::fopen("/proc/meminfo", "r")) {
    char line[256];
    unsigned long long kb = 0;
    bool found = false;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
        found = true;
        break;
      }
    std::fclose(f);
    if (found && kb > 0)
      return uint64_t(kb) << 10;
  }
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  if (pages > 0 && size > 0)
    return uint64_t(pages) * uint64_t(size);
  return uint64_t(1) << 34; // 16 GiB when nothing says otherwise
}

uint64_t tl::runtime::memoryLimit() {
  if (uint64_t v = explicitLimit.load())
    return v;
  if (const char *env = std::getenv("TL_MEMORY_LIMIT"))
    if (std::optional<uint64_t> v = parseByteSize(env))
      return *v;
  return availableMemory();
}
