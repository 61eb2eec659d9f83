//===- HostCPU.cpp - the instruction set extensions this CPU has ----------===//

#include "tl/Runtime/HostCPU.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <cstdint>
#include <vector>

using namespace tl::runtime;

namespace {
enum Reg { EAX, EBX, ECX, EDX };
struct Feature {
  const char *name;
  unsigned leaf, subleaf;
  Reg reg;
  unsigned bit;
};

// LLVM's feature names and where cpuid reports them (Intel SDM vol. 2A,
// CPUID; AMD APM vol. 3 for the 0x80000001 leaf).
constexpr Feature kFeatures[] = {
    {"sse3", 1, 0, ECX, 0},          {"pclmul", 1, 0, ECX, 1},
    {"ssse3", 1, 0, ECX, 9},         {"fma", 1, 0, ECX, 12},
    {"cx16", 1, 0, ECX, 13},         {"sse4.1", 1, 0, ECX, 19},
    {"sse4.2", 1, 0, ECX, 20},       {"movbe", 1, 0, ECX, 22},
    {"popcnt", 1, 0, ECX, 23},       {"aes", 1, 0, ECX, 25},
    {"xsave", 1, 0, ECX, 26},        {"avx", 1, 0, ECX, 28},
    {"f16c", 1, 0, ECX, 29},         {"rdrnd", 1, 0, ECX, 30},
    {"cmov", 1, 0, EDX, 15},         {"mmx", 1, 0, EDX, 23},
    {"fxsr", 1, 0, EDX, 24},         {"sse", 1, 0, EDX, 25},
    {"sse2", 1, 0, EDX, 26},         {"fsgsbase", 7, 0, EBX, 0},
    {"bmi", 7, 0, EBX, 3},           {"avx2", 7, 0, EBX, 5},
    {"bmi2", 7, 0, EBX, 8},          {"invpcid", 7, 0, EBX, 10},
    {"rtm", 7, 0, EBX, 11},          {"avx512f", 7, 0, EBX, 16},
    {"avx512dq", 7, 0, EBX, 17},     {"rdseed", 7, 0, EBX, 18},
    {"adx", 7, 0, EBX, 19},          {"avx512ifma", 7, 0, EBX, 21},
    {"clflushopt", 7, 0, EBX, 23},   {"clwb", 7, 0, EBX, 24},
    {"avx512cd", 7, 0, EBX, 28},     {"sha", 7, 0, EBX, 29},
    {"avx512bw", 7, 0, EBX, 30},     {"avx512vl", 7, 0, EBX, 31},
    {"avx512vbmi", 7, 0, ECX, 1},    {"pku", 7, 0, ECX, 3},
    {"waitpkg", 7, 0, ECX, 5},       {"avx512vbmi2", 7, 0, ECX, 6},
    {"gfni", 7, 0, ECX, 8},          {"vaes", 7, 0, ECX, 9},
    {"vpclmulqdq", 7, 0, ECX, 10},   {"avx512vnni", 7, 0, ECX, 11},
    {"avx512bitalg", 7, 0, ECX, 12}, {"avx512vpopcntdq", 7, 0, ECX, 14},
    {"rdpid", 7, 0, ECX, 22},        {"movdiri", 7, 0, ECX, 27},
    {"movdir64b", 7, 0, ECX, 28},    {"avx512vp2intersect", 7, 0, EDX, 8},
    {"serialize", 7, 0, EDX, 14},    {"tsxldtrk", 7, 0, EDX, 16},
    {"amx-bf16", 7, 0, EDX, 22},     {"avx512fp16", 7, 0, EDX, 23},
    {"amx-tile", 7, 0, EDX, 24},     {"amx-int8", 7, 0, EDX, 25},
    {"avxvnni", 7, 1, EAX, 4},       {"avx512bf16", 7, 1, EAX, 5},
    {"sahf", 0x80000001, 0, ECX, 0}, {"lzcnt", 0x80000001, 0, ECX, 5},
    {"sse4a", 0x80000001, 0, ECX, 6}, {"prfchw", 0x80000001, 0, ECX, 8},
    {"xop", 0x80000001, 0, ECX, 11}, {"fma4", 0x80000001, 0, ECX, 16},
    {"tbm", 0x80000001, 0, ECX, 21},
};

/// The registers of one cpuid leaf, read once: cpuid traps to the
/// hypervisor on a virtual machine.
struct Leaf {
  unsigned leaf, subleaf;
  unsigned r[4] = {0, 0, 0, 0};
};

const std::vector<Leaf> &leaves() {
  static const std::vector<Leaf> all = [] {
    std::vector<Leaf> v = {{1, 0}, {7, 0}, {7, 1}, {0x80000001, 0}};
#if defined(__x86_64__)
    for (Leaf &l : v)
      if (__get_cpuid_max(l.leaf & 0x80000000u, nullptr) >= l.leaf)
        __cpuid_count(l.leaf, l.subleaf, l.r[0], l.r[1], l.r[2], l.r[3]);
#endif
    return v;
  }();
  return all;
}

bool cpuHas(const Feature &f) {
  for (const Leaf &l : leaves())
    if (l.leaf == f.leaf && l.subleaf == f.subleaf)
      return (l.r[f.reg] >> f.bit) & 1;
  return false;
}
} // namespace

bool tl::runtime::hostHasFeature(std::string_view feature) {
  for (const Feature &f : kFeatures)
    if (feature == f.name)
      return cpuHas(f);
  return true;
}

std::vector<std::string>
tl::runtime::missingCPUFeatures(std::string_view features) {
  std::vector<std::string> missing;
  size_t pos = 0;
  while (pos <= features.size()) {
    size_t comma = features.find(',', pos);
    if (comma == std::string_view::npos)
      comma = features.size();
    std::string_view f = features.substr(pos, comma - pos);
    if (f.size() > 1 && f[0] == '+' && !hostHasFeature(f.substr(1)))
      missing.emplace_back(f.substr(1));
    pos = comma + 1;
  }
  return missing;
}
