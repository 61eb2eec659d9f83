//===- SecondDerivativeTest.cpp - adjoints of adjoints (G12) ---------------===//
//
// tl-differentiate applied to @main_grad gives @main_grad_grad, whose
// gradient with respect to x, seeded with v as the cotangent of the first
// gradient, is the Hessian-vector product H v. It is compared with central
// finite differences of the first gradient along v:
//   H v ~ (g(x + h v) - g(x - h v)) / 2h.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Dialect/TL/Transforms/Passes.h"
#include "tl/InitTL.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace tl;

namespace {

/// The module with @main_grad and @main_grad_grad added (wrt x only).
std::string differentiateTwice(const std::string &text) {
  mlir::DialectRegistry registry;
  mlir::tl::registerTLCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module)
    return "";
  mlir::PassManager pm(&context);
  mlir::tl::TLDifferentiatePassOptions first, second;
  std::vector<std::string> wrt = {"x"}; // the options hold an ArrayRef
  first.wrt = wrt;
  second.funcName = "main_grad";
  second.wrt = wrt;
  pm.addPass(mlir::tl::createTLDifferentiatePass(first));
  pm.addPass(mlir::tl::createTLDifferentiatePass(second));
  if (mlir::failed(pm.run(*module)))
    return "";
  std::string out;
  llvm::raw_string_ostream os(out);
  module->print(os);
  return out;
}

Buffer vector(const std::vector<int64_t> &shape,
              const std::vector<double> &values) {
  Buffer b = Buffer::allocate(DType::f64, shape);
  std::copy(values.begin(), values.end(), b.data<double>());
  return b;
}

/// Checks H v for the scalar function @main(x[, y]) at x along v.
void expectHessianVectorProduct(const std::string &text,
                                const std::vector<int64_t> &xShape,
                                const std::vector<double> &x0,
                                const std::vector<double> &v,
                                const std::vector<int64_t> &yShape = {},
                                const std::vector<double> &y0 = {}) {
  std::string twice = differentiateTwice(text);
  ASSERT_FALSE(twice.empty()) << text;
  bool hasY = !y0.empty();
  CompileOptions options;
  options.inputShapes = {{"x", xShape}, {"loss.cotangent", {}}};
  if (hasY)
    options.inputShapes["y"] = yShape;
  options.function = "main_grad";
  auto grad = Executable::compile(twice, GraphFormat::kMLIR, options);
  ASSERT_TRUE(grad.ok()) << grad.status().message();
  options.inputShapes["x.cotangent"] = xShape;
  options.function = "main_grad_grad";
  auto hess = Executable::compile(twice, GraphFormat::kMLIR, options);
  ASSERT_TRUE(hess.ok()) << hess.status().message() << "\n" << twice;

  Buffer one = vector({}, {1.0});
  Buffer y = vector(yShape, y0);
  Buffer vb = vector(xShape, v);
  auto gradientAt = [&](const std::vector<double> &x) {
    Buffer xb = vector(xShape, x);
    std::map<std::string, const Buffer *> in = {{"x", &xb},
                                                {"loss.cotangent", &one}};
    if (hasY)
      in["y"] = &y;
    auto out = (*grad)->run(in);
    EXPECT_TRUE(out.ok()) << out.status().message();
    std::vector<double> g;
    for (int64_t i = 0; i < (*out)[0].numElements(); ++i)
      g.push_back((*out)[0].at(i));
    return g;
  };
  Buffer xb = vector(xShape, x0);
  std::map<std::string, const Buffer *> in = {
      {"x", &xb}, {"loss.cotangent", &one}, {"x.cotangent", &vb}};
  if (hasY)
    in["y"] = &y;
  auto hv = (*hess)->run(in);
  ASSERT_TRUE(hv.ok()) << hv.status().message();
  const Buffer *hvx = hv->find("x");
  ASSERT_NE(hvx, nullptr);

  const double h = 1e-5;
  std::vector<double> plus = x0, minus = x0;
  for (size_t i = 0; i < x0.size(); ++i) {
    plus[i] += h * v[i];
    minus[i] -= h * v[i];
  }
  std::vector<double> gp = gradientAt(plus), gm = gradientAt(minus);
  ASSERT_EQ(gp.size(), x0.size());
  double scale = 0;
  for (size_t i = 0; i < x0.size(); ++i)
    scale = std::max(scale, std::fabs((gp[i] - gm[i]) / (2 * h)));
  ASSERT_GT(scale, 1e-3) << "a vanishing Hessian would test nothing";
  for (size_t i = 0; i < x0.size(); ++i) {
    double numeric = (gp[i] - gm[i]) / (2 * h);
    EXPECT_NEAR(hvx->at(i), numeric, 1e-6 * scale + 1e-6) << i;
  }
}

