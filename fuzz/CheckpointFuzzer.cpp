//===- CheckpointFuzzer.cpp - fuzz streaming checkpoint files -------------===//
//
// Input: a checkpoint (.npz). Its `checksum` member, when it has one, is
// recomputed first, and the run it is checked against takes the key and
// row count the file claims, as a mutation would otherwise stop at the
// first comparison: what is fuzzed is the validation of every field.
//
//===----------------------------------------------------------------------===//

#include "FuzzLimits.h"

#include "tl/IO/StreamCheckpoint.h"
#include "tl/IO/Zip.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  tl::fuzz::setFuzzMemoryLimit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  auto entries = tl::io::readZip(bytes, "fuzz.npz");
  if (!entries.ok())
    return 0;
  tl::io::NamedArrays members;
  for (const auto &[name, member] : *entries) {
    auto array = tl::io::parseNpy(member, name);
    if (!array.ok())
      return 0;
    std::string_view key(name);
    members.emplace_back(std::string(key.substr(0, key.rfind(".npy"))),
                         std::move(*array));
  }
  std::string key;
  int64_t rows = 1;
  for (auto &[name, array] : members) {
    if (name == "key")
      key.assign(array.data.begin(), array.data.end());
    if (name == "meta" && !array.shape.empty() && array.shape[0] > 0) {
      double claimed = array.toDoubles()[0];
      if (std::isfinite(claimed) && claimed >= 1 && claimed <= 1e15)
        rows = int64_t(claimed);
    }
  }
  std::string checksum = tl::io::streamCheckpointChecksum(members);
  for (auto &[name, array] : members)
    if (name == "checksum" && array.dtype == tl::io::DType::u8) {
      array.shape = {int64_t(checksum.size())};
      array.data.assign(checksum.begin(), checksum.end());
    }
  (void)tl::io::parseStreamCheckpoint(members, "fuzz.npz", key, rows, 4);
  return 0;
}
