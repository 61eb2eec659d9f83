//===- SparseRouteTest.cpp - the sparse route's code on random relations --===//
//
// Compiles a tl function through `tl-cpu-pipeline` with input densities
// (the sparse route: tl-assign-sparsity, tl-encode-sparsity, the
// sparsifier), loads the object, calls its entry point with CSR buffers
// built here from the dense relations, and checks every result against the
// reference evaluator on the dense relations. This pins the entry point's
// ABI the runtime is to bind: three memref descriptors (positions,
// coordinates, values; index = i64) per sparse argument, the results
// returned in one struct (a dense result as its descriptor, a sparse one as
// its three), every returned buffer allocated by the code through the
// runtime's malloc (so freed with tl_rt_free).
//
//===----------------------------------------------------------------------===//

#include "tl/ExecutionEngine/JitModule.h"
#include "tl/InitTL.h"
#include "tl/Pipelines/Pipelines.h"
#include "tl/Reference/Evaluator.h"
#include "tl/Runtime/ObjectLoader.h"
#include "tl/Runtime/RuntimeABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

using namespace mlir;
using mlir::tl::reference::Tensor;

namespace {

constexpr int64_t kN = 60, kD = 8;

/// One compressed row per row of `t` (a kN x kN matrix).
struct Csr {
  std::vector<int64_t> positions{0}, coordinates;
  std::vector<double> values;
  explicit Csr(const Tensor &t) {
    for (int64_t i = 0; i < kN; ++i) {
      for (int64_t j = 0; j < kN; ++j)
        if (double v = t.data[i * kN + j]; v != 0) {
          coordinates.push_back(j);
          values.push_back(v);
        }
      positions.push_back(int64_t(values.size()));
    }
  }
};

Tensor randomRelation(std::mt19937 &rng, double density) {
  Tensor t{{kN, kN}, std::vector<double>(kN * kN, 0.0)};
  std::bernoulli_distribution fact(density);
  // Negative weights too: step of a stored negative sum is a stored 0.
  std::uniform_real_distribution<double> weight(-2.0, 2.0);
  for (double &v : t.data)
    if (fact(rng))
      v = weight(rng);
  return t;
}

/// The words of the packed call: one memref descriptor per buffer.
class Packer {
public:
  void add1d(const void *data, int64_t size) {
    auto p = reinterpret_cast<int64_t>(data);
    words.insert(words.end(), {p, p, 0, size, 1});
  }
  void add2d(const void *data, int64_t rows, int64_t cols) {
    auto p = reinterpret_cast<int64_t>(data);
    words.insert(words.end(), {p, p, 0, rows, cols, cols, 1});
  }
  std::vector<void *> pointers(std::vector<int64_t> &result) {
    std::vector<void *> out;
    for (int64_t &w : words)
      out.push_back(&w);
    out.push_back(result.data());
    return out;
  }

private:
  std::vector<int64_t> words;
};

/// A 1-d or 2-d descriptor returned at `w`: its data (aligned pointer plus
/// offset) as `T`, and its allocation to free.
template <typename T> const T *dataOf(const int64_t *w) {
  return reinterpret_cast<const T *>(w[1]) + w[2];
}

TEST(SparseRouteTest, CsrRelationsMatchTheReference) {
  const char *ir = R"mlir(
    func.func @embed(%r: tensor<60x60xf64> {tl.name = "r"},
                     %e: tensor<60x8xf64> {tl.name = "e"},
                     %q: tensor<60x60xf64> {tl.name = "q"})
        -> (tensor<60x8xf64>, tensor<60x8xf64>, tensor<60x60xf64>,
            tensor<60x60xf64>, tensor<60x60xf64>) {
      %a = tl.einsum "ij,jd->id" %r, %e : (tensor<60x60xf64>, tensor<60x8xf64>) -> tensor<60x8xf64>
      %b = tl.einsum "ji,jd->id" %r, %e : (tensor<60x60xf64>, tensor<60x8xf64>) -> tensor<60x8xf64>
      %j = tl.einsum "ab,bc->ac" %r, %q : (tensor<60x60xf64>, tensor<60x60xf64>) -> tensor<60x60xf64>
      %u = tl.binary add %r, %q : tensor<60x60xf64>, tensor<60x60xf64> -> tensor<60x60xf64>
      %s = tl.unary step %j : tensor<60x60xf64>
      return %a, %b, %j, %u, %s : tensor<60x8xf64>, tensor<60x8xf64>, tensor<60x60xf64>, tensor<60x60xf64>, tensor<60x60xf64>
    })mlir";
  DialectRegistry registry;
  mlir::tl::registerTLCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Remarks (values kept dense) are not failures here.
  context.getDiagEngine().registerHandler([](Diagnostic &d) {
    return success(d.getSeverity() != DiagnosticSeverity::Error);
  });
  OwningOpRef<ModuleOp> reference = parseSourceString<ModuleOp>(ir, &context);
  ASSERT_TRUE(reference);

