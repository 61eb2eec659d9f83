//===- ExecutableTest.cpp - the library API --------------------------------===//
//
// Expected values are worked out by hand from the rules, not taken from
// the code under test.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <variant>

using namespace tl;

namespace {

// grandparent(a, c) :- parent(a, b), parent(b, c); and an EXISTS over c.
const char *kGrandparent = R"json({
  "tensors": ["parent[ab]", "parent[bc]", "grandparent[ac]", "has[a]"],
  "nodes": [
    {"op": {"Einsum": {"spec": "ab,bc->ac"}}, "inputs": [0, 1], "outputs": [2]},
    {"op": {"Einsum": {"spec": "max(ac->a)"}}, "inputs": [2], "outputs": [3]}
  ],
  "inputs": [0, 1], "outputs": [2, 3]
})json";

// parent: 0->1, 1->2, 1->3, 4->0 (so grandparent: 0->2, 0->3, 4->1).
std::vector<double> parentMatrix() {
  std::vector<double> p(25, 0.0);
  p[0 * 5 + 1] = p[1 * 5 + 2] = p[1 * 5 + 3] = p[4 * 5 + 0] = 1;
  return p;
}

CompileOptions options5x5(DType dtype = DType::f64) {
  CompileOptions o;
  o.dtype = dtype;
  o.inputShapes = {{"parent", {5, 5}}};
  return o;
}

void expectGrandparent(const Outputs &out) {
  ASSERT_EQ(out.size(), 2u);
  const Buffer *gp = out.find("grandparent[ac]");
  const Buffer *has = out.find("has[a]");
  ASSERT_NE(gp, nullptr);
  ASSERT_NE(has, nullptr);
  EXPECT_EQ(gp->shape(), (std::vector<int64_t>{5, 5}));
  for (int a = 0; a < 5; ++a)
    for (int c = 0; c < 5; ++c) {
      bool want = (a == 0 && (c == 2 || c == 3)) || (a == 4 && c == 1);
      EXPECT_EQ(gp->at(a * 5 + c), want ? 1.0 : 0.0) << a << "," << c;
    }
  const double hasWant[5] = {1, 0, 0, 0, 1};
  for (int a = 0; a < 5; ++a)
    EXPECT_EQ(has->at(a), hasWant[a]) << a;
}

} // namespace

TEST(ExecutableTest, CompilesJSONAndRunsByName) {
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto,
                                 options5x5());
  ASSERT_TRUE(exe.ok()) << exe.status();
  ASSERT_EQ((*exe)->inputs().size(), 1u);
  EXPECT_EQ((*exe)->inputs()[0].name, "parent");
  EXPECT_EQ((*exe)->outputs()[0].name, "grandparent[ac]");
  EXPECT_GT((*exe)->compileSeconds(), 0.0);
  std::vector<double> p = parentMatrix();
  Buffer in = Buffer::borrow(p.data(), DType::f64, {5, 5});
  auto out = (*exe)->run({{"parent", &in}});
  ASSERT_TRUE(out.ok()) << out.status();
  expectGrandparent(*out);
}

