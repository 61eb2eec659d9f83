//===- ModuleTest.cpp - compiled modules: save, load, refuse, fuzz ---------===//
//
// Expected values are worked out by hand (the grandparent rule), not taken
// from the code under test.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Runtime/HostCPU.h"
#include "tl/Runtime/Module.h"
#include "tl/Runtime/ObjectLoader.h"
#include "tl/Runtime/Sha256.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <elf.h>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>
#include <unistd.h>

using namespace tl;

namespace {

const char *kGrandparent = R"json({
  "tensors": ["parent[ab]", "parent[bc]", "grandparent[ac]", "has[a]"],
  "nodes": [
    {"op": {"Einsum": {"spec": "ab,bc->ac"}}, "inputs": [0, 1], "outputs": [2]},
    {"op": {"Einsum": {"spec": "max(ac->a)"}}, "inputs": [2], "outputs": [3]}
  ],
  "inputs": [0, 1], "outputs": [2, 3]
})json";

std::string tempDir() {
  std::string pattern = testing::TempDir() + "/tl-module-XXXXXX";
  char *dir = mkdtemp(pattern.data());
  return dir ? std::string(dir) : testing::TempDir();
}

CompileOptions options() {
  CompileOptions o;
  o.inputShapes = {{"parent", {5, 5}}};
  o.cache = false;
  return o;
}

/// grandparent(0,2), (0,3), (4,1); has = 1 0 0 0 1.
void expectGrandparent(const Executable &exe) {
  std::vector<double> p(25, 0.0);
  p[0 * 5 + 1] = p[1 * 5 + 2] = p[1 * 5 + 3] = p[4 * 5 + 0] = 1;
  Buffer parent = Buffer::borrow(p.data(), DType::f64, {5, 5});
  auto out = exe.run({{"parent", &parent}});
  ASSERT_TRUE(out.ok()) << out.status();
  const Buffer *gp = out->find("grandparent[ac]");
  const Buffer *has = out->find("has[a]");
  ASSERT_NE(gp, nullptr);
  ASSERT_NE(has, nullptr);
  for (int a = 0; a < 5; ++a)
    for (int c = 0; c < 5; ++c)
      EXPECT_EQ(gp->at(a * 5 + c),
                (a == 0 && (c == 2 || c == 3)) || (a == 4 && c == 1) ? 1.0
                                                                     : 0.0);
  const double want[5] = {1, 0, 0, 0, 1};
  for (int a = 0; a < 5; ++a)
    EXPECT_EQ(has->at(a), want[a]);
}

std::string moduleBytes() {
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto, options());
  EXPECT_TRUE(exe.ok()) << exe.status();
  std::string path = tempDir() + "/g.tlm";
  EXPECT_TRUE((*exe)->save(path).ok());
  auto bytes = runtime::readFile(path);
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

/// Replaces the trailing checksum so that a mutation reaches the parsers.
void resign(std::string &bytes) {
  if (bytes.size() < 32)
    return;
  runtime::Digest d =
      runtime::sha256(std::string_view(bytes).substr(0, bytes.size() - 32));
  std::memcpy(bytes.data() + bytes.size() - 32, d.data(), 32);
}

} // namespace

TEST(ModuleTest, SaveThenLoadRunsWithoutCompiling) {
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto, options());
  ASSERT_TRUE(exe.ok()) << exe.status();
  // What was compiled: ELF object code, and the phases that made it.
  EXPECT_EQ((*exe)->objectCode().substr(0, 4), std::string_view("\x7f" "ELF"));
  ASSERT_FALSE((*exe)->compilePhases().empty());
  EXPECT_EQ((*exe)->compilePhases().back().name, "load");
  std::string path = tempDir() + "/grandparent.tlm";
  ASSERT_TRUE((*exe)->save(path).ok());
  auto loaded = Executable::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ((*loaded)->inputs().size(), 1u);
  EXPECT_EQ((*loaded)->inputs()[0].name, "parent");
  EXPECT_EQ((*loaded)->inputs()[0].shape, (std::vector<int64_t>{5, 5}));
  ASSERT_EQ((*loaded)->outputs().size(), 2u);
  EXPECT_EQ((*loaded)->outputs()[1].name, "has[a]");
  expectGrandparent(**loaded);
}

