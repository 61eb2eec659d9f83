//===- TieredModules.h - an executable's compiled versions -------*- C++ -*-===//
//
// The versions an Executable runs: the module compile() made (generic
// when some size was unknown) and, for generic code, the versions
// specialized to hot shapes. select() counts each call by its shape
// signature; at CompileOptions::hotThreshold calls it queues a
// specialization on the background compile queue, which swaps the result
// in under the lock: a caller never waits for a compile, and a run holds
// its own reference to the module it started on, so a swap or an eviction
// during the run is harmless. Private to lib/API.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_API_TIEREDMODULES_H
#define TL_LIB_API_TIEREDMODULES_H

#include "tl/API/Tiering.h"
#include "tl/Runtime/Module.h"

#include "absl/status/statusor.h"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace tl {

using ShapeMap = std::map<std::string, std::vector<int64_t>>;

/// What a version is compiled for.
struct VersionRequest {
  ShapeMap shapes;
  /// Inputs known to hold only 0 and 1: the code may rely on it where that
  /// pays (the module then lists them in Signature::binaryInputs).
  std::vector<std::string> binary;
  /// A cache miss gives a null module instead of a compile.
  bool onlyIfCached = false;
  /// Tuning records to follow instead of the cache directory's ("" for
  /// those), and whether the compile cache takes part (candidates of the
  /// tuner stay out of it).
  std::string tuningRecords;
  bool cache = true;
};

/// A compile of the executable's graph for given shapes.
struct CompiledVersion {
  std::shared_ptr<const runtime::Module> module;
  bool cacheHit = false;
  bool cacheOn = false;
};

class TieredModules : public std::enable_shared_from_this<TieredModules> {
public:
  /// Compiles the graph for `request`'s fully known shapes.
  using Compiler =
      std::function<absl::StatusOr<CompiledVersion>(const VersionRequest &)>;

  struct Settings {
    int hotThreshold = 3;
    int maxVersions = 8;
    /// Profile the values of hot calls and specialize on them (guarded).
    bool valueProfiles = true;
    /// The file listing this graph's hot shapes across processes ("" for
    /// none: the cache is off).
    std::string profilePath;
    /// Tier 2: seconds to tune each hot shape for (0: off), and the
    /// folder its records go to ("" for none).
    double tuneSeconds = 0;
    std::string tuningDir;
  };

  TieredModules(std::shared_ptr<const runtime::Module> base,
                CompileEvent first, Compiler compiler, Settings settings);

  const std::shared_ptr<const runtime::Module> &base() const {
    return baseModule;
  }
  bool isGeneric() const { return generic; }

  /// The module to run `inputs` on, counted as a call: a specialized
  /// version when one is ready for their shapes, else the base module.
  std::shared_ptr<const runtime::Module>
  select(const std::map<std::string, const runtime::Buffer *> &inputs);

  /// Compiles each shape set now, in the caller's thread.
  absl::Status warmUp(const std::vector<ShapeMap> &shapes);
  /// Loads the versions that were hot in earlier processes from the cache
  /// (never compiles).
  void loadProfile();
  /// Blocks until no specialization of this executable is queued or
  /// running.
  void waitForBackground();
  /// Tier 2 now, in this thread: times candidate choices for the ops of
  /// the version that serves `inputs`' shapes on those inputs for up to
  /// `seconds`, installs the fastest, and writes its records.
  absl::Status tune(const std::map<std::string, const runtime::Buffer *> &inputs,
                    double seconds);

  ExecutableStats stats() const;

private:
  struct Entry {
    ShapeMap shapes;
    uint64_t calls = 0;
    uint64_t lastUse = 0;
    bool queued = false, failed = false;
    std::shared_ptr<const runtime::Module> module;
    std::string tier; // of `module`: "specialized" or "tuned"
  };

  /// The key of the inputs' shapes over the base module's arguments, or
  /// "" when an argument is missing (bind() then says so).
  std::string shapeKey(
      const std::map<std::string, const runtime::Buffer *> &inputs,
      ShapeMap &shapes) const;
  static std::string keyOf(const ShapeMap &shapes);
  /// Compiles and installs `shapes` (any thread); logs the event.
  void specialize(const std::string &key, const ShapeMap &shapes,
                  const std::vector<std::string> &binary,
                  const std::map<std::string, std::string> &values,
                  const std::string &reason, bool onlyIfCached);
  /// Makes `module` the version for `key` (for fixed shapes: the one
  /// version), as code of `tier`.
  void install(const std::string &key,
               std::shared_ptr<const runtime::Module> module,
               const std::string &tier);
  /// tune() for a version compiled for `shapes`; logs a "tuned" event.
  absl::Status tuneVersion(
      const std::string &key, const ShapeMap &shapes,
      const std::vector<std::string> &binary,
      std::shared_ptr<const runtime::Module> start,
      const std::map<std::string, const runtime::Buffer *> &inputs,
      double seconds);
  void recordHot(const ShapeMap &shapes);

  std::shared_ptr<const runtime::Module> baseModule;
  bool generic;
  Compiler compiler;
  Settings settings;
  /// The tier of baseModule's code (it changes when fixed-shape code is
  /// tuned).
  std::string baseTier;

  mutable std::mutex mutex;
  std::condition_variable idle;
  std::map<std::string, Entry> entries;
  std::vector<CompileEvent> events;
  uint64_t clock = 0, calls = 0;
  std::map<std::string, uint64_t> callsByTier;
  std::string lastTier;
  size_t versions = 0;
  int pending = 0;
  uint64_t guardFallbacks = 0;
};

} // namespace tl

#endif // TL_LIB_API_TIEREDMODULES_H
