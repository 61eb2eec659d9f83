//===- Text.h - small string helpers of the readers -------------*- C++ -*-===//

#ifndef TL_LIB_IO_TEXT_H
#define TL_LIB_IO_TEXT_H

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::io::text {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                        s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

/// Every piece between `sep`s (empty ones too).
inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    size_t at = s.find(sep, pos);
    parts.push_back(s.substr(pos, at == std::string_view::npos ? at : at - pos));
    if (at == std::string_view::npos)
      return parts;
    pos = at + 1;
  }
}

/// A base-10 integer that is all of `s`.
inline std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

/// A number that is all of `s` (strtod's syntax: inf and nan too).
inline std::optional<double> parseDouble(std::string_view s) {
  std::string z(s);
  char *end = nullptr;
  double v = std::strtod(z.c_str(), &end);
  if (z.empty() || end != z.c_str() + z.size())
    return std::nullopt;
  return v;
}

/// How much of a user's text an error message quotes.
constexpr size_t kEchoLimit = 80;
/// File names are echoed whole (up to PATH_MAX): a clipped path hides
/// its last part, the one that names the file.
constexpr size_t kPathEchoLimit = 4096;

/// `s` for an error message: at most `limit` characters, then how many
/// more there were; control bytes and non-ASCII shown as \xNN.
inline std::string clip(std::string_view s, size_t limit = kEchoLimit) {
  std::string out;
  size_t shown = 0;
  for (; shown < s.size() && out.size() < limit; ++shown) {
    unsigned char c = static_cast<unsigned char>(s[shown]);
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      static const char *hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (shown < s.size())
    out += "... (" + std::to_string(s.size() - shown) + " more bytes)";
  return out;
}

} // namespace tl::io::text

#endif // TL_LIB_IO_TEXT_H