// The parent relation as CSR (rows 0, 1, 4 hold its four facts) and as
// COO, built by hand: both give the grandparents; a malformed one and a
// name given twice are refused with their reason.
TEST(ExecutableTest, RunsWithSparseInputs) {
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto,
                                 options5x5());
  ASSERT_TRUE(exe.ok()) << exe.status();
  SparseBuffer csr;
  csr.format = runtime::SparseFormat::csr;
  csr.shape = {5, 5};
  csr.positions = {0, 1, 3, 3, 3, 4};
  csr.coordinates = {1, 2, 3, 0};
  csr.values = Buffer::allocate(DType::f32, {4});
  for (int k = 0; k < 4; ++k)
    csr.values.data<float>()[k] = 1;
  auto out = (*exe)->run({}, {{"parent", &csr}});
  ASSERT_TRUE(out.ok()) << out.status();
  expectGrandparent(*out);

  SparseBuffer coo = csr.convert(runtime::SparseFormat::coo);
  EXPECT_EQ(coo.coordinates, (std::vector<int64_t>{0, 1, 1, 2, 1, 3, 4, 0}));
  out = (*exe)->run({}, {{"parent", &coo}});
  ASSERT_TRUE(out.ok()) << out.status();
  expectGrandparent(*out);

  csr.coordinates[1] = 7;
  out = (*exe)->run({}, {{"parent", &csr}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "run: sparse input 'parent': 'coordinates' entry 1 (row 1) is 7, "
            "outside the 5 columns");
  std::vector<double> p = parentMatrix();
  Buffer dense = Buffer::borrow(p.data(), DType::f64, {5, 5});
  out = (*exe)->run({{"parent", &dense}}, {{"parent", &coo}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "run: sparse input 'parent' is also given as a dense array; give "
            "it once");

  // Arrays the graph does not read (a whole archive of relations passed
  // to one rule) are neither validated nor expanded: this one's dense
  // form would be 7 TiB.
  SparseBuffer unused;
  unused.format = runtime::SparseFormat::csr;
  unused.shape = {1000000, 1000000};
  unused.positions.assign(1000001, 0);
  unused.values = Buffer::allocate(DType::f64, {0});
  out = (*exe)->run({}, {{"parent", &coo}, {"unread", &unused}});
  ASSERT_TRUE(out.ok()) << out.status();
  expectGrandparent(*out);
}

// Compiled for parent's measured density (4 facts in 25: 0.16, under the
// threshold) the code reads parent as CSR: the sparse inputs are passed
// without a dense copy, a dense parent is compressed for the call, and the
// outputs are the same. runInto's preallocated outputs are refused with
// the reason: this code allocates its results.
TEST(ExecutableTest, SparseRouteRunsSparseAndDenseInputs) {
  CompileOptions o = options5x5();
  o.inputDensities = {{"parent", 0.16}};
  o.sparseThreshold = 0.2;
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::vector<double> p = parentMatrix();
  Buffer dense = Buffer::borrow(p.data(), DType::f64, {5, 5});
  SparseBuffer csr = SparseBuffer::fromDense(dense, runtime::SparseFormat::csr);
  SparseBuffer coo = SparseBuffer::fromDense(dense, runtime::SparseFormat::coo);
  for (const SparseBuffer *sparse : {&csr, &coo}) {
    auto out = (*exe)->run({}, {{"parent", sparse}});
    ASSERT_TRUE(out.ok()) << out.status();
    expectGrandparent(*out);
  }
  auto out = (*exe)->run({{"parent", &dense}});
  ASSERT_TRUE(out.ok()) << out.status();
  expectGrandparent(*out);

  // runSparse keeps a Boolean join's result sparse (a valid CSR tensor)
  // holding exactly the grandparent pairs. (The graph above reduces its
  // join with max, which the sparse route does not fold yet: it is dense.)
  o.sparseThreshold = 1;
  auto join = Executable::compile("g[a,c] = step(parent[a,b] parent[b,c])\n",
                                  GraphFormat::kTensorEquations, o);
  ASSERT_TRUE(join.ok()) << join.status();
  auto kept = (*join)->runSparse({}, {{"parent", &csr}});
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_EQ(kept->size(), 1u);
  const auto *g = std::get_if<SparseBuffer>(&(*kept)[0].second);
  ASSERT_NE(g, nullptr) << (*kept)[0].first << " is dense";
  EXPECT_EQ(g->format, runtime::SparseFormat::csr);
  EXPECT_TRUE(g->validate("g").ok());
  SparseBuffer pairs = g->withoutZeros();
  ASSERT_EQ(pairs.nnz(), 3);
  const std::vector<int64_t> want[3] = {{0, 2}, {0, 3}, {4, 1}};
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(pairs.coordinate(k), want[k]) << k;
    EXPECT_EQ(pairs.values.at(k), 1.0) << k;
  }

  Outputs into = (*exe)->allocateOutputs();
  absl::Status st = (*exe)->runInto({{"parent", &dense}}, into);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("returns its results"), std::string::npos) << st;
}

