//===- TuningRecords.h - measured code generation choices --------*- C++ -*-===//
//
// Tier 2 of the tiered JIT (docs/Tiering.md) times candidate choices for
// the ops of a hot graph and keeps the winners as tuning records: one file
// per op in the cache directory's `tuning/` folder, named by the op's key
// (a hash of its kind, indexing maps, iterators, operand types and body,
// and the target's caches, vector width and threads). tl-apply-tuning
// reads them and writes each decision on its op as `tl.tuned`; the passes
// that choose (tl-select-kernels, tl-parallelize, tl-plan-tiling) follow
// it, so tl-opt reproduces a tuned compile from the same folder.
//
// File format (text; the last line is the SHA-256 of the lines before it,
// so a damaged or hand-edited record is never trusted):
//
//   tl-tuning-record 1
//   key 3f2a...
//   op linalg.matmul 512x512xf32 ...      (for people)
//   kernel onednn | blas | generated      (optional)
//   chunks-per-thread N                   (optional; 0: serial)
//   cache-scale P                         (optional; % of the caches)
//   speedup 1.35
//   sha256 ...
//
//===----------------------------------------------------------------------===//

#ifndef TL_CODEGEN_TUNINGRECORDS_H
#define TL_CODEGEN_TUNINGRECORDS_H

#include "mlir/IR/Operation.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::tl {

/// The op attribute tl-apply-tuning writes: {kernel = "onednn",
/// chunks_per_thread = 8, cache_scale = 200}, each entry optional.
inline constexpr llvm::StringLiteral kTunedAttr = "tl.tuned";
/// The op attribute naming its key (what a record is filed under).
inline constexpr llvm::StringLiteral kOpKeyAttr = "tl.op_key";

struct TuningDecision {
  std::string kernel;              // "onednn", "blas", "generated" or "" (model's)
  int64_t chunksPerThread = -1;    // -1: the pass option's
  int64_t cacheScale = 0;          // percent; 0: the caches as they are
  bool empty() const {
    return kernel.empty() && chunksPerThread < 0 && cacheScale == 0;
  }
  /// "kernel=onednn chunks-per-thread=8", for logs; "default" when empty.
  std::string str() const;
};

struct TuningRecord {
  std::string key, op;
  TuningDecision decision;
  double speedup = 1;
};

/// The key of a linalg op on `target` (a string naming the caches, vector
/// width and threads), 16 hex digits, and a line describing the op.
std::string tuningKey(Operation *op, llvm::StringRef target,
                      std::string *description = nullptr);

/// The record file's text, checksum included.
std::string formatTuningRecord(const TuningRecord &record);
/// Parses a record file; nothing for a damaged one (`why` says why).
std::optional<TuningRecord> parseTuningRecord(llvm::StringRef text,
                                              std::string &why);
/// Every valid record of `dir` by key; a damaged file is skipped with a
/// note in `notes` ("ignored tuning record X: checksum mismatch").
std::map<std::string, TuningRecord>
loadTuningRecords(const std::string &dir, std::vector<std::string> *notes);
/// Writes `record` as `<dir>/<key>.rec` (atomically: temporary + rename).
bool writeTuningRecord(const std::string &dir, const TuningRecord &record);

/// The decision tl-apply-tuning wrote on `op`, if any.
TuningDecision tunedDecision(Operation *op);

} // namespace mlir::tl

#endif // TL_CODEGEN_TUNINGRECORDS_H
