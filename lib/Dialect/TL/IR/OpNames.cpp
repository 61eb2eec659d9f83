//===- OpNames.cpp - op names, aliases and suggestions --------------------===//

#include "tl/Dialect/TL/IR/OpNames.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::tl;

namespace {
template <typename Kind> struct Alias {
  const char *name;
  Kind kind;
};
} // namespace

// Canonical names come from the enum; these are the extra spellings of G9/G10.
static const Alias<UnaryKind> kUnaryAliases[] = {
    {"oneminus", UnaryKind::one_minus}, {"neg", UnaryKind::negate},
    {"ln", UnaryKind::log},             {"heaviside", UnaryKind::step}};
static const Alias<BinaryKind> kBinaryAliases[] = {
    {"sub", BinaryKind::subtract},
    {"mul", BinaryKind::multiply},
    {"div", BinaryKind::divide},
    {"minimum", BinaryKind::min},
    {"maximum", BinaryKind::max},
    {"ormax", BinaryKind::or_max},
    {"equal", BinaryKind::eq},
    {"less_than", BinaryKind::lt},
    {"lessthan", BinaryKind::lt},
    {"greater_than", BinaryKind::gt},
    {"greaterthan", BinaryKind::gt},
    {"less_than_equal", BinaryKind::lte},
    {"lessthanorequal", BinaryKind::lte},
    {"greater_than_equal", BinaryKind::gte},
    {"greaterthanorequal", BinaryKind::gte},
    {"orprobsum", BinaryKind::or_prob_sum},
    {"or_probabilistic", BinaryKind::or_prob_sum},
    {"pow", BinaryKind::power},
    {"mod", BinaryKind::modulo}};
static const Alias<ReduceKind> kReduceAliases[] = {
    {"product", ReduceKind::prod}};

template <typename Kind, size_t N>
static std::optional<Kind>
lookup(llvm::StringRef name, const Alias<Kind> (&aliases)[N],
       std::optional<Kind> (*symbolize)(llvm::StringRef)) {
  std::string lower = name.trim().lower();
  if (std::optional<Kind> k = symbolize(lower))
    return k;
  for (const Alias<Kind> &a : aliases)
    if (lower == a.name)
      return a.kind;
  return std::nullopt;
}

template <typename Kind, size_t N>
static std::vector<std::string>
names(const Alias<Kind> (&aliases)[N], uint32_t count,
      llvm::StringRef (*stringify)(Kind)) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < count; ++i)
    out.push_back(stringify(static_cast<Kind>(i)).str());
  for (const Alias<Kind> &a : aliases)
    out.push_back(a.name);
  return out;
}

std::optional<UnaryKind> mlir::tl::lookupUnaryKind(llvm::StringRef name) {
  return lookup(name, kUnaryAliases, symbolizeUnaryKind);
}
std::optional<BinaryKind> mlir::tl::lookupBinaryKind(llvm::StringRef name) {
  return lookup(name, kBinaryAliases, symbolizeBinaryKind);
}
std::optional<ReduceKind> mlir::tl::lookupReduceKind(llvm::StringRef name) {
  return lookup(name, kReduceAliases, symbolizeReduceKind);
}

std::vector<std::string> mlir::tl::allUnaryNames() {
  return names(kUnaryAliases, getMaxEnumValForUnaryKind() + 1,
               stringifyUnaryKind);
}
std::vector<std::string> mlir::tl::allBinaryNames() {
  return names(kBinaryAliases, getMaxEnumValForBinaryKind() + 1,
               stringifyBinaryKind);
}
std::vector<std::string> mlir::tl::allReduceNames() {
  return names(kReduceAliases, getMaxEnumValForReduceKind() + 1,
               stringifyReduceKind);
}

unsigned mlir::tl::typoDistance(llvm::StringRef a, llvm::StringRef b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // swaps of neighbours each count one ("rleu" is one edit from "relu").
  std::vector<std::vector<unsigned>> d(a.size() + 1,
                                       std::vector<unsigned>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::optional<size_t>
mlir::tl::closestName(llvm::StringRef name,
                      const std::vector<std::string> &candidates) {
  unsigned best = std::max<unsigned>(1, name.size() / 3) + 1;
  std::optional<size_t> closest;
  for (size_t i = 0; i < candidates.size(); ++i)
    if (unsigned d = typoDistance(name, candidates[i]); d < best) {
      best = d;
      closest = i;
    }
  return closest;
}

std::string mlir::tl::suggestName(llvm::StringRef name,
                                  const std::vector<std::string> &candidates) {
  std::optional<size_t> i = closestName(name.trim().lower(), candidates);
  return i ? " (did you mean '" + candidates[*i] + "'?)" : "";
}
