//===- Npy.cpp - .npy and .npz files ---------------------------------------===//

#include "tl/IO/Npy.h"
#include "tl/IO/Zip.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

using namespace mlir::tl::io;

static llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// descr without its byte-order character -> dtype.
static std::optional<DType> dtypeFromDescr(llvm::StringRef code) {
  return llvm::StringSwitch<std::optional<DType>>(code)
      .Case("f8", DType::f64).Case("f4", DType::f32).Case("f2", DType::f16)
      .Case("i8", DType::i64).Case("i4", DType::i32).Case("i2", DType::i16)
      .Case("i1", DType::i8).Case("u8", DType::u64).Case("u4", DType::u32)
      .Case("u2", DType::u16).Case("u1", DType::u8).Case("b1", DType::b1)
      .Default(std::nullopt);
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
static std::optional<llvm::StringRef> headerValue(llvm::StringRef header,
                                                  llvm::StringRef key) {
  for (const char *quote : {"'", "\""}) {
    std::string pattern = std::string(quote) + key.str() + quote;
    size_t at = header.find(pattern);
    if (at == llvm::StringRef::npos)
      continue;
    llvm::StringRef rest = header.drop_front(at + pattern.size()).ltrim();
    if (!rest.consume_front(":"))
      return std::nullopt;
    return rest.ltrim();
  }
  return std::nullopt;
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

llvm::Expected<NpyHeader> mlir::tl::io::parseNpyHeader(llvm::StringRef bytes,
                                                 llvm::StringRef what) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
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
    return fail(what + ": unsupported .npy version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLen)
    return fail(what + ": truncated .npy header");
  llvm::StringRef header = bytes.substr(headerStart, headerLen);

  auto descr = headerValue(header, "descr");
  auto fortran = headerValue(header, "fortran_order");
  auto shapeText = headerValue(header, "shape");
  if (!descr || !fortran || !shapeText)
    return fail(what + ": malformed .npy header '" + header.rtrim() + "'");
  llvm::StringRef d = *descr;
  if (d.empty() || (d[0] != '\'' && d[0] != '"'))
    return fail(what + ": unsupported dtype " + d.take_until([](char c) {
                  return c == ',';
                }) + " (structured arrays are not supported)");
  d = d.drop_front().take_until([](char c) { return c == '\'' || c == '"'; });
  char order = d.empty() ? '?' : d[0];
  std::optional<DType> dtype = dtypeFromDescr(d.drop_front());
  if (!dtype || (order != '<' && order != '>' && order != '|' && order != '='))
    return fail(what + ": unsupported dtype '" + d +
                "' (expected float, int, uint or bool)");
  NpyHeader a;
  a.bigEndian = order == '>';
  a.fortranOrder = fortran->starts_with("True");
  a.dataOffset = headerStart + headerLen;
  a.dtype = *dtype;
  llvm::StringRef s = *shapeText;
  if (!s.consume_front("("))
    return fail(what + ": malformed shape in .npy header");
  s = s.take_until([](char c) { return c == ')'; });
  llvm::SmallVector<llvm::StringRef> parts;
  s.split(parts, ',');
  for (llvm::StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t v;
    p.consume_back("L"); // Python 2 longs
    if (p.getAsInteger(10, v) || v < 0)
      return fail(what + ": malformed shape '(" + s + ")' in .npy header");
    a.shape.push_back(v);
  }
  uint64_t n = 1;
  for (int64_t dim : a.shape) {
    if (dim != 0 && n > (uint64_t(1) << 40) / uint64_t(dim))
      return fail(what + ": array too large");
    n *= uint64_t(dim);
  }
  a.dataBytes = n * dtypeSize(a.dtype);
  return a;
}

llvm::Expected<Array> mlir::tl::io::parseNpy(llvm::StringRef bytes,
                                       llvm::StringRef what) {
  auto h = parseNpyHeader(bytes, what);
  if (!h)
    return h.takeError();
  Array a;
  a.dtype = h->dtype;
  a.shape = h->shape;
  size_t width = dtypeSize(a.dtype);
  uint64_t n = h->dataBytes / width;
  bool bigEndian = h->bigEndian, isFortran = h->fortranOrder;
  llvm::StringRef payload = bytes.drop_front(h->dataOffset);
  if (payload.size() < n * width)
    return fail(what + ": truncated data: shape " + a.shapeString() +
                " needs " + llvm::Twine(n * width) + " bytes, the file has " +
                llvm::Twine(payload.size()));
  a.data.assign(payload.begin(), payload.begin() + n * width);
  if (bigEndian && width > 1)
    for (size_t i = 0; i < a.data.size(); i += width)
      std::reverse(a.data.begin() + i, a.data.begin() + i + width);
  if (isFortran && a.shape.size() > 1)
    a.data = fortranToC(a.data, a.shape, width);
  return a;
}

std::string mlir::tl::io::serializeNpy(const Array &array) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(array.shape[i]);
  shape += array.shape.size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + descrOf(array.dtype) +
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
  out.append(reinterpret_cast<const char *>(array.data.data()),
             array.data.size());
  return out;
}

static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readFile(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return fail("cannot read '" + path + "': " + buf.getError().message());
  return std::move(*buf);
}

static llvm::Error writeFile(llvm::StringRef path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  os << bytes;
  os.close();
  if (os.has_error())
    return fail("cannot write '" + path + "': " + os.error().message());
  return llvm::Error::success();
}

llvm::Expected<Array> mlir::tl::io::readNpy(llvm::StringRef path) {
  auto buf = readFile(path);
  if (!buf)
    return buf.takeError();
  return parseNpy((*buf)->getBuffer(), path);
}

llvm::Error mlir::tl::io::writeNpy(llvm::StringRef path, const Array &array) {
  return writeFile(path, serializeNpy(array));
}

llvm::Expected<NamedArrays> mlir::tl::io::readNpz(llvm::StringRef path) {
  auto buf = readFile(path);
  if (!buf)
    return buf.takeError();
  auto entries = readZip((*buf)->getBuffer(), path);
  if (!entries)
    return entries.takeError();
  NamedArrays out;
  for (auto &[name, bytes] : *entries) {
    llvm::StringRef key(name);
    if (!key.consume_back(".npy"))
      return fail(path + ": member '" + name + "' is not a .npy file");
    auto array = parseNpy(bytes, (path + ":" + name).str());
    if (!array)
      return array.takeError();
    out.emplace_back(key.str(), std::move(*array));
  }
  return out;
}

llvm::Error mlir::tl::io::writeNpz(llvm::StringRef path, const NamedArrays &arrays) {
  ZipEntries entries;
  for (const auto &[name, array] : arrays)
    entries.emplace_back(name + ".npy", serializeNpy(array));
  auto bytes = writeZip(entries);
  if (!bytes)
    return bytes.takeError();
  return writeFile(path, *bytes);
}
