//===- DebuggingTest.cpp - intermediates, numerics, emit, compile latency --===//
//
// Expected values are worked out by hand from the graph, not taken from
// the code under test.
//
//===----------------------------------------------------------------------===//

#include "tl/API/CompileLatency.h"
#include "tl/API/Debugging.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>

using namespace tl;

namespace {

// temp_0 = P - Q, temp_1 = temp_0 / Q, temp_2 = log(temp_1) (the output).
const char *kChain = R"json({
  "tensors": ["P[a]", "Q[a]", "temp_0", "temp_1", "temp_2"],
  "nodes": [
    {"op": {"ElemBinary": {"op": "subtract"}}, "inputs": [0, 1], "outputs": [2]},
    {"op": {"ElemBinary": {"op": "divide"}}, "inputs": [2, 1], "outputs": [3]},
    {"op": {"ElemUnary": {"op": "log"}}, "inputs": [3], "outputs": [4]}],
  "inputs": [0, 1], "outputs": [4]
})json";

CompileOptions chainOptions(bool expose) {
  CompileOptions o;
  o.inputShapes = {{"P", {3}}, {"Q", {3}}};
  o.exposeIntermediates = expose;
  o.cache = false;
  return o;
}

struct Inputs {
  std::vector<double> p, q;
  Buffer bp, bq;
  Inputs(std::vector<double> p_, std::vector<double> q_)
      : p(std::move(p_)), q(std::move(q_)),
        bp(Buffer::borrow(p.data(), DType::f64, {3})),
        bq(Buffer::borrow(q.data(), DType::f64, {3})) {}
  std::map<std::string, const Buffer *> named() const {
    return {{"P", &bp}, {"Q", &bq}};
  }
};

std::string tempDir(const char *name) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     (std::string(name) + "-XXXXXX"))
                        .string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

} // namespace

TEST(DebuggingTest, ExposedIntermediatesComeAfterTheOutputsInProgramOrder) {
  auto exe = Executable::compile(kChain, GraphFormat::kAuto, chainOptions(true));
  ASSERT_TRUE(exe.ok()) << exe.status();
  ASSERT_EQ((*exe)->outputs().size(), 1u);
  EXPECT_EQ((*exe)->outputs()[0].name, "temp_2");
  const auto &infos = (*exe)->intermediates();
  ASSERT_EQ(infos.size(), 3u);
  EXPECT_EQ(infos[0].name, "temp_0");
  EXPECT_EQ(infos[0].op, "tl.binary:subtract");
  EXPECT_EQ(infos[1].name, "temp_1");
  EXPECT_EQ(infos[1].node, "node 1 (ElemBinary divide)");
  EXPECT_EQ(infos[1].op, "tl.binary:divide");
  EXPECT_EQ(infos[2].name, "temp_2");
  EXPECT_EQ(infos[2].shape, (std::vector<int64_t>{3}));

  Inputs in({3, 2, 5}, {1, 1, 2});
  auto out = (*exe)->run(in.named());
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 4u);
  // temp_0 = [2, 1, 3], temp_1 = [2, 1, 1.5], temp_2 = log(temp_1).
  const double t0[] = {2, 1, 3}, t1[] = {2, 1, 1.5};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*out)[1].at(i), t0[i]);
    EXPECT_EQ((*out)[2].at(i), t1[i]);
    EXPECT_DOUBLE_EQ((*out)[0].at(i), std::log(t1[i]));
    EXPECT_DOUBLE_EQ((*out)[3].at(i), std::log(t1[i]));
  }
  // Without the option: the output only.
  auto plain = Executable::compile(kChain, GraphFormat::kAuto,
                                   chainOptions(false));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE((*plain)->intermediates().empty());
}

TEST(DebuggingTest, CheckNumericsNamesTheFirstNodeThatMadeANonFiniteValue) {
  auto exe = Executable::compile(kChain, GraphFormat::kAuto, chainOptions(true));
  ASSERT_TRUE(exe.ok()) << exe.status();
  // Q[1] = 0: temp_1[1] = 2 / 0 = +inf, then log(+inf) = +inf.
  Inputs bad({3, 2, 1}, {1, 0, 2});
  auto out = (*exe)->run(bad.named());
  ASSERT_TRUE(out.ok()) << out.status();
  absl::Status st = checkNumerics(**exe, bad.named(), *out);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(st.message()),
            "node 1 (ElemBinary divide) (tl.binary:divide) produced +inf at "
            "[1] in 'temp_1', the first non-finite value of the run (every "
            "value before it, inputs included, is finite)");

  Inputs good({3, 2, 5}, {1, 1, 2});
  out = (*exe)->run(good.named());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(checkNumerics(**exe, good.named(), *out).ok());

  Inputs nanInput({3, std::nan(""), 1}, {1, 1, 2});
  st = checkNumerics(**exe, nanInput.named(), *out);
  EXPECT_EQ(std::string(st.message()),
            "the input array 'P' already holds NaN at [1]");

  // Compiled without intermediates, the output is named.
  auto plain = Executable::compile(kChain, GraphFormat::kAuto,
                                   chainOptions(false));
  ASSERT_TRUE(plain.ok()) << plain.status();
  out = (*plain)->run(bad.named());
  ASSERT_TRUE(out.ok()) << out.status();
  st = checkNumerics(**plain, bad.named(), *out);
  EXPECT_NE(std::string(st.message()).find("the output 'temp_2' holds +inf"),
            std::string::npos)
      << st;
}

