//===- Sha256.h - content hashes of modules and cache keys ------*- C++ -*-===//
//
// SHA-256 from OpenSSL's libcrypto: the checksum that guards a module file
// and the digest that names a compile cache entry.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_SHA256_H
#define TL_RUNTIME_SHA256_H

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tl::runtime {

using Digest = std::array<uint8_t, 32>;

Digest sha256(std::string_view bytes);
/// 64 lowercase hex digits.
std::string sha256Hex(std::string_view bytes);
std::string toHex(const Digest &digest);

} // namespace tl::runtime

#endif // TL_RUNTIME_SHA256_H
