//===- NpyFuzzer.cpp - fuzz the .npy and .npz readers ---------------------===//
//
// Input: the bytes of a .npy file, or of a .npz (a ZIP archive) when it
// starts with ZIP's signature. Every header field, size claim and
// compressed stream is checked before use. An archive in a sparse layout
// (SparseNpz.h) is read as a sparse tensor too, which must then validate,
// densify (within the fuzz memory limit) and write back readably.
//
//===----------------------------------------------------------------------===//

#include "FuzzLimits.h"

#include "tl/IO/Npy.h"
#include "tl/IO/SparseNpz.h"
#include "tl/IO/Zip.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  tl::fuzz::setFuzzMemoryLimit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  if (bytes.substr(0, 2) != "PK") {
    auto array = tl::io::parseNpy(bytes, "fuzz.npy");
    // What was read must write back as the same array.
    if (array.ok() && !tl::io::parseNpy(tl::io::serializeNpy(*array), "again").ok())
      std::abort();
    return 0;
  }
  auto entries = tl::io::readZip(bytes, "fuzz.npz");
  if (!entries.ok())
    return 0;
  tl::io::NpyMembers members;
  std::vector<std::string> keys;
  for (const auto &[name, member] : *entries) {
    (void)tl::io::parseNpy(member, name);
    std::string key = name.size() > 4 ? name.substr(0, name.size() - 4) : name;
    members.emplace_back(key, member);
    keys.push_back(key);
  }
  if (!tl::io::isSparseLayout(keys))
    return 0;
  auto sparse = tl::io::parseSparse(members, "fuzz.npz");
  if (!sparse.ok())
    return 0;
  if (!sparse->validate("fuzz.npz").ok())
    std::abort();
  (void)sparse->toDense();
  auto again = tl::io::parseSparse(tl::io::serializeSparse(*sparse, ""), "again");
  if (!again.ok() || again->nnz() != sparse->nnz())
    std::abort();
  return 0;
}
