//===- Module.cpp - a compiled graph: its code and its signature ----------===//
//
// The manifest is text, one record per line, fields separated by one
// space; a field's bytes outside printable ASCII, and ' ' and '%', are
// written %XX. Shapes are written [2,3] ([] for 0-d).
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/Module.h"

#include "GpuProgram.h"

#include "tl/Runtime/CallStatus.h"
#include "tl/Runtime/HostCPU.h"
#include "tl/Runtime/ObjectLoader.h"
#include "tl/Runtime/Sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

using namespace tl::runtime;

static bool hasSymbol(const std::vector<int64_t> &shape) {
  for (int64_t d : shape)
    if (isSymbolDim(d))
      return true;
  return false;
}

namespace {
constexpr char kMagic[8] = {'T', 'L', 'M', 'O', 'D', 'U', 'L', 'E'};
constexpr size_t kHeader = 32, kTrailer = 32;
// Bounds that no real graph reaches and that keep a hostile manifest from
// asking for absurd allocations.
constexpr size_t kMaxRank = 64;
constexpr int64_t kMaxElements = int64_t(1) << 56;

std::string escape(std::string_view s) {
  static const char *hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '%' || c >= 0x7f) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out.empty() ? "%" : out; // never an empty field (% alone)
}

std::optional<std::string> unescape(std::string_view s) {
  if (s == "%")
    return std::string();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9')
        return c - '0';
      if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
      if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
      return -1;
    };
    int hi = digit(s[i + 1]), lo = digit(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Bounds the symbol numbers a manifest may use.
constexpr int64_t kMaxSymbols = 1 << 16;

std::string shapeField(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + (isSymbolDim(shape[i])
                               ? "?" + std::to_string(symbolOf(shape[i]))
                               : std::to_string(shape[i]));
  return s + "]";
}

std::optional<std::vector<int64_t>> parseShape(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']')
    return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::vector<int64_t> shape;
  int64_t elements = 1;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view d = s.substr(0, comma);
    bool symbol = !d.empty() && d.front() == '?';
    if (symbol)
      d.remove_prefix(1);
    if (d.empty() || d.size() > 18)
      return std::nullopt;
    int64_t v = 0;
    for (char c : d) {
      if (c < '0' || c > '9')
        return std::nullopt;
      v = v * 10 + (c - '0');
    }
    if (symbol) {
      if (v >= kMaxSymbols)
        return std::nullopt;
      shape.push_back(symbolDim(v));
    } else {
      if (v > 0 && elements > kMaxElements / v)
        return std::nullopt;
      elements *= v;
      shape.push_back(v);
    }
    if (shape.size() > kMaxRank)
      return std::nullopt;
    if (comma == std::string_view::npos)
      break;
    s = s.substr(comma + 1);
    if (s.empty())
      return std::nullopt;
  }
  return shape;
}

std::optional<Layout> parseLayout(std::string_view s) {
  for (Layout l : {Layout::dense, Layout::csr, Layout::dcsr})
    if (s == layoutName(l))
      return l;
  return std::nullopt;
}

