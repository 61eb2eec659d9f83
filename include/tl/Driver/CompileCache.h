//===- CompileCache.h - compiled modules kept across processes --*- C++ -*-===//
//
// An on-disk cache of module files (tl/Runtime/Module.h) named by the
// SHA-256 of their key, with an in-process cache in front of it. The key
// has parts, each recorded in the entry's manifest so a miss can be
// explained: the graph as imported, the shapes, the dtype, the options
// that change code, the target (triple, CPU, features) and the compiler
// build id; the digest is over the specialized tl module and those parts.
//
// Entries are written atomically (temporary file + rename), so processes
// that compile the same graph at once leave one valid entry. An entry that
// fails its checksum is removed and recompiled, never loaded. A hit
// refreshes the entry's time; past the size cap the least recently used
// entries go.
//
//===----------------------------------------------------------------------===//

#ifndef TL_DRIVER_COMPILECACHE_H
#define TL_DRIVER_COMPILECACHE_H

#include "tl/Runtime/Module.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir::tl {

struct CacheSettings {
  bool enabled = true;
  /// Empty: TL_CACHE_DIR, else $XDG_CACHE_HOME/tl, else ~/.cache/tl.
  std::string dir;
  uint64_t maxBytes = uint64_t(1) << 30;
};

/// The directory `settings` resolve to ("" when none can be found).
std::string resolveCacheDir(const CacheSettings &settings);

struct CacheKey {
  /// (part, value) in a fixed order: graph, shapes, dtype, options,
  /// target, build.
  std::vector<std::pair<std::string, std::string>> parts;
  /// SHA-256 of the specialized tl module (covers graph, shapes, dtype).
  std::string specialized;

  /// The entry's name: SHA-256 over `specialized` and every part.
  std::string digest() const;
};

/// What a lookup found, for --explain-cache.
struct CacheReport {
  enum Outcome { kDisabled, kMemoryHit, kDiskHit, kMiss } outcome = kDisabled;
  /// For a miss: which part of the key no entry matched; for a damaged
  /// entry, that it was removed.
  std::string explanation;
  /// The entry's path (hits, and misses once stored).
  std::string path;
  std::string describe() const;
};

/// The module cached under `key`, or nullptr (report says why).
std::shared_ptr<const ::tl::runtime::Module> cacheLookup(const CacheSettings &settings,
                                                   const CacheKey &key,
                                                   CacheReport &report);

/// Stores `module` under `key` (in memory, and on disk when enabled) and
/// evicts past the cap. Failing to write is not an error: the cache is an
/// optimization; report.explanation says why.
void cacheStore(const CacheSettings &settings, const CacheKey &key,
                const std::shared_ptr<const ::tl::runtime::Module> &module,
                CacheReport &report);

/// The path of file `name` in folder `kind` of the cache directory
/// ("profiles": hot shapes; "tuning": tuning records), apart from the
/// modules, or of the folder for an empty `name`. "" when the cache is
/// off. Nothing is created: writers make the folder when they write.
std::string cacheSidePath(const CacheSettings &settings,
                          const std::string &kind, const std::string &name);

/// Drops the in-process cache (tests, and benchmarks of the disk cache).
void clearInProcessCache();

} // namespace mlir::tl

#endif // TL_DRIVER_COMPILECACHE_H