TEST(ExecutableTest, F32ConvertsF64InputsAndStridedViews) {
  auto exe = Executable::compile(kGrandparent, GraphFormat::kTensorLogicJSON,
                                 options5x5(DType::f32));
  ASSERT_TRUE(exe.ok()) << exe.status();
  // The transpose of the transpose: a column-major view of p^T.
  std::vector<double> p = parentMatrix(), pt(25);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      pt[j * 5 + i] = p[i * 5 + j];
  Buffer in = Buffer::borrow(pt.data(), DType::f64, {5, 5}, {1, 5});
  auto out = (*exe)->run({{"parent", &in}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].dtype(), DType::f32);
  expectGrandparent(*out);
}

TEST(ExecutableTest, RunsFromManyThreadsAtOnce) {
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto,
                                 options5x5());
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::shared_ptr<const Executable> shared = *exe;
  std::vector<double> p = parentMatrix();
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Buffer in = Buffer::borrow(p.data(), DType::f64, {5, 5});
      for (int i = 0; i < 200; ++i) {
        auto out = shared->run({{"parent", &in}});
        if (!out.ok() || out->find("grandparent[ac]")->at(2) != 1.0 ||
            out->find("grandparent[ac]")->at(21) != 1.0 ||
            out->find("has[a]")->at(1) != 0.0)
          ++failures[t];
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(ExecutableTest, CompilesFromManyThreadsAtOnce) {
  std::vector<std::shared_ptr<const Executable>> exes(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      auto exe = Executable::compile(
          kGrandparent, GraphFormat::kAuto,
          options5x5(t % 2 ? DType::f32 : DType::f64));
      if (exe.ok())
        exes[t] = *exe;
    });
  for (std::thread &t : threads)
    t.join();
  std::vector<double> p = parentMatrix();
  Buffer in = Buffer::borrow(p.data(), DType::f64, {5, 5});
  for (int t = 0; t < 3; ++t) {
    ASSERT_NE(exes[t], nullptr) << "thread " << t;
    auto out = exes[t]->run({{"parent", &in}});
    ASSERT_TRUE(out.ok()) << out.status();
    expectGrandparent(*out);
  }
}

TEST(ExecutableTest, CompilesMLIR) {
  const char *mlir = R"(
    func.func @main(%x: tensor<3xf64> {tl.name = "x"}) -> (tensor<f64> {tl.name = "s"}) {
      %e = tl.unary exp %x : tensor<3xf64>
      %s = tl.reduce sum %e axes = [0] : tensor<3xf64> -> tensor<f64>
      return %s : tensor<f64>
    })";
  CompileOptions o;
  o.inputShapes = {{"x", {3}}};
  auto exe = Executable::compile(mlir, GraphFormat::kAuto, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  double x[3] = {0, 1, -1};
  Buffer in = Buffer::borrow(x, DType::f64, {3});
  auto out = (*exe)->run({{"x", &in}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NEAR((*out)[0].at(0), 1 + std::exp(1.0) + std::exp(-1.0), 1e-15);
}

TEST(ExecutableTest, ErrorsCarryMessages) {
  // An input the graph needs is missing from the shapes.
  auto unbound = Executable::compile(kGrandparent, GraphFormat::kAuto,
                                     CompileOptions());
  ASSERT_FALSE(unbound.ok());
  EXPECT_NE(unbound.status().message().find("G3: unbound tensor 'parent[ab]'"),
            std::string_view::npos)
      << unbound.status();

  // Malformed JSON names the problem.
  auto bad = Executable::compile("{\"nodes\": [", GraphFormat::kAuto,
                                 options5x5());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("G1"), std::string_view::npos)
      << bad.status();

  // A file that does not exist.
  auto missing = Executable::compileFile("/nonexistent/g.json", options5x5());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);

  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto,
                                 options5x5());
  ASSERT_TRUE(exe.ok()) << exe.status();
  // Run without the input, and with the wrong shape.
  auto none = (*exe)->run({});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no input named 'parent'"),
            std::string_view::npos)
      << none.status();
  std::vector<double> small(9, 0.0);
  Buffer wrong = Buffer::borrow(small.data(), DType::f64, {3, 3});
  auto shape = (*exe)->run({{"parent", &wrong}});
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("has shape 3x3 but the graph was "
                                          "compiled for 5x5"),
            std::string_view::npos)
      << shape.status();
}