TEST(ModuleTest, GradientModulesKeepTheirCotangents) {
  const char *rule = R"mlir(
    func.func @main(%x: tensor<3xf64> {tl.name = "x"}) -> (tensor<3xf64> {tl.name = "y"}) {
      %y = tl.binary multiply %x, %x : tensor<3xf64>, tensor<3xf64> -> tensor<3xf64>
      return %y : tensor<3xf64>
    })mlir";
  CompileOptions o;
  o.inputShapes = {{"x", {3}}};
  o.cache = false;
  auto exe = Executable::compileGradient(rule, GraphFormat::kMLIR, o,
                                         GradientOptions{{"x"}, false});
  ASSERT_TRUE(exe.ok()) << exe.status();
  std::string path = tempDir() + "/grad.tlm";
  ASSERT_TRUE((*exe)->save(path).ok());
  auto loaded = Executable::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE((*loaded)->isGradient());
  ASSERT_EQ((*loaded)->cotangents().size(), 1u);
  EXPECT_EQ((*loaded)->cotangents()[0].name, "y");
  std::vector<double> x = {1, -2, 3};
  Buffer xb = Buffer::borrow(x.data(), DType::f64, {3});
  auto g = (*loaded)->runGradient({{"x", &xb}});
  ASSERT_TRUE(g.ok()) << g.status();
  const Buffer *dx = g->gradients.find("x");
  ASSERT_NE(dx, nullptr);
  for (int i = 0; i < 3; ++i) // d(sum x^2)/dx = 2x
    EXPECT_EQ(dx->at(i), 2 * x[i]);
}

TEST(ModuleTest, CodeForMissingFeaturesIsRefusedByName) {
  const char *lacking = nullptr;
  for (const char *f : {"avx512fp16", "amx-tile", "avx512bf16", "avx512vnni",
                        "avx512f", "avx2"})
    if (!runtime::hostHasFeature(f)) {
      lacking = f;
      break;
    }
  if (!lacking)
    GTEST_SKIP() << "this CPU has every feature the test could ask for";
  CompileOptions o = options();
  o.features = std::string("+") + lacking;
  auto exe = Executable::compile(kGrandparent, GraphFormat::kAuto, o);
  ASSERT_TRUE(exe.ok()) << exe.status(); // a cross-compile succeeds
  std::vector<double> p(25, 0.0);
  Buffer parent = Buffer::borrow(p.data(), DType::f64, {5, 5});
  auto run = (*exe)->run({{"parent", &parent}});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find(lacking), std::string::npos)
      << run.status();
  std::string path = tempDir() + "/cross.tlm";
  ASSERT_TRUE((*exe)->save(path).ok());
  auto loaded = Executable::load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(std::string("lacks: ") + lacking),
            std::string::npos)
      << loaded.status();
}

TEST(ModuleTest, DamagedFilesAreRefusedWithAReason) {
  std::string good = moduleBytes();
  auto check = [](const std::string &bytes, const char *want) {
    auto m = runtime::Module::loadBytes(bytes, "m.tlm");
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.status().message().find(want), std::string::npos)
        << m.status();
  };
  check("", "not a tl module");
  check("{\"tensors\": []}", "not a tl module");
  check(good.substr(0, 20), "truncated module");
  check(good.substr(0, good.size() - 1), "truncated or damaged");
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  check(flipped, "checksum mismatch");
  std::string version = good;
  version[8] = 7;
  check(version, "module format version 7");
}

