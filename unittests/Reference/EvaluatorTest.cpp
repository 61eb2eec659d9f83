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