std::optional<uint64_t> parseCount(std::string_view s) {
  if (s.empty() || s.size() > 18)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

void putU32(std::string &out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void putU64(std::string &out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t getLE(const char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string serializeManifest(const ModuleManifest &m) {
  std::string out;
  auto line = [&](std::initializer_list<std::string> fields) {
    bool first = true;
    for (const std::string &f : fields) {
      out += (first ? "" : " ") + f;
      first = false;
    }
    out += '\n';
  };
  const Signature &sig = m.signature;
  line({"format", std::to_string(moduleFormatVersion(m))});
  line({"runtime-abi", std::to_string(m.runtimeABI)});
  line({"compiler", escape(m.compiler)});
  line({"triple", escape(m.triple)});
  line({"cpu", escape(m.cpu)});
  line({"features", escape(m.features)});
  line({"entry", escape(m.entry)});
  line({"object-sha256", escape(m.objectHash)});
  line({"dtype", dtypeName(sig.dtype)});
  for (const auto &[k, v] : m.options)
    line({"option", escape(k), escape(v)});
  for (const ArgBinding &a : sig.args) {
    if (a.constant) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", *a.constant);
      line({"const", escape(a.slot), shapeField(a.shape), buf});
    } else {
      line({"arg", escape(a.slot), escape(a.caller), shapeField(a.shape)});
    }
  }
  for (size_t i = 0; i < sig.args.size(); ++i)
    for (size_t d = 0; d < sig.args[i].dimLinks.size(); ++d)
      if (!sig.args[i].dimLinks[d].empty())
        line({"link", std::to_string(i), std::to_string(d),
              escape(sig.args[i].dimLinks[d])});
  for (const ResultInfo &r : sig.results)
    line({"result", escape(r.name), shapeField(r.shape)});
  if (sig.isGradient) {
    line({"gradients", std::to_string(sig.numGradients)});
    for (const ResultInfo &c : sig.cotangents)
      line({"cotangent", escape(c.name), shapeField(c.shape)});
  }
  for (const std::string &n : sig.binaryInputs)
    line({"assume", "binary", escape(n)});
  for (const std::string &n : sig.profileNodes)
    line({"profile-node", escape(n)});
  for (const std::string &n : sig.profileShapes)
    line({"profile-shape", escape(n)});
  for (const IntermediateOrigin &o : sig.intermediates)
    line({"intermediate", escape(o.node), escape(o.op)});
  for (const std::string &s : sig.fixpointSites)
    line({"fixpoint", escape(s)});
  for (size_t i = 0; i < sig.args.size(); ++i)
    if (sig.args[i].layout != Layout::dense)
      line(
          {"layout", "arg", std::to_string(i), layoutName(sig.args[i].layout)});
  for (size_t i = 0; i < sig.results.size(); ++i)
    if (sig.results[i].layout != Layout::dense)
      line({"layout", "result", std::to_string(i),
            layoutName(sig.results[i].layout)});
  if (sig.returnsResults)
    line({"returns-results"});
  return out;
}

absl::StatusOr<ModuleManifest> parseManifest(std::string_view text,
                                             std::string_view what) {
  ModuleManifest m;
  Signature &sig = m.signature;
  bool sawDtype = false, sawEntry = false;
  size_t lineNo = 0;
  while (!text.empty()) {
    ++lineNo;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos)
      return absl::InvalidArgumentError(std::string(what) +
                                        ": manifest line " +
                                        std::to_string(lineNo) +
                                        " is not terminated");
    std::string_view line = text.substr(0, nl);
    text = text.substr(nl + 1);
    std::vector<std::string> f;
    size_t pos = 0;
    while (pos <= line.size()) {
      size_t sp = line.find(' ', pos);
      if (sp == std::string_view::npos)
        sp = line.size();
      auto field = unescape(line.substr(pos, sp - pos));
      if (!field)
        return absl::InvalidArgumentError(
            std::string(what) + ": manifest line " + std::to_string(lineNo) +
            " has a malformed field");
      f.push_back(std::move(*field));
      pos = sp + 1;
    }
    auto fail = [&](const std::string &why) {
      return absl::InvalidArgumentError(std::string(what) +
                                        ": manifest line " +
                                        std::to_string(lineNo) + " ('" +
                                        f[0] + "'): " + why);
    };
    auto wantFields = [&](size_t n) { return f.size() == n; };
    const std::string &key = f[0];
    if (key == "format" || key == "runtime-abi" || key == "gradients") {
      std::optional<uint64_t> v;
      if (!wantFields(2) || !(v = parseCount(f[1])) ||
          *v > std::numeric_limits<uint32_t>::max())
        return fail("expected one count");
      if (key == "format")
        m.formatVersion = static_cast<uint32_t>(*v);
      else if (key == "runtime-abi")
        m.runtimeABI = static_cast<uint32_t>(*v);
      else {
        sig.isGradient = true;
        sig.numGradients = *v;
      }
    } else if (key == "compiler" || key == "triple" || key == "cpu" ||
               key == "features" || key == "entry" ||
               key == "object-sha256") {
      if (!wantFields(2))
        return fail("expected one value");
      if (key == "compiler")
        m.compiler = f[1];
      else if (key == "triple")
        m.triple = f[1];
      else if (key == "cpu")
        m.cpu = f[1];
      else if (key == "features")
        m.features = f[1];
      else if (key == "entry") {
        m.entry = f[1];
        sawEntry = true;
      } else
        m.objectHash = f[1];
    } else if (key == "dtype") {
      if (!wantFields(2) || (f[1] != "f32" && f[1] != "f64"))
        return fail("expected f32 or f64");
      sig.dtype = f[1] == "f32" ? DType::f32 : DType::f64;
      sawDtype = true;
    } else if (key == "option") {
      if (!wantFields(3))
        return fail("expected a key and a value");
      m.options.emplace_back(f[1], f[2]);
    } else if (key == "arg" || key == "const") {
      if (!wantFields(4))
        return fail("expected three fields");
      ArgBinding a;
      a.slot = f[1];
      auto shape = parseShape(f[key == "arg" ? 3 : 2]);
      if (!shape)
        return fail("malformed shape");
      a.shape = *shape;
      if (key == "arg") {
        a.caller = f[2];
      } else {
        char *end = nullptr;
        errno = 0;
        double v = std::strtod(f[3].c_str(), &end);
        if (f[3].empty() || *end || errno == ERANGE)
          return fail("malformed constant");
        a.constant = v;
      }
      sig.args.push_back(std::move(a));
    } else if (key == "result" || key == "cotangent") {
      if (!wantFields(3))
        return fail("expected a name and a shape");
      auto shape = parseShape(f[2]);
      if (!shape)
        return fail("malformed shape");
      (key == "result" ? sig.results : sig.cotangents)
          .push_back({f[1], *shape});
    } else if (key == "link") {
      std::optional<uint64_t> arg, dim;
      if (!wantFields(4) || !(arg = parseCount(f[1])) ||
          !(dim = parseCount(f[2])) || *arg >= sig.args.size() ||
          *dim >= sig.args[*arg].shape.size())
        return fail("expected an argument, one of its dims and an op");
      std::vector<std::string> &links = sig.args[*arg].dimLinks;
      links.resize(sig.args[*arg].shape.size());
      links[*dim] = f[3];
    } else if (key == "assume") {
      if (!wantFields(3) || f[1] != "binary")
        return fail("expected 'binary' and an input");
      sig.binaryInputs.push_back(f[2]);
    } else if (key == "profile-node") {
      if (!wantFields(2))
        return fail("expected one name");
      sig.profileNodes.push_back(f[1]);
    } else if (key == "profile-shape") {
      if (!wantFields(2))
        return fail("expected one shape list");
      sig.profileShapes.push_back(f[1]);
    } else if (key == "intermediate") {
      if (!wantFields(3))
        return fail("expected a node and an op");
      sig.intermediates.push_back({f[1], f[2]});
    } else if (key == "fixpoint") {
      if (!wantFields(2))
        return fail("expected one description");
      sig.fixpointSites.push_back(f[1]);
    } else if (key == "layout") {
      std::optional<uint64_t> index;
      std::optional<Layout> layout;
      bool isArg = f.size() > 1 && f[1] == "arg";
      size_t count = isArg ? sig.args.size() : sig.results.size();
      if (!wantFields(4) || (!isArg && f[1] != "result") ||
          !(index = parseCount(f[2])) || *index >= count ||
          !(layout = parseLayout(f[3])))
        return fail("expected 'arg' or 'result', its index and dense, csr "
                    "or dcsr");
      if (isArg)
        sig.args[*index].layout = *layout;
      else
        sig.results[*index].layout = *layout;
    } else if (key == "returns-results") {
      if (!wantFields(1))
        return fail("expected no fields");
      sig.returnsResults = true;
    }
    // Other keys: written by a newer compiler of the same format; ignored.
  }
  if (!sawDtype || !sawEntry)
    return absl::InvalidArgumentError(std::string(what) +
                                      ": the manifest has no " +
                                      (sawDtype ? "entry" : "dtype"));
  // A result's symbol must be sized by some argument's dim.
  std::vector<bool> sized;
  for (const ArgBinding &a : sig.args)
    for (int64_t d : a.shape)
      if (isSymbolDim(d)) {
        if (static_cast<size_t>(symbolOf(d)) >= sized.size())
          sized.resize(symbolOf(d) + 1);
        sized[symbolOf(d)] = true;
      }
  for (const ResultInfo &r : sig.results)
    for (int64_t d : r.shape)
      if (isSymbolDim(d) && (static_cast<size_t>(symbolOf(d)) >= sized.size() ||
                             !sized[symbolOf(d)]))
        return absl::InvalidArgumentError(
            std::string(what) + ": result '" + r.name + "' has a size (?" +
            std::to_string(symbolOf(d)) + ") that no argument gives");
  for (const ResultInfo &c : sig.cotangents)
    if (hasSymbol(c.shape))
      return absl::InvalidArgumentError(
          std::string(what) + ": a cotangent has a size known only at run time");
  if (sig.numGradients > sig.results.size() ||
      sig.intermediates.size() > sig.results.size() - sig.numGradients)
    return absl::InvalidArgumentError(
        std::string(what) +
        ": more gradients and intermediates than results");
  return m;
}

absl::Status checkHeader(std::string_view bytes, std::string_view what,
                         uint64_t &version, uint64_t &manifestBytes,
                         uint64_t &objectBytes) {
  std::string w(what);
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    return absl::InvalidArgumentError(w + ": not a tl module (no TLMODULE "
                                          "signature; tl-compile writes them)");
  if (bytes.size() < kHeader)
    return absl::InvalidArgumentError(w + ": truncated module (" +
                                      std::to_string(bytes.size()) +
                                      " bytes, header incomplete)");
  version = getLE(bytes.data() + 8, 4);
  if (version < kOldestModuleFormatVersion || version > kModuleFormatVersion)
    return absl::FailedPreconditionError(
        w + ": module format version " + std::to_string(version) +
        "; this runtime reads versions " +
        std::to_string(kOldestModuleFormatVersion) + " to " +
        std::to_string(kModuleFormatVersion) +
        " (compile the graph again with this tl)");
  manifestBytes = getLE(bytes.data() + 16, 8);
  objectBytes = getLE(bytes.data() + 24, 8);
  return absl::OkStatus();
}
} // namespace

std::string ModuleManifest::option(std::string_view key) const {
  for (const auto &[k, v] : options)
    if (k == key)
      return v;
  return "";
}

std::string tl::runtime::shapeString(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") +
         (isSymbolDim(shape[i]) ? std::string("?") : std::to_string(shape[i]));
  return s;
}

const char *tl::runtime::layoutName(Layout layout) {
  switch (layout) {
  case Layout::dense:
    return "dense";
  case Layout::csr:
    return "csr";
  case Layout::dcsr:
    return "dcsr";
  }
  return "?";
}

bool Signature::hasSparseLayouts() const {
  auto sparse = [](const auto &x) { return x.layout != Layout::dense; };
  return std::any_of(args.begin(), args.end(), sparse) ||
         std::any_of(results.begin(), results.end(), sparse);
}

uint32_t tl::runtime::moduleFormatVersion(const ModuleManifest &manifest) {
  const Signature &sig = manifest.signature;
  return sig.hasSparseLayouts() || sig.returnsResults ? 3 : 2;
}

bool Signature::isGeneric() const {
  for (const ArgBinding &a : args)
    if (hasSymbol(a.shape))
      return true;
  return false;
}

std::string tl::runtime::serializeModule(const ModuleManifest &manifest,
                                         std::string_view object) {
  std::string text = serializeManifest(manifest);
  std::string out(kMagic, 8);
  putU32(out, moduleFormatVersion(manifest));
  putU32(out, 0);
  putU64(out, text.size());
  putU64(out, object.size());
  out += text;
  out.append(object.data(), object.size());
  Digest d = sha256(out);
  out.append(reinterpret_cast<const char *>(d.data()), d.size());
  return out;
}

absl::StatusOr<std::pair<ModuleManifest, std::string_view>>
tl::runtime::parseModule(std::string_view bytes, std::string_view what) {
  uint64_t version = 0, m = 0, o = 0;
  if (absl::Status s = checkHeader(bytes, what, version, m, o); !s.ok())
    return s;
  uint64_t body = bytes.size() - kHeader;
  if (body < kTrailer || m > body - kTrailer || o != body - kTrailer - m)
    return absl::InvalidArgumentError(
        std::string(what) + ": truncated or damaged module (" +
        std::to_string(bytes.size()) + " bytes; the header announces " +
        (m > body || o > body ? std::string("more")
                              : std::to_string(kHeader + m + o + kTrailer)) +
        ")");
  std::string_view signed_ = bytes.substr(0, bytes.size() - kTrailer);
  Digest d = sha256(signed_);
  if (std::memcmp(d.data(), bytes.data() + signed_.size(), kTrailer) != 0)
    return absl::DataLossError(std::string(what) +
                               ": damaged module (SHA-256 checksum mismatch)");
  auto manifest = parseManifest(bytes.substr(kHeader, m), what);
  if (!manifest.ok())
    return manifest.status();
  if (manifest->formatVersion != version)
    return absl::InvalidArgumentError(std::string(what) +
                                      ": manifest and header disagree on the "
                                      "format version");
  return std::make_pair(std::move(*manifest), bytes.substr(kHeader + m, o));
}

absl::StatusOr<std::string> tl::runtime::readFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return absl::NotFoundError("cannot read '" + path +
                               "': " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError("'" + path + "' is not a regular file");
  }
  std::string bytes;
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  return bytes;
}