TEST(DebuggingTest, IntermediatesSurviveSaveLoadAndTheCache) {
  std::string dir = tempDir("tl-debugging-test");
  CompileOptions o = chainOptions(true);
  o.cache = true;
  o.cacheDir = dir + "/cache";
  auto first = Executable::compile(kChain, GraphFormat::kAuto, o);
  ASSERT_TRUE(first.ok()) << first.status();
  Executable::clearInProcessCache();
  auto hit = Executable::compile(kChain, GraphFormat::kAuto, o);
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_EQ((*hit)->cacheReport().rfind("cache: hit", 0), 0u)
      << (*hit)->cacheReport();
  // Without intermediates the key differs (another entry, not this one).
  CompileOptions plain = o;
  plain.exposeIntermediates = false;
  auto other = Executable::compile(kChain, GraphFormat::kAuto, plain);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE((*other)->cacheReport().find("miss"), std::string::npos)
      << (*other)->cacheReport();
  EXPECT_TRUE((*other)->intermediates().empty());

  ASSERT_TRUE((*hit)->save(dir + "/chain.tlm").ok());
  auto loaded = Executable::load(dir + "/chain.tlm");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const auto &exe : {*hit, *loaded}) {
    ASSERT_EQ(exe->intermediates().size(), 3u);
    EXPECT_EQ(exe->intermediates()[1].node, "node 1 (ElemBinary divide)");
    EXPECT_EQ(exe->outputs().size(), 1u);
  }
  std::filesystem::remove_all(dir);
}

TEST(DebuggingTest, AnAdjointReturnsItsIntermediatesApart) {
  // out[a] = P[a] * Q[a]: d(sum out)/dP = Q.
  const char *product = R"json({
    "tensors": ["P[a]", "Q[a]", "out"],
    "nodes": [{"op": {"ElemBinary": {"op": "multiply"}}, "inputs": [0, 1],
               "outputs": [2]}],
    "inputs": [0, 1], "outputs": [2]})json";
  GradientOptions g;
  g.wrt = {"P"};
  auto exe = Executable::compileGradient(product, GraphFormat::kAuto,
                                         chainOptions(true), g);
  ASSERT_TRUE(exe.ok()) << exe.status();
  EXPECT_FALSE((*exe)->intermediates().empty());
  ASSERT_EQ((*exe)->gradients().size(), 1u);
  Inputs in({1, 2, 3}, {4, 5, 6});
  auto r = (*exe)->runGradient(in.named());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->gradients.size(), 1u);
  EXPECT_EQ(r->gradients.name(0), "P");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(r->gradients[0].at(i), in.q[i]);
  EXPECT_EQ(r->intermediates.size(), (*exe)->intermediates().size());
}

TEST(DebuggingTest, EmitPrintsEachStageAndNamesTheStagesThereAre) {
  EXPECT_EQ(emitStages(), (std::vector<std::string>{"tl", "linalg",
                                                    "llvm-dialect", "llvm-ir",
                                                    "asm"}));
  CompileOptions o = chainOptions(false);
  auto tlText = emitGraph(kChain, GraphFormat::kAuto, o, "tl");
  ASSERT_TRUE(tlText.ok()) << tlText.status();
  EXPECT_NE(tlText->find("tl.binary divide"), std::string::npos) << *tlText;
  EXPECT_NE(tlText->find("tensor<3xf64>"), std::string::npos) << *tlText;
  auto linalg = emitGraph(kChain, GraphFormat::kAuto, o, "linalg");
  ASSERT_TRUE(linalg.ok()) << linalg.status();
  EXPECT_NE(linalg->find("linalg."), std::string::npos);
  EXPECT_EQ(linalg->find("tl.binary"), std::string::npos);
  auto llvmIR = emitGraph(kChain, GraphFormat::kAuto, o, "llvm-ir");
  ASSERT_TRUE(llvmIR.ok()) << llvmIR.status();
  EXPECT_NE(llvmIR->find("define "), std::string::npos);
  auto bad = emitGraph(kChain, GraphFormat::kAuto, o, "ptx");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()),
            "unknown stage 'ptx' (the cpu backend has: tl, linalg, "
            "llvm-dialect, llvm-ir, asm)");
  // A graph error is reported as compile() reports it.
  CompileOptions missing;
  auto unbound = emitGraph(kChain, GraphFormat::kAuto, missing, "tl");
  ASSERT_FALSE(unbound.ok());
}

TEST(DebuggingTest, CompileLatencyTimesColdAndCachedCompiles) {
  std::string dir = tempDir("tl-latency-test");
  std::string path = dir + "/chain.json";
  FILE *f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(kChain, f);
  std::fclose(f);
  auto latency = measureCompileLatency(path, chainOptions(false), nullptr, 2);
  ASSERT_TRUE(latency.ok()) << latency.status();
  EXPECT_GT(latency->cold.realNs, 0);
  EXPECT_GT(latency->cached.realNs, 0);
  // A cache hit skips the pipeline and LLVM.
  EXPECT_LT(latency->cached.realNs, latency->cold.realNs);
  auto missingFile =
      measureCompileLatency(dir + "/none.json", chainOptions(false), nullptr, 2);
  EXPECT_FALSE(missingFile.ok());
  std::filesystem::remove_all(dir);
}
