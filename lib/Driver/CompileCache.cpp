//===- CompileCache.cpp - compiled modules kept across processes ----------===//

#include "tl/Driver/CompileCache.h"

#include "tl/Runtime/Sha256.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cerrno>
#include <cstdlib>
#include <list>
#include <map>
#include <mutex>

using namespace mlir::tl;
using ::tl::runtime::Module;

namespace {
constexpr const char *kKeyPrefix = "key.";
constexpr size_t kInProcessEntries = 64;

/// A bounded least-recently-used map from digest to loaded module.
struct MemoryCache {
  std::mutex mutex;
  std::list<std::pair<std::string, std::shared_ptr<const Module>>> order;
  std::map<std::string, decltype(order)::iterator> index;

  std::shared_ptr<const Module> find(const std::string &digest) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = index.find(digest);
    if (it == index.end())
      return nullptr;
    order.splice(order.begin(), order, it->second);
    return it->second->second;
  }
  void put(const std::string &digest, std::shared_ptr<const Module> m) {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = index.find(digest); it != index.end()) {
      order.erase(it->second);
      index.erase(it);
    }
    order.emplace_front(digest, std::move(m));
    index[digest] = order.begin();
    while (order.size() > kInProcessEntries) {
      index.erase(order.back().first);
      order.pop_back();
    }
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex);
    order.clear();
    index.clear();
  }
};

MemoryCache &memoryCache() {
  static MemoryCache cache;
  return cache;
}

bool makeDirs(const std::string &dir) {
  if (dir.empty())
    return false;
  struct stat st;
  if (stat(dir.c_str(), &st) == 0)
    return S_ISDIR(st.st_mode);
  size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0 &&
      !makeDirs(dir.substr(0, slash)))
    return false;
  return mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST;
}

struct Entry {
  std::string path;
  uint64_t bytes;
  struct timespec time;
};

std::vector<Entry> listEntries(const std::string &dir) {
  std::vector<Entry> entries;
  DIR *d = opendir(dir.c_str());
  if (!d)
    return entries;
  while (struct dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 5 || name.compare(name.size() - 4, 4, ".tlm") != 0)
      continue;
    std::string path = dir + "/" + name;
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      entries.push_back({path, static_cast<uint64_t>(st.st_size), st.st_mtim});
  }
  closedir(d);
  return entries;
}

/// "another shapes (x=2x3 there, x=4x4 here)"; for long values (a target's
/// feature list) only the fields that differ.
std::string differsIn(const std::string &part, const std::string &theirs,
                      const std::string &ours) {
  if (theirs.size() + ours.size() < 160)
    return "another " + part + " (" + (theirs.empty() ? "none" : theirs) +
           " there, " + ours + " here)";
  auto fields = [](const std::string &v) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : v) {
      if (c == ',' || c == ' ') {
        if (!cur.empty())
          out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty())
      out.push_back(cur);
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> a = fields(theirs), b = fields(ours), onlyThere,
                           onlyHere;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(onlyThere));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(),
                      std::back_inserter(onlyHere));
  auto list = [](const std::vector<std::string> &v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 6; ++i)
      s += (i ? " " : "") + v[i];
    return v.size() > 6 ? s + " ..." : s;
  };
  return "another " + part + " (there: " + list(onlyThere) +
         "; here: " + list(onlyHere) + ")";
}

/// Why no entry matched `key`: the closest entry of the same graph and the
/// parts that differ, or that no entry holds this graph.
std::string explainMiss(const std::string &dir, const CacheKey &key) {
  std::vector<Entry> entries = listEntries(dir);
  if (entries.empty())
    return "miss: the cache is empty";
  size_t best = key.parts.size() + 1;
  std::string bestWhy;
  bool sameGraph = false;
  for (const Entry &e : entries) {
    auto manifest = ::tl::runtime::peekManifest(e.path);
    if (!manifest.ok())
      continue;
    std::vector<std::string> differs;
    for (const auto &[part, value] : key.parts) {
      std::string theirs = manifest->option(kKeyPrefix + part);
      if (theirs != value)
        differs.push_back(differsIn(part, theirs, value));
    }
    bool graphMatches = manifest->option(std::string(kKeyPrefix) + "graph") ==
                        key.parts.front().second;
    if (!graphMatches)
      continue;
    sameGraph = true;
    if (differs.size() < best) {
      best = differs.size();
      bestWhy.clear();
      for (const std::string &d : differs)
        bestWhy += (bestWhy.empty() ? "" : "; ") + d;
    }
  }
  if (!sameGraph)
    return "miss: no entry for this graph (" + std::to_string(entries.size()) +
           " entries for other graphs)";
  if (best == 0)
    return "miss: an entry of this graph matches every part (written by "
           "another process since?)";
  return "miss: the closest entry of this graph has " + bestWhy;
}

