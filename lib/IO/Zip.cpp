//===- Zip.cpp - the ZIP container under .npz ------------------------------===//
//
// Reads through the central directory (the authoritative list), including
// zip64 end records and extra fields, which np.savez writes for every
// member. Every offset and length is bounds-checked before use.
//
//===----------------------------------------------------------------------===//

#include "tl/IO/Zip.h"
#include "tl/Runtime/Limits.h"

#include "Text.h"

#include <zlib.h>

#include <cstring>

using namespace tl::io;

/// A corrupt or unsupported archive: DATA_LOSS (see Npy.cpp).
static absl::Status fail(std::string_view what, const std::string &msg) {
  return absl::DataLossError(std::string(what) + ": " + msg);
}

namespace {
/// Little-endian reads with bounds checks.
class Reader {
public:
  Reader(std::string_view bytes) : bytes(bytes) {}
  bool has(uint64_t at, uint64_t n) const {
    return at <= bytes.size() && n <= bytes.size() - at;
  }
  uint64_t u(uint64_t at, int n) const {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
      v = (v << 8) | uint8_t(bytes[at + i]);
    return v;
  }
  std::string_view bytes;
};
} // namespace

static constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50,
                          kEndSig = 0x06054b50, kEnd64Sig = 0x06064b50,
                          kEnd64LocSig = 0x07064b50;

static absl::StatusOr<std::string> inflateRaw(std::string_view in,
                                              uint64_t outSize,
                                              std::string_view what) {
  std::string out(outSize, '\0');
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return fail(what, "cannot initialize zlib");
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef *>(out.data());
  zs.avail_out = static_cast<uInt>(outSize);
  int rc = inflate(&zs, Z_FINISH);
  uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != outSize)
    return fail(what, "corrupt deflate data");
  return out;
}

absl::StatusOr<ZipEntries> tl::io::readZip(std::string_view bytes,
                                           std::string_view what) {
  Reader r(bytes);
  // The end record is within the last 64 KiB + 22 bytes (comment length).
  if (bytes.size() < 22)
    return fail(what, "not a ZIP archive (too short)");
  uint64_t end = std::string_view::npos;
  uint64_t lowest = bytes.size() > 65557 ? bytes.size() - 65557 : 0;
  for (uint64_t at = bytes.size() - 22 + 1; at-- > lowest;)
    if (r.u(at, 4) == kEndSig) {
      end = at;
      break;
    }
  if (end == std::string_view::npos)
    return fail(what, "not a ZIP archive (no end of central directory)");
  uint64_t count = r.u(end + 10, 2);
  uint64_t cdOffset = r.u(end + 16, 4);
  if ((count == 0xffff || cdOffset == 0xffffffff) && end >= 20 &&
      r.u(end - 20, 4) == kEnd64LocSig) {
    uint64_t e64 = r.u(end - 20 + 8, 8);
    if (!r.has(e64, 56) || r.u(e64, 4) != kEnd64Sig)
      return fail(what, "corrupt zip64 end of central directory");
    count = r.u(e64 + 32, 8);
    cdOffset = r.u(e64 + 48, 8);
  }

  ZipEntries out;
  uint64_t at = cdOffset;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.has(at, 46) || r.u(at, 4) != kCentralSig)
      return fail(what, "corrupt central directory entry " + std::to_string(i));
    uint64_t flags = r.u(at + 8, 2), method = r.u(at + 10, 2);
    uint32_t crc = r.u(at + 16, 4);
    uint64_t csize = r.u(at + 20, 4), usize = r.u(at + 24, 4);
    uint64_t nameLen = r.u(at + 28, 2), extraLen = r.u(at + 30, 2),
             commentLen = r.u(at + 32, 2);
    uint64_t local = r.u(at + 42, 4);
    if (!r.has(at + 46, nameLen + extraLen + commentLen))
      return fail(what, "truncated central directory");
    std::string name(bytes.substr(at + 46, nameLen));
    // zip64 extra: the 0xffffffff fields, in the order usize, csize, offset.
    uint64_t x = at + 46 + nameLen, xend = x + extraLen;
    while (x + 4 <= xend) {
      uint64_t id = r.u(x, 2), len = r.u(x + 2, 2);
      if (x + 4 + len > xend)
        break;
      if (id == 1) {
        uint64_t p = x + 4;
        auto next = [&](uint64_t &field) {
          if (field == 0xffffffff && p + 8 <= x + 4 + len) {
            field = r.u(p, 8);
            p += 8;
          }
        };
        next(usize);
        next(csize);
        next(local);
      }
      x += 4 + len;
    }
    at = xend + commentLen;

    if (flags & 1)
      return fail(what, "member '" + text::clip(name) + "' is encrypted");
    if (!r.has(local, 30) || r.u(local, 4) != kLocalSig)
      return fail(what, "corrupt local header of member '" + name + "'");
    uint64_t data = local + 30 + r.u(local + 26, 2) + r.u(local + 28, 2);
    if (!r.has(data, csize))
      return fail(what, "member '" + text::clip(name) + "' is truncated");
    std::string_view raw = bytes.substr(data, csize);
    std::string content;
    if (method == 0) {
      if (csize != usize)
        return fail(what, "stored member '" + name + "' has inconsistent sizes");
      content = std::string(raw);
    } else if (method == 8) {
      // Deflate expands at most 1032:1; a header claiming more is corrupt,
      // and is refused before the claimed size is allocated.
      if (usize / 1032 > csize + 1)
        return fail(what, "member '" + text::clip(name) + "' claims " +
                              std::to_string(usize) +
                              " bytes uncompressed from " +
                              std::to_string(csize) +
                              " compressed bytes, more than deflate can "
                              "produce (a corrupt zip header)");
      if (usize > tl::runtime::memoryLimit())
        return absl::ResourceExhaustedError(
            std::string(what) + ": member '" + name + "' needs " +
            tl::runtime::formatBytes(usize) +
            " uncompressed, more than the memory limit of " +
            tl::runtime::formatBytes(tl::runtime::memoryLimit()) +
            " (TL_MEMORY_LIMIT or --memory-limit)");
      std::string member = std::string(what) + ":" + name;
      auto inflated = inflateRaw(raw, usize, member);
      if (!inflated.ok())
        return inflated.status();
      content = std::move(*inflated);
    } else {
      return fail(what, "member '" + text::clip(name) + "' uses compression method " +
                            std::to_string(method) + " (only stored and deflate)");
    }
    uint32_t actual = crc32(0L, reinterpret_cast<const Bytef *>(content.data()),
                            static_cast<uInt>(content.size()));
    if (actual != crc)
      return fail(what, "CRC mismatch in member '" + text::clip(name) + "'");
    out.emplace_back(std::move(name), std::move(content));
  }
  return out;
}

