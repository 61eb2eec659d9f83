//===- Reports.cpp - what the tools print about a run ---------------------===//

#include "tl/Runtime/Reports.h"

#include "tl/Runtime/Benchmark.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using namespace tl::runtime;

ProfileRecording tl::runtime::recordProfile(unsigned runs,
                                            const std::function<void()> &run) {
  ProfileRecording r;
  r.thread = profilerThread();
  run(); // warm-up, not recorded
  startRecording();
  for (unsigned i = 0; i < runs; ++i) {
    double t0 = profilerNowUs();
    run();
    r.runs.push_back({-1, r.thread, t0, profilerNowUs()});
  }
  r.nodes = stopRecording();
  return r;
}

static std::string nameOf(const std::vector<std::string> &names, int64_t id) {
  return id >= 0 && size_t(id) < names.size() ? names[id]
                                              : "span " + std::to_string(id);
}

static std::string time(double us) {
  char buf[32];
  if (us >= 1000)
    std::snprintf(buf, sizeof buf, "%10.3f ms", us / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%10.1f us", us);
  return buf;
}

static std::string ltrim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  return s;
}

std::string tl::runtime::formatProfile(const ProfileRecording &recording,
                                       const std::vector<Phase> &phases,
                                       const std::vector<std::string> &names,
                                       const std::string &phasesTitle) {
  char buf[128];
  std::string out;
  double compileUs = 0;
  for (const Phase &p : phases)
    compileUs += p.endUs - p.beginUs;
  std::vector<double> runUs;
  double totalRunUs = 0;
  for (const Span &r : recording.runs) {
    runUs.push_back(r.endUs - r.beginUs);
    totalRunUs += r.endUs - r.beginUs;
  }
  std::sort(runUs.begin(), runUs.end());
  std::map<int64_t, double> perNode;
  std::map<int64_t, size_t> spans; // a node in a loop's body: one per trip
  double inNodes = 0;
  for (const Span &sp : recording.nodes) {
    perNode[sp.id] += sp.endUs - sp.beginUs;
    ++spans[sp.id];
    inNodes += sp.endUs - sp.beginUs;
  }
  std::vector<std::pair<double, int64_t>> order;
  for (auto [id, us] : perNode)
    order.push_back({us, id});
  std::sort(order.rbegin(), order.rend());

  std::snprintf(buf, sizeof buf, ": %.3f ms\n", compileUs / 1e3);
  out += phasesTitle + buf;
  for (const Phase &p : phases) {
    std::snprintf(buf, sizeof buf, "  %-28s", p.name.c_str());
    out += buf + time(p.endUs - p.beginUs) + "\n";
  }
  out += "run: median " +
         ltrim(time(runUs.empty() ? 0.0 : runUs[runUs.size() / 2])) +
         " over " + std::to_string(runUs.size()) + " runs\n" +
         "per node (summed over the runs; share of run time):\n";
  double share = std::max(totalRunUs, 1e-9);
  for (auto [us, id] : order) {
    std::snprintf(buf, sizeof buf, "  %5.1f%%", 100 * us / share);
    out += buf + time(us) + "  " + nameOf(names, id);
    // Spans a run records more than once: the iterations of a fixpoint.
    size_t runs = std::max<size_t>(recording.runs.size(), 1);
    if (spans[id] > runs)
      out += " (" + std::to_string(spans[id] / runs) + " times per run)";
    out += "\n";
  }
  std::snprintf(buf, sizeof buf, "  %5.1f%%",
                100 * (totalRunUs - inNodes) / share);
  out += buf + time(totalRunUs - inNodes) +
         "  outside any node (calls, allocation)\n";
  if (!order.empty()) {
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * order.front().first / share);
    out += "bottleneck: " + nameOf(names, order.front().second) + ", " + buf +
           " of the run time\n";
  }
  std::snprintf(buf, sizeof buf, "%.1f MiB",
                peakResidentBytes() / (1024.0 * 1024.0));
  out += std::string("peak memory: ") + buf + " (max resident set size)\n";
  return out;
}