absl::StatusOr<ModuleManifest>
tl::runtime::peekManifest(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError("cannot read '" + path + "'");
  std::string header(kHeader, '\0');
  in.read(header.data(), kHeader);
  header.resize(static_cast<size_t>(in.gcount()));
  uint64_t version = 0, m = 0, o = 0;
  if (absl::Status s = checkHeader(header, path, version, m, o); !s.ok())
    return s;
  if (m > (uint64_t(1) << 30))
    return absl::InvalidArgumentError(path + ": damaged module header");
  std::string text(m, '\0');
  in.read(text.data(), static_cast<std::streamsize>(m));
  if (static_cast<uint64_t>(in.gcount()) != m)
    return absl::InvalidArgumentError(path + ": truncated module");
  return parseManifest(text, path);
}

absl::Status tl::runtime::writeFileAtomically(const std::string &path,
                                              std::string_view bytes) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" +
                    std::to_string(rng() % 1000000007);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::PermissionDeniedError(
        "cannot write '" + path + "': cannot create the temporary file '" +
        tmp + "' beside it: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::ResourceExhaustedError("cannot write '" + path +
                                          "': " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return absl::PermissionDeniedError("cannot write '" + path +
                                       "': " + std::strerror(err));
  }
  return absl::OkStatus();
}