/// General purpose flag bit 11: the name is UTF-8 (what Python's zipfile
/// reads it as; without it, as code page 437).
static constexpr uint64_t kUtf8Flag = 0x800;

static void put(std::string &s, uint64_t v, int n) {
  for (int i = 0; i < n; ++i)
    s.push_back(char((v >> (8 * i)) & 0xff));
}

absl::StatusOr<std::string> tl::io::writeZip(const ZipEntries &entries) {
  std::string out, central;
  for (const auto &[name, content] : entries) {
    if (name.size() > kMaxMemberName)
      return fail(text::clip(name), "a member name of " +
                                        std::to_string(name.size()) +
                                        " bytes; a .npz holds names of at "
                                        "most " +
                                        std::to_string(kMaxMemberName));
    if (content.size() >= 0xffffffffull || out.size() >= 0xffffffffull)
      return fail(text::clip(name), "archives over 4 GiB are not supported");
    uint32_t crc = crc32(0L, reinterpret_cast<const Bytef *>(content.data()),
                         static_cast<uInt>(content.size()));
    uint64_t offset = out.size();
    // Local header: version 2.0, names in UTF-8 (flag bit 11), stored,
    // DOS time 1980-01-01.
    put(out, kLocalSig, 4);
    put(out, 20, 2);
    put(out, kUtf8Flag, 2);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, 0x21, 2);
    put(out, crc, 4);
    put(out, content.size(), 4);
    put(out, content.size(), 4);
    put(out, name.size(), 2);
    put(out, 0, 2);
    out += name;
    out += content;

    put(central, kCentralSig, 4);
    put(central, 20, 2);
    put(central, 20, 2);
    put(central, kUtf8Flag, 2);
    put(central, 0, 2);
    put(central, 0, 2);
    put(central, 0x21, 2);
    put(central, crc, 4);
    put(central, content.size(), 4);
    put(central, content.size(), 4);
    put(central, name.size(), 2);
    put(central, 0, 2);
    put(central, 0, 2);
    put(central, 0, 2);
    put(central, 0, 2);
    put(central, 0x1800000, 4); // external attributes: -rw-------
    put(central, offset, 4);
    central += name;
  }
  uint64_t cdOffset = out.size();
  out += central;
  put(out, kEndSig, 4);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, entries.size(), 2);
  put(out, entries.size(), 2);
  put(out, central.size(), 4);
  put(out, cdOffset, 4);
  put(out, 0, 2);
  return out;
}
