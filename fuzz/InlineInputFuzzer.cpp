//===- InlineInputFuzzer.cpp - fuzz the --input syntax --------------------===//
//
// Input: one --input value (NAME=2x3xf64=1,2,...). Files (`@path`) are
// the .npy target's business and are skipped here, so that the fuzzer
// never opens a path it made up.
//
//===----------------------------------------------------------------------===//

#include "FuzzLimits.h"

#include "tl/IO/InlineInput.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  tl::fuzz::setFuzzMemoryLimit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view spec(reinterpret_cast<const char *>(data), size);
  if (spec.find('@') != std::string_view::npos)
    return 0;
  (void)tl::io::parseInlineInput(spec);
  return 0;
}
