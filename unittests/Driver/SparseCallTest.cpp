//===- SparseCallTest.cpp - sparse inputs through compileGraph and run ----===//
//
// The whole sparse route as a library user meets it: compileGraph with
// measured input densities records each argument's and result's layout in
// the module's signature, the module file keeps them, and Module::run
// takes SparseBuffers (CSR, COO, or a dense array for a sparse argument)
// and gives CSR results. Every result is checked against the reference
// evaluator on the dense relations.
//
//===----------------------------------------------------------------------===//

#include "tl/Driver/GraphRunner.h"
#include "tl/InitTL.h"
#include "tl/Reference/Evaluator.h"
#include "tl/Runtime/Module.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <random>

using namespace mlir;
using ::tl::runtime::AnyBuffer;
using ::tl::runtime::Buffer;
using ::tl::runtime::DType;
using ::tl::runtime::Layout;
using ::tl::runtime::SparseBuffer;
using ::tl::runtime::SparseFormat;

namespace {

constexpr int64_t kN = 50, kD = 4;

const char *kGraph = R"mlir(
  func.func @main(%r: tensor<50x50xf64> {tl.name = "r"},
                  %e: tensor<50x4xf64> {tl.name = "e"},
                  %q: tensor<50x50xf64> {tl.name = "q"})
      -> (tensor<50x4xf64> {tl.name = "a"}, tensor<50x50xf64> {tl.name = "j"},
          tensor<50x50xf64> {tl.name = "s"}) {
    %a = tl.einsum "ij,jd->id" %r, %e : (tensor<50x50xf64>, tensor<50x4xf64>) -> tensor<50x4xf64>
    %j = tl.einsum "ab,bc->ac" %r, %q : (tensor<50x50xf64>, tensor<50x50xf64>) -> tensor<50x50xf64>
    %s = tl.unary step %j : tensor<50x50xf64>
    return %a, %j, %s : tensor<50x4xf64>, tensor<50x50xf64>, tensor<50x50xf64>
  })mlir";

Buffer randomMatrix(std::mt19937 &rng, int64_t rows, int64_t cols,
                    double density) {
  Buffer b = Buffer::allocate(DType::f64, {rows, cols});
  std::bernoulli_distribution fact(density);
  std::uniform_real_distribution<double> weight(-2.0, 2.0);
  for (int64_t i = 0; i < rows * cols; ++i)
    b.data<double>()[i] = fact(rng) ? weight(rng) : 0.0;
  return b;
}

mlir::tl::reference::Tensor tensorOf(const Buffer &b) {
  return {b.shape(), std::vector<double>(b.data<double>(),
                                         b.data<double>() + b.numElements())};
}

/// Compiles kGraph through compileGraph with `densities`.
std::shared_ptr<const ::tl::runtime::Module>
compile(std::map<std::string, double> densities, double threshold) {
  mlir::tl::CompileRequest request;
  request.text = kGraph;
  request.shapes = {{"r", {kN, kN}}, {"e", {kN, kD}}, {"q", {kN, kN}}};
  request.cache.enabled = false;
  request.codegen.inputDensities = std::move(densities);
  request.codegen.sparseThreshold = threshold;
  auto compiled = mlir::tl::compileGraph(request);
  EXPECT_TRUE(static_cast<bool>(compiled))
      << llvm::toString(compiled.takeError());
  return compiled ? compiled->module : nullptr;
}

std::vector<double> denseOf(const AnyBuffer &result) {
  if (const auto *dense = std::get_if<Buffer>(&result))
    return tensorOf(*dense).data;
  auto dense = std::get<SparseBuffer>(result).toDense();
  EXPECT_TRUE(dense.ok()) << dense.status();
  return tensorOf(*dense).data;
}

TEST(SparseCallTest, SignatureRecordsLayoutsAndTheFileKeepsThem) {
  auto module = compile({{"r", 0.04}, {"q", 0.04}}, 0.2);
  ASSERT_TRUE(module);
  const auto &sig = module->signature();
  ASSERT_TRUE(sig.returnsResults);
  ASSERT_EQ(sig.args.size(), 3u);
  EXPECT_EQ(sig.args[0].layout, Layout::csr);
  EXPECT_EQ(sig.args[1].layout, Layout::dense);
  EXPECT_EQ(sig.args[2].layout, Layout::csr);
  ASSERT_EQ(sig.results.size(), 3u);
  EXPECT_EQ(sig.results[0].layout, Layout::dense);
  EXPECT_EQ(sig.results[1].layout, Layout::csr);
  EXPECT_EQ(sig.results[2].layout, Layout::csr);
  EXPECT_EQ(::tl::runtime::moduleFormatVersion(module->manifest()), 3u);

  auto reloaded = ::tl::runtime::Module::loadBytes(module->serialize(), "m");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  const auto &again = (*reloaded)->signature();
  EXPECT_TRUE(again.returnsResults);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again.args[i].layout, sig.args[i].layout) << "argument " << i;
    EXPECT_EQ(again.results[i].layout, sig.results[i].layout) << "result " << i;
  }
}

TEST(SparseCallTest, DenseModulesKeepFormatTwo) {
  auto module = compile({}, 0.05);
  ASSERT_TRUE(module);
  EXPECT_FALSE(module->signature().returnsResults);
  EXPECT_EQ(::tl::runtime::moduleFormatVersion(module->manifest()), 2u);
}