namespace {

// Batched and plain joins (the plain one with a sigmoid epilogue and a
// row sum), big enough (>= 128^3/2 multiply-adds) for tl-select-kernels to
// send the matmuls to oneDNN; without oneDNN they are generated code run
// on the thread pool. Both paths must agree with a plain double loop.

TEST(ExecutableTest, OneDNNAndGeneratedMatmulsAgree) {
  const int64_t B = 3, M = 128, K = 96, N = 160;
  std::vector<float> a(B * M * K), b(B * K * N);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = float((i * 37 % 101) / 101.0 - 0.5);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = float((i * 53 % 89) / 89.0 - 0.5);
  Buffer ab = Buffer::borrow(a.data(), DType::f32, {B, M, K});
  Buffer bb = Buffer::borrow(b.data(), DType::f32, {B, K, N});
  // References: the batched product, and the rule on batch 0's slices.
  std::string text = R"(
func.func @main(%a: tensor<3x128x96xf32> {tl.name = "A"}, %b: tensor<3x96x160xf32> {tl.name = "B"}, %p: tensor<128x96xf32> {tl.name = "P"}, %q: tensor<96x160xf32> {tl.name = "Q"}) -> (tensor<3x128x160xf32> {tl.name = "bmm"}, tensor<128xf32> {tl.name = "rows"}) {
  %0 = tl.einsum "bij,bjk->bik" %a, %b : (tensor<3x128x96xf32>, tensor<3x96x160xf32>) -> tensor<3x128x160xf32>
  %1 = tl.einsum "ij,jk->ik" %p, %q : (tensor<128x96xf32>, tensor<96x160xf32>) -> tensor<128x160xf32>
  %2 = tl.unary sigmoid %1 : tensor<128x160xf32>
  %3 = tl.reduce sum %2 axes = [1] : tensor<128x160xf32> -> tensor<128xf32>
  return %0, %3 : tensor<3x128x160xf32>, tensor<128xf32>
}
)";
  Buffer pb = Buffer::borrow(a.data(), DType::f32, {M, K});
  Buffer qb = Buffer::borrow(b.data(), DType::f32, {K, N});
  std::vector<double> bmm(B * M * N, 0.0), rows(M, 0.0);
  for (int64_t x = 0; x < B; ++x)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t k = 0; k < N; ++k) {
        double s = 0;
        for (int64_t j = 0; j < K; ++j)
          s += double(a[(x * M + i) * K + j]) * b[(x * K + j) * N + k];
        bmm[(x * M + i) * N + k] = s;
        if (x == 0)
          rows[i] += 1.0 / (1.0 + std::exp(-s));
      }

  for (bool onednn : {true, false}) {
    CompileOptions options;
    options.dtype = DType::f32;
    options.onednn = onednn;
    options.inputShapes = {
        {"A", {B, M, K}}, {"B", {B, K, N}}, {"P", {M, K}}, {"Q", {K, N}}};
    auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
    ASSERT_TRUE(exe.ok()) << exe.status();
    Outputs out = (*exe)->allocateOutputs();
    absl::Status s = (*exe)->runInto(
        {{"A", &ab}, {"B", &bb}, {"P", &pb}, {"Q", &qb}}, out);
    ASSERT_TRUE(s.ok()) << s;
    const Buffer *got = out.find("bmm");
    ASSERT_NE(got, nullptr);
    for (int64_t i = 0; i < B * M * N; ++i)
      ASSERT_NEAR(got->at(i), bmm[i], 1e-4) << "onednn=" << onednn << " i=" << i;
    const Buffer *r = out.find("rows");
    ASSERT_NE(r, nullptr);
    for (int64_t i = 0; i < M; ++i)
      ASSERT_NEAR(r->at(i), rows[i], 1e-3) << "onednn=" << onednn << " i=" << i;
  }
}