// A loader fuzz run: truncations, and mutations re-signed so that they get
// past the checksum into the manifest parser and the ELF loader. Nothing
// is executed; every load must fail cleanly or succeed, never crash (the
// ASan+UBSan build runs this too).
TEST(ModuleTest, FuzzedModulesNeverCrashTheLoader) {
  std::string good = moduleBytes();
  ASSERT_GT(good.size(), 200u);
  size_t manifestEnd = 32;
  for (int i = 0; i < 8; ++i)
    manifestEnd += static_cast<size_t>(static_cast<unsigned char>(good[16 + i]))
                   << (8 * i);
  std::mt19937_64 rng(20261129);
  int loaded = 0, refused = 0;
  for (size_t n = 0; n < good.size(); n += 1 + n / 16) {
    auto m = runtime::Module::loadBytes(good.substr(0, n), "t.tlm");
    (m.ok() ? loaded : refused)++;
  }
  for (int iter = 0; iter < 3000; ++iter) {
    std::string bytes = good;
    int flips = 1 + static_cast<int>(rng() % 8);
    // Half the runs aim at the manifest, half at the object code.
    bool manifest = iter % 2 == 0;
    for (int f = 0; f < flips; ++f) {
      size_t lo = manifest ? 32 : manifestEnd;
      size_t hi = manifest ? manifestEnd : bytes.size() - 32;
      size_t at = lo + rng() % (hi - lo);
      switch (rng() % 3) {
      case 0:
        bytes[at] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        bytes[at] = static_cast<char>(rng());
        break;
      default: // a plausible edit: digits and separators
        bytes[at] = "0123456789[],x% \n-"[rng() % 18];
        break;
      }
    }
    resign(bytes);
    auto m = runtime::Module::loadBytes(bytes, "f.tlm");
    (m.ok() ? loaded : refused)++;
  }
  EXPECT_GT(refused, 0);
  // A random ELF relocatable never links cleanly by chance either.
  for (int iter = 0; iter < 500; ++iter) {
    std::string noise(64 + rng() % 512, '\0');
    for (char &c : noise)
      c = static_cast<char>(rng());
    std::memcpy(noise.data(), "\x7f" "ELF\x02\x01\x01", 7);
    noise[16] = 1;  // ET_REL
    noise[18] = 62; // EM_X86_64
    auto o = runtime::LoadedObject::load(noise);
    EXPECT_FALSE(o.ok());
  }
}

// Found by tl-fuzz-module: a symbol table of size 0 reached a memcpy from
// an empty vector (undefined behaviour) before being refused.
TEST(ModuleTest, EmptySymbolTableIsRefused) {
  std::string bytes = moduleBytes(); // the object is a view into it
  auto parsed = runtime::parseModule(bytes, "t.tlm");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::string elf(parsed->second);
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof(eh));
  int emptied = 0;
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    size_t at = eh.e_shoff + i * sizeof(sh);
    std::memcpy(&sh, elf.data() + at, sizeof(sh));
    if (sh.sh_type != SHT_SYMTAB)
      continue;
    sh.sh_size = 0;
    std::memcpy(elf.data() + at, &sh, sizeof(sh));
    ++emptied;
  }
  ASSERT_EQ(emptied, 1);
  auto o = runtime::LoadedObject::load(elf);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(std::string(o.status().message()).find("empty symbol table"),
            std::string::npos)
      << o.status();
}

/// x -> 2x as a fixpoint of at most 4 iterations (`attrs` adds to them),
/// compiled, saved and loaded back, so sites come from the module.
static std::shared_ptr<const Executable> loadDoubling(const std::string &attrs) {
  std::string rule = R"mlir(
    func.func @main(%x: tensor<2xf64> {tl.name = "x"}) -> (tensor<2xf64> {tl.name = "y"}) {
      %y = tl.fixpoint (%s = %x) : tensor<2xf64> attributes {max_iterations = 4 : i64ATTRS} {
        %d = tl.binary add %s, %s : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
        tl.yield %d : tensor<2xf64>
      }
      return %y : tensor<2xf64>
    })mlir";
  rule.replace(rule.find("ATTRS"), 5, attrs);
  CompileOptions o;
  o.inputShapes = {{"x", {2}}};
  o.cache = false;
  auto compiled = Executable::compile(
      GraphSource{rule, GraphFormat::kMLIR, "doubling.mlir"}, o);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (!compiled.ok())
    return nullptr;
  std::string path =
      tempDir() + (attrs.empty() ? "/doubling.tlm" : "/doubling-warn.tlm");
  EXPECT_TRUE((*compiled)->save(path).ok());
  auto exe = Executable::load(path);
  EXPECT_TRUE(exe.ok()) << exe.status();
  return exe.ok() ? std::move(*exe) : nullptr;
}

