//===- StreamCheckpoint.cpp - a streaming run's checkpoint file -----------===//

#include "tl/IO/StreamCheckpoint.h"

#include "tl/Runtime/Sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <string_view>

using namespace tl::io;

namespace {

absl::Status error(const std::string &msg) {
  return absl::InvalidArgumentError("streaming: " + msg);
}

Array textArray(const std::string &text) {
  Array a;
  a.dtype = DType::u8;
  a.shape = {int64_t(text.size())};
  a.data.assign(text.begin(), text.end());
  return a;
}

} // namespace

std::string tl::io::streamCheckpointChecksum(const NamedArrays &arrays) {
  std::string bytes;
  for (const auto &[name, array] : arrays)
    if (name != "checksum")
      bytes += name + '\0' + serializeNpy(array);
  return tl::runtime::sha256Hex(bytes);
}

absl::Status tl::io::writeStreamCheckpoint(const std::string &path,
                                           const StreamCheckpoint &c) {
  NamedArrays arrays;
  arrays.emplace_back("key", textArray(c.key));
  arrays.emplace_back("meta",
                      Array::fromDoubles(DType::f64, {3},
                                         {double(c.rows), double(c.chunkRows),
                                          double(c.nextRow)}));
  for (size_t i = 0; i < c.accumulators.size(); ++i)
    arrays.emplace_back("acc" + std::to_string(i),
                        Array::fromDoubles(DType::f64,
                                           {int64_t(c.accumulators[i].size())},
                                           c.accumulators[i]));
  arrays.emplace_back("checksum", textArray(streamCheckpointChecksum(arrays)));
  // writeNpz renames a complete file into place; sync it first so a crash
  // after the rename cannot leave an empty checkpoint.
  if (absl::Status st = writeNpz(path, arrays); !st.ok())
    return error(std::string(st.message()));
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<StreamCheckpoint>>
tl::io::readStreamCheckpoint(const std::string &path, const std::string &key,
                             int64_t rows, size_t numAccumulators) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
    return std::optional<StreamCheckpoint>();
  auto arrays = readNpz(path);
  if (!arrays.ok())
    return error("checkpoint '" + path + "' is unreadable (" +
                 std::string(arrays.status().message()) +
                 "); delete it to start over");
  auto c = parseStreamCheckpoint(*arrays, path, key, rows, numAccumulators);
  if (!c.ok())
    return c.status();
  return std::optional<StreamCheckpoint>(std::move(*c));
}

absl::StatusOr<StreamCheckpoint>
tl::io::parseStreamCheckpoint(const NamedArrays &arrays,
                              const std::string &path, const std::string &key,
                              int64_t rows, size_t numAccumulators) {
  auto invalid = [&](const std::string &why) {
    return error("checkpoint '" + path + "' " + why +
                 "; delete it to start over");
  };
  StreamCheckpoint c;
  std::optional<std::string> checksum;
  std::optional<std::vector<double>> meta;
  for (const auto &[name, array] : arrays) {
    std::string_view n(name);
    if (n == "key" || n == "checksum") {
      if (array.dtype != DType::u8 || array.shape.size() != 1)
        return invalid("has a malformed '" + name + "'");
      std::string text(array.data.begin(), array.data.end());
      (n == "key" ? c.key : checksum.emplace()) = std::move(text);
    } else if (n == "meta") {
      if (array.shape != std::vector<int64_t>{3})
        return invalid("has a malformed 'meta'");
      meta = array.toDoubles();
    } else if (n.substr(0, 3) == "acc") {
      n.remove_prefix(3);
      size_t index = 0;
      bool digits = !n.empty() && n.size() <= 6;
      for (char ch : n) {
        digits = digits && ch >= '0' && ch <= '9';
        index = index * 10 + size_t(ch - '0');
      }
      if (!digits || index >= numAccumulators)
        return invalid("has an unexpected member '" + name + "'");
      if (c.accumulators.size() <= index)
        c.accumulators.resize(index + 1);
      c.accumulators[index] = array.toDoubles();
    } else {
      return invalid("has an unexpected member '" + name + "'");
    }
  }
  if (!checksum || !meta || c.key.empty())
    return invalid("is incomplete (it needs 'key', 'meta' and 'checksum')");
  if (*checksum != streamCheckpointChecksum(arrays))
    return invalid("fails its checksum (it was changed or damaged)");
  if (c.key != key)
    return invalid("belongs to another graph or other inputs (or an input "
                   "file changed since it was written)");
  // Every number must be an integer in range before it is used.
  int64_t fields[3];
  for (int i = 0; i < 3; ++i) {
    double v = (*meta)[i];
    if (!std::isfinite(v) || v != std::floor(v) || v < 0 || v > 1e15)
      return invalid("has an invalid 'meta' value");
    fields[i] = int64_t(v);
  }
  c.rows = fields[0];
  c.chunkRows = fields[1];
  c.nextRow = fields[2];
  if (c.rows != rows)
    return invalid("is for " + std::to_string(c.rows) +
                   " rows, the inputs have " + std::to_string(rows));
  if (c.chunkRows < 1 || c.chunkRows > rows)
    return invalid("has a chunk of " + std::to_string(c.chunkRows) +
                   " rows (expected 1 to " + std::to_string(rows) + ")");
  if (c.nextRow < 1 || c.nextRow > rows ||
      (c.nextRow % c.chunkRows != 0 && c.nextRow != rows))
    return invalid("resumes at row " + std::to_string(c.nextRow) +
                   ", not after a whole chunk of " +
                   std::to_string(c.chunkRows) + " rows within " +
                   std::to_string(rows));
  return c;
}
