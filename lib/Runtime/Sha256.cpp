//===- Sha256.cpp - content hashes of modules and cache keys --------------===//

#include "tl/Runtime/Sha256.h"

#include <openssl/sha.h>

using namespace tl::runtime;

Digest tl::runtime::sha256(std::string_view bytes) {
  Digest d;
  SHA256(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(),
         d.data());
  return d;
}

std::string tl::runtime::toHex(const Digest &digest) {
  static const char *hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : digest) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

std::string tl::runtime::sha256Hex(std::string_view bytes) {
  return toHex(sha256(bytes));
}