Module::~Module() = default;

absl::StatusOr<std::shared_ptr<const Module>>
Module::load(ModuleManifest manifest, std::string object) {
  auto m = create(std::move(manifest), std::move(object));
  if (m.ok() && !(*m)->runnable().ok())
    return (*m)->runnable();
  return m;
}

absl::StatusOr<std::shared_ptr<const Module>>
Module::create(ModuleManifest manifest, std::string object) {
  // Each version adds entry points: older modules still link.
  if (manifest.runtimeABI == 0 || manifest.runtimeABI > kRuntimeABIVersion)
    return absl::FailedPreconditionError(
        "the module calls runtime ABI version " +
        std::to_string(manifest.runtimeABI) + "; this runtime provides 1 to " +
        std::to_string(kRuntimeABIVersion) +
        " (compile it again, or run it with a newer tl-run)");
  if (isGpuManifest(manifest))
    return createGpu(std::move(manifest), std::move(object));
  std::vector<std::string> missing = missingCPUFeatures(manifest.features);
  if (!missing.empty()) {
    std::string list;
    for (const std::string &f : missing)
      list += (list.empty() ? "" : ", ") + f;
    std::shared_ptr<Module> m(new Module());
    m->loadStatus = absl::FailedPreconditionError(
        "the module was compiled for CPU '" + manifest.cpu +
        "' with features this CPU lacks: " + list +
        " (compile it for this machine: tl-compile without --mcpu/--mattr)");
    m->info = std::move(manifest);
    m->object = std::move(object);
    return std::shared_ptr<const Module>(std::move(m));
  }
  auto code = LoadedObject::load(object);
  if (!code.ok())
    return code.status();
  void *entry = (*code)->lookup(manifest.entry);
  if (!entry)
    return absl::InvalidArgumentError("the module's code has no entry point '" +
                                      manifest.entry + "'");
  std::shared_ptr<Module> m(new Module());
  m->info = std::move(manifest);
  m->object = std::move(object);
  m->code = std::move(*code);
  m->entry = reinterpret_cast<void (*)(void **)>(entry);
  m->bindConstants();
  return std::shared_ptr<const Module>(std::move(m));
}

