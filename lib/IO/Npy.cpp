//===- Npy.cpp - .npy and .npz files ---------------------------------------===//

#include "tl/IO/Npy.h"
#include "tl/IO/Zip.h"

#include "Text.h"
#include "tl/Runtime/Limits.h"
#include "tl/Runtime/Module.h"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace tl::io;
namespace runtime = tl::runtime;
using text::kEchoLimit;

/// "(2, 3)" like NumPy.
static std::string numpyShape(const std::vector<int64_t> &shape) {
  Array a;
  a.shape = shape;
  return a.shapeString();
}

/// A file's content is not what it should be: DATA_LOSS, so tools tell
/// it from a mistyped flag (INVALID_ARGUMENT, exit status 2).
static absl::Status fail(const std::string &msg) {
  return absl::DataLossError(msg);
}

/// descr without its byte-order character -> dtype.
static std::optional<DType> dtypeFromDescr(std::string_view code) {
  static const std::pair<const char *, DType> table[] = {
      {"f8", DType::f64}, {"f4", DType::f32}, {"f2", DType::f16},
      {"i8", DType::i64}, {"i4", DType::i32}, {"i2", DType::i16},
      {"i1", DType::i8},  {"u8", DType::u64}, {"u4", DType::u32},
      {"u2", DType::u16}, {"u1", DType::u8},  {"b1", DType::b1}};
  for (const auto &[name, t] : table)
    if (code == name)
      return t;
  return std::nullopt;
}

static const char *descrOf(DType t) {
  switch (t) {
  case DType::f64: return "<f8";
  case DType::f32: return "<f4";
  case DType::f16: return "<f2";
  case DType::i64: return "<i8";
  case DType::i32: return "<i4";
  case DType::i16: return "<i2";
  case DType::i8: return "|i1";
  case DType::u64: return "<u8";
  case DType::u32: return "<u4";
  case DType::u16: return "<u2";
  case DType::u8: return "|u1";
  case DType::b1: return "|b1";
  }
  return "<f8";
}

/// The text after `'key':` in the header dictionary, trimmed.
static std::string_view ltrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

static std::optional<std::string_view> headerValue(std::string_view header,
                                                   std::string_view key) {
  for (const char *quote : {"'", "\""}) {
    std::string pattern = std::string(quote) + std::string(key) + quote;
    size_t at = header.find(pattern);
    if (at == std::string_view::npos)
      continue;
    std::string_view rest = ltrim(header.substr(at + pattern.size()));
    if (rest.empty() || rest.front() != ':')
      return std::nullopt;
    return ltrim(rest.substr(1));
  }
  return std::nullopt;
}

/// The prefix of `s` before the first character in `stop`.
static std::string_view takeUntil(std::string_view s, const char *stop) {
  return s.substr(0, std::min(s.size(), s.find_first_of(stop)));
}

/// Reverses the axes of a Fortran-order buffer into C order.
static std::vector<uint8_t> fortranToC(const std::vector<uint8_t> &in,
                                       const std::vector<int64_t> &shape,
                                       size_t width) {
  std::vector<uint8_t> out(in.size());
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  size_t rank = shape.size();
  std::vector<int64_t> idx(rank, 0);
  for (int64_t c = 0; c < n; ++c) {
    // idx is the C-order multi-index of element c; its Fortran offset:
    int64_t f = 0, stride = 1;
    for (size_t k = 0; k < rank; ++k) {
      f += idx[k] * stride;
      stride *= shape[k];
    }
    std::memcpy(out.data() + c * width, in.data() + f * width, width);
    for (size_t k = rank; k-- > 0;) {
      if (++idx[k] < shape[k])
        break;
      idx[k] = 0;
    }
  }
  return out;
}

/// The header dictionary of a .npy file, and where its data starts.
static absl::StatusOr<std::pair<std::string_view, size_t>>
npyHeaderText(std::string_view bytes, const std::string &what) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    return fail(what + ": not a .npy file (no \\x93NUMPY magic)");
  uint8_t major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(what + ": truncated .npy header");
    headerLen = uint32_t(uint8_t(bytes[8])) | uint32_t(uint8_t(bytes[9])) << 8 |
                uint32_t(uint8_t(bytes[10])) << 16 |
                uint32_t(uint8_t(bytes[11])) << 24;
    headerStart = 12;
  } else {
    return fail(what + ": unsupported .npy version " + std::to_string(major));
  }
  if (bytes.size() < headerStart + headerLen)
    return fail(what + ": truncated .npy header");
  return std::make_pair(bytes.substr(headerStart, headerLen),
                        size_t(headerStart + headerLen));
}

