//===- TieringTest.cpp - shape-generic code and background specialization -===//
//
// Every numeric result is checked against the reference interpreter
// (Executable::compileReference) for the same shapes, never against other
// compiled code.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Runtime/Module.h"
#include "tl/Runtime/Sha256.h"

#include "gtest/gtest.h"

#include <atomic>
#include <dirent.h>
#include <sys/stat.h>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

using namespace tl;

namespace {

// A join, a broadcast add of a vector, a nonlinearity, and an EXISTS-like
// max over one axis: p is a x b, q is b x c, w is c.
const char *kRule = R"mlir(
func.func @main(%p: tensor<?x?xf64> {tl.name = "p"},
                %q: tensor<?x?xf64> {tl.name = "q"},
                %w: tensor<?xf64> {tl.name = "w"})
    -> (tensor<?x?xf64> {tl.name = "r"}, tensor<?xf64> {tl.name = "m"}) {
  %j = tl.einsum "ab,bc->ac" %p, %q : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %s = tl.binary add %j, %w : tensor<?x?xf64>, tensor<?xf64> -> tensor<?x?xf64>
  %r = tl.unary sigmoid %s : tensor<?x?xf64>
  %m = tl.reduce max %r axes = [1] : tensor<?x?xf64> -> tensor<?xf64>
  return %r, %m : tensor<?x?xf64>, tensor<?xf64>
}
)mlir";

// The same rule as a TensorLogic graph, for the JSON path.
const char *kRuleJSON = R"json({
  "tensors": ["p[ab]", "q[bc]", "j[ac]", "s[ac]"],
  "nodes": [
    {"op": {"Einsum": {"spec": "ab,bc->ac"}}, "inputs": [0, 1], "outputs": [2]},
    {"op": {"ElemUnary": {"op": "sigmoid"}}, "inputs": [2], "outputs": [3]}
  ],
  "inputs": [0, 1], "outputs": [3]
})json";

struct Inputs {
  std::map<std::string, Buffer> owned;
  std::map<std::string, const Buffer *> view() const {
    std::map<std::string, const Buffer *> v;
    for (const auto &[name, b] : owned)
      v[name] = &b;
    return v;
  }
  std::map<std::string, std::vector<int64_t>> shapes() const {
    std::map<std::string, std::vector<int64_t>> s;
    for (const auto &[name, b] : owned)
      s[name] = b.shape();
    return s;
  }
};

Buffer randomBuffer(std::vector<int64_t> shape, std::mt19937 &rng) {
  Buffer b = Buffer::allocate(DType::f64, shape);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int64_t i = 0; i < b.numElements(); ++i)
    b.data<double>()[i] = u(rng);
  return b;
}

Inputs ruleInputs(int64_t a, int64_t b, int64_t c, std::mt19937 &rng) {
  Inputs in;
  in.owned.emplace("p", randomBuffer({a, b}, rng));
  in.owned.emplace("q", randomBuffer({b, c}, rng));
  in.owned.emplace("w", randomBuffer({c}, rng));
  return in;
}

/// The interpreter's outputs for `in`.
Outputs reference(const char *text, const Inputs &in) {
  CompileOptions o;
  o.inputShapes = in.shapes();
  auto ref = Executable::compileReference(text, GraphFormat::kAuto, o);
  EXPECT_TRUE(ref.ok()) << ref.status();
  auto out = (*ref)->run(in.view());
  EXPECT_TRUE(out.ok()) << out.status();
  return std::move(*out);
}

void expectNear(const Outputs &got, const Outputs &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got.name(i), want.name(i));
    ASSERT_EQ(got[i].shape(), want[i].shape()) << want.name(i);
    for (int64_t k = 0; k < want[i].numElements(); ++k)
      ASSERT_NEAR(got[i].at(k), want[i].at(k), 1e-12) << want.name(i) << k;
  }
}

std::string tempDir() {
  std::string pattern = testing::TempDir() + "/tl-tiering-XXXXXX";
  char *dir = mkdtemp(pattern.data());
  return dir ? std::string(dir) : testing::TempDir();
}

/// A generic compile of kRule: every size unknown.
CompileOptions genericOptions() {
  CompileOptions o;
  o.inputShapes = {{"p", {-1, -1}}, {"q", {-1, -1}}, {"w", {-1}}};
  o.cacheDir = tempDir();
  return o;
}

