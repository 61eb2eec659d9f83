//===- NpyFuzzer.cpp - fuzz the .npy and .npz readers ---------------------===//
//
// Input: the bytes of a .npy file, or of a .npz (a ZIP archive) when it
// starts with ZIP's signature. Every header field, size claim and
// compressed stream is checked before use.
//
//===----------------------------------------------------------------------===//

#include "FuzzLimits.h"

#include "tl/IO/Npy.h"
#include "tl/IO/Zip.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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
  for (const auto &[name, member] : *entries)
    (void)tl::io::parseNpy(member, name);
  return 0;
}