absl::StatusOr<NpyHeader> tl::io::parseNpyHeader(std::string_view bytes,
                                                 std::string_view whatView) {
  std::string what(whatView);
  auto dict = npyHeaderText(bytes, what);
  if (!dict.ok())
    return dict.status();
  auto [header, dataOffset] = *dict;
  auto descr = headerValue(header, "descr");
  auto fortran = headerValue(header, "fortran_order");
  auto shapeText = headerValue(header, "shape");
  if (!descr || !fortran || !shapeText)
    return fail(what + ": malformed .npy header '" +
                text::clip(text::trim(header)) + "'");
  std::string_view d = *descr;
  if (d.empty() || (d[0] != '\'' && d[0] != '"'))
    return fail(what + ": unsupported dtype " + std::string(takeUntil(d, ",")) +
                " (structured arrays are not supported)");
  d = takeUntil(d.substr(1), "'\"");
  char order = d.empty() ? '?' : d[0];
  std::optional<DType> dtype =
      d.empty() ? std::nullopt : dtypeFromDescr(d.substr(1));
  if (!dtype || (order != '<' && order != '>' && order != '|' && order != '='))
    return fail(what + ": unsupported dtype '" + std::string(d) +
                "' (expected float, int, uint or bool)");
  NpyHeader a;
  a.bigEndian = order == '>';
  a.fortranOrder = fortran->substr(0, 4) == "True";
  a.dataOffset = dataOffset;
  a.dtype = *dtype;
  std::string_view s = *shapeText;
  if (s.empty() || s.front() != '(')
    return fail(what + ": malformed shape in .npy header");
  s = takeUntil(s.substr(1), ")");
  for (std::string_view p : text::split(s, ',')) {
    p = text::trim(p);
    if (p.empty())
      continue;
    if (p.back() == 'L') // Python 2 longs
      p.remove_suffix(1);
    std::optional<int64_t> v = text::parseInt(p);
    if (!v || *v < 0)
      return fail(what + ": malformed shape '(" +
                  text::clip(s, kEchoLimit) + ")' in .npy header");
    if (a.shape.size() == runtime::kMaxRank)
      return fail(what + ": the .npy header has more than " +
                  std::to_string(runtime::kMaxRank) +
                  " dimensions (NumPy's limit, and tl's)");
    a.shape.push_back(*v);
  }
  std::optional<uint64_t> size =
      runtime::checkedBytes(a.shape, dtypeSize(a.dtype));
  if (!size)
    return fail(what + ": the .npy header's shape " + numpyShape(a.shape) +
                " of " + dtypeName(a.dtype) +
                " overflows 64-bit sizes (the product of its nonzero "
                "dimensions is above 2^62 bytes)");
  a.dataBytes = *size;
  return a;
}

absl::StatusOr<Array> tl::io::parseNpy(std::string_view bytes,
                                       std::string_view what) {
  auto h = parseNpyHeader(bytes, what);
  if (!h.ok())
    return h.status();
  Array a;
  a.dtype = h->dtype;
  a.shape = h->shape;
  size_t width = dtypeSize(a.dtype);
  uint64_t n = h->dataBytes / width;
  bool bigEndian = h->bigEndian, isFortran = h->fortranOrder;
  std::string_view payload = bytes.substr(h->dataOffset);
  if (payload.size() < n * width)
    return fail(std::string(what) + ": truncated data: shape " +
                a.shapeString() + " needs " + std::to_string(n * width) +
                " bytes, the file has " + std::to_string(payload.size()));
  if (h->dataBytes > runtime::memoryLimit())
    return absl::ResourceExhaustedError(
        std::string(what) + ": shape " + a.shapeString() + " of " +
        dtypeName(a.dtype) + " needs " + runtime::formatBytes(h->dataBytes) +
        ", more than the memory limit of " +
        runtime::formatBytes(runtime::memoryLimit()) +
        " (TL_MEMORY_LIMIT or --memory-limit)");
  a.data.assign(payload.begin(), payload.begin() + n * width);
  if (bigEndian && width > 1)
    for (size_t i = 0; i < a.data.size(); i += width)
      std::reverse(a.data.begin() + i, a.data.begin() + i + width);
  if (isFortran && a.shape.size() > 1)
    a.data = fortranToC(a.data, a.shape, width);
  return a;
}

/// A version 1.0 .npy file: header for `descr` and `shape` ("(2, 3)"),
/// then `data`.
static std::string npyFile(std::string_view descr, const std::string &shape,
                           std::string_view data) {
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that the data starts 64-byte aligned, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char((header.size() >> 8) & 0xff);
  out += header;
  out += data;
  return out;
}

std::string tl::io::serializeNpy(const Array &array) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(array.shape[i]);
  shape += array.shape.size() == 1 ? ",)" : ")";
  return npyFile(descrOf(array.dtype), shape,
                 std::string_view(
                     reinterpret_cast<const char *>(array.data.data()),
                     array.data.size()));
}

static absl::StatusOr<std::string> readFile(std::string_view pathView) {
  std::string path(pathView);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError("cannot read '" + path +
                               "': " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad())
    return absl::DataLossError("cannot read '" + path + "'");
  return bytes;
}