// The same for f64: OpenBLAS's dgemm (loaded at run time) and generated
// code, a plain join, a batched one and a gradient-shaped one (A B^T, the
// transpose read in place), against a long-double loop.

TEST(ExecutableTest, BlasAndGeneratedF64MatmulsAgree) {
  const int64_t B = 3, M = 96, K = 80, N = 112;
  std::vector<double> a(B * M * K), b(B * K * N);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = (i * 37 % 101) / 101.0 - 0.5;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = (i * 53 % 89) / 89.0 - 0.5;
  std::string text = R"(
func.func @main(%a: tensor<3x96x80xf64> {tl.name = "A"}, %b: tensor<3x80x112xf64> {tl.name = "B"}, %p: tensor<96x80xf64> {tl.name = "P"}, %q: tensor<80x112xf64> {tl.name = "Q"}, %r: tensor<112x80xf64> {tl.name = "R"}) -> (tensor<3x96x112xf64> {tl.name = "bmm"}, tensor<96x112xf64> {tl.name = "mm"}, tensor<96x112xf64> {tl.name = "mmt"}) {
  %0 = tl.einsum "bij,bjk->bik" %a, %b : (tensor<3x96x80xf64>, tensor<3x80x112xf64>) -> tensor<3x96x112xf64>
  %1 = tl.einsum "ij,jk->ik" %p, %q : (tensor<96x80xf64>, tensor<80x112xf64>) -> tensor<96x112xf64>
  %2 = tl.einsum "ij,kj->ik" %p, %r : (tensor<96x80xf64>, tensor<112x80xf64>) -> tensor<96x112xf64>
  return %0, %1, %2 : tensor<3x96x112xf64>, tensor<96x112xf64>, tensor<96x112xf64>
}
)";
  // P is batch 0 of A, Q batch 0 of B, R batch 1 of B read as 112x80.
  Buffer ab = Buffer::borrow(a.data(), DType::f64, {B, M, K});
  Buffer bb = Buffer::borrow(b.data(), DType::f64, {B, K, N});
  Buffer pb = Buffer::borrow(a.data(), DType::f64, {M, K});
  Buffer qb = Buffer::borrow(b.data(), DType::f64, {K, N});
  Buffer rb = Buffer::borrow(b.data() + K * N, DType::f64, {N, K});
  auto dot = [&](const double *x, int64_t xs, const double *y, int64_t ys) {
    long double s = 0;
    for (int64_t j = 0; j < K; ++j)
      s += (long double)x[j * xs] * y[j * ys];
    return double(s);
  };
  for (bool blas : {true, false}) {
    CompileOptions options;
    options.blas = blas;
    options.inputShapes = {{"A", {B, M, K}}, {"B", {B, K, N}},
                           {"P", {M, K}},    {"Q", {K, N}},
                           {"R", {N, K}}};
    auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
    ASSERT_TRUE(exe.ok()) << exe.status();
    EXPECT_EQ((*exe)->objectCode().find("tl_rt_dgemm") != std::string::npos,
              blas);
    Outputs out = (*exe)->allocateOutputs();
    absl::Status s = (*exe)->runInto(
        {{"A", &ab}, {"B", &bb}, {"P", &pb}, {"Q", &qb}, {"R", &rb}}, out);
    ASSERT_TRUE(s.ok()) << s;
    const Buffer *bmm = out.find("bmm"), *mm = out.find("mm"),
                 *mmt = out.find("mmt");
    ASSERT_TRUE(bmm && mm && mmt);
    for (int64_t x = 0; x < B; ++x)
      for (int64_t i = 0; i < M; ++i)
        for (int64_t k = 0; k < N; ++k) {
          double want = dot(&a[(x * M + i) * K], 1, &b[x * K * N + k], N);
          ASSERT_NEAR(bmm->at((x * M + i) * N + k), want, 1e-12)
              << "blas=" << blas << " batch " << x << " " << i << "," << k;
          if (x != 0)
            continue;
          ASSERT_NEAR(mm->at(i * N + k), want, 1e-12)
              << "blas=" << blas << " " << i << "," << k;
          double t = dot(&a[i * K], 1, &b[K * N + k * K], 1);
          ASSERT_NEAR(mmt->at(i * N + k), t, 1e-12)
              << "blas=" << blas << " " << i << "," << k;
        }
  }
}

