//===- EinsumSpecTest.cpp - the einsum spec parser (G6) -------------------===//

#include "tl/Dialect/TL/IR/EinsumSpec.h"

#include <gtest/gtest.h>

using mlir::tl::EinsumSpec;

static std::string parseError(llvm::StringRef text) {
  auto spec = EinsumSpec::parse(text);
  if (spec)
    return "(parsed)";
  return llvm::toString(spec.takeError());
}

TEST(EinsumSpecTest, SubscriptsAndSpaces) {
  auto spec = EinsumSpec::parse(" ab , bc -> ac ");
  ASSERT_TRUE(static_cast<bool>(spec));
  ASSERT_EQ(spec->inputs.size(), 2u);
  EXPECT_EQ(spec->inputs[0], "ab");
  EXPECT_EQ(spec->inputs[1], "bc");
  EXPECT_EQ(spec->output, "ac");
  EXPECT_EQ(spec->reducedLabels(), "b");
  EXPECT_EQ(spec->broadcastLabels(), "");
  EXPECT_EQ(spec->str(), "ab,bc->ac");
}

TEST(EinsumSpecTest, EmptySubscriptsAreZeroD) {
  auto spec = EinsumSpec::parse("a,->a");
  ASSERT_TRUE(static_cast<bool>(spec));
  ASSERT_EQ(spec->inputs.size(), 2u);
  EXPECT_EQ(spec->inputs[1], "");
  auto scalar = EinsumSpec::parse("->b");
  ASSERT_TRUE(static_cast<bool>(scalar));
  ASSERT_EQ(scalar->inputs.size(), 1u);
  EXPECT_EQ(scalar->inputs[0], "");
  EXPECT_EQ(scalar->broadcastLabels(), "b");
}

TEST(EinsumSpecTest, CaseMatters) {
  auto spec = EinsumSpec::parse("aA,Ab->ab");
  ASSERT_TRUE(static_cast<bool>(spec));
  EXPECT_EQ(spec->reducedLabels(), "A");
}

TEST(EinsumSpecTest, Errors) {
  EXPECT_EQ(parseError("ab"), "implicit einsum (spec 'ab' has no '->') is not "
                              "supported; write the output subscript explicitly");
  EXPECT_EQ(parseError("a->b->c"), "more than one '->' in the spec 'a->b->c'");
  EXPECT_EQ(parseError("a1->a"), "invalid character '1' in a subscript of the "
                                 "spec 'a1->a' (labels are ASCII letters)");
  EXPECT_EQ(parseError("a_->a"), "invalid character '_' in a subscript of the "
                                 "spec 'a_->a' (labels are ASCII letters)");
  EXPECT_EQ(parseError("...a->a"),
            "ellipsis '...' is not supported in the spec '...a->a'");
  EXPECT_EQ(parseError("ab->aa"), "label 'a' repeats in the output 'aa'");
}

TEST(EinsumSpecTest, Permutations) {
  auto perm = EinsumSpec::parse("abc->cab")->getPermutation();
  ASSERT_TRUE(perm.has_value());
  EXPECT_EQ(*perm, (llvm::SmallVector<int64_t>{2, 0, 1}));
  EXPECT_FALSE(EinsumSpec::parse("aa->a")->getPermutation());   // diagonal
  EXPECT_FALSE(EinsumSpec::parse("ab->a")->getPermutation());   // reduction
  EXPECT_FALSE(EinsumSpec::parse("a->ab")->getPermutation());   // broadcast
  EXPECT_FALSE(EinsumSpec::parse("a,b->ab")->getPermutation()); // two operands
}
