//===- CompileLatency.cpp - how long compiling a graph takes ---------------===//

#include "tl/API/CompileLatency.h"

#include <cstdlib>
#include <filesystem>

using namespace tl;

absl::StatusOr<CompileLatency>
tl::measureCompileLatency(const std::string &path,
                          const CompileOptions &options,
                          const GradientOptions *gradient,
                          unsigned repetitions) {
  auto compile = [&](bool cache, const std::string &dir) {
    CompileOptions o = options;
    o.cache = cache;
    o.cacheDir = dir;
    return gradient ? Executable::compileGradientFile(path, o, *gradient)
                    : Executable::compileFile(path, o);
  };
  CompileLatency latency;
  latency.cold = runtime::medianOf(
      repetitions, [&] { return compile(false, "").ok(); });
  if (latency.cold.failed())
    return absl::InternalError("the graph did not compile again");

  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec)
    tmp = "/tmp";
  std::string pattern = (tmp / "tl-bench-cache-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    return absl::InternalError("cannot create a cache directory in " +
                               tmp.string() + " to time cached compiles");
  struct Remove {
    std::string dir;
    ~Remove() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } remove{pattern};

  Executable::clearInProcessCache();
  if (auto warm = compile(true, pattern); !warm.ok())
    return warm.status();
  std::string report;
  latency.cached = runtime::medianOf(repetitions, [&] {
    Executable::clearInProcessCache();
    auto again = compile(true, pattern);
    if (!again.ok())
      return false;
    report = (*again)->cacheReport();
    return report.rfind("cache: hit (/", 0) == 0;
  });
  if (latency.cached.failed())
    return absl::InternalError("the compile cache in " + pattern +
                               " did not serve the graph (" + report + ")");
  return latency;
}