void evict(const std::string &dir, uint64_t maxBytes, const std::string &keep) {
  std::vector<Entry> entries = listEntries(dir);
  uint64_t total = 0;
  for (const Entry &e : entries)
    total += e.bytes;
  if (total <= maxBytes)
    return;
  std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
    return a.time.tv_sec != b.time.tv_sec ? a.time.tv_sec < b.time.tv_sec
                                          : a.time.tv_nsec < b.time.tv_nsec;
  });
  for (const Entry &e : entries) {
    if (total <= maxBytes)
      break;
    if (e.path == keep)
      continue;
    if (unlink(e.path.c_str()) == 0 || errno == ENOENT)
      total -= e.bytes;
  }
}
} // namespace

std::string mlir::tl::resolveCacheDir(const CacheSettings &settings) {
  if (!settings.dir.empty())
    return settings.dir;
  if (const char *d = std::getenv("TL_CACHE_DIR"); d && *d)
    return d;
  if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::string(x) + "/tl";
  if (const char *h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.cache/tl";
  return "";
}

std::string CacheKey::digest() const {
  std::string all = "specialized " + specialized + "\n";
  for (const auto &[part, value] : parts)
    all += part + " " + value + "\n";
  return ::tl::runtime::sha256Hex(all);
}

std::string CacheReport::describe() const {
  switch (outcome) {
  case kDisabled:
    return "cache: off" + (explanation.empty() ? "" : " (" + explanation + ")");
  case kMemoryHit:
    return "cache: hit (in this process)";
  case kDiskHit:
    return "cache: hit (" + path + ")";
  case kMiss:
    return "cache: " + explanation + (path.empty() ? "" : "; stored " + path);
  }
  return "";
}

std::shared_ptr<const Module> mlir::tl::cacheLookup(
    const CacheSettings &settings, const CacheKey &key, CacheReport &report) {
  report = CacheReport();
  if (!settings.enabled)
    return nullptr;
  std::string digest = key.digest();
  if (auto m = memoryCache().find(digest)) {
    report.outcome = CacheReport::kMemoryHit;
    return m;
  }
  report.outcome = CacheReport::kMiss;
  std::string dir = resolveCacheDir(settings);
  if (dir.empty()) {
    report.explanation = "miss: no cache directory (set TL_CACHE_DIR)";
    return nullptr;
  }
  std::string path = dir + "/" + digest + ".tlm";
  auto bytes = ::tl::runtime::readFile(path);
  if (!bytes.ok()) {
    report.explanation = explainMiss(dir, key);
    return nullptr;
  }
  // Code for another CPU is a valid entry (a cross-compile); only a file
  // that fails its checks is damaged.
  auto parsed = ::tl::runtime::parseModule(*bytes, path);
  absl::StatusOr<std::shared_ptr<const Module>> module =
      parsed.ok() ? Module::create(std::move(parsed->first),
                                   std::string(parsed->second))
                  : absl::StatusOr<std::shared_ptr<const Module>>(
                        parsed.status());
  if (!module.ok()) {
    // Damaged (or from a runtime that cannot load it): never trusted.
    unlink(path.c_str());
    report.explanation = "miss: removed a damaged entry (" +
                         std::string(module.status().message()) + ")";
    return nullptr;
  }
  // The name is a digest of the key; the manifest records the key's parts,
  // and an entry whose parts differ (copied or renamed by hand, or written
  // by another build) is not taken for this one.
  std::string differs;
  for (const auto &[part, value] : key.parts) {
    std::string theirs = (*module)->manifest().option(kKeyPrefix + part);
    if (theirs != value)
      differs += (differs.empty() ? "" : "; ") + differsIn(part, theirs, value);
  }
  if (!differs.empty()) {
    report.explanation = "miss: the entry under this key has " + differs;
    return nullptr;
  }
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0); // least recently used
  report.outcome = CacheReport::kDiskHit;
  report.path = path;
  memoryCache().put(digest, *module);
  return *module;
}

void mlir::tl::cacheStore(const CacheSettings &settings, const CacheKey &key,
                          const std::shared_ptr<const Module> &module,
                          CacheReport &report) {
  if (!settings.enabled)
    return;
  std::string digest = key.digest();
  memoryCache().put(digest, module);
  std::string dir = resolveCacheDir(settings);
  if (!makeDirs(dir)) {
    report.explanation += "; cannot create the cache directory '" + dir + "'";
    return;
  }
  std::string path = dir + "/" + digest + ".tlm";
  if (absl::Status s = ::tl::runtime::writeFileAtomically(path,
                                                          module->serialize());
      !s.ok()) {
    report.explanation += "; not stored: " + std::string(s.message());
    return;
  }
  report.path = path;
  evict(dir, settings.maxBytes, path);
}

std::string mlir::tl::cacheSidePath(const CacheSettings &settings,
                                    const std::string &kind,
                                    const std::string &name) {
  if (!settings.enabled)
    return "";
  std::string dir = resolveCacheDir(settings);
  if (dir.empty())
    return "";
  return dir + "/" + kind + (name.empty() ? "" : "/" + name);
}

void mlir::tl::clearInProcessCache() { memoryCache().clear(); }
