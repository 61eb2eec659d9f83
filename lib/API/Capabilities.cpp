//===- Capabilities.cpp - what this build and machine support --------------===//

#include "tl/API/Capabilities.h"

#include "tl/Dialect/TL/IR/TLDialect.h"
#include "tl/Dialect/TL/IR/TLOps.h"
#include "tl/Runtime/Cuda.h"
#include "tl/Runtime/LibraryKernels.h"
#include "tl/Runtime/ThreadPool.h"
#include "tl/Version.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/TargetParser/Host.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <thread>

using namespace tl;

namespace {
template <typename Kind, typename Str>
std::vector<std::string> kindNames(unsigned count, Str stringify) {
  std::vector<std::string> names;
  for (unsigned i = 0; i < count; ++i)
    names.push_back(stringify(static_cast<Kind>(i)).str());
  return names;
}

std::string joined(const std::vector<std::string> &v) {
  std::string s;
  for (const std::string &x : v)
    s += (s.empty() ? "" : ", ") + x;
  return s;
}

llvm::json::Array array(const std::vector<std::string> &v) {
  llvm::json::Array a;
  for (const std::string &x : v)
    a.push_back(x);
  return a;
}
} // namespace

Capabilities tl::queryCapabilities() {
  using namespace mlir::tl;
  Capabilities c;
  c.version = TL_VERSION;
  c.dtypes = {"f32", "f64"};
  c.unaryOps = kindNames<UnaryKind>(
      getMaxEnumValForUnaryKind() + 1,
      [](UnaryKind k) { return stringifyUnaryKind(k); });
  c.binaryOps = kindNames<BinaryKind>(
      getMaxEnumValForBinaryKind() + 1,
      [](BinaryKind k) { return stringifyBinaryKind(k); });
  c.reduceOps = kindNames<ReduceKind>(
      getMaxEnumValForReduceKind() + 1,
      [](ReduceKind k) { return stringifyReduceKind(k); });
  c.features = {"jit", "reference-interpreter", "gradients", "gradcheck",
                "batch", "async"};
  c.devices = {"cpu"};
  c.cpuName = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  for (const auto &f : features)
    if (f.getValue())
      c.cpuFeatures.push_back(f.getKey().str());
  std::sort(c.cpuFeatures.begin(), c.cpuFeatures.end());
  c.hardwareThreads = std::thread::hardware_concurrency();
  c.threads = runtime::defaultNumThreads();
  if (const dnnl_version_t *v = dnnl_version()) {
    c.onednn = true;
    c.onednnVersion = llvm::formatv("{0}.{1}.{2}", v->major, v->minor,
                                    v->patch)
                          .str();
  }
  c.blas = runtime::blasAvailable();
  c.blasNote = runtime::blasDescription();
  auto driver = runtime::cuda::driverInfo();
  if (driver.ok()) {
    c.cuda = true;
    c.devices.push_back("cuda");
    c.cudaDriver = std::to_string(driver->version / 1000) + "." +
                   std::to_string(driver->version % 1000 / 10);
    for (const auto &d : driver->devices)
      c.gpus.push_back({d.name, d.arch(), d.multiprocessors, d.memoryBytes});
  } else {
    c.cudaNote = std::string(driver.status().message());
  }
  return c;
}

std::string Capabilities::text() const {
  std::string s;
  auto line = [&](const std::string &k, const std::string &v) {
    s += k + ": " + v + "\n";
  };
  line("version", version);
  line("dtypes", joined(dtypes));
  line("unary ops", joined(unaryOps));
  line("binary ops", joined(binaryOps));
  line("reduce ops", joined(reduceOps));
  line("features", joined(features));
  line("devices", joined(devices));
  line("cpu", cpuName);
  line("cpu features", joined(cpuFeatures));
  line("hardware threads", std::to_string(hardwareThreads));
  line("threads", std::to_string(threads));
  line("onednn", onednn ? "yes (" + onednnVersion + ")" : "no");
  line("blas", blas ? "yes (" + blasNote + ")"
                    : "no (" + blasNote +
                          "; f64 matmuls run as plain loops)");
  line("cuda", cuda ? "yes (driver " + cudaDriver + ")"
                    : "no (" + cudaNote + ")");
  for (size_t i = 0; i < gpus.size(); ++i)
    line("gpu " + std::to_string(i),
         llvm::formatv("{0}, {1}, {2} SMs, {3:f1} GiB", gpus[i].name,
                       gpus[i].arch, gpus[i].multiprocessors,
                       gpus[i].memoryBytes / double(1ull << 30))
             .str());
  return s;
}

std::string Capabilities::json() const {
  llvm::json::Array gpuList;
  for (const Gpu &g : gpus)
    gpuList.push_back(llvm::json::Object{{"name", g.name},
                                         {"arch", g.arch},
                                         {"multiprocessors", g.multiprocessors},
                                         {"memory_bytes", g.memoryBytes}});
  llvm::json::Object o{
      {"version", version},
      {"dtypes", array(dtypes)},
      {"ops", llvm::json::Object{{"unary", array(unaryOps)},
                                 {"binary", array(binaryOps)},
                                 {"reduce", array(reduceOps)},
                                 {"einsum", true}}},
      {"features", array(features)},
      {"devices", array(devices)},
      {"cpu", llvm::json::Object{{"name", cpuName},
                                 {"features", array(cpuFeatures)},
                                 {"hardware_threads", hardwareThreads},
                                 {"threads", threads}}},
      {"onednn", llvm::json::Object{{"available", onednn},
                                    {"version", onednnVersion}}},
      {"blas", llvm::json::Object{{"available", blas}, {"note", blasNote}}},
      {"cuda", llvm::json::Object{{"available", cuda},
                                  {"note", cudaNote},
                                  {"driver", cudaDriver},
                                  {"gpus", std::move(gpuList)}}}};
  return llvm::formatv("{0:2}", llvm::json::Value(std::move(o))).str();
}
