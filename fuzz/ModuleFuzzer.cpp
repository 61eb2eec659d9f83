//===- ModuleFuzzer.cpp - fuzz module files and compile cache entries -----===//
//
// Input: a module file (tl-compile's .tlm; a compile cache entry is the
// same format). Its SHA-256 trailer is recomputed first, as a mutation
// would otherwise stop at the checksum: what is fuzzed is the header, the
// manifest and the runtime's ELF loader behind them. Nothing loaded is
// ever called.
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/Module.h"
#include "tl/Runtime/ObjectLoader.h"
#include "tl/Runtime/Sha256.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace {
// Undefined symbols resolve here: a real address, never called.
char anySymbol[64];
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  constexpr size_t kTrailer = 32;
  if (bytes.size() >= kTrailer) {
    size_t body = bytes.size() - kTrailer;
    tl::runtime::Digest d = tl::runtime::sha256(std::string_view(bytes).substr(0, body));
    std::memcpy(bytes.data() + body, d.data(), kTrailer);
  }
  auto parsed = tl::runtime::parseModule(bytes, "fuzz.tlm");
  if (!parsed.ok())
    return 0;
  auto object = tl::runtime::LoadedObject::load(
      parsed->second, [](std::string_view name) -> void * {
        return name.empty() ? nullptr : anySymbol;
      });
  if (object.ok())
    (void)(*object)->lookup(parsed->first.entry);
  return 0;
}