size_t countTier(const ExecutableStats &s, const std::string &tier) {
  size_t n = 0;
  for (const CompileEvent &e : s.events)
    n += e.tier == tier;
  return n;
}

} // namespace

TEST(TieringTest, OneGenericCompileServesTwentyShapes) {
  CompileOptions o = genericOptions();
  o.hotThreshold = 0; // tier 0 alone
  auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  EXPECT_EQ((*exe)->inputs()[0].shape, (std::vector<int64_t>{-1, -1}));
  std::mt19937 rng(15);
  std::uniform_int_distribution<int64_t> size(1, 40);
  for (int i = 0; i < 20; ++i) {
    Inputs in = ruleInputs(size(rng), size(rng), size(rng), rng);
    auto out = (*exe)->run(in.view());
    ASSERT_TRUE(out.ok()) << out.status();
    expectNear(*out, reference(kRule, in));
  }
  ExecutableStats stats = (*exe)->stats();
  ASSERT_EQ(stats.events.size(), 1u);
  EXPECT_EQ(stats.events[0].tier, "generic");
  EXPECT_EQ(stats.events[0].shapes.at("q"), (std::vector<int64_t>{-1, -1}));
  EXPECT_EQ(stats.calls, 20u);
  EXPECT_EQ(stats.callsByTier.at("generic"), 20u);
}

