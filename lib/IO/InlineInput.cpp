//===- InlineInput.cpp - arrays written on the command line ----------------===//

#include "tl/IO/InlineInput.h"

#include "tl/IO/Npy.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir::tl::io;

static llvm::Error fail(llvm::StringRef spec, const llvm::Twine &msg) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "--input='" + spec + "': " + msg +
          " (expected NAME=DIMSxTYPE=VALUES, e.g. x=2x3xf64=1,2,3,4,5,6, "
          "or NAME=@file.npy)");
}

llvm::Expected<std::pair<std::string, Array>>
mlir::tl::io::parseInlineInput(llvm::StringRef spec) {
  auto [name, rest] = spec.split('=');
  if (name.empty() || !spec.contains('='))
    return fail(spec, "no name");
  // IREE's positional form (--input=2xf64=1,2) has a type where the name
  // goes; arrays here bind by name (G3).
  llvm::StringRef last = name.rsplit('x').second.empty()
                             ? name
                             : name.rsplit('x').second;
  if (last == "f32" || last == "f64" || last == "i32" || last == "i64" ||
      (name.front() >= '0' && name.front() <= '9' && name.contains('x')))
    return fail(spec, "no name: '" + name + "' is a type; write NAME=" +
                          spec);
  if (rest.starts_with("@")) {
    auto array = readNpy(rest.drop_front());
    if (!array)
      return array.takeError();
    return std::make_pair(name.str(), std::move(*array));
  }
  auto [type, values] = rest.split('=');
  // The type is DIMSxELEM: the element type follows the last 'x'.
  llvm::SmallVector<llvm::StringRef> parts;
  type.split(parts, 'x');
  llvm::StringRef elem = parts.pop_back_val();
  DType dtype;
  if (elem == "f64")
    dtype = DType::f64;
  else if (elem == "f32")
    dtype = DType::f32;
  else
    return fail(spec, "element type '" + elem + "' is not f32 or f64");
  std::vector<int64_t> shape;
  int64_t count = 1;
  for (llvm::StringRef d : parts) {
    int64_t size;
    if (d.getAsInteger(10, size) || size < 0)
      return fail(spec, "dimension '" + d + "' is not a size");
    if (size > 0 && count > (int64_t(1) << 40) / size)
      return fail(spec, "the array is too large to write inline");
    shape.push_back(size);
    count *= size;
  }
  std::vector<double> data;
  llvm::SmallVector<llvm::StringRef> tokens;
  values.split(tokens, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef tok : tokens) {
    for (llvm::StringRef t : llvm::split(tok, ' ')) {
      t = t.trim();
      if (t.empty())
        continue;
      double v;
      if (t.getAsDouble(v))
        return fail(spec, "'" + t + "' is not a number");
      data.push_back(v);
    }
  }
  if (data.size() == 1 && count != 1)
    data.assign(count, data[0]); // a splat, as IREE allows
  if (int64_t(data.size()) != count)
    return fail(spec, "the type holds " + llvm::Twine(count) +
                          " value(s) but " + llvm::Twine(data.size()) +
                          " were given");
  return std::make_pair(name.str(),
                        Array::fromDoubles(dtype, std::move(shape), data));
}
