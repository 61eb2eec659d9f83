//===- Tiering.h - what the tiered JIT compiled, and why ---------*- C++ -*-===//
//
// An Executable compiled with unknown sizes runs shape-generic code (tier
// 0) at once; shapes that get hot are specialized on the background
// compile queue (tier 1) and swapped in. Each compile is an event, for
// Executable::stats() and `tl-jit --jit-log` (docs/Tiering.md).
//
// This header includes no MLIR or LLVM header.
//
//===----------------------------------------------------------------------===//

#ifndef TL_API_TIERING_H
#define TL_API_TIERING_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tl {

/// One compile of an executable's graph.
struct CompileEvent {
  /// "generic" (sizes known at run time), "specialized" (every size fixed)
  /// or "tuned" (specialized with measured tiling choices).
  std::string tier;
  /// The input shapes compiled for, by the caller's name; -1 for a size
  /// known only at run time.
  std::map<std::string, std::vector<int64_t>> shapes;
  /// Why it was compiled: "shapes given at compile time", "unknown sizes
  /// at compile time", "hot: 3 calls with these shapes", "warmUp", "hot
  /// in an earlier process", or why it failed ("failed: ...").
  std::string reason;
  /// Wall time of the compile (a cache hit included), in milliseconds.
  double ms = 0;
  /// "hit" or "miss" in the compile cache ("off" without one).
  std::string cache;
  /// The value profile of the hot call, by input: "0/1" (only 0 and 1),
  /// else the share of zeros ("zeros 93%"), with ", NaN" when any was
  /// seen. Empty when no values were sampled.
  std::map<std::string, std::string> values;
  /// The inputs the code relies on holding only 0 and 1 (checked before
  /// each call; an input that breaks it runs the generic code).
  std::vector<std::string> assumes;
};

/// What Executable::stats() reports.
struct ExecutableStats {
  /// Every compile, in the order they finished.
  std::vector<CompileEvent> events;
  /// Runs so far, and how many ran each tier's code.
  uint64_t calls = 0;
  std::map<std::string, uint64_t> callsByTier;
  /// The tier of the most recent run ("" before any).
  std::string lastTier;
  /// Specialized versions held now (at most CompileOptions::maxVersions).
  size_t versions = 0;
  /// Calls whose inputs broke a value specialization's assumption and ran
  /// the generic code instead.
  uint64_t guardFallbacks = 0;
};

/// `events` as the JSON array `tl-jit --jit-log` writes: one object per
/// compile with tier, shapes, reason, ms and cache.
std::string jitLogJSON(const std::vector<CompileEvent> &events);

} // namespace tl

#endif // TL_API_TIERING_H