// The exp approximations (tl-approximate-math) against libm's exp over the
// whole range where the result is a normal float, and libm's results
// exactly at the edges, NaN of either sign (0/0 gives a negative one)
// included. Below the normal range the polynomial gives 0 or a denormal
// where libm gives a denormal (at most the smallest normal off).

template <typename T> int64_t ulpDistance(T a, T b) {
  using Int = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  auto ordered = [](T f) {
    Int i;
    std::memcpy(&i, &f, sizeof i);
    // Negative floats count down from the most negative integer.
    return i < 0 ? std::numeric_limits<Int>::min() - i : i;
  };
  return std::abs(int64_t(ordered(a)) - int64_t(ordered(b)));
}

template <typename T>
void checkExpAgainstLibm(T lo, T hi, std::vector<T> edges, int64_t maxUlp) {
  const int64_t n = 1 << 20;
  std::vector<T> x(n);
  for (int64_t i = 0; i < n; ++i)
    x[i] = lo + (hi - lo) * T(i) / T(n - 1);
  for (T nan : {std::numeric_limits<T>::quiet_NaN(),
                -std::numeric_limits<T>::quiet_NaN()})
    edges.push_back(nan);
  std::copy(edges.begin(), edges.end(), x.begin());
  const DType dtype = sizeof(T) == 4 ? DType::f32 : DType::f64;
  const char *type = sizeof(T) == 4 ? "f32" : "f64";
  Buffer xb = Buffer::borrow(x.data(), dtype, {n});
  const std::string tensor = std::string("tensor<1048576x") + type + ">";
  std::string text = "func.func @main(%x: " + tensor +
                     " {tl.name = \"x\"}) -> (" + tensor +
                     " {tl.name = \"y\"}) {\n  %0 = tl.unary exp %x : " +
                     tensor + "\n  return %0 : " + tensor + "\n}\n";
  CompileOptions options;
  options.dtype = dtype;
  options.inputShapes = {{"x", {n}}};
  auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
  ASSERT_TRUE(exe.ok()) << exe.status();
  auto out = (*exe)->run({{"x", &xb}});
  ASSERT_TRUE(out.ok()) << out.status();
  const T *y = (*out)[0].data<T>();
  const T smallestNormal = std::numeric_limits<T>::min();
  for (int64_t i = 0; i < n; ++i) {
    T want = std::exp(x[i]);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(y[i])) << "exp(" << x[i] << ")";
    } else if (std::isinf(want) || want == 0) {
      EXPECT_EQ(y[i], want) << "exp(" << x[i] << ")";
    } else if (want < smallestNormal) {
      EXPECT_LE(std::fabs(y[i] - want), smallestNormal)
          << "exp(" << x[i] << ")";
    } else {
      ASSERT_LE(ulpDistance(y[i], want), maxUlp)
          << "exp(" << x[i] << "): " << y[i] << " vs libm " << want;
    }
  }
}

TEST(ExecutableTest, ApproximateF32ExpIsWithinFewUlpOfLibm) {
  checkExpAgainstLibm<float>(-87.3f, 88.72f,
                             {0.0f, -0.0f, 1e-30f, -1e-30f, 88.73f, 89.0f,
                              1e30f, -88.0f, -103.0f, -104.0f, -1e30f,
                              INFINITY, -INFINITY},
                             5);
}

TEST(ExecutableTest, ApproximateF64ExpIsWithinTwoUlpOfLibm) {
  checkExpAgainstLibm<double>(-708.39, 709.78,
                              {0.0, -0.0, 1e-300, -1e-300, 709.79, 710.0,
                               1e300, -709.0, -745.2, -746.0, -1e300,
                               INFINITY, -INFINITY},
                              2);
}