bool Module::isGpuManifest(const ModuleManifest &manifest) {
  return manifest.option("backend") == "cuda";
}

void Module::bindConstants() {
  for (const ArgBinding &arg : info.signature.args) {
    constants.emplace_back();
    if (!arg.constant)
      continue;
    Buffer c = Buffer::allocate(dtype(), {});
    if (dtype() == DType::f32)
      *c.data<float>() = static_cast<float>(*arg.constant);
    else
      *c.data<double>() = *arg.constant;
    constants.back() = std::move(c);
  }
}

absl::StatusOr<std::shared_ptr<const Module>>
Module::createGpu(ModuleManifest manifest, std::string object) {
  auto plan = parseGpuPlan(object, "the module");
  if (!plan.ok())
    return plan.status();
  std::shared_ptr<Module> m(new Module());
  m->info = std::move(manifest);
  m->object = std::move(object);
  m->bindConstants();
  auto program = GpuProgram::load(std::move(*plan));
  if (program.ok())
    m->gpu = std::move(*program);
  else
    m->loadStatus = absl::Status(
        program.status().code(),
        "the module was compiled for an NVIDIA GPU (" + m->info.cpu +
            ") and cannot run here: " + std::string(program.status().message()));
  return std::shared_ptr<const Module>(std::move(m));
}

