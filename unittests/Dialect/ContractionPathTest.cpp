//===- ContractionPathTest.cpp - cheapest pairwise einsum order -----------===//

#include "tl/Dialect/TL/Transforms/ContractionPath.h"

#include "gtest/gtest.h"

using namespace mlir::tl;

namespace {

// The textbook matrix-chain instance: A 10x30, B 30x5, C 5x60. (AB)C costs
// 10*30*5 + 10*5*60 = 4500 multiply-adds, A(BC) 30*5*60 + 10*30*60 = 27000.
TEST(ContractionPath, MatrixChainPicksTheCheapestSplit) {
  std::map<char, int64_t> sizes = {{'a', 10}, {'b', 30}, {'c', 5}, {'d', 60}};
  ContractionPath p = findContractionPath({"ab", "bc", "cd"}, "ad", sizes);
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0], std::make_pair(0, 1));
  EXPECT_EQ(p.results[0], "ac");
  EXPECT_EQ(p.results[1], "ad");
  EXPECT_DOUBLE_EQ(p.cost, 4500);
  EXPECT_TRUE(p.optimal);
  EXPECT_DOUBLE_EQ(naiveContractionCost({"ab", "bc", "cd"}, "ad", sizes),
                   10.0 * 30 * 5 * 60);
}

// Four matrices where neither left-to-right nor right-to-left is best:
// 40x20, 20x30, 30x10, 10x30 -> (A(BC))D = 6000 + 8000 + 12000 = 26000.
TEST(ContractionPath, FourMatricesMatchesTheChainRecurrence) {
  std::map<char, int64_t> sizes = {
      {'a', 40}, {'b', 20}, {'c', 30}, {'d', 10}, {'e', 30}};
  ContractionPath p =
      findContractionPath({"ab", "bc", "cd", "de"}, "ae", sizes);
  EXPECT_DOUBLE_EQ(p.cost, 26000);
  ASSERT_EQ(p.steps.size(), 3u);
  EXPECT_EQ(p.steps[0], std::make_pair(1, 2)); // B*C
  EXPECT_EQ(p.results.back(), "ae");
}

// Outer products are never formed when a contraction is available, and
// a label only one operand has is summed in that operand's first step.
TEST(ContractionPath, SumsPrivateLabelsEarly) {
  std::map<char, int64_t> sizes = {{'a', 50}, {'b', 50}, {'c', 50}, {'z', 7}};
  ContractionPath p = findContractionPath({"az", "ab", "bc"}, "c", sizes);
  ASSERT_EQ(p.results.size(), 2u);
  for (const std::string &r : p.results)
    EXPECT_EQ(r.find('z'), std::string::npos) << r;
}

// The greedy search gives a valid path (every operand used once, the last
// result is the output) and is never cheaper than the exhaustive one.
TEST(ContractionPath, GreedyIsValidAndNotBetterThanOptimal) {
  std::vector<std::string> in = {"ab", "bc", "cd", "de", "ef", "fa"};
  std::map<char, int64_t> sizes = {{'a', 3},  {'b', 40}, {'c', 2},
                                   {'d', 50}, {'e', 4},  {'f', 30}};
  ContractionPath best = findContractionPath(in, "", sizes, 8);
  ContractionPath greedy = findContractionPath(in, "", sizes, 2);
  EXPECT_TRUE(best.optimal);
  EXPECT_FALSE(greedy.optimal);
  ASSERT_EQ(greedy.steps.size(), in.size() - 1);
  EXPECT_EQ(greedy.results.back(), "");
  EXPECT_LE(best.cost, greedy.cost);
  int live = int(in.size());
  for (auto [i, j] : greedy.steps) {
    EXPECT_LT(i, j);
    EXPECT_LT(j, live);
    --live;
  }
}

} // namespace