// Results are computed in the caller's buffers (tl-write-results-in-place),
// so an output that shares memory with an input is refused, not silently
// corrupted; distinct buffers get the right values.
TEST(ExecutableTest, RunIntoRefusesOutputsOverlappingInputs) {
  std::string text = R"(
func.func @main(%x: tensor<8xf64> {tl.name = "x"}) -> (tensor<8xf64> {tl.name = "y"}) {
  %0 = tl.unary negate %x : tensor<8xf64>
  return %0 : tensor<8xf64>
}
)";
  CompileOptions options;
  options.inputShapes = {{"x", {8}}};
  auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::vector<double> data(16);
  for (int i = 0; i < 16; ++i)
    data[i] = i;
  Buffer x = Buffer::borrow(data.data(), DType::f64, {8});
  Outputs out = (*exe)->allocateOutputs();
  // Shifted by 4 elements: half of y lies on x.
  out[0] = Buffer::borrow(data.data() + 4, DType::f64, {8});
  absl::Status s = (*exe)->runInto({{"x", &x}}, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("output 'y' overlaps input 'x'"),
            std::string::npos)
      << s;
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(data[i], i) << "nothing may be written on refusal";

  out[0] = Buffer::borrow(data.data() + 8, DType::f64, {8});
  ASSERT_TRUE((*exe)->runInto({{"x", &x}}, out).ok());
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(data[8 + i], -i);
}

// Row max and min (G10: fmax/fmin, a NaN element is skipped) in vectorized
// code: rows long enough for vector reductions, NaNs scattered, one row
// all NaN, against std::fmax/fmin loops.
TEST(ExecutableTest, VectorizedMaxAndMinSkipNaNs) {
  const int64_t rows = 16, cols = 128;
  std::string r = "tensor<16x128xf32>", v = "tensor<16xf32>";
  std::string text = "func.func @main(%r: " + r +
                     " {tl.name = \"R\"}) -> (" + v + " {tl.name = \"hi\"}, " +
                     v + " {tl.name = \"lo\"}) {\n"
                     "  %0 = tl.einsum \"ab->a\" reduce max %r : (" + r +
                     ") -> " + v + "\n"
                     "  %1 = tl.einsum \"ab->a\" reduce min %r : (" + r +
                     ") -> " + v + "\n"
                     "  return %0, %1 : " + v + ", " + v + "\n}\n";
  std::vector<float> data(rows * cols);
  for (int64_t i = 0; i < rows * cols; ++i)
    data[i] = float((i * 37) % 101) - 50.0f;
  for (int64_t i = 0; i < rows; ++i)
    data[i * cols + (i * 13) % cols] = NAN; // one NaN in each row
  for (int64_t j = 0; j < cols; ++j)
    data[5 * cols + j] = NAN; // row 5: nothing but NaN
  Buffer in = Buffer::borrow(data.data(), DType::f32, {rows, cols});
  CompileOptions options;
  options.dtype = DType::f32;
  auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
  ASSERT_TRUE(exe.ok()) << exe.status();
  auto out = (*exe)->run({{"R", &in}});
  ASSERT_TRUE(out.ok()) << out.status();
  const float *hi = (*out)[0].data<float>(), *lo = (*out)[1].data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    // From -inf/+inf as G10 folds: row 5 keeps them.
    float want = -INFINITY, wantLo = INFINITY;
    for (int64_t j = 0; j < cols; ++j) {
      want = std::fmax(want, data[i * cols + j]);
      wantLo = std::fmin(wantLo, data[i * cols + j]);
    }
    EXPECT_EQ(hi[i], want) << "row " << i;
    EXPECT_EQ(lo[i], wantLo) << "row " << i;
  }
}