/// The `args` of a node span: "node 0 (Einsum 'ab,bc->ac') + node 1
/// (ElemUnary sigmoid)" gives nodes [0, 1] and their ops; MLIR input's
/// "line 3 (tl.einsum)" gives lines.
static std::string spanArgs(const std::string &name, const std::string &shapes) {
  std::string nodes, ops, lines;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t end = name.find(" + ", pos);
    std::string part = name.substr(pos, end == std::string::npos ? end : end - pos);
    pos = end == std::string::npos ? name.size() + 1 : end + 3;
    auto list = [](std::string &to, const std::string &item) {
      to += (to.empty() ? "" : ", ") + item;
    };
    if (part.rfind("node ", 0) == 0) {
      size_t digits = part.find_first_not_of("0123456789", 5);
      list(nodes, part.substr(5, digits - 5));
      size_t open = part.find(" (");
      if (open != std::string::npos && part.back() == ')')
        list(ops, jsonString(part.substr(open + 2, part.size() - open - 3)));
    } else if (part.rfind("line ", 0) == 0) {
      size_t digits = part.find_first_not_of("0123456789", 5);
      list(lines, part.substr(5, digits - 5));
    }
  }
  std::string args;
  auto field = [&](const char *key, const std::string &value) {
    args += std::string(args.empty() ? "" : ", ") + "\"" + key + "\": " + value;
  };
  if (!nodes.empty())
    field("nodes", "[" + nodes + "]");
  if (!ops.empty())
    field("ops", "[" + ops + "]");
  if (!lines.empty())
    field("lines", "[" + lines + "]");
  if (!shapes.empty())
    field("shapes", jsonString(shapes));
  return args.empty() ? "" : ", \"args\": {" + args + "}";
}

std::string tl::runtime::formatChromeTrace(
    const ProfileRecording &recording, const std::vector<Phase> &phases,
    const std::vector<std::string> &names, const std::string &threadName,
    const std::vector<std::string> &shapes) {
  std::vector<std::string> events;
  auto event = [&](const std::string &name, const char *cat, double begin,
                   double end, uint32_t tid, const std::string &args = "") {
    // Times on a 1/1024 us grid: exact in binary and in the decimal
    // printed, so a span that ends with its parent is seen inside it.
    auto grid = [](double us) { return std::round(us * 1024.0) / 1024.0; };
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "\"ph\": \"X\", \"ts\": %.10f, \"dur\": %.10f, "
                  "\"pid\": 1, \"tid\": %u",
                  grid(begin), grid(end) - grid(begin), tid);
    events.push_back("{\"name\": " + jsonString(name) + ", \"cat\": \"" + cat +
                     "\", " + buf + args + "}");
  };
  if (!phases.empty())
    event("compile", "compile", phases.front().beginUs, phases.back().endUs,
          recording.thread);
  for (const Phase &p : phases)
    event(p.name, "compile phase", p.beginUs, p.endUs, recording.thread);
  for (const Span &r : recording.runs)
    event("run", "run", r.beginUs, r.endUs, r.thread);
  for (const Span &sp : recording.nodes) {
    std::string name = nameOf(names, sp.id);
    std::string shape = sp.id >= 0 && size_t(sp.id) < shapes.size()
                            ? shapes[sp.id]
                            : std::string();
    event(name, "node", sp.beginUs, sp.endUs, sp.thread, spanArgs(name, shape));
  }
  events.push_back("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, "
                   "\"tid\": " +
                   std::to_string(recording.thread) +
                   ", \"args\": {\"name\": " + jsonString(threadName) + "}}");
  std::string out = "{\n  \"traceEvents\": [\n";
  for (size_t i = 0; i < events.size(); ++i)
    out += "    " + events[i] + (i + 1 < events.size() ? ",\n" : "\n");
  return out + "  ],\n  \"displayTimeUnit\": \"ms\"\n}\n";
}

int64_t tl::runtime::firstNonFinite(const Buffer &b) {
  for (int64_t i = 0; i < b.numElements(); ++i)
    if (!std::isfinite(b.at(i)))
      return i;
  return -1;
}

std::string tl::runtime::describeElement(const Buffer &b, int64_t i) {
  double v = b.at(i);
  std::string what = std::isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf";
  std::string index;
  int64_t rest = i;
  for (int64_t d = b.rank() - 1; d >= 0; --d) {
    index = std::to_string(rest % b.shape()[d]) + (index.empty() ? "" : ", ") +
            index;
    rest /= b.shape()[d];
  }
  return what + " at [" + index + "]";
}
