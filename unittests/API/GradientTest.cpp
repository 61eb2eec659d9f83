//===- GradientTest.cpp - every op's gradient rule (G12) -------------------===//
//
// Each rule is checked against central finite differences of the compiled
// forward function (tl::gradcheck, f64, random cotangents) at points away
// from kinks, with broadcast operands; conventions at kinks and ties are
// checked against values worked out by hand from G12.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Training.h"
#include "tl/Dialect/TL/IR/GradientRegistry.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace tl;

namespace {

struct Input {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<double> values;
};

std::string tensorType(const std::vector<int64_t> &shape) {
  std::string t = "tensor<";
  for (int64_t d : shape)
    t += std::to_string(d) + "x";
  return t + "f64>";
}

/// func @main over `inputs` whose body is `body` (using %<name>) and
/// returns %r of `resultShape`.
std::string module(const std::vector<Input> &inputs, const std::string &body,
                   const std::vector<int64_t> &resultShape) {
  std::string s = "func.func @main(";
  for (size_t i = 0; i < inputs.size(); ++i)
    s += (i ? ", %" : "%") + inputs[i].name + ": " +
         tensorType(inputs[i].shape) + " {tl.name = \"" + inputs[i].name +
         "\"}";
  s += ") -> (" + tensorType(resultShape) + " {tl.name = \"out\"}) {\n" +
       body + "\n  return %r : " + tensorType(resultShape) + "\n}\n";
  return s;
}

struct Bound {
  std::vector<Buffer> buffers;
  std::map<std::string, const Buffer *> map;
};

Bound bind(const std::vector<Input> &inputs) {
  Bound b;
  b.buffers.reserve(inputs.size());
  for (const Input &in : inputs) {
    Buffer buf = Buffer::allocate(DType::f64, in.shape);
    std::copy(in.values.begin(), in.values.end(), buf.data<double>());
    b.buffers.push_back(std::move(buf));
    b.map[in.name] = &b.buffers.back();
  }
  return b;
}

void expectGradcheck(const std::string &text, const std::vector<Input> &in,
                     std::vector<std::string> wrt = {}) {
  Bound b = bind(in);
  GradCheckOptions check;
  check.wrt = std::move(wrt);
  auto report =
      gradcheck(text, GraphFormat::kMLIR, CompileOptions(), b.map, check);
  ASSERT_TRUE(report.ok()) << report.status().message() << "\n" << text;
  EXPECT_TRUE(report->ok) << report->str() << "\n" << text;
  EXPECT_GT(report->checked, 0);
}

/// The gradients with a ones cotangent, by input name.
std::map<std::string, std::vector<double>>
gradients(const std::string &text, const std::vector<Input> &in) {
  Bound b = bind(in);
  CompileOptions options;
  for (const Input &i : in)
    options.inputShapes[i.name] = i.shape;
  auto exe = Executable::compileGradient(text, GraphFormat::kMLIR, options,
                                         GradientOptions());
  EXPECT_TRUE(exe.ok()) << exe.status().message();
  if (!exe.ok())
    return {};
  auto g = (*exe)->runGradient(b.map);
  EXPECT_TRUE(g.ok()) << g.status().message();
  std::map<std::string, std::vector<double>> out;
  if (!g.ok())
    return out;
  for (size_t i = 0; i < g->gradients.size(); ++i)
    for (int64_t j = 0; j < g->gradients[i].numElements(); ++j)
      out[g->gradients.name(i)].push_back(g->gradients[i].at(j));
  return out;
}

const char *kUnaryKinds[] = {"relu", "sigmoid", "one_minus", "negate",
                             "exp",  "log",     "sqrt",      "abs",
                             "sin",  "cos",     "tan",       "tanh",
                             "floor", "ceil",   "round",     "step"};

TEST(GradientTest, EveryUnaryRuleMatchesFiniteDifferences) {
  for (const char *kind : kUnaryKinds) {
    SCOPED_TRACE(kind);
    std::string k = kind;
    // Away from kinks and poles: positive where log/sqrt need it, and no
    // point near a jump of floor/ceil/round/step or the kink of relu/abs.
    std::vector<double> x = {-1.3, -0.4, 0.3, 0.9, 1.2};
    if (k == "log" || k == "sqrt")
      x = {0.2, 0.7, 1.1, 2.6, 5.3};
    Input in{"x", {5}, x};
    expectGradcheck(module({in},
                           "  %r = tl.unary " + k + " %x : tensor<5xf64>",
                           {5}),
                    {in});
  }
}

TEST(GradientTest, ReluAndAbsHaveZeroGradientAtZero) {
  Input in{"x", {3}, {-2.0, 0.0, 3.0}};
  auto relu = gradients(
      module({in}, "  %r = tl.unary relu %x : tensor<3xf64>", {3}), {in});
  EXPECT_EQ(relu["x"], (std::vector<double>{0, 0, 1}));
  auto abs = gradients(
      module({in}, "  %r = tl.unary abs %x : tensor<3xf64>", {3}), {in});
  EXPECT_EQ(abs["x"], (std::vector<double>{-1, 0, 1}));
  auto round = gradients(
      module({in}, "  %r = tl.unary round %x : tensor<3xf64>", {3}), {in});
  EXPECT_EQ(round["x"], (std::vector<double>{0, 0, 0}));
}

const char *kBinaryKinds[] = {"add",  "subtract", "multiply",    "divide",
                              "min",  "max",      "or_max",      "eq",
                              "lt",   "gt",       "lte",         "gte",
                              "or_prob_sum", "nand", "nor",      "xor",
                              "power", "modulo"};

TEST(GradientTest, EveryBinaryRuleMatchesFiniteDifferencesWithBroadcast) {
  // a is 3x1 and b is 4: both broadcast to 3x4 (G9), so each gradient is
  // summed back over the dimension its operand was stretched along.
  Input a{"a", {3, 1}, {0.35, 1.15, 2.05}};
  Input b{"b", {4}, {0.6, 1.45, 0.85, 2.4}};
  for (const char *kind : kBinaryKinds) {
    SCOPED_TRACE(kind);
    // G12 sets d modulo / d divisor to 0 where the true derivative is
    // -trunc(a / b) (checked in ModuloIsOneWrtDividendAndZeroWrtDivisor).
    std::vector<std::string> wrt;
    if (std::string(kind) == "modulo")
      wrt = {"a"};
    expectGradcheck(module({a, b},
                           std::string("  %r = tl.binary ") + kind +
                               " %a, %b : tensor<3x1xf64>, tensor<4xf64> -> "
                               "tensor<3x4xf64>",
                           {3, 4}),
                    {a, b}, wrt);
  }
}

TEST(GradientTest, BroadcastGradientIsSummedBack) {
  // out = a * b with a: 2x1, b: 3; d sum(out)/da[i] = sum_j b[j] = 6.
  Input a{"a", {2, 1}, {5, 7}};
  Input b{"b", {3}, {1, 2, 3}};
  auto g = gradients(module({a, b},
                            "  %r = tl.binary multiply %a, %b : "
                            "tensor<2x1xf64>, tensor<3xf64> -> tensor<2x3xf64>",
                            {2, 3}),
                     {a, b});
  EXPECT_EQ(g["a"], (std::vector<double>{6, 6}));
  EXPECT_EQ(g["b"], (std::vector<double>{12, 12, 12}));
}

TEST(GradientTest, MinMaxTiesSplitEvenlyAndNaNLoses) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Input a{"a", {4}, {2, 1, nan, nan}};
  Input b{"b", {4}, {2, 3, 4, nan}};
  for (const char *kind : {"max", "min", "or_max"}) {
    SCOPED_TRACE(kind);
    auto g = gradients(module({a, b},
                              std::string("  %r = tl.binary ") + kind +
                                  " %a, %b : tensor<4xf64>, tensor<4xf64> "
                                  "-> tensor<4xf64>",
                              {4}),
                       {a, b});
    bool isMin = std::string(kind) == "min";
    // A tie splits 1/2 each; 1 vs 3 goes to the selected one; a NaN
    // operand gives everything to the number; NaN vs NaN: to b (fmax
    // returns b's NaN).
    EXPECT_EQ(g["a"], (std::vector<double>{0.5, isMin ? 1.0 : 0.0, 0, 0}));
    EXPECT_EQ(g["b"], (std::vector<double>{0.5, isMin ? 0.0 : 1.0, 1, 1}));
  }
}