// A compiled fixpoint that runs out of iterations fails the call with the
// reference evaluator's message, naming the op by the saved module's
// sites; the failure belongs to that call only. x -> 2x converges (at
// once) only from 0; from 1 the last of 4 iterations changes 8 to 16.
TEST(ModuleTest, FixpointFailuresFailTheCallThatMadeThem) {
  std::shared_ptr<const Executable> exe = loadDoubling("");
  ASSERT_TRUE(exe);

  std::vector<double> zero = {0, 0}, one = {0, 1};
  Buffer z = Buffer::borrow(zero.data(), DType::f64, {2});
  Buffer x = Buffer::borrow(one.data(), DType::f64, {2});
  auto failed = exe->run({{"x", &x}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(),
            "'tl.fixpoint' op at doubling.mlir:3:12: no fixpoint after 4 "
            "iteration(s) (max_iterations): the last one still changed an "
            "element by 8 (tolerance 0)");
  auto fine = exe->run({{"x", &z}});
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ(fine->find("y")->at(1), 0.0);

  // A bound call reports it the same way, on each failing run.
  Outputs outputs = exe->allocateOutputs();
  auto bound = exe->bind({{"x", &x}}, outputs);
  ASSERT_TRUE(bound.ok()) << bound.status();
  for (int i = 0; i < 2; ++i) {
    absl::Status s = (*bound)->run();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("no fixpoint after 4 iteration(s)"),
              std::string::npos)
        << s;
  }
}

// With warn_at_limit the same limit is a warning: the call succeeds with
// the last states, and the message waits for the calling thread to take
// it (another thread's runs do not see it).
TEST(ModuleTest, FixpointLimitWarningsBelongToTheCallingThread) {
  std::shared_ptr<const Executable> exe = loadDoubling(", warn_at_limit");
  ASSERT_TRUE(exe);

  Executable::takeRunWarnings();
  std::vector<double> one = {0, 1};
  Buffer x = Buffer::borrow(one.data(), DType::f64, {2});
  auto out = exe->run({{"x", &x}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->find("y")->at(1), 16.0); // 1 doubled 4 times
  std::thread other([&] {
    EXPECT_TRUE(Executable::takeRunWarnings().empty());
    ASSERT_TRUE(exe->run({{"x", &x}}).ok());
    EXPECT_EQ(Executable::takeRunWarnings().size(), 1u);
  });
  other.join();
  std::vector<std::string> warnings = Executable::takeRunWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "'tl.fixpoint' op at doubling.mlir:3:12: no fixpoint after 4 "
            "iteration(s) (max_iterations): the last one still changed an "
            "element by 8 (tolerance 0); the results are the states after "
            "the last iteration (warn_at_limit)");
  EXPECT_TRUE(Executable::takeRunWarnings().empty());
}

// Each runtime ABI adds entry points: modules of older ABIs still load, a
// newer one is refused with what to do.
TEST(ModuleTest, OlderRuntimeABIsLoadNewerOnesAreRefused) {
  std::string good = moduleBytes();
  const std::string current = std::to_string(runtime::kRuntimeABIVersion),
                    next = std::to_string(runtime::kRuntimeABIVersion + 1);
  size_t at = good.find("runtime-abi " + current + "\n");
  ASSERT_NE(at, std::string::npos);
  std::string older = good, newer = good;
  older.replace(at + 12, current.size(), "1");
  newer.replace(at + 12, current.size(), next);
  resign(older);
  resign(newer);
  auto m = runtime::Module::loadBytes(older, "old.tlm");
  ASSERT_TRUE(m.ok()) << m.status();
  auto n = runtime::Module::loadBytes(newer, "new.tlm");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("runtime ABI version " + next +
                                      "; this runtime provides 1 to " +
                                      current),
            std::string::npos)
      << n.status();
}
