//===- EvaluatorTest.cpp - the reference evaluator on small programs ------===//
//
// Each expected value is computed by hand from the contract (G6-G10), not
// by any code under test.
//
//===----------------------------------------------------------------------===//

#include "tl/Reference/Evaluator.h"

#include "tl/InitTL.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using mlir::tl::reference::Tensor;

namespace {
class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    DialectRegistry registry;
    tl::registerTLDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// Parses `ir` (one func.func) and evaluates it.
  std::vector<Tensor> run(llvm::StringRef ir, std::vector<Tensor> args) {
    module = parseSourceString<ModuleOp>(ir, &context);
    EXPECT_TRUE(module) << "parse failed";
    if (!module)
      return {};
    auto func = *module->getBody()->getOps<func::FuncOp>().begin();
    auto out = tl::reference::evaluate(func, args);
    EXPECT_TRUE(static_cast<bool>(out))
        << (out ? "" : llvm::toString(out.takeError()));
    return out ? *out : std::vector<Tensor>();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};
} // namespace

TEST_F(EvaluatorTest, MatrixProduct) {
  auto out = run(R"mlir(
    func.func @f(%a: tensor<2x3xf64>, %b: tensor<3x2xf64>) -> tensor<2x2xf64> {
      %0 = tl.einsum "ab,bc->ac" %a, %b : (tensor<2x3xf64>, tensor<3x2xf64>) -> tensor<2x2xf64>
      return %0 : tensor<2x2xf64>
    })mlir",
                 {{{2, 3}, {1, 2, 3, 4, 5, 6}}, {{3, 2}, {7, 8, 9, 10, 11, 12}}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{2, 2}));
  // [1 2 3; 4 5 6] * [7 8; 9 10; 11 12]
  EXPECT_EQ(out[0].data, (std::vector<double>{58, 64, 139, 154}));
}

TEST_F(EvaluatorTest, DiagonalsTraceAndBroadcastLabels) {
  auto out = run(R"mlir(
    func.func @f(%m: tensor<2x2xf64>, %s: tensor<f64>) -> (tensor<2xf64>, tensor<f64>, tensor<2x3xf64>, tensor<3xf64>) {
      %0 = tl.einsum "ii->i" %m : (tensor<2x2xf64>) -> tensor<2xf64>
      %1 = tl.einsum "ii->" %m : (tensor<2x2xf64>) -> tensor<f64>
      %2 = tl.einsum "a->ab" %0 : (tensor<2xf64>) -> tensor<2x3xf64>
      %3 = tl.einsum "->b" %s : (tensor<f64>) -> tensor<3xf64>
      return %0, %1, %2, %3 : tensor<2xf64>, tensor<f64>, tensor<2x3xf64>, tensor<3xf64>
    })mlir",
                 {{{2, 2}, {1, 2, 3, 4}}, {{}, {7}}});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].data, (std::vector<double>{1, 4}));
  EXPECT_EQ(out[1].data, (std::vector<double>{5}));
  EXPECT_EQ(out[2].data, (std::vector<double>{1, 1, 1, 4, 4, 4}));
  EXPECT_EQ(out[3].data, (std::vector<double>{7, 7, 7}));
}

TEST_F(EvaluatorTest, ReductionsOverUnsortedAxesAndEmptyExtents) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2x3xf64>, %e: tensor<0x2xf64>) -> (tensor<2xf64>, tensor<3xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>) {
      %0 = tl.reduce prod %x axes = [1] : tensor<2x3xf64> -> tensor<2xf64>
      %1 = tl.reduce mean %x axes = [0] : tensor<2x3xf64> -> tensor<3xf64>
      %2 = tl.reduce sum %e axes = [0] : tensor<0x2xf64> -> tensor<2xf64>
      %3 = tl.reduce prod %e axes = [0] : tensor<0x2xf64> -> tensor<2xf64>
      %4 = tl.reduce max %e axes = [0] : tensor<0x2xf64> -> tensor<2xf64>
      %5 = tl.reduce min %e axes = [0] : tensor<0x2xf64> -> tensor<2xf64>
      %6 = tl.reduce mean %e axes = [0] : tensor<0x2xf64> -> tensor<2xf64>
      return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf64>, tensor<3xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>
    })mlir",
                 {{{2, 3}, {1, 2, 3, 4, 5, 6}}, {{0, 2}, {}}});
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].data, (std::vector<double>{6, 120}));
  EXPECT_EQ(out[1].data, (std::vector<double>{2.5, 3.5, 4.5}));
  EXPECT_EQ(out[2].data, (std::vector<double>{0, 0}));
  EXPECT_EQ(out[3].data, (std::vector<double>{1, 1}));
  EXPECT_EQ(out[4].data, (std::vector<double>{-INFINITY, -INFINITY}));
  EXPECT_EQ(out[5].data, (std::vector<double>{INFINITY, INFINITY}));
  EXPECT_TRUE(std::isnan(out[6].data[0]) && std::isnan(out[6].data[1]));
}