TEST(SecondDerivativeTest, SigmoidOfMatmul) {
  // sum(sigmoid(x @ y)): x 2x3 (differentiated), y 3x2.
  const char *text = R"mlir(
func.func @main(%x: tensor<2x3xf64> {tl.name = "x"}, %y: tensor<3x2xf64> {tl.name = "y"}) -> (tensor<f64> {tl.name = "loss"}) {
  %0 = tl.einsum "ab,bc->ac" %x, %y : (tensor<2x3xf64>, tensor<3x2xf64>) -> tensor<2x2xf64>
  %1 = tl.unary sigmoid %0 : tensor<2x2xf64>
  %r = tl.einsum "ab->" %1 : (tensor<2x2xf64>) -> tensor<f64>
  return %r : tensor<f64>
}
)mlir";
  expectHessianVectorProduct(text, {2, 3}, {0.3, -0.8, 1.1, 0.5, 0.2, -0.4},
                             {1, -0.5, 0.25, 0.7, -1.2, 0.9}, {3, 2},
                             {0.9, -1.3, 0.4, 1.6, -0.7, 0.8});
}

TEST(SecondDerivativeTest, LogSumExpWithBroadcast) {
  // log(sum_j exp(x_j)) + sum(x^3 / (1 + x^2)): exp, log, power, divide
  // and a scalar broadcast.
  const char *text = R"mlir(
func.func @main(%x: tensor<4xf64> {tl.name = "x"}) -> (tensor<f64> {tl.name = "loss"}) {
  %e = tl.unary exp %x : tensor<4xf64>
  %s = tl.reduce sum %e axes = [0] : tensor<4xf64> -> tensor<f64>
  %l = tl.unary log %s : tensor<f64>
  %three = tl.constant dense<3.0> : tensor<f64>
  %one = tl.constant dense<1.0> : tensor<f64>
  %c = tl.binary power %x, %three : tensor<4xf64>, tensor<f64> -> tensor<4xf64>
  %sq = tl.binary multiply %x, %x : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
  %d = tl.binary add %sq, %one : tensor<4xf64>, tensor<f64> -> tensor<4xf64>
  %q = tl.binary divide %c, %d : tensor<4xf64>, tensor<4xf64> -> tensor<4xf64>
  %t = tl.reduce sum %q axes = [0] : tensor<4xf64> -> tensor<f64>
  %r = tl.binary add %l, %t : tensor<f64>, tensor<f64> -> tensor<f64>
  return %r : tensor<f64>
}
)mlir";
  expectHessianVectorProduct(text, {4}, {0.4, 1.3, -0.6, 0.9},
                             {0.5, -1, 0.3, 0.8});
}

TEST(SecondDerivativeTest, ProductReductionAndFuzzyOr) {
  // sum_a prod_b or_prob_sum(x[a,b], tanh(x[b,a])): a generalized einsum
  // (G8) and a product reduction, both differentiated twice.
  const char *text = R"mlir(
func.func @main(%x: tensor<3x3xf64> {tl.name = "x"}) -> (tensor<f64> {tl.name = "loss"}) {
  %t = tl.unary tanh %x : tensor<3x3xf64>
  %o = tl.einsum "ab,ba->ab" combine or_prob_sum %x, %t : (tensor<3x3xf64>, tensor<3x3xf64>) -> tensor<3x3xf64>
  %p = tl.reduce prod %o axes = [1] : tensor<3x3xf64> -> tensor<3xf64>
  %r = tl.einsum "a->" %p : (tensor<3xf64>) -> tensor<f64>
  return %r : tensor<f64>
}
)mlir";
  expectHessianVectorProduct(
      text, {3, 3}, {0.2, 0.5, 0.7, 0.4, 0.9, 0.3, 0.6, 0.1, 0.8},
      {1, -0.5, 0.2, 0.3, 0.7, -0.9, -0.4, 0.6, 0.5});
}

} // namespace
