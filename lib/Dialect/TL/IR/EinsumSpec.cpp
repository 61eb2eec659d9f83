//===- EinsumSpec.cpp - einsum subscripts (G6) ----------------------------===//

#include "tl/Dialect/TL/IR/EinsumSpec.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::tl;

static llvm::Error specError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<EinsumSpec> EinsumSpec::parse(llvm::StringRef text) {
  size_t arrow = text.find("->");
  if (arrow == llvm::StringRef::npos)
    return specError("implicit einsum (spec '" + text +
                     "' has no '->') is not supported; write the output "
                     "subscript explicitly");
  if (text.find("->", arrow + 2) != llvm::StringRef::npos)
    return specError("more than one '->' in the spec '" + text + "'");

  auto clean = [](llvm::StringRef s) {
    std::string out;
    for (char c : s)
      if (c != ' ')
        out.push_back(c);
    return out;
  };
  EinsumSpec spec;
  std::string lhs = clean(text.take_front(arrow));
  spec.output = clean(text.drop_front(arrow + 2));
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(lhs).split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
  for (llvm::StringRef p : parts)
    spec.inputs.push_back(p.str());

  auto checkLabels = [&](const std::string &s) -> llvm::Error {
    for (char c : s) {
      if (c == '.')
        return specError("ellipsis '...' is not supported in the spec '" +
                         text + "'");
      if (!llvm::isAlpha(c))
        return specError("invalid character '" + std::string(1, c) +
                         "' in a subscript of the spec '" + text +
                         "' (labels are ASCII letters)");
    }
    return llvm::Error::success();
  };
  for (const std::string &s : spec.inputs)
    if (llvm::Error e = checkLabels(s))
      return std::move(e);
  if (llvm::Error e = checkLabels(spec.output))
    return std::move(e);
  for (size_t i = 0; i < spec.output.size(); ++i)
    if (spec.output.find(spec.output[i], i + 1) != std::string::npos)
      return specError("label '" + std::string(1, spec.output[i]) +
                       "' repeats in the output '" + spec.output + "'");
  return spec;
}

bool EinsumSpec::inInputs(char label) const {
  for (const std::string &s : inputs)
    if (s.find(label) != std::string::npos)
      return true;
  return false;
}

std::string EinsumSpec::reducedLabels() const {
  std::string out;
  for (const std::string &s : inputs)
    for (char c : s)
      if (output.find(c) == std::string::npos && out.find(c) == std::string::npos)
        out.push_back(c);
  return out;
}

std::string EinsumSpec::broadcastLabels() const {
  std::string out;
  for (char c : output)
    if (!inInputs(c))
      out.push_back(c);
  return out;
}

std::string EinsumSpec::str() const {
  std::string out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i)
      out += ",";
    out += inputs[i];
  }
  return out + "->" + output;
}

std::optional<llvm::SmallVector<int64_t>> EinsumSpec::getPermutation() const {
  if (inputs.size() != 1 || inputs[0].size() != output.size())
    return std::nullopt;
  const std::string &in = inputs[0];
  llvm::SmallVector<int64_t> perm;
  for (char c : output) {
    size_t pos = in.find(c);
    if (pos == std::string::npos || in.find(c, pos + 1) != std::string::npos)
      return std::nullopt;
    perm.push_back(static_cast<int64_t>(pos));
  }
  return perm;
}
