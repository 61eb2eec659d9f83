//===- InlineInput.cpp - arrays written on the command line ----------------===//

#include "tl/IO/InlineInput.h"

#include "Text.h"
#include "tl/IO/Buffers.h"
#include "tl/IO/Npy.h"
#include "tl/IO/SparseNpz.h"
#include "tl/Runtime/Limits.h"

#include <cmath>

using namespace tl::io;
namespace runtime = tl::runtime;

static absl::Status fail(std::string_view spec, const std::string &msg) {
  return absl::InvalidArgumentError(
      "--input='" + text::clip(spec) + "': " + msg +
      " (expected NAME=DIMSxTYPE=VALUES, e.g. x=2x3xf64=1,2,3,4,5,6, "
      "NAME=@file.npy, or NAME=@sparse.npz)");
}

absl::StatusOr<std::pair<std::string, Array>>
tl::io::parseInlineInput(std::string_view spec) {
  auto parsed = parseInlineValue(spec);
  if (!parsed.ok())
    return parsed.status();
  auto &[name, value] = *parsed;
  if (auto *array = std::get_if<Array>(&value))
    return std::make_pair(name, std::move(*array));
  auto dense = toArray(std::get<runtime::SparseBuffer>(value));
  if (!dense.ok())
    return absl::Status(dense.status().code(),
                        "--input='" + text::clip(spec, text::kPathEchoLimit) +
                            "': " + std::string(dense.status().message()));
  return std::make_pair(name, std::move(*dense));
}

absl::StatusOr<std::pair<std::string, InputValue>>
tl::io::parseInlineValue(std::string_view spec) {
  size_t eq = spec.find('=');
  std::string_view name = spec.substr(0, eq);
  if (name.empty() || eq == std::string_view::npos)
    return fail(spec, "no name");
  std::string_view rest = spec.substr(eq + 1);
  // IREE's positional form (--input=2xf64=1,2) has a type where the name
  // goes; arrays here bind by name (G3).
  size_t lastX = name.rfind('x');
  std::string_view last =
      lastX == std::string_view::npos || lastX + 1 == name.size()
          ? name
          : name.substr(lastX + 1);
  if (last == "f32" || last == "f64" || last == "i32" || last == "i64" ||
      (name.front() >= '0' && name.front() <= '9' &&
       name.find('x') != std::string_view::npos))
    return fail(spec, "no name: '" + std::string(name) +
                          "' is a type; write NAME=" + std::string(spec));
  if (!rest.empty() && rest.front() == '@') {
    std::string_view path = rest.substr(1);
    if (path.size() > 4 && path.substr(path.size() - 4) == ".npz") {
      auto sparse = readSparseNpz(path);
      if (!sparse.ok())
        return sparse.status();
      return std::make_pair(std::string(name), InputValue(std::move(*sparse)));
    }
    auto array = readNpy(path);
    if (!array.ok())
      return array.status();
    return std::make_pair(std::string(name), InputValue(std::move(*array)));
  }
  size_t eq2 = rest.find('=');
  std::string_view type = rest.substr(0, eq2);
  std::string_view values =
      eq2 == std::string_view::npos ? std::string_view() : rest.substr(eq2 + 1);
  // The type is DIMSxELEM: the element type follows the last 'x'.
  std::vector<std::string_view> parts = text::split(type, 'x');
  std::string_view elem = parts.back();
  parts.pop_back();
  // Floats are kept in their type; integers and booleans (IREE's i1, i8,
  // ..., i64, u8, ...) are checked for range here and converted to f64, as
  // G5 converts them anyway.
  struct IntRange {
    const char *name;
    double lo, hi;
  };
  static const IntRange ints[] = {
      {"i1", 0, 1},          {"i8", -128, 127},
      {"i16", -32768, 32767}, {"i32", -2147483648.0, 2147483647.0},
      {"i64", -9223372036854775808.0, 9223372036854775807.0},
      {"u8", 0, 255},         {"u16", 0, 65535},
      {"u32", 0, 4294967295.0}, {"u64", 0, 18446744073709551615.0}};
  const IntRange *intType = nullptr;
  for (const IntRange &r : ints)
    if (elem == r.name)
      intType = &r;
  DType dtype;
  if (elem == "f64" || intType)
    dtype = DType::f64;
  else if (elem == "f32")
    dtype = DType::f32;
  else
    return fail(spec, "element type '" + text::clip(elem) +
                          "' is not f32, f64 or an integer type (i1, i8, "
                          "i16, i32, i64, u8, u16, u32, u64)");
  std::vector<int64_t> shape;
  for (std::string_view d : parts) {
    std::optional<int64_t> size = text::parseInt(d);
    if (!size || *size < 0)
      return fail(spec, "dimension '" + text::clip(d) + "' is not a size");
    if (shape.size() == runtime::kMaxRank)
      return fail(spec, "more than " + std::to_string(runtime::kMaxRank) +
                            " dimensions");
    shape.push_back(*size);
  }
  size_t width = dtype == DType::f32 ? 4 : 8;
  std::optional<uint64_t> bytes = runtime::checkedBytes(shape, width);
  if (!bytes)
    return fail(spec, "the shape's size overflows 64 bits");
  // Checked before the values are expanded: a splat of a huge shape would
  // otherwise end the process in the allocator.
  if (*bytes > runtime::memoryLimit())
    return absl::ResourceExhaustedError(
        "--input='" + text::clip(spec) + "': the array needs " +
        runtime::formatBytes(*bytes) + ", more than the memory limit of " +
        runtime::formatBytes(runtime::memoryLimit()) +
        " (TL_MEMORY_LIMIT or --memory-limit)");
  int64_t count = static_cast<int64_t>(*bytes / width);
  // Values are separated by commas or spaces; the brackets of the printed
  // form (2x2xf64=[1 0][1 1]) only group them.
  std::string separated(values);
  for (char &c : separated)
    if (c == '[' || c == ']' || c == ',')
      c = ' ';
  std::vector<double> data;
  for (std::string_view t : text::split(separated, ' ')) {
    t = text::trim(t);
    if (t.empty())
      continue;
    std::optional<double> v = text::parseDouble(t);
    if (intType && (t == "true" || t == "false") && elem == "i1")
      v = t == "true" ? 1.0 : 0.0;
    if (!v)
      return fail(spec, "'" + text::clip(t) + "' is not a number");
    if (intType && (*v != std::floor(*v) || *v < intType->lo || *v > intType->hi))
      return fail(spec, "'" + text::clip(t) + "' is not a value of " +
                            std::string(elem));
    data.push_back(*v);
  }
  if (data.size() == 1 && count != 1)
    data.assign(count, data[0]); // a splat, as IREE allows
  if (int64_t(data.size()) != count)
    return fail(spec, "the type holds " + std::to_string(count) +
                          " value(s) but " + std::to_string(data.size()) +
                          " were given");
  return std::make_pair(std::string(name), InputValue(Array::fromDoubles(
                                               dtype, std::move(shape), data)));
}

int tl::io::exitStatus(const absl::Status &status) {
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}