// An output larger than the threads' private caches is written with
// non-temporal stores when the caller's buffer is 64-byte aligned, with
// ordinary ones otherwise (tl-streaming-stores): both give every element,
// serial and chunked.
TEST(ExecutableTest, LargeOutputsAreWholeWhetherStreamedOrNot) {
  const int64_t n = 2 << 20; // 8 MiB of f32
  std::string type = "tensor<" + std::to_string(n) + "xf32>";
  std::string text = "func.func @main(%x: " + type +
                     " {tl.name = \"x\"}) -> (" + type +
                     " {tl.name = \"y\"}) {\n"
                     "  %0 = tl.binary add %x, %x : " +
                     type + ", " + type + " -> " + type +
                     "\n"
                     "  %1 = tl.binary multiply %0, %x : " +
                     type + ", " + type + " -> " + type +
                     "\n"
                     "  return %1 : " +
                     type + "\n}\n";
  std::vector<float> x(n);
  for (int64_t i = 0; i < n; ++i)
    x[i] = float(i % 1000) * 0.25f;
  Buffer in = Buffer::borrow(x.data(), DType::f32, {n});
  for (int threads : {1, 2}) {
    CompileOptions options;
    options.dtype = DType::f32;
    options.threads = threads;
    auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
    ASSERT_TRUE(exe.ok()) << exe.status();
    // 64-byte aligned (Buffer::allocate), then one float off.
    std::vector<float> spare(n + 16, -7.0f);
    for (bool aligned : {true, false}) {
      Outputs out = (*exe)->allocateOutputs();
      if (!aligned) {
        auto shift = reinterpret_cast<uintptr_t>(spare.data()) % 64 == 0;
        out[0] =
            Buffer::borrow(spare.data() + (shift ? 1 : 0), DType::f32, {n});
      }
      ASSERT_TRUE((*exe)->runInto({{"x", &in}}, out).ok());
      const float *y = static_cast<const float *>(out[0].data());
      int64_t wrong = 0;
      for (int64_t i = 0; i < n; ++i)
        wrong += y[i] != 2 * x[i] * x[i]; // exact: x is a multiple of 1/4
      EXPECT_EQ(wrong, 0) << "threads " << threads << ", aligned " << aligned;
    }
  }
}

// A pre-bound call checks everything once and then reads the bound arrays'
// current contents at each run: row sums by hand after each refill.
TEST(ExecutableTest, BoundCallRunsOnCurrentContents) {
  std::string text = R"(
func.func @main(%r: tensor<?x?xf64> {tl.name = "R"}) -> (tensor<?xf64> {tl.name = "s"}) {
  %0 = tl.einsum "ab->a" %r : (tensor<?x?xf64>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}
)";
  for (bool generic : {false, true}) {
    CompileOptions options;
    if (!generic)
      options.inputShapes = {{"R", {3, 40}}};
    auto exe = Executable::compile(text, GraphFormat::kMLIR, options);
    ASSERT_TRUE(exe.ok()) << exe.status();
    Buffer r = Buffer::allocate(DType::f64, {3, 40});
    auto out = (*exe)->allocateOutputs({{"R", &r}});
    ASSERT_TRUE(out.ok()) << out.status();
    auto call = (*exe)->bind({{"R", &r}}, *out);
    ASSERT_TRUE(call.ok()) << call.status();
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 120; ++i)
        r.data<double>()[i] = (i / 40 + 1) * (round + 1);
      ASSERT_TRUE((*call)->run().ok());
      for (int row = 0; row < 3; ++row)
        EXPECT_EQ((*out)[0].data<double>()[row], 40.0 * (row + 1) * (round + 1))
            << "generic " << generic << " round " << round << " row " << row;
    }

    // Everything runInto refuses, bind refuses up front.
    Buffer f32 = Buffer::allocate(DType::f32, {3, 40});
    auto converted = (*exe)->bind({{"R", &f32}}, *out);
    EXPECT_EQ(converted.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(converted.status().message().find("bind: input 'R' would be converted"),
              std::string::npos)
        << converted.status();
    Outputs wrong;
    wrong.entries.emplace_back("s", Buffer::allocate(DType::f64, {4}));
    auto shape = (*exe)->bind({{"R", &r}}, wrong);
    EXPECT_NE(shape.status().message().find("bind: output 's' is 4xf64"),
              std::string::npos)
        << shape.status();
    auto missing = (*exe)->bind({{"Q", &r}}, *out);
    EXPECT_FALSE(missing.ok());
  }
}

} // namespace
