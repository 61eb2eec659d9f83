//===- StreamCheckpoint.h - a streaming run's checkpoint file ---*- C++ -*-===//
//
// An .npz with the members `key` (u8 text: a hash of the graph and of the
// input files' identities), `meta` (f64: rows, chunk rows, next row),
// `acc<i>` (f64: output i's accumulator so far) and `checksum` (u8 text:
// SHA-256 of the other members, names included). Read back, every field
// is checked against the run that would resume from it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_STREAMCHECKPOINT_H
#define TL_IO_STREAMCHECKPOINT_H

#include "tl/IO/Npy.h"

#include "absl/status/statusor.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tl::io {

/// Where a streaming run resumes and its accumulators so far, for one
/// graph over one set of input files (`key`).
struct StreamCheckpoint {
  std::string key;
  int64_t rows = 0, chunkRows = 0, nextRow = 0;
  std::vector<std::vector<double>> accumulators;
};

/// Writes `checkpoint` to `path` atomically and syncs it.
absl::Status writeStreamCheckpoint(const std::string &path,
                                   const StreamCheckpoint &checkpoint);

/// The checkpoint at `path`, checked field by field against this run
/// (`key`, `rows`, `numAccumulators`); nullopt when there is none. Errors
/// name the checkpoint and say how to start over.
absl::StatusOr<std::optional<StreamCheckpoint>>
readStreamCheckpoint(const std::string &path, const std::string &key,
                     int64_t rows, size_t numAccumulators);

/// The same checks on a checkpoint's members; `path` names it in errors.
absl::StatusOr<StreamCheckpoint>
parseStreamCheckpoint(const NamedArrays &members, const std::string &path,
                      const std::string &key, int64_t rows,
                      size_t numAccumulators);

/// The `checksum` member's value for `members` (every member but itself).
std::string streamCheckpointChecksum(const NamedArrays &members);

} // namespace tl::io

#endif // TL_IO_STREAMCHECKPOINT_H