TEST(TieringTest, GenericJSONGraphAndNamesLeftOut) {
  CompileOptions o;
  o.inputShapes = {{"p", {-1, 3}}, {"q", {3, -1}}};
  o.hotThreshold = 0;
  auto exe = Executable::compile(kRuleJSON, GraphFormat::kAuto, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::mt19937 rng(7);
  for (int64_t a : {1, 5, 17}) {
    Inputs in;
    in.owned.emplace("p", randomBuffer({a, 3}, rng));
    in.owned.emplace("q", randomBuffer({3, 9 - a % 4}, rng));
    auto out = (*exe)->run(in.view());
    ASSERT_TRUE(out.ok()) << out.status();
    expectNear(*out, reference(kRuleJSON, in));
  }
  // MLIR arguments left out of inputShapes keep their declared dims.
  CompileOptions none;
  none.hotThreshold = 0;
  auto byDecl = Executable::compile(kRule, GraphFormat::kMLIR, none);
  ASSERT_TRUE(byDecl.ok()) << byDecl.status();
  Inputs in = ruleInputs(4, 6, 2, rng);
  auto out = (*byDecl)->run(in.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNear(*out, reference(kRule, in));
}

TEST(TieringTest, SizesThatBreakG11AreRefusedNamingBoth) {
  CompileOptions o = genericOptions();
  auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::mt19937 rng(1);
  Inputs in;
  in.owned.emplace("p", randomBuffer({3, 4}, rng));
  in.owned.emplace("q", randomBuffer({5, 2}, rng));
  in.owned.emplace("w", randomBuffer({2}, rng));
  auto out = (*exe)->run(in.view());
  ASSERT_FALSE(out.ok());
  std::string m(out.status().message());
  EXPECT_NE(m.find("G11: input 'q' has size 5 in dim 0 but input 'p' has "
                   "size 4 in dim 1"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("'tl.einsum' op at line 6 needs them equal"),
            std::string::npos)
      << m;
  // A size of 1 against n is not broadcast by generic code, and says so.
  Inputs one = ruleInputs(3, 4, 2, rng);
  one.owned.erase("w");
  one.owned.emplace("w", randomBuffer({1}, rng));
  out = (*exe)->run(one.view());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(std::string(out.status().message()).find("does not stretch"),
            std::string::npos)
      << out.status();
}

TEST(TieringTest, HotShapeIsSpecializedOnceAndUsed) {
  CompileOptions o = genericOptions();
  o.hotThreshold = 3;
  auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::mt19937 rng(3);
  Inputs hot = ruleInputs(6, 5, 4, rng);
  Outputs want = reference(kRule, hot);
  for (int i = 0; i < 5; ++i) {
    auto out = (*exe)->run(hot.view());
    ASSERT_TRUE(out.ok()) << out.status();
    expectNear(*out, want);
  }
  (*exe)->waitForBackgroundCompiles();
  auto out = (*exe)->run(hot.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNear(*out, want);
  ExecutableStats stats = (*exe)->stats();
  ASSERT_EQ(countTier(stats, "specialized"), 1u);
  const CompileEvent &e = stats.events.back();
  EXPECT_EQ(e.shapes.at("p"), (std::vector<int64_t>{6, 5}));
  EXPECT_EQ(e.reason, "hot: 3 calls with these shapes");
  EXPECT_EQ(e.cache, "miss");
  EXPECT_EQ(stats.lastTier, "specialized");
  EXPECT_EQ(stats.versions, 1u);
  // A cold shape still runs the generic code.
  Inputs cold = ruleInputs(2, 5, 4, rng);
  out = (*exe)->run(cold.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNear(*out, reference(kRule, cold));
  EXPECT_EQ((*exe)->stats().lastTier, "generic");
}

TEST(TieringTest, EightThreadsRunThroughSwaps) {
  CompileOptions o = genericOptions();
  o.hotThreshold = 2;
  o.maxVersions = 2; // evictions happen while threads run
  auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::mt19937 rng(8);
  std::vector<Inputs> inputs;
  std::vector<Outputs> wants;
  for (int64_t s : {3, 4, 5}) {
    inputs.push_back(ruleInputs(s, s + 1, s + 2, rng));
    wants.push_back(reference(kRule, inputs.back()));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        size_t k = (t + i) % inputs.size();
        auto out = (*exe)->run(inputs[k].view());
        if (!out.ok() || out->size() != 2) {
          ++wrong;
          continue;
        }
        for (size_t r = 0; r < 2; ++r)
          for (int64_t e = 0; e < wants[k][r].numElements(); ++e)
            if (std::abs((*out)[r].at(e) - wants[k][r].at(e)) > 1e-12)
              ++wrong;
      }
    });
  for (std::thread &t : threads)
    t.join();
  (*exe)->waitForBackgroundCompiles();
  EXPECT_EQ(wrong.load(), 0);
  ExecutableStats stats = (*exe)->stats();
  EXPECT_LE(stats.versions, 2u);
  EXPECT_GE(countTier(stats, "specialized"), 3u); // one per hot shape, at least
  EXPECT_EQ(stats.calls, 8u * 40u);
}

TEST(TieringTest, WarmUpAndRunIntoAtAnyShape) {
  CompileOptions o = genericOptions();
  o.hotThreshold = 0;
  auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::mt19937 rng(9);
  Inputs in = ruleInputs(7, 3, 5, rng);
  ASSERT_TRUE((*exe)->warmUp({in.shapes()}).ok());
  ExecutableStats stats = (*exe)->stats();
  ASSERT_EQ(stats.events.size(), 2u);
  EXPECT_EQ(stats.events[1].reason, "warmUp");
  auto outputs = (*exe)->allocateOutputs(in.view());
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ASSERT_TRUE((*exe)->runInto(in.view(), *outputs).ok());
  expectNear(*outputs, reference(kRule, in));
  EXPECT_EQ((*exe)->stats().lastTier, "specialized");
  // Buffers sized for other inputs are refused, naming the shape wanted.
  Inputs other = ruleInputs(2, 3, 5, rng);
  absl::Status s = (*exe)->runInto(other.view(), *outputs);
  EXPECT_NE(std::string(s.message()).find("shape 2x5 for these inputs"),
            std::string::npos)
      << s;
  // Fixed-shape executables have nothing to warm up.
  CompileOptions fixed;
  fixed.inputShapes = in.shapes();
  auto exact = Executable::compile(kRule, GraphFormat::kMLIR, fixed);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_FALSE((*exact)->warmUp({in.shapes()}).ok());
  EXPECT_EQ((*exact)->stats().events[0].tier, "specialized");
}

TEST(TieringTest, NextProcessStartsSpecializedFromTheCache) {
  // Modules other tests compiled would be in-process hits, never written
  // to this test's cache directory.
  Executable::clearInProcessCache();
  CompileOptions o = genericOptions();
  o.hotThreshold = 1;
  std::mt19937 rng(10);
  Inputs hot = ruleInputs(5, 6, 7, rng);
  {
    auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
    ASSERT_TRUE(exe.ok()) << exe.status();
    ASSERT_TRUE((*exe)->run(hot.view()).ok());
    (*exe)->waitForBackgroundCompiles();
    ASSERT_EQ(countTier((*exe)->stats(), "specialized"), 1u);
  }
  Executable::clearInProcessCache(); // as a new process finds it
  auto exe = Executable::compile(kRule, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  ExecutableStats stats = (*exe)->stats();
  ASSERT_EQ(stats.events.size(), 2u);
  EXPECT_EQ(stats.events[1].reason, "hot in an earlier process");
  EXPECT_EQ(stats.events[1].cache, "hit");
  auto out = (*exe)->run(hot.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNear(*out, reference(kRule, hot));
  EXPECT_EQ((*exe)->stats().lastTier, "specialized");
}

// EXISTS over a join: max over b of p[a,b] * q[b,c].
const char *kExistsJoin = R"mlir(
func.func @main(%p: tensor<?x?xf64> {tl.name = "p"},
                %q: tensor<?x?xf64> {tl.name = "q"})
    -> (tensor<?x?xf64> {tl.name = "r"}) {
  %r = tl.einsum "ab,bc->ac" reduce max %p, %q : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  return %r : tensor<?x?xf64>
}
)mlir";

Buffer binaryBuffer(std::vector<int64_t> shape, std::mt19937 &rng) {
  Buffer b = Buffer::allocate(DType::f64, shape);
  std::bernoulli_distribution coin(0.3);
  for (int64_t i = 0; i < b.numElements(); ++i)
    b.data<double>()[i] = coin(rng) ? 1.0 : 0.0;
  return b;
}

TEST(TieringTest, ValueProfileGuardFallsBackToGenericCode) {
  CompileOptions o;
  o.inputShapes = {{"p", {-1, -1}}, {"q", {-1, -1}}};
  o.cacheDir = tempDir();
  o.hotThreshold = 2;
  auto exe = Executable::compile(kExistsJoin, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::mt19937 rng(4);
  Inputs rel;
  rel.owned.emplace("p", binaryBuffer({9, 7}, rng));
  rel.owned.emplace("q", binaryBuffer({7, 5}, rng));
  Outputs want = reference(kExistsJoin, rel);
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE((*exe)->run(rel.view()).ok());
  (*exe)->waitForBackgroundCompiles();
  // The hot call held only 0 and 1: the specialization relies on it.
  ExecutableStats stats = (*exe)->stats();
  ASSERT_EQ(stats.events.size(), 2u);
  const CompileEvent &e = stats.events[1];
  EXPECT_EQ(e.values.at("p"), "0/1");
  EXPECT_EQ(e.assumes, (std::vector<std::string>{"p", "q"}));
  auto out = (*exe)->run(rel.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNear(*out, want);
  EXPECT_EQ((*exe)->stats().lastTier, "specialized");
  // Same shapes, but a value the assumption excludes: the guard sends the
  // call to the generic code, and the result is still the max.
  Inputs fuzzy;
  fuzzy.owned.emplace("q", rel.owned.at("q").copyAs(DType::f64));
  Buffer p = binaryBuffer({9, 7}, rng);
  p.data<double>()[3] = 0.25;
  p.data<double>()[10] = -2;
  fuzzy.owned.emplace("p", std::move(p));
  out = (*exe)->run(fuzzy.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNear(*out, reference(kExistsJoin, fuzzy));
  stats = (*exe)->stats();
  EXPECT_EQ(stats.lastTier, "generic");
  EXPECT_EQ(stats.guardFallbacks, 1u);
  // runInto takes the same guard.
  auto buffers = (*exe)->allocateOutputs(fuzzy.view());
  ASSERT_TRUE(buffers.ok());
  ASSERT_TRUE((*exe)->runInto(fuzzy.view(), *buffers).ok());
  expectNear(*buffers, reference(kExistsJoin, fuzzy));
  EXPECT_EQ((*exe)->stats().guardFallbacks, 2u);
}

// An f32 GEMM and its epilogue: the ops tier 2 tunes.
const char *kGemm = R"mlir(
func.func @main(%a: tensor<?x?xf32> {tl.name = "a"},
                %b: tensor<?x?xf32> {tl.name = "b"})
    -> (tensor<?x?xf32> {tl.name = "c"}) {
  %c = tl.einsum "ik,kj->ij" %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = tl.unary relu %c : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
)mlir";

Inputs gemmInputs(std::mt19937 &rng) {
  Inputs in;
  for (const char *name : {"a", "b"}) {
    Buffer b = Buffer::allocate(DType::f32, {128, 128});
    std::uniform_real_distribution<float> u(-1, 1);
    for (int64_t i = 0; i < b.numElements(); ++i)
      b.data<float>()[i] = u(rng);
    in.owned.emplace(name, std::move(b));
  }
  return in;
}

void expectNearF32(const Outputs &got, const Outputs &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    for (int64_t k = 0; k < want[i].numElements(); ++k)
      ASSERT_NEAR(got[i].at(k), want[i].at(k), 1e-3) << k;
}

size_t countRecords(const std::string &dir) {
  size_t n = 0;
  if (DIR *d = opendir(dir.c_str())) {
    while (struct dirent *e = readdir(d))
      n += std::string(e->d_name).find(".rec") != std::string::npos;
    closedir(d);
  }
  return n;
}

/// The GEMM at 128x128 in f32, with a fresh cache directory, as a new
/// process would compile it.
CompileOptions gemmOptions() {
  Executable::clearInProcessCache();
  CompileOptions o;
  o.dtype = DType::f32;
  o.inputShapes = {{"a", {128, 128}}, {"b", {128, 128}}};
  o.cacheDir = tempDir();
  return o;
}

TEST(TieringTest, TuningRecordsSurviveTheProcess) {
  CompileOptions o = gemmOptions();
  std::mt19937 rng(5);
  Inputs in = gemmInputs(rng);
  auto want = Executable::compileReference(kGemm, GraphFormat::kMLIR, o);
  ASSERT_TRUE(want.ok());
  auto wantOut = (*want)->run(in.view());
  ASSERT_TRUE(wantOut.ok());
  size_t written = 0;
  {
    auto exe = Executable::compile(kGemm, GraphFormat::kMLIR, o);
    ASSERT_TRUE(exe.ok()) << exe.status();
    ASSERT_TRUE((*exe)->tune(in.view(), 2.0).ok());
    ExecutableStats stats = (*exe)->stats();
    ASSERT_EQ(stats.events.size(), 2u);
    const CompileEvent &e = stats.events[1];
    EXPECT_EQ(e.tier, "tuned");
    EXPECT_EQ(e.reason.find("tuned "), 0u) << e.reason;
    auto out = (*exe)->run(in.view());
    ASSERT_TRUE(out.ok()) << out.status();
    expectNearF32(*out, *wantOut);
    written = countRecords(o.cacheDir + "/tuning");
    // Runs use the tuned code once something won.
    EXPECT_EQ((*exe)->stats().lastTier, written ? "tuned" : "specialized");
    // The reason says how many records the winner left (0: the model's
    // choice stayed).
    if (written)
      EXPECT_NE(e.reason.find(std::to_string(written) + " tuning records"),
                std::string::npos)
          << e.reason;
    else
      EXPECT_NE(e.reason.find("the cache model's choice stays"),
                std::string::npos)
          << e.reason;
  }
  // A new process compiles the same graph: it follows the records.
  Executable::clearInProcessCache();
  auto next = Executable::compile(kGemm, GraphFormat::kMLIR, o);
  ASSERT_TRUE(next.ok()) << next.status();
  const CompileEvent first = (*next)->stats().events[0];
  if (written) {
    EXPECT_EQ(first.tier, "tuned");
    EXPECT_NE(first.reason.find("followed"), std::string::npos)
        << first.reason;
  } else {
    EXPECT_EQ(first.tier, "specialized");
  }
  auto out = (*next)->run(in.view());
  ASSERT_TRUE(out.ok()) << out.status();
  expectNearF32(*out, *wantOut);
}

TEST(TieringTest, RecordsAreFollowedAndDamagedOnesIgnored) {
  CompileOptions o = gemmOptions();
  std::mt19937 rng(6);
  Inputs in = gemmInputs(rng);
  auto ref = Executable::compileReference(kGemm, GraphFormat::kMLIR, o);
  ASSERT_TRUE(ref.ok());
  auto want = (*ref)->run(in.view());
  ASSERT_TRUE(want.ok());
  auto exe = Executable::compile(kGemm, GraphFormat::kMLIR, o);
  ASSERT_TRUE(exe.ok()) << exe.status();
  EXPECT_EQ((*exe)->stats().events[0].tier, "specialized");
  // The GEMM's key, from the module's manifest.
  std::string tlm = o.cacheDir + "/gemm.tlm";
  ASSERT_TRUE((*exe)->save(tlm).ok());
  auto manifest = tl::runtime::peekManifest(tlm);
  ASSERT_TRUE(manifest.ok());
  std::string tunable = manifest->option("tunable-ops");
  size_t colon = tunable.find(":matmul-f32");
  ASSERT_NE(colon, std::string::npos) << tunable;
  std::string key = tunable.substr(colon - 16, 16);
  // A record in the documented format (include/tl/Codegen/TuningRecords.h):
  // generated code, serial; and two damaged records.
  std::string dir = o.cacheDir + "/tuning";
  mkdir(dir.c_str(), 0755); // the executable may have made it
  {
    std::string body = "tl-tuning-record 1\nkey " + key +
                       "\nop linalg.matmul\nkernel generated\n"
                       "chunks-per-thread 0\nspeedup 1.500\n";
    std::ofstream(dir + "/" + key + ".rec")
        << body << "sha256 " << tl::runtime::sha256Hex(body) << "\n";
    std::ofstream(dir + "/0123456789abcdef.rec")
        << "tl-tuning-record 1\nkey 0123456789abcdef\nkernel generated\n"
           "speedup 9\nsha256 0000\n";
    std::ofstream(dir + "/fedcba9876543210.rec") << "not a record";
  }
  Executable::clearInProcessCache();
  auto tuned = Executable::compile(kGemm, GraphFormat::kMLIR, o);
  ASSERT_TRUE(tuned.ok()) << tuned.status();
  const CompileEvent first = (*tuned)->stats().events[0];
  EXPECT_EQ(first.tier, "tuned");
  EXPECT_NE(first.reason.find("followed 1 tuning records"), std::string::npos)
      << first.reason;
  std::string notes;
  for (const std::string &w : (*tuned)->warnings())
    notes += w + "\n";
  EXPECT_NE(notes.find("ignored tuning record '" + dir +
                       "/0123456789abcdef.rec': checksum mismatch"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("fedcba9876543210.rec': no checksum line"),
            std::string::npos)
      << notes;
  auto out = (*tuned)->run(in.view());
  ASSERT_TRUE(out.ok());
  expectNearF32(*out, *want);
  // Its code follows the record: no oneDNN call (a 128^3 f32 GEMM goes
  // to oneDNN by the volume rule otherwise).
  std::string_view code = (*tuned)->objectCode();
  EXPECT_EQ(code.find("tl_rt_sgemm"), std::string_view::npos);
  EXPECT_NE((*exe)->objectCode().find("tl_rt_sgemm"), std::string_view::npos);
}

TEST(TieringTest, JitLogIsJSON) {
  CompileEvent e;
  e.tier = "generic";
  e.shapes = {{"x", {-1, 8}}};
  e.reason = "unknown sizes at compile time";
  e.ms = 12.5;
  e.cache = "miss";
  std::string json = jitLogJSON({e});
  EXPECT_EQ(json, "[\n  {\"tier\":\"generic\",\"shapes\":{\"x\":[-1,8]},"
                  "\"reason\":\"unknown sizes at compile time\",\"ms\":12.500,"
                  "\"cache\":\"miss\"}\n]\n");
  e.values = {{"x", "0/1"}};
  e.assumes = {"x"};
  EXPECT_NE(jitLogJSON({e}).find(
                "\"cache\":\"miss\",\"values\":{\"x\":\"0/1\"},"
                "\"assumes\":[\"binary:x\"]}"),
            std::string::npos)
      << jitLogJSON({e});
  EXPECT_EQ(jitLogJSON({}), "[]\n");
}