absl::StatusOr<std::shared_ptr<const Module>>
Module::loadBytes(std::string_view bytes, std::string_view what) {
  auto parsed = parseModule(bytes, what);
  if (!parsed.ok())
    return parsed.status();
  auto module = load(std::move(parsed->first), std::string(parsed->second));
  if (!module.ok())
    return absl::Status(module.status().code(),
                        std::string(what) + ": " +
                            std::string(module.status().message()));
  return module;
}

absl::StatusOr<std::shared_ptr<const Module>>
Module::loadFile(const std::string &path) {
  auto bytes = readFile(path);
  if (!bytes.ok())
    return bytes.status();
  return loadBytes(*bytes, path);
}

std::string Module::serialize() const { return serializeModule(info, object); }

absl::Status Module::save(const std::string &path) const {
  return writeFileAtomically(path, serialize());
}

std::vector<Buffer> Module::allocateResults() const {
  std::vector<Buffer> out;
  for (const ResultInfo &r : info.signature.results) {
    std::vector<int64_t> shape = r.shape;
    for (int64_t &d : shape)
      d = isSymbolDim(d) ? 0 : d; // unknown before a call: empty
    out.push_back(Buffer::allocate(dtype(), shape));
  }
  return out;
}

std::vector<Buffer> Module::allocateResults(const BoundArgs &bound) const {
  std::vector<Buffer> out;
  for (const std::vector<int64_t> &shape : bound.resultShapes)
    out.push_back(Buffer::allocate(dtype(), shape));
  return out;
}

Module::PackedCall Module::pack(const std::vector<const Buffer *> &args,
                                const std::vector<Buffer *> &results) const {
  assert(args.size() == info.signature.args.size() &&
         results.size() == info.signature.results.size());
  PackedCall call;
  call.args = args;
  call.results = results;
  // The scalars of each memref descriptor as the lowered function expects
  // them: allocated pointer, aligned pointer, offset, sizes, strides; then
  // one pointer per scalar (the packed entry point's ABI).
  auto add = [&](const Buffer &b) {
    auto ptr = reinterpret_cast<int64_t>(b.data());
    call.words.insert(call.words.end(), {ptr, ptr, 0});
    call.words.insert(call.words.end(), b.shape().begin(), b.shape().end());
    call.words.insert(call.words.end(), b.strides().begin(),
                      b.strides().end());
  };
  for (const Buffer *b : args)
    add(*b);
  for (const Buffer *b : results)
    add(*b);
  // Pointers only once the words no longer move.
  call.pointers.reserve(call.words.size());
  for (int64_t &w : call.words)
    call.pointers.push_back(&w);
  return call;
}

absl::Status Module::runPacked(const PackedCall &call) const {
  if (gpu)
    return gpu->run(call.args, call.results);
  if (!entry)
    return loadStatus;
  if (info.signature.returnsResults != call.receivesResults)
    return absl::FailedPreconditionError(
        "this module's code returns its results (it was compiled for "
        "sparse inputs): run it through Module::run, which gives the "
        "results it allocates");
  clearCallFailure();
  entry(const_cast<void **>(call.pointers.data()));
  const std::vector<std::string> &sites = info.signature.fixpointSites;
  auto message = [&](const FixpointFailure &f) {
    std::string site = f.site >= 0 && size_t(f.site) < sites.size()
                           ? sites[f.site]
                           : "'tl.fixpoint' op";
    return noFixpointMessage(site, f.iterations, f.change, f.tolerance);
  };
  for (const FixpointFailure &f : takeCallLimits())
    addRunWarning(limitWarning(message(f)));
  if (std::optional<FixpointFailure> f = takeCallFailure())
    return absl::FailedPreconditionError(message(*f));
  return absl::OkStatus();
}