/// Runs `module` on relations of `density` given as CSR, COO or dense,
/// and checks every result against the reference evaluator.
void checkAgainstReference(const ::tl::runtime::Module &module, double density,
                           SparseFormat format, bool denseRelations) {
  std::mt19937 rng(unsigned(density * 1000) + 11);
  Buffer r = randomMatrix(rng, kN, kN, density),
         q = randomMatrix(rng, kN, kN, density),
         e = randomMatrix(rng, kN, kD, 1.0);

  DialectRegistry registry;
  mlir::tl::registerTLCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> graph = parseSourceString<ModuleOp>(kGraph, &context);
  ASSERT_TRUE(graph);
  auto expected = mlir::tl::reference::evaluate(
      *graph->getBody()->getOps<func::FuncOp>().begin(),
      {tensorOf(r), tensorOf(e), tensorOf(q)});
  ASSERT_TRUE(static_cast<bool>(expected))
      << llvm::toString(expected.takeError());

  SparseBuffer rs = SparseBuffer::fromDense(r, format),
               qs = SparseBuffer::fromDense(q, format);
  std::map<std::string, const Buffer *> dense{{"e", &e}};
  std::map<std::string, const SparseBuffer *> sparse;
  if (denseRelations) {
    dense["r"] = &r;
    dense["q"] = &q;
  } else {
    sparse = {{"r", &rs}, {"q", &qs}};
  }
  auto results = module.run(dense, sparse);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 3u);
  const char *names[] = {"a", "j", "s"};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ((*results)[k].first, names[k]);
    if (module.signature().results[k].layout == Layout::csr) {
      const auto *csr = std::get_if<SparseBuffer>(&(*results)[k].second);
      ASSERT_NE(csr, nullptr) << "result " << names[k] << " is CSR";
      EXPECT_EQ(csr->format, SparseFormat::csr);
      EXPECT_TRUE(csr->validate("result").ok());
    }
    std::vector<double> got = denseOf((*results)[k].second);
    ASSERT_EQ(got.size(), (*expected)[k].data.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], (*expected)[k].data[i], 1e-12)
          << "result " << names[k] << " element " << i;
  }
}

TEST(SparseCallTest, CsrCooAndDenseInputsMatchTheReference) {
  auto module = compile({{"r", 0.04}, {"q", 0.04}}, 0.2);
  ASSERT_TRUE(module);
  for (double density : {0.03, 0.2, 1.0, 0.0}) {
    SCOPED_TRACE("density " + std::to_string(density));
    checkAgainstReference(*module, density, SparseFormat::csr, false);
    checkAgainstReference(*module, density, SparseFormat::coo, false);
    checkAgainstReference(*module, density, SparseFormat::csr, true);
  }
}

TEST(SparseCallTest, DcsrArgumentsMatchTheReference) {
  // At 0.001, fewer than one row in 16 is expected to hold a fact: DCSR.
  auto module = compile({{"r", 0.001}, {"q", 0.001}}, 0.2);
  ASSERT_TRUE(module);
  ASSERT_EQ(module->signature().args[0].layout, Layout::dcsr);
  EXPECT_EQ(module->signature().results[1].layout, Layout::dcsr);
  for (double density : {0.005, 0.1, 0.0})
    checkAgainstReference(*module, density, SparseFormat::csr, false);
}

TEST(SparseCallTest, SparseInputsToADenseModuleAreDensified) {
  auto module = compile({}, 0.05);
  ASSERT_TRUE(module);
  checkAgainstReference(*module, 0.1, SparseFormat::coo, false);

  // An array no argument binds is not expanded: its dense form (7 TiB)
  // would be refused.
  std::mt19937 rng(11);
  Buffer r = randomMatrix(rng, kN, kN, 0.1), e = randomMatrix(rng, kN, kD, 1),
         q = randomMatrix(rng, kN, kN, 0.1);
  SparseBuffer rs = SparseBuffer::fromDense(r, SparseFormat::csr);
  SparseBuffer unbound;
  unbound.format = SparseFormat::csr;
  unbound.shape = {1000000, 1000000};
  unbound.positions.assign(1000001, 0);
  unbound.values = Buffer::allocate(DType::f64, {0});
  auto results =
      module->run({{"e", &e}, {"q", &q}}, {{"r", &rs}, {"unbound", &unbound}});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->size(), 3u);
}

TEST(SparseCallTest, BadSparseInputsFailCleanly) {
  auto module = compile({{"r", 0.04}, {"q", 0.04}}, 0.2);
  ASSERT_TRUE(module);
  std::mt19937 rng(3);
  Buffer r = randomMatrix(rng, kN, kN, 0.1), e = randomMatrix(rng, kN, kD, 1);
  SparseBuffer rs = SparseBuffer::fromDense(r, SparseFormat::csr);
  SparseBuffer bad = SparseBuffer::fromDense(r, SparseFormat::csr);
  ASSERT_GT(bad.nnz(), 0);
  bad.coordinates[0] = kN; // out of range
  auto status = module->run({{"e", &e}}, {{"r", &bad}, {"q", &rs}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("input 'r'"), std::string::npos) << status;

  status = module->run({{"e", &e}}, {{"r", &rs}}).status();
  EXPECT_NE(status.message().find("no input named 'q'"), std::string::npos)
      << status;

  status =
      module->run({{"e", &e}, {"r", &r}}, {{"r", &rs}, {"q", &rs}}).status();
  EXPECT_NE(status.message().find("both dense and sparse"), std::string::npos)
      << status;

  SparseBuffer wide;
  wide.format = SparseFormat::csr;
  wide.shape = {kN, kN + 1};
  wide.positions.assign(kN + 1, 0);
  wide.coordinates.clear();
  wide.values = Buffer::allocate(DType::f64, {0});
  status = module->run({{"e", &e}}, {{"r", &wide}, {"q", &rs}}).status();
  EXPECT_NE(status.message().find("compiled for 50x50"), std::string::npos)
      << status;
}

} // namespace