TEST_F(EvaluatorTest, MaxSkipsNaNButIdentityKeepsIt) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2x2xf64>) -> (tensor<2xf64>, tensor<2x2xf64>) {
      %0 = tl.einsum "ab->a" reduce max %x : (tensor<2x2xf64>) -> tensor<2xf64>
      %1 = tl.einsum "ab->ab" reduce max %x : (tensor<2x2xf64>) -> tensor<2x2xf64>
      return %0, %1 : tensor<2xf64>, tensor<2x2xf64>
    })mlir",
                 {{{2, 2}, {NAN, 3, NAN, NAN}}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data[0], 3);          // fmax skips the NaN
  EXPECT_EQ(out[0].data[1], -INFINITY);  // an all-NaN slice folds to -inf
  EXPECT_TRUE(std::isnan(out[1].data[0])); // nothing reduced: no fold
}

TEST_F(EvaluatorTest, ElementwiseRulesOfG9) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<4xf64>, %y: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) {
      %0 = tl.unary round %x : tensor<4xf64>
      %1 = tl.unary relu %y : tensor<4xf64>
      %2 = tl.binary modulo %x, %y : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
      %3 = tl.binary min %x, %y : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
      %4 = tl.unary step %x : tensor<4xf64>
      return %0, %1, %2, %3, %4 : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>
    })mlir",
                 {{{4}, {2.5, -2.5, -7, 0}}, {{4}, {NAN, -1, 3, 2}}});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].data, (std::vector<double>{3, -3, -7, 0})); // half away from 0
  EXPECT_EQ(out[1].data, (std::vector<double>{0, 0, 3, 2}));   // relu(NaN) = 0
  EXPECT_TRUE(std::isnan(out[2].data[0]));
  EXPECT_EQ(out[2].data[1], -0.5);  // fmod(-2.5, -1)
  EXPECT_EQ(out[2].data[2], -1);    // fmod(-7, 3): sign of the dividend
  EXPECT_EQ(out[3].data, (std::vector<double>{2.5, -2.5, -7, 0})); // NaN yields
  EXPECT_EQ(out[4].data, (std::vector<double>{1, 0, 0, 0}));
}

TEST_F(EvaluatorTest, NumPyBroadcasting) {
  auto out = run(R"mlir(
    func.func @f(%a: tensor<3x1xf64>, %b: tensor<2xf64>) -> tensor<3x2xf64> {
      %0 = tl.binary subtract %a, %b : tensor<3x1xf64>, tensor<2xf64> -> tensor<3x2xf64>
      return %0 : tensor<3x2xf64>
    })mlir",
                 {{{3, 1}, {10, 20, 30}}, {{2}, {1, 2}}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, (std::vector<double>{9, 8, 19, 18, 29, 28}));
}

TEST_F(EvaluatorTest, GeneralizedCombineAlignsByLabel) {
  // or_prob_sum(a,b->ba): out[b][a] = u[a] + v[b] - u[a] v[b].
  auto out = run(R"mlir(
    func.func @f(%u: tensor<2xf64>, %v: tensor<3xf64>) -> tensor<3x2xf64> {
      %0 = tl.einsum "a,b->ba" combine or_prob_sum %u, %v : (tensor<2xf64>, tensor<3xf64>) -> tensor<3x2xf64>
      return %0 : tensor<3x2xf64>
    })mlir",
                 {{{2}, {0.5, 0}}, {{3}, {0, 0.5, 1}}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, (std::vector<double>{0.5, 0, 0.75, 0.5, 1, 1}));
}

TEST_F(EvaluatorTest, Float32RoundsEachOperation) {
  // In f32, (1e4 + 0.001) - 1e4 is 0.0009765625: the sum rounds to f32.
  auto out = run(R"mlir(
    func.func @f(%x: tensor<1xf32>) -> tensor<1xf32> {
      %c = tl.constant dense<1.000000e-03> : tensor<f32>
      %0 = tl.binary add %x, %c : tensor<1xf32>, tensor<f32> -> tensor<1xf32>
      %1 = tl.binary subtract %0, %x : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
      return %1 : tensor<1xf32>
    })mlir",
                 {{{1}, {1e4}}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data[0], 0.0009765625);
}