absl::Status Module::runUnchecked(const std::vector<const Buffer *> &args,
                                  const std::vector<Buffer *> &results) const {
  if (gpu)
    return gpu->run(args, results);
  return runPacked(pack(args, results));
}

namespace {
/// The sizes of one call's symbols, and the input dim that gave each.
class SymbolSizes {
public:
  /// Records `size` for the symbol of dim `axis` of argument `arg`, or
  /// checks it against the size recorded before (G11).
  absl::Status set(const Signature &sig, size_t arg, size_t axis,
                   int64_t size) {
    size_t k = symbolOf(sig.args[arg].shape[axis]);
    if (k >= sizes.size())
      sizes.resize(k + 1, {-1, 0, 0});
    Entry &e = sizes[k];
    if (e.size < 0) {
      e = {size, arg, axis};
      return absl::OkStatus();
    }
    if (e.size == size)
      return absl::OkStatus();
    auto linkOf = [&](size_t a, size_t d) -> std::string {
      const std::vector<std::string> &l = sig.args[a].dimLinks;
      return d < l.size() ? l[d] : "";
    };
    std::string why = linkOf(arg, axis);
    if (why.empty())
      why = linkOf(e.arg, e.axis);
    const ArgBinding &first = sig.args[e.arg], &here = sig.args[arg];
    std::string message =
        "G11: input '" + here.caller + "' has size " + std::to_string(size) +
        " in dim " + std::to_string(axis) + " but input '" + first.caller +
        "' has size " + std::to_string(e.size) + " in dim " +
        std::to_string(e.axis) + "; " +
        (why.empty() ? std::string("the graph") : why) +
        " needs them equal";
    if (size == 1 || e.size == 1)
      message += " (shape-generic code does not stretch a size of 1: "
                 "compile for these shapes to broadcast it)";
    return absl::InvalidArgumentError(message);
  }
  int64_t operator[](int64_t dim) const {
    return isSymbolDim(dim) ? sizes[symbolOf(dim)].size : dim;
  }

private:
  struct Entry {
    int64_t size;
    size_t arg, axis;
  };
  std::vector<Entry> sizes;
};
} // namespace

