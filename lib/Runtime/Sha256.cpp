//===- Sha256.cpp - content hashes of modules and cache keys --------------===//
//
// OpenSSL's direct SHA-256 functions, not the EVP interface: EVP's first
// call loads the provider tables, which took about a millisecond of
// tl-run's start-up. OpenSSL 3 marks them deprecated but keeps them.
//
//===----------------------------------------------------------------------===//

#define OPENSSL_API_COMPAT 0x10100000L
#define OPENSSL_SUPPRESS_DEPRECATED

#include "tl/Runtime/Sha256.h"

#include <openssl/sha.h>

using namespace tl::runtime;

Digest tl::runtime::sha256(std::string_view bytes) {
  Digest d;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(d.data(), &ctx);
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