TEST_F(EvaluatorTest, DynamicShapesAreRefused) {
  module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
      return %x : tensor<?xf64>
    })mlir",
                                       &context);
  ASSERT_TRUE(module);
  auto func = *module->getBody()->getOps<func::FuncOp>().begin();
  auto out = tl::reference::evaluate(func, {{{2}, {1, 2}}});
  ASSERT_FALSE(static_cast<bool>(out));
  EXPECT_EQ(llvm::toString(out.takeError()),
            "reference evaluator: argument 0 has no static shape; run "
            "tl-specialize-shapes first");
}

// Transitive closure as a fixpoint (Ancestor = step(Parent + Ancestor .
// Parent)) on random graphs, against Warshall's algorithm on booleans.
TEST_F(EvaluatorTest, FixpointComputesTransitiveClosure) {
  const int n = 12;
  std::string type = "tensor<12x12xf64>";
  std::string ir = R"mlir(
    func.func @f(%p: tensor<12x12xf64>) -> tensor<12x12xf64> {
      %anc = tl.fixpoint (%a = %p) : tensor<12x12xf64> {
        %j = tl.einsum "xy,yz->xz" %a, %p : (tensor<12x12xf64>, tensor<12x12xf64>) -> tensor<12x12xf64>
        %s = tl.binary add %p, %j : tensor<12x12xf64>, tensor<12x12xf64> -> tensor<12x12xf64>
        %n = tl.unary step %s : tensor<12x12xf64>
        tl.yield %n : tensor<12x12xf64>
      }
      return %anc : tensor<12x12xf64>
    })mlir";
  uint64_t seed = 12345;
  auto random = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return double(seed >> 11) / double(1ull << 53);
  };
  for (double density : {0.0, 0.08, 0.15, 0.3, 1.0}) {
    std::vector<double> parent(n * n);
    for (double &x : parent)
      x = random() < density ? 1.0 : 0.0;
    std::vector<bool> reach(n * n);
    for (int i = 0; i < n * n; ++i)
      reach[i] = parent[i] != 0;
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          if (reach[i * n + k] && reach[k * n + j])
            reach[i * n + j] = true;
    auto out = run(ir, {{{n, n}, parent}});
    ASSERT_EQ(out.size(), 1u);
    for (int i = 0; i < n * n; ++i)
      ASSERT_EQ(out[0].data[i], reach[i] ? 1.0 : 0.0)
          << "density " << density << ", element " << i;
  }
}

// A real-valued fixpoint stops within its tolerance: x = x / 2 + 1 tends to
// 2, and from 0 the k-th iterate is 2 - 2^(1-k).
TEST_F(EvaluatorTest, FixpointStopsWithinTolerance) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<f64>) -> tensor<f64> {
      %half = tl.constant dense<5.000000e-01> : tensor<f64>
      %one = tl.constant dense<1.000000e+00> : tensor<f64>
      %r = tl.fixpoint (%v = %x) : tensor<f64> attributes {tolerance = 1.0e-3 : f64} {
        %h = tl.binary multiply %v, %half : tensor<f64>, tensor<f64> -> tensor<f64>
        %n = tl.binary add %h, %one : tensor<f64>, tensor<f64> -> tensor<f64>
        tl.yield %n : tensor<f64>
      }
      return %r : tensor<f64>
    })mlir",
                 {{{}, {0.0}}});
  ASSERT_EQ(out.size(), 1u);
  // Iterate k changes the value by 2^(1-k): the first change <= 1e-3 is
  // 2^-10, at k = 11, whose result is 2 - 2^-10.
  EXPECT_EQ(out[0].data[0], 2.0 - std::ldexp(1.0, -10));
}

TEST_F(EvaluatorTest, FixpointThatDoesNotConvergeFails) {
  module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%x: tensor<2xf64>) -> tensor<2xf64> {
      %two = tl.constant dense<2.000000e+00> : tensor<f64>
      %r = tl.fixpoint (%v = %x) : tensor<2xf64> attributes {max_iterations = 5 : i64} {
        %n = tl.binary multiply %v, %two : tensor<2xf64>, tensor<f64> -> tensor<2xf64>
        tl.yield %n : tensor<2xf64>
      }
      return %r : tensor<2xf64>
    })mlir",
                                       &context);
  ASSERT_TRUE(module);
  auto func = *module->getBody()->getOps<func::FuncOp>().begin();
  auto out = tl::reference::evaluate(func, {{{2}, {1, 3}}});
  ASSERT_FALSE(static_cast<bool>(out));
  // After 5 doublings 3 * 2^4 = 48 became 96: a change of 48.
  EXPECT_EQ(llvm::toString(out.takeError()),
            "reference evaluator: 'tl.fixpoint' op at -:4:12: "
            "no fixpoint after 5 iteration(s) (max_iterations): the last one "
            "still changed an element by 48 (tolerance 0)");
}
