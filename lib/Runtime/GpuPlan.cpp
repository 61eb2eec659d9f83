//===- GpuPlan.cpp - the launch plan's file form ---------------------------===//

#include "tl/Runtime/GpuPlan.h"

#include <charconv>

using namespace tl::runtime;

std::string tl::runtime::serializeGpuPlan(const GpuPlan &plan) {
  std::string out = "tl-gpu-plan 1\n";
  for (const GpuPlan::Image &image : plan.images)
    out += "image " + image.name + " " + image.format + " " +
           std::to_string(image.bytes.size()) + "\n" + image.bytes + "\n";
  for (const GpuPlan::BufferSpec &b : plan.buffers) {
    using Kind = GpuPlan::BufferSpec::Kind;
    switch (b.kind) {
    case Kind::arg:
    case Kind::result:
      out += std::string("buffer ") + (b.kind == Kind::arg ? "arg " : "result ") +
             std::to_string(b.index) + " " + std::to_string(b.bytes) + "\n";
      break;
    case Kind::temp:
      out += "buffer temp " + std::to_string(b.bytes) + "\n";
      break;
    case Kind::constant:
      out += "buffer constant " + std::to_string(b.data.size()) + "\n" +
             b.data + "\n";
      break;
    }
  }
  for (const GpuPlan::Launch &l : plan.launches) {
    out += "launch " + std::to_string(l.image) + " " + l.kernel;
    for (int64_t v : l.grid)
      out += " " + std::to_string(v);
    for (int64_t v : l.block)
      out += " " + std::to_string(v);
    out += " " + std::to_string(l.sharedBytes);
    for (size_t b : l.buffers)
      out += " " + std::to_string(b);
    out += "\n";
  }
  return out + "end\n";
}

namespace {
class Reader {
public:
  Reader(std::string_view bytes, std::string_view what)
      : bytes(bytes), what(what) {}

  absl::Status error(const std::string &message) const {
    return absl::InvalidArgumentError(std::string(what) +
                                      ": the GPU launch plan is corrupt (" +
                                      message + " at byte " +
                                      std::to_string(pos) + ")");
  }
  bool atEnd() const { return pos >= bytes.size(); }
  /// The next line's words.
  std::vector<std::string_view> line() {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos)
      end = bytes.size();
    std::string_view text = bytes.substr(pos, end - pos);
    pos = std::min(end + 1, bytes.size());
    std::vector<std::string_view> words;
    size_t at = 0;
    while (at < text.size()) {
      size_t space = text.find(' ', at);
      if (space == std::string_view::npos)
        space = text.size();
      if (space > at)
        words.push_back(text.substr(at, space - at));
      at = space + 1;
    }
    return words;
  }
  /// `n` raw bytes and the newline after them.
  bool blob(uint64_t n, std::string &out) {
    if (n > bytes.size() - pos || bytes.size() - pos - n < 1 ||
        bytes[pos + n] != '\n')
      return false;
    out.assign(bytes.substr(pos, n));
    pos += n + 1;
    return true;
  }

private:
  std::string_view bytes, what;
  size_t pos = 0;
};

bool number(std::string_view s, int64_t &v, int64_t min = 0) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && v >= min;
}
} // namespace

absl::StatusOr<GpuPlan> tl::runtime::parseGpuPlan(std::string_view bytes,
                                                  std::string_view what) {
  Reader r(bytes, what);
  auto head = r.line();
  if (head.size() != 2 || head[0] != "tl-gpu-plan")
    return r.error("no 'tl-gpu-plan' header");
  if (head[1] != "1")
    return absl::FailedPreconditionError(
        std::string(what) + ": GPU launch plan version " +
        std::string(head[1]) + "; this runtime reads version 1 (compile it again)");
  GpuPlan plan;
  while (true) {
    if (r.atEnd())
      return r.error("no 'end' line");
    auto w = r.line();
    if (w.empty())
      return r.error("an empty line");
    if (w[0] == "end")
      break;
    int64_t n = 0;
    if (w[0] == "image") {
      if (w.size() != 4 || !number(w[3], n) ||
          (w[2] != "ptx" && w[2] != "cubin" && w[2] != "fatbin"))
        return r.error("a malformed image line");
      GpuPlan::Image image{std::string(w[1]), std::string(w[2]), ""};
      if (!r.blob(n, image.bytes))
        return r.error("image '" + image.name + "' is truncated");
      plan.images.push_back(std::move(image));
    } else if (w[0] == "buffer") {
      GpuPlan::BufferSpec b;
      using Kind = GpuPlan::BufferSpec::Kind;
      if ((w.size() == 4 && (w[1] == "arg" || w[1] == "result"))) {
        b.kind = w[1] == "arg" ? Kind::arg : Kind::result;
        if (!number(w[2], b.index) || !number(w[3], b.bytes))
          return r.error("a malformed buffer line");
      } else if (w.size() == 3 && w[1] == "temp") {
        if (!number(w[2], b.bytes))
          return r.error("a malformed buffer line");
      } else if (w.size() == 3 && w[1] == "constant") {
        b.kind = Kind::constant;
        if (!number(w[2], b.bytes) || !r.blob(b.bytes, b.data))
          return r.error("a malformed constant");
      } else {
        return r.error("a malformed buffer line");
      }
      plan.buffers.push_back(std::move(b));
    } else if (w[0] == "launch") {
      if (w.size() < 10)
        return r.error("a malformed launch line");
      GpuPlan::Launch l;
      int64_t image;
      if (!number(w[1], image) || size_t(image) >= plan.images.size())
        return r.error("a launch of an unknown image");
      l.image = image;
      l.kernel = std::string(w[2]);
      for (int i = 0; i < 3; ++i)
        if (!number(w[3 + i], l.grid[i], 1) || !number(w[6 + i], l.block[i], 1))
          return r.error("a launch with a bad grid or block size");
      if (!number(w[9], l.sharedBytes))
        return r.error("a launch with a bad shared memory size");
      for (size_t i = 10; i < w.size(); ++i) {
        int64_t b;
        if (!number(w[i], b) || size_t(b) >= plan.buffers.size())
          return r.error("a launch of an unknown buffer");
        l.buffers.push_back(b);
      }
      plan.launches.push_back(std::move(l));
    } else {
      return r.error("an unknown line '" + std::string(w[0]) + "'");
    }
  }
  return plan;
}