TEST(GradientTest, ModuloIsOneWrtDividendAndZeroWrtDivisor) {
  Input a{"a", {3}, {5.5, -7.25, 3.0}};
  Input b{"b", {3}, {2.0, 3.0, 0.5}};
  auto g = gradients(module({a, b},
                            "  %r = tl.binary modulo %a, %b : tensor<3xf64>, "
                            "tensor<3xf64> -> tensor<3xf64>",
                            {3}),
                     {a, b});
  EXPECT_EQ(g["a"], (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(g["b"], (std::vector<double>{0, 0, 0}));
}

TEST(GradientTest, EveryReductionMatchesFiniteDifferences) {
  // Distinct values, none zero: smooth for max/min/prod.
  Input x{"x", {3, 4, 2}, {}};
  for (int i = 0; i < 24; ++i)
    x.values.push_back(0.4 + 0.37 * ((i * 7) % 24) / 24.0 + 0.01 * i);
  for (const char *kind : {"sum", "mean", "max", "min", "prod"}) {
    for (const char *axes : {"[1]", "[2, 0]", "[0, 1, 2]"}) {
      SCOPED_TRACE(std::string(kind) + " " + axes);
      std::string a = axes;
      std::vector<int64_t> shape = a == "[1]"      ? std::vector<int64_t>{3, 2}
                                   : a == "[2, 0]" ? std::vector<int64_t>{4}
                                                   : std::vector<int64_t>{};
      expectGradcheck(module({x},
                             std::string("  %r = tl.reduce ") + kind +
                                 " %x axes = " + a +
                                 " : tensor<3x4x2xf64> -> " +
                                 tensorType(shape),
                             shape),
                      {x});
    }
  }
}

TEST(GradientTest, MaxMinReductionTiesSplitEvenly) {
  // Row 0: a three-way tie for the max (1/3 each); row 1: one max, and a
  // NaN that the fmax fold skips (G10) gets nothing.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Input x{"x", {2, 4}, {5, 1, 5, 5, nan, 2, 9, -1}};
  auto g = gradients(module({x},
                            "  %r = tl.reduce max %x axes = [1] : "
                            "tensor<2x4xf64> -> tensor<2xf64>",
                            {2}),
                     {x});
  std::vector<double> want = {1.0 / 3, 0, 1.0 / 3, 1.0 / 3, 0, 0, 1, 0};
  ASSERT_EQ(g["x"].size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_DOUBLE_EQ(g["x"][i], want[i]) << i;
  Input y{"x", {4}, {-3, 4, -3, 0}};
  auto m = gradients(module({y},
                            "  %r = tl.reduce min %x axes = [0] : "
                            "tensor<4xf64> -> tensor<f64>",
                            {}),
                     {y});
  EXPECT_EQ(m["x"], (std::vector<double>{0.5, 0, 0.5, 0}));
}

TEST(GradientTest, ProdReductionWithZeros) {
  // d prod / dx_i is the product of the others: with one zero only the
  // zero element has a non-zero gradient; with two zeros all are 0.
  Input x{"x", {3, 3}, {2, 3, 4, 2, 0, 5, 0, 7, 0}};
  auto g = gradients(module({x},
                            "  %r = tl.reduce prod %x axes = [1] : "
                            "tensor<3x3xf64> -> tensor<3xf64>",
                            {3}),
                     {x});
  EXPECT_EQ(g["x"], (std::vector<double>{12, 8, 6, 0, 10, 0, 0, 0, 0}));
}

struct EinsumCase {
  const char *spec;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<int64_t> result;
  const char *kinds; // "" or "combine max reduce min" etc.
};

TEST(GradientTest, EinsumRulesMatchFiniteDifferences) {
  const EinsumCase cases[] = {
      {"ab,bc->ac", {{3, 4}, {4, 2}}, {3, 2}, ""},
      {"ab,bc,cd->ad", {{2, 3}, {3, 4}, {4, 2}}, {2, 2}, ""},
      {"aa->a", {{4, 4}}, {4}, ""},              // diagonal
      {"aab,b->ab", {{3, 3, 2}, {2}}, {3, 2}, ""}, // diagonal and join
      {"aaa->", {{3, 3, 3}}, {}, ""},            // a triple diagonal
      {"ab,c->ac", {{3, 2}, {4}}, {3, 4}, ""},   // b summed out of one operand
      {"a->ab", {{3}}, {3, 4}, ""},              // G7 broadcast label
      {"ab->ba", {{3, 4}}, {4, 3}, ""},          // transpose
      {"ab->a", {{3, 5}}, {3}, "reduce max"},
      {"ab->b", {{3, 5}}, {5}, "reduce prod"},
      {"abc->ca", {{2, 3, 4}}, {4, 2}, "reduce mean"},
      {"a,b->ab", {{3}, {4}}, {3, 4}, "combine or_prob_sum"},
      {"ab,b->a", {{3, 4}, {4}}, {3}, "combine max reduce sum"},
      {"ab,bc->ac", {{3, 4}, {4, 2}}, {3, 2}, "combine add reduce min"},
      {"aa,a->a", {{3, 3}, {3}}, {3}, "combine subtract"},
  };
  int seed = 0;
  for (const EinsumCase &c : cases) {
    SCOPED_TRACE(std::string(c.spec) + " " + c.kinds);
    std::vector<Input> inputs;
    std::string operands, types;
    for (size_t i = 0; i < c.shapes.size(); ++i) {
      Input in{"x" + std::to_string(i), c.shapes[i], {}};
      int64_t n = 1;
      for (int64_t d : c.shapes[i])
        n *= d;
      // Distinct positive values so that no max/min ties.
      for (int64_t j = 0; j < n; ++j)
        in.values.push_back(0.3 + 0.9 * (((j + 3 * seed) * 37) % 101) / 101.0 +
                            0.001 * j);
      ++seed;
      operands += (i ? ", %" : "%") + in.name;
      types += (i ? ", " : "") + tensorType(in.shape);
      inputs.push_back(in);
    }
    std::string kinds = c.kinds;
    expectGradcheck(module(inputs,
                           std::string("  %r = tl.einsum \"") + c.spec + "\" " +
                               kinds + (kinds.empty() ? "" : " ") + operands +
                               " : (" + types + ") -> " + tensorType(c.result),
                           c.result),
                    inputs);
  }
}

TEST(GradientTest, SameArrayInTwoOperandsGetsBothContributions) {
  // out = sum_ab x[a,b] x[b,a]: d/dx[a,b] = 2 x[b,a].
  Input x{"x", {2, 2}, {1, 2, 3, 4}};
  auto g = gradients(module({x},
                            "  %r = tl.einsum \"ab,ba->\" %x, %x : "
                            "(tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<f64>",
                            {}),
                     {x});
  EXPECT_EQ(g["x"], (std::vector<double>{2, 6, 4, 8}));
}

TEST(GradientTest, GradcheckCatchesAWrongRule) {
  // A deliberately wrong override (d sin = 1) must make gradcheck fail,
  // and removing it must make it pass again: the check has teeth.
  Input in{"x", {4}, {0.1, 0.7, 1.3, 2.2}};
  std::string text =
      module({in}, "  %r = tl.unary sin %x : tensor<4xf64>", {4});
  mlir::tl::registerGradientOverride(
      "tl.unary:sin",
      [](mlir::OpBuilder &, mlir::Operation *, mlir::Value ct,
         llvm::SmallVectorImpl<mlir::Value> &grads) {
        grads.push_back(ct);
        return mlir::success();
      });
  Bound b = bind({in});
  auto wrong = gradcheck(text, GraphFormat::kMLIR, CompileOptions(), b.map);
  ASSERT_TRUE(wrong.ok()) << wrong.status().message();
  EXPECT_FALSE(wrong->ok);
  EXPECT_EQ(wrong->mismatches.size(), 4u);
  auto g = gradients(text, {in});
  EXPECT_EQ(g["x"], (std::vector<double>{1, 1, 1, 1}));
  EXPECT_TRUE(mlir::tl::removeGradientOverride("tl.unary:sin"));
  auto right = gradcheck(text, GraphFormat::kMLIR, CompileOptions(), b.map);
  ASSERT_TRUE(right.ok());
  EXPECT_TRUE(right->ok) << right->str();
}

TEST(GradientTest, StraightThroughOverrideForStep) {
  Input in{"x", {3}, {-1, 0.5, 2}};
  std::string text =
      module({in}, "  %r = tl.unary step %x : tensor<3xf64>", {3});
  EXPECT_EQ(gradients(text, {in})["x"], (std::vector<double>{0, 0, 0}));
  mlir::tl::registerGradientOverride(
      "tl.unary:step", [](mlir::OpBuilder &, mlir::Operation *,
                          mlir::Value ct,
                          llvm::SmallVectorImpl<mlir::Value> &grads) {
        grads.push_back(ct);
        return mlir::success();
      });
  EXPECT_EQ(gradients(text, {in})["x"], (std::vector<double>{1, 1, 1}));
  mlir::tl::removeGradientOverride("tl.unary:step");
}

TEST(GradientTest, SparseRelationGradientsMatchFiniteDifferences) {
  // Issue 19: gradients with respect to dense arrays (an embedding and
  // weights) through a relation given sparse, whose adjoint reads it as
  // CSR, against central differences of the forward function (which reads
  // it sparse too), at densities from empty to full; and equal to the
  // adjoint that reads the relation dense.
  const char *program = "a[x,d] = r[x,y] e[y,d]\n"
                        "s[x] = sigmoid(a[x,d] e[x,d] w[d])\n";
  const int64_t n = 30, k = 3;
  uint64_t state = 19;
  auto uniform = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double(state >> 11) / double(1ull << 53);
  };
  for (double density : {0.0, 0.05, 0.3, 1.0}) {
    SCOPED_TRACE("density " + std::to_string(density));
    Buffer r = Buffer::allocate(DType::f64, {n, n});
    for (int64_t i = 0; i < n * n; ++i)
      r.data<double>()[i] = uniform() < density ? 0.5 + uniform() : 0.0;
    Buffer e = Buffer::allocate(DType::f64, {n, k});
    for (int64_t i = 0; i < n * k; ++i)
      e.data<double>()[i] = uniform() - 0.5;
    Buffer w = Buffer::allocate(DType::f64, {k});
    for (int64_t i = 0; i < k; ++i)
      w.data<double>()[i] = uniform() - 0.5;
    SparseBuffer csr = SparseBuffer::fromDense(r, runtime::SparseFormat::csr);
    std::map<std::string, const Buffer *> dense = {{"e", &e}, {"w", &w}};

    CompileOptions options;
    options.sparseThreshold = 1;
    auto report = gradcheck(program, GraphFormat::kTensorEquations, options,
                            dense, {{"r", &csr}});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok) << report->str();
    EXPECT_GT(report->checked, k);

    options.inputShapes = {{"r", {n, n}}, {"e", {n, k}}, {"w", {k}}};
    GradientOptions wrt;
    wrt.wrt = {"e", "w"};
    auto dense_adjoint = Executable::compileGradient(
        program, GraphFormat::kTensorEquations, options, wrt);
    options.inputDensities = {{"r", csr.density()}};
    auto sparse_adjoint = Executable::compileGradient(
        program, GraphFormat::kTensorEquations, options, wrt);
    ASSERT_TRUE(dense_adjoint.ok()) << dense_adjoint.status();
    ASSERT_TRUE(sparse_adjoint.ok()) << sparse_adjoint.status();
    // A sparse route that failed would compile dense with a warning.
    EXPECT_TRUE((*sparse_adjoint)->warnings().empty())
        << (*sparse_adjoint)->warnings().front();
    std::map<std::string, const Buffer *> all = dense;
    all["r"] = &r;
    auto want = (*dense_adjoint)->runGradient(all);
    auto got = (*sparse_adjoint)->runGradient(dense, {{"r", &csr}}, {});
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->gradients.size(), 2u);
    for (size_t g = 0; g < 2; ++g) {
      EXPECT_EQ(got->gradients.name(g), want->gradients.name(g));
      for (int64_t i = 0; i < want->gradients[g].numElements(); ++i)
        EXPECT_NEAR(got->gradients[g].at(i), want->gradients[g].at(i), 1e-12)
            << got->gradients.name(g) << "[" << i << "]";
    }
    // The relation is held fixed: checking its own gradient is refused.
    GradCheckOptions ofR;
    ofR.wrt = {"r"};
    auto refused = gradcheck(program, GraphFormat::kTensorEquations, options,
                             dense, {{"r", &csr}}, ofR);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(GradientTest, RunGradientRejectsBadCotangents) {
  Input in{"x", {3}, {1, 2, 3}};
  std::string text =
      module({in}, "  %r = tl.unary exp %x : tensor<3xf64>", {3});
  CompileOptions options;
  options.inputShapes = {{"x", {3}}};
  auto exe = Executable::compileGradient(text, GraphFormat::kMLIR, options,
                                         GradientOptions());
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  ASSERT_EQ((*exe)->cotangents().size(), 1u);
  EXPECT_EQ((*exe)->cotangents()[0].name, "out");
  ASSERT_EQ((*exe)->gradients().size(), 1u);
  EXPECT_EQ((*exe)->gradients()[0].name, "x");
  Bound b = bind({in});
  Buffer wrongShape = Buffer::allocate(DType::f64, {2});
  auto bad = (*exe)->runGradient(b.map, {{"out", &wrongShape}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("G12: the cotangent of 'out'"),
            std::string::npos)
      << bad.status().message();
  auto unknown = (*exe)->runGradient(b.map, {{"nope", &wrongShape}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("not an output"),
            std::string::npos);
  EXPECT_FALSE((*exe)->run(b.map).ok());
  // The forward outputs come from the same call.
  auto g = (*exe)->runGradient(b.map);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->outputs.size(), 1u);
  EXPECT_DOUBLE_EQ(g->outputs[0].at(2), std::exp(3.0));
  EXPECT_DOUBLE_EQ(g->gradients[0].at(2), std::exp(3.0));
}

TEST(GradientTest, UnknownWrtNameIsAnError) {
  Input in{"x", {3}, {1, 2, 3}};
  CompileOptions options;
  options.inputShapes = {{"x", {3}}};
  GradientOptions g;
  g.wrt = {"y"};
  auto exe = Executable::compileGradient(
      module({in}, "  %r = tl.unary exp %x : tensor<3xf64>", {3}),
      GraphFormat::kMLIR, options, g);
  ASSERT_FALSE(exe.ok());
  EXPECT_NE(exe.status().message().find(
                "G12: cannot differentiate with respect to 'y'"),
            std::string::npos)
      << exe.status().message();
}

//===----------------------------------------------------------------------===//
// Training utilities
//===----------------------------------------------------------------------===//

Outputs named(std::vector<std::pair<std::string, std::vector<double>>> v) {
  Outputs out;
  for (auto &[name, values] : v) {
    Buffer b = Buffer::allocate(DType::f64, {int64_t(values.size())});
    std::copy(values.begin(), values.end(), b.data<double>());
    out.entries.emplace_back(name, std::move(b));
  }
  return out;
}

std::vector<double> values(const Buffer &b) {
  std::vector<double> v;
  for (int64_t i = 0; i < b.numElements(); ++i)
    v.push_back(b.at(i));
  return v;
}

TEST(TrainingTest, AccumulatesSumAndMean) {
  GradientAccumulator acc;
  EXPECT_FALSE(acc.sum().ok());
  ASSERT_TRUE(acc.add(named({{"w", {1, 2}}, {"b", {3}}})).ok());
  ASSERT_TRUE(acc.add(named({{"w", {3, 6}}, {"b", {-1}}})).ok());
  // A mismatched micro-batch is refused and adds nothing.
  EXPECT_FALSE(acc.add(named({{"w", {1, 2, 3}}, {"b", {3}}})).ok());
  EXPECT_FALSE(acc.add(named({{"w", {1, 2}}})).ok());
  EXPECT_EQ(acc.count(), 2);
  auto sum = acc.sum();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(values(*sum->find("w")), (std::vector<double>{4, 8}));
  EXPECT_EQ(values(*sum->find("b")), (std::vector<double>{2}));
  auto mean = acc.mean();
  EXPECT_EQ(values(*mean->find("w")), (std::vector<double>{2, 4}));
  acc.reset();
  EXPECT_EQ(acc.count(), 0);
}

TEST(TrainingTest, ClipsByValueAndGlobalNorm) {
  Outputs g = named({{"w", {-5, 0.5, 7}}});
  ASSERT_TRUE(clipByValue(g, -1, 2).ok());
  EXPECT_EQ(values(g[0]), (std::vector<double>{-1, 0.5, 2}));
  EXPECT_FALSE(clipByValue(g, 1, -1).ok());

  // Global norm over two arrays: sqrt(3^2 + 4^2 + 12^2) = 13.
  Outputs h = named({{"a", {3, 4}}, {"b", {12}}});
  auto norm = clipByGlobalNorm(h, 6.5);
  ASSERT_TRUE(norm.ok());
  EXPECT_DOUBLE_EQ(*norm, 13);
  EXPECT_EQ(values(h[0]), (std::vector<double>{1.5, 2}));
  EXPECT_EQ(values(h[1]), (std::vector<double>{6}));
  // Below the limit: untouched.
  auto again = clipByGlobalNorm(h, 100);
  EXPECT_DOUBLE_EQ(*again, 6.5);
  EXPECT_EQ(values(h[1]), (std::vector<double>{6}));
  // Huge values do not overflow the norm.
  Outputs big = named({{"a", {3e300, 4e300}}});
  EXPECT_DOUBLE_EQ(*clipByGlobalNorm(big, 1), 5e300);
  Outputs inf = named({{"a", {INFINITY, 1}}});
  EXPECT_FALSE(clipByGlobalNorm(inf, 1).ok());
  EXPECT_EQ(values(inf[0])[1], 1);
}

TEST(TrainingTest, LossScalingStaticAndDynamic) {
  LossScaler fixed(LossScaler::fixed(8));
  Outputs g = named({{"w", {16, -4}}});
  EXPECT_TRUE(fixed.unscale(g));
  EXPECT_EQ(values(g[0]), (std::vector<double>{2, -0.5}));
  EXPECT_EQ(fixed.scale(), 8);

  LossScaler::Options o = LossScaler::dynamic();
  o.initialScale = 1024;
  o.growthInterval = 2;
  LossScaler dyn(o);
  Outputs overflow = named({{"w", {INFINITY, 1}}});
  EXPECT_FALSE(dyn.unscale(overflow));
  EXPECT_EQ(dyn.scale(), 512); // backed off
  EXPECT_EQ(dyn.overflows(), 1);
  Outputs ok1 = named({{"w", {512}}});
  EXPECT_TRUE(dyn.unscale(ok1));
  EXPECT_EQ(values(ok1[0]), (std::vector<double>{1}));
  EXPECT_EQ(dyn.scale(), 512);
  Outputs ok2 = named({{"w", {512}}});
  EXPECT_TRUE(dyn.unscale(ok2));
  EXPECT_EQ(dyn.scale(), 1024); // grown after two good steps
}

} // namespace
