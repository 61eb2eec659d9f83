//===- Benchmark.cpp - timing medians and Google Benchmark's report -------===//

#include "tl/Runtime/Benchmark.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

using namespace tl::runtime;

static double threadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

Timing tl::runtime::medianOf(unsigned count, const std::function<bool()> &fn) {
  std::vector<double> real, cpu;
  for (unsigned i = 0; i < count; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = threadCpuNs();
    if (!fn())
      return {-1, -1};
    cpu.push_back(threadCpuNs() - c0);
    real.push_back(std::chrono::duration<double, std::nano>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
  }
  if (real.empty())
    return {0, 0};
  auto median = [](std::vector<double> &v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  return {median(real), median(cpu)};
}

/// Google Benchmark picks the unit per entry; so do we.
static std::pair<double, const char *> scaled(double ns) {
  if (ns >= 1e6)
    return {ns / 1e6, "ms"};
  if (ns >= 1e3)
    return {ns / 1e3, "us"};
  return {ns, "ns"};
}

std::string tl::runtime::jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string tl::runtime::formatBenchmarks(
    const std::vector<BenchmarkEntry> &entries, bool json,
    const std::vector<std::pair<std::string, std::string>> &context) {
  char buf[256];
  std::string out;
  if (json) {
    out += "{\n  \"context\": {\n";
    for (size_t i = 0; i < context.size(); ++i)
      out += "    " + jsonString(context[i].first) + ": " +
             jsonString(context[i].second) +
             (i + 1 < context.size() ? ",\n" : "\n");
    out += "  },\n  \"benchmarks\": [\n";
    for (size_t i = 0; i < entries.size(); ++i) {
      const BenchmarkEntry &e = entries[i];
      auto [real, unit] = scaled(e.timing.realNs);
      double div = e.timing.realNs / real;
      std::string runName = e.name.size() > 7
                                ? e.name.substr(0, e.name.size() - 7)
                                : e.name;
      std::snprintf(buf, sizeof buf,
                    "      \"iterations\": %u,\n      \"real_time\": %.6g,\n"
                    "      \"cpu_time\": %.6g,\n      \"time_unit\": \"%s\"\n",
                    e.iterations, real, e.timing.cpuNs / div, unit);
      out += "    {\n      \"name\": " + jsonString(e.name) +
             ",\n      \"run_name\": " + jsonString(runName) +
             ",\n      \"run_type\": \"aggregate\",\n"
             "      \"aggregate_name\": \"median\",\n" +
             buf + "    }" + (i + 1 < entries.size() ? ",\n" : "\n");
    }
    out += "  ]\n}\n";
    return out;
  }
  std::string rule(72, '-');
  out += rule + "\n";
  std::snprintf(buf, sizeof buf, "%-40s %13s %13s %10s\n", "Benchmark", "Time",
                "CPU", "Iterations");
  out += buf + rule + "\n";
  for (const BenchmarkEntry &e : entries) {
    auto [real, unit] = scaled(e.timing.realNs);
    double div = e.timing.realNs / real;
    std::snprintf(buf, sizeof buf, "%-40s %10.3g %-2s %10.3g %-2s %10u\n",
                  e.name.c_str(), real, unit, e.timing.cpuNs / div, unit,
                  e.iterations);
    out += buf;
  }
  return out;
}
