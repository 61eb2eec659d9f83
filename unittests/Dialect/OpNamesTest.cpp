//===- OpNamesTest.cpp - op names, aliases and suggestions (G9, G10, G13) -===//

#include "tl/Dialect/TL/IR/OpNames.h"

#include <gtest/gtest.h>

using namespace mlir::tl;

TEST(OpNamesTest, CaseInsensitiveWithAliases) {
  EXPECT_EQ(lookupUnaryKind("Sigmoid"), UnaryKind::sigmoid);
  EXPECT_EQ(lookupUnaryKind("ONEMINUS"), UnaryKind::one_minus);
  EXPECT_EQ(lookupUnaryKind("heaviside"), UnaryKind::step);
  EXPECT_EQ(lookupUnaryKind("ln"), UnaryKind::log);
  EXPECT_EQ(lookupBinaryKind("lessThanOrEqual"), BinaryKind::lte);
  EXPECT_EQ(lookupBinaryKind("or_probabilistic"), BinaryKind::or_prob_sum);
  EXPECT_EQ(lookupBinaryKind("xor"), BinaryKind::xor_);
  EXPECT_EQ(lookupBinaryKind("Mod"), BinaryKind::modulo);
  EXPECT_EQ(lookupReduceKind("Product"), ReduceKind::prod);
  EXPECT_EQ(lookupReduceKind("mean"), ReduceKind::mean);
}

TEST(OpNamesTest, UnknownNames) {
  EXPECT_FALSE(lookupUnaryKind("add"));
  EXPECT_FALSE(lookupBinaryKind("relu"));
  EXPECT_FALSE(lookupReduceKind("count"));
  EXPECT_FALSE(lookupReduceKind("any"));
}

TEST(OpNamesTest, EveryNameIsListedOnce) {
  std::vector<std::string> unary = allUnaryNames();
  EXPECT_EQ(unary.size(), 16u + 4u); // 16 ops and 4 aliases of G9
  std::vector<std::string> binary = allBinaryNames();
  EXPECT_EQ(binary.size(), 18u + 19u);
  for (const std::string &n : binary)
    EXPECT_TRUE(lookupBinaryKind(n).has_value()) << n;
  for (const std::string &n : unary)
    EXPECT_TRUE(lookupUnaryKind(n).has_value()) << n;
}

TEST(OpNamesTest, Suggestions) {
  EXPECT_EQ(suggestName("sigmod", allUnaryNames()), " (did you mean 'sigmoid'?)");
  EXPECT_EQ(suggestName("Multipy", allBinaryNames()),
            " (did you mean 'multiply'?)");
  EXPECT_EQ(suggestName("summ", allReduceNames()), " (did you mean 'sum'?)");
  EXPECT_EQ(suggestName("frobnicate", allUnaryNames()), "");
}

TEST(OpNamesTest, SwappedLettersAreOneEdit) {
  // The single-edit typos that got no suggestion before (issue 14).
  const std::pair<const char *, const char *> unary[] = {
      {"rleu", "relu"}, {"epx", "exp"}, {"sni", "sin"}, {"ciel", "ceil"},
      {"setp", "step"}};
  for (auto [typo, want] : unary)
    EXPECT_EQ(suggestName(typo, allUnaryNames()),
              std::string(" (did you mean '") + want + "'?)")
        << typo;
  const std::pair<const char *, const char *> binary[] = {
      {"qe", "eq"}, {"oxr", "xor"}, {"poewr", "power"}};
  for (auto [typo, want] : binary)
    EXPECT_EQ(suggestName(typo, allBinaryNames()),
              std::string(" (did you mean '") + want + "'?)")
        << typo;
  const std::pair<const char *, const char *> reduce[] = {
      {"mena", "mean"}, {"smu", "sum"}, {"mni", "min"}, {"amx", "max"},
      {"imn", "min"}};
  for (auto [typo, want] : reduce)
    EXPECT_EQ(suggestName(typo, allReduceNames()),
              std::string(" (did you mean '") + want + "'?)")
        << typo;
  EXPECT_EQ(typoDistance("rleu", "relu"), 1u);
  EXPECT_EQ(typoDistance("abc", "cab"), 2u);
  EXPECT_EQ(typoDistance("", "max"), 3u);
}