/// A complete file or none: written beside `path` and renamed into place,
/// so a full disk or a crash never leaves a truncated file behind.
static absl::Status writeFile(std::string_view path, std::string_view bytes) {
  return runtime::writeFileAtomically(std::string(path), bytes);
}

absl::StatusOr<Array> tl::io::readNpy(std::string_view path) {
  auto buf = readFile(path);
  if (!buf.ok())
    return buf.status();
  return parseNpy(*buf, path);
}

absl::Status tl::io::writeNpy(std::string_view path, const Array &array) {
  return writeFile(path, serializeNpy(array));
}

absl::StatusOr<std::string> tl::io::parseNpyText(std::string_view bytes,
                                                 std::string_view whatView) {
  std::string what(whatView);
  auto dict = npyHeaderText(bytes, what);
  if (!dict.ok())
    return dict.status();
  auto [header, dataOffset] = *dict;
  auto descr = headerValue(header, "descr");
  auto shapeText = headerValue(header, "shape");
  std::string_view d = descr ? *descr : std::string_view();
  if (!d.empty() && (d[0] == '\'' || d[0] == '"'))
    d = takeUntil(d.substr(1), "'\"");
  // |S3 (bytes) or <U3 (UTF-32 code units); 0-d only.
  char kind = d.size() >= 3 ? d[1] : '?';
  std::optional<int64_t> width =
      d.size() >= 3 ? text::parseInt(d.substr(2)) : std::nullopt;
  if ((kind != 'S' && kind != 'U') || !width || *width < 0 || !shapeText ||
      shapeText->substr(0, 2) != "()")
    return fail(what + ": expected a 0-d string (dtype S or U), found dtype '" +
                text::clip(d) + "' and shape " +
                text::clip(shapeText ? takeUntil(*shapeText, ")") : "?") +
                ")");
  size_t unit = kind == 'S' ? 1 : 4;
  std::string_view payload = bytes.substr(dataOffset);
  if (payload.size() < size_t(*width) * unit)
    return fail(what + ": truncated string data");
  std::string out;
  for (int64_t i = 0; i < *width; ++i) {
    // UTF-32 code units: only ASCII is expected ('csr', 'coo', ...).
    uint8_t c = uint8_t(payload[i * unit + (d[0] == '>' ? unit - 1 : 0)]);
    if (c == 0)
      break;
    out += char(c);
  }
  return out;
}

std::string tl::io::serializeNpyText(std::string_view textValue) {
  return npyFile("|S" + std::to_string(textValue.size()), "()", textValue);
}

absl::StatusOr<NpyMembers> tl::io::readNpzMembers(std::string_view path) {
  auto buf = readFile(path);
  if (!buf.ok())
    return buf.status();
  auto entries = readZip(*buf, path);
  if (!entries.ok())
    return entries.status();
  for (auto &[name, bytes] : *entries) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".npy")
      return fail(std::string(path) + ": member '" + name +
                  "' is not a .npy file");
    name.resize(name.size() - 4);
  }
  return std::move(*entries);
}

absl::StatusOr<NamedArrays> tl::io::readNpz(std::string_view path) {
  auto members = readNpzMembers(path);
  if (!members.ok())
    return members.status();
  NamedArrays out;
  for (auto &[key, bytes] : *members) {
    auto array = parseNpy(bytes, std::string(path) + ":" + key + ".npy");
    if (!array.ok())
      return array.status();
    out.emplace_back(key, std::move(*array));
  }
  return out;
}

absl::Status tl::io::writeNpzMembers(std::string_view path,
                                     const NpyMembers &members) {
  ZipEntries entries;
  for (const auto &[key, bytes] : members)
    entries.emplace_back(key + ".npy", bytes);
  auto zip = writeZip(entries);
  if (!zip.ok())
    return zip.status();
  return writeFile(path, *zip);
}

absl::Status tl::io::writeNpz(std::string_view path, const NamedArrays &arrays) {
  NpyMembers members;
  for (const auto &[name, array] : arrays)
    members.emplace_back(name, serializeNpy(array));
  return writeNpzMembers(path, members);
}

absl::Status tl::io::writeNpyFiles(std::string_view dirView,
                                   const NamedArrays &arrays) {
  std::string dir(dirView);
  for (size_t i = 1; i <= dir.size(); ++i)
    if (i == dir.size() || dir[i] == '/') {
      std::string prefix = dir.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
        return absl::PermissionDeniedError("cannot create '" + prefix +
                                           "': " + std::strerror(errno));
    }
  for (const auto &[name, array] : arrays) {
    std::string file = name;
    for (char &c : file)
      if (c == '/' || c == '\\')
        c = '_';
    if (absl::Status s = writeNpy(dir + "/" + file + ".npy", array); !s.ok())
      return s;
  }
  return absl::OkStatus();
}