absl::Status Module::checkAssumptions(
    const std::map<std::string, const Buffer *> &inputs) const {
  for (const std::string &name : info.signature.binaryInputs) {
    auto it = inputs.find(name);
    if (it == inputs.end() || !it->second)
      continue; // bind() reports the missing input
    ValueSummary values = summarizeValues(*it->second, /*stop=*/true);
    if (!values.onlyZeroOne()) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", values.nonBinaryValue);
      return absl::FailedPreconditionError(
          "input '" + name + "' has the value " + value + " at element " +
          std::to_string(values.firstNonBinary) +
          ", but this code was specialized for inputs holding only 0 and 1 "
          "(a value profile); run the shape-generic executable, or compile "
          "without the value specialization");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Module::BoundArgs>
Module::bind(const std::map<std::string, const Buffer *> &inputs) const {
  if (!loadStatus.ok())
    return loadStatus;
  if (absl::Status s = checkAssumptions(inputs); !s.ok())
    return s;
  const Signature &sig = info.signature;
  BoundArgs bound;
  SymbolSizes symbols;
  // Reserved so the pointers into it stay valid.
  bound.copies.reserve(sig.args.size());
  for (size_t i = 0; i < sig.args.size(); ++i) {
    const ArgBinding &arg = sig.args[i];
    if (arg.constant) {
      bound.args.push_back(&constants[i]);
      continue;
    }
    auto it = inputs.find(arg.caller);
    if (it == inputs.end() || !it->second)
      return absl::InvalidArgumentError("G3: no input named '" + arg.caller +
                                        "' for argument '" + arg.slot + "'");
    const Buffer &in = *it->second;
    bool fits = in.shape().size() == arg.shape.size();
    for (size_t d = 0; fits && d < arg.shape.size(); ++d)
      fits = isSymbolDim(arg.shape[d]) || in.shape()[d] == arg.shape[d];
    if (!fits)
      return absl::InvalidArgumentError(
          "input '" + arg.caller + "' has shape " + shapeString(in.shape()) +
          " but the graph was compiled for " + shapeString(arg.shape) +
          (sig.isGeneric() ? " (? is any size)" : "") +
          " (compile again for other shapes)");
    for (size_t d = 0; d < arg.shape.size(); ++d)
      if (isSymbolDim(arg.shape[d]))
        if (absl::Status s = symbols.set(sig, i, d, in.shape()[d]); !s.ok())
          return s;
    if (in.numElements() > 0 && !in.data())
      return absl::InvalidArgumentError("input '" + arg.caller +
                                        "' has no data");
    if (in.dtype() == dtype() && in.isContiguous()) {
      bound.args.push_back(&in);
      continue;
    }
    bound.copies.push_back(in.copyAs(dtype())); // G5: one float type
    if (!bound.copies.back().data() && in.numElements() > 0)
      return absl::ResourceExhaustedError("out of memory converting input '" +
                                          arg.caller + "'");
    bound.args.push_back(&bound.copies.back());
  }
  for (const ResultInfo &r : sig.results) {
    std::vector<int64_t> shape;
    for (int64_t d : r.shape)
      shape.push_back(symbols[d]);
    bound.resultShapes.push_back(std::move(shape));
  }
  return bound;
}

absl::StatusOr<std::vector<std::pair<std::string, Buffer>>>
Module::run(const std::map<std::string, const Buffer *> &inputs) const {
  if (info.signature.returnsResults) {
    auto results = run(inputs, {});
    if (!results.ok())
      return results.status();
    return denseResults(std::move(*results));
  }
  auto bound = bind(inputs);
  if (!bound.ok())
    return bound.status();
  std::vector<Buffer> outputs = allocateResults(*bound);
  std::vector<Buffer *> results;
  for (Buffer &b : outputs) {
    if (!b.data())
      return absl::ResourceExhaustedError("out of memory allocating an output "
                                          "of " + b.typeString());
    results.push_back(&b);
  }
  if (absl::Status s = runUnchecked(bound->args, results); !s.ok())
    return s;
  std::vector<std::pair<std::string, Buffer>> named;
  for (size_t i = 0; i < outputs.size(); ++i)
    named.emplace_back(info.signature.results[i].name, std::move(outputs[i]));
  return named;
}

std::string tl::runtime::cotangentName(std::string_view outputName) {
  return "cotangent:" + std::string(outputName);
}

absl::Status
Module::addCotangents(const std::map<std::string, const Buffer *> &cotangents,
                      std::map<std::string, const Buffer *> &inputs,
                      std::deque<Buffer> &storage) const {
  const std::vector<ResultInfo> &outputs = info.signature.cotangents;
  auto isOutput = [&](const std::string &name) {
    for (const ResultInfo &o : outputs)
      if (o.name == name)
        return true;
    return false;
  };
  for (const auto &[name, buffer] : cotangents)
    if (!isOutput(name)) {
      std::string known;
      for (const ResultInfo &o : outputs)
        known += (known.empty() ? "'" : ", '") + o.name + "'";
      return absl::InvalidArgumentError(
          "G12: a cotangent is given for '" + name +
          "', which is not an output of the graph (outputs: " + known + ")");
    }
  for (const ResultInfo &o : outputs) {
    auto it = cotangents.find(o.name);
    if (it != cotangents.end() && it->second) {
      if (it->second->shape() != o.shape)
        return absl::InvalidArgumentError(
            "G12: the cotangent of '" + o.name + "' is " +
            it->second->typeString() + "; it must have the output's shape " +
            shapeString(o.shape) + "x" + dtypeName(dtype()));
      inputs[cotangentName(o.name)] = it->second;
      continue;
    }
    Buffer ones = Buffer::allocate(dtype(), o.shape);
    if (!ones.data())
      return absl::ResourceExhaustedError("out of memory for the cotangent of '" +
                                          o.name + "'");
    for (int64_t i = 0; i < ones.numElements(); ++i)
      if (dtype() == DType::f32)
        ones.data<float>()[i] = 1.0f;
      else
        ones.data<double>()[i] = 1.0;
    storage.push_back(std::move(ones));
    inputs[cotangentName(o.name)] = &storage.back();
  }
  return absl::OkStatus();
}