  // Compiled for measured densities of 0.04 with a threshold of 0.2:
  // both relations are CSR (most rows hold a fact), and so are their
  // join (60 x 0.04 x 0.04 = 0.096), its step (the Boolean join) and their
  // sum (0.078). The code is the same whatever the actual densities.
  OwningOpRef<ModuleOp> compiled = reference->clone();
  PassManager pm(&context);
  mlir::tl::TLCpuPipelineOptions options;
  options.inputDensities = {"r=0.04", "q=0.04"};
  options.sparseThreshold = 0.2;
  mlir::tl::populateTLCpuPipeline(pm, options);
  ASSERT_TRUE(succeeded(pm.run(*compiled)));
  auto lowered = compiled->lookupSymbol<LLVM::LLVMFuncOp>("embed");
  ASSERT_TRUE(lowered);
  ASSERT_EQ(lowered.getNumArguments(), 2u * 15 + 7)
      << "two CSR relations (three 1-d descriptors each) and the embedding";
  auto object =
      mlir::tl::emitObject(*compiled, "embed", mlir::tl::JitOptions());
  ASSERT_TRUE(static_cast<bool>(object)) << llvm::toString(object.takeError());
  auto loaded = ::tl::runtime::LoadedObject::load(object->bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto entry =
      reinterpret_cast<void (*)(void **)>((*loaded)->lookup(object->entry));
  ASSERT_NE(entry, nullptr);

  for (double density : {0.03, 0.2, 1.0, 0.0}) {
    SCOPED_TRACE("density " + std::to_string(density));
    std::mt19937 rng(unsigned(density * 1000) + 7);
    Tensor r = randomRelation(rng, density), q = randomRelation(rng, density);
    Tensor e{{kN, kD}, std::vector<double>(kN * kD)};
    std::uniform_real_distribution<double> embedding(-1, 1);
    for (double &v : e.data)
      v = embedding(rng);
    auto expected = mlir::tl::reference::evaluate(
        *reference->getBody()->getOps<func::FuncOp>().begin(), {r, e, q});
    ASSERT_TRUE(static_cast<bool>(expected))
        << llvm::toString(expected.takeError());

    Csr rs(r), qs(q);
    Packer pack;
    for (const Csr *s : {&rs, &qs}) {
      if (s == &qs)
        pack.add2d(e.data.data(), kN, kD);
      pack.add1d(s->positions.data(), int64_t(s->positions.size()));
      pack.add1d(s->coordinates.data(), int64_t(s->coordinates.size()));
      pack.add1d(s->values.data(), int64_t(s->values.size()));
    }
    // Two dense 2-d results (7 words each), three CSR results (3 x 5).
    std::vector<int64_t> result(2 * 7 + 3 * 15, 0);
    std::vector<void *> args = pack.pointers(result);
    entry(args.data());

    for (int k = 0; k < 2; ++k) {
      const int64_t *w = &result[7 * k];
      ASSERT_EQ(w[3], kN);
      ASSERT_EQ(w[4], kD);
      const double *got = dataOf<double>(w);
      for (int64_t i = 0; i < kN * kD; ++i)
        EXPECT_NEAR(got[i], (*expected)[k].data[i], 1e-12)
            << "result " << k << " element " << i;
      tl_rt_free(reinterpret_cast<void *>(w[0]));
    }
    for (int k = 0; k < 3; ++k) {
      const int64_t *w = &result[14 + 15 * k];
      ASSERT_EQ(w[3], kN + 1) << "positions of result " << 2 + k;
      const int64_t *positions = dataOf<int64_t>(w);
      const int64_t *coordinates = dataOf<int64_t>(w + 5);
      const double *values = dataOf<double>(w + 10);
      std::vector<double> dense(kN * kN, 0.0);
      int64_t nnz = positions[kN];
      ASSERT_LE(nnz, w[8]);
      ASSERT_LE(nnz, w[13]);
      for (int64_t i = 0; i < kN; ++i)
        for (int64_t p = positions[i]; p < positions[i + 1]; ++p) {
          ASSERT_TRUE(coordinates[p] >= 0 && coordinates[p] < kN);
          dense[i * kN + coordinates[p]] = values[p];
        }
      for (int64_t i = 0; i < kN * kN; ++i)
        EXPECT_NEAR(dense[i], (*expected)[2 + k].data[i], 1e-12)
            << "result " << 2 + k << " element " << i;
      for (int b = 0; b < 3; ++b)
        tl_rt_free(reinterpret_cast<void *>(w[5 * b]));
    }
  }
}

} // namespace
