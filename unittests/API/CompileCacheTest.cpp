//===- CompileCacheTest.cpp - the persistent compile cache -----------------===//
//
// Each test uses a cache directory of its own and clears the in-process
// cache before a compile that must go to disk, as a new process would.
// Many processes at once: test/Cache/concurrent_compiles.py.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
#include "tl/Driver/CompileCache.h"
#include "tl/Runtime/Module.h"
#include "tl/Runtime/Sha256.h"

#include "gtest/gtest.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

using namespace tl;

namespace {

const char *kRule = R"json({
  "tensors": ["parent[ab]", "parent[bc]", "grandparent[ac]"],
  "nodes": [
    {"op": {"Einsum": {"spec": "ab,bc->ac"}}, "inputs": [0, 1], "outputs": [2]}
  ],
  "inputs": [0, 1], "outputs": [2]
})json";

std::string tempDir() {
  std::string pattern = testing::TempDir() + "/tl-cache-XXXXXX";
  char *dir = mkdtemp(pattern.data());
  return dir ? std::string(dir) : testing::TempDir();
}

std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> out;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d))
      if (e->d_name[0] != '.')
        out.push_back(dir + "/" + e->d_name);
    closedir(d);
  }
  return out;
}

uint64_t totalBytes(const std::string &dir) {
  uint64_t total = 0;
  for (const std::string &p : entries(dir)) {
    struct stat st;
    if (stat(p.c_str(), &st) == 0)
      total += st.st_size;
  }
  return total;
}

struct Compiled {
  std::shared_ptr<const Executable> exe;
  std::string report;
};

Compiled compile(const CompileOptions &o) {
  mlir::tl::clearInProcessCache(); // as a new process
  auto exe = Executable::compile(kRule, GraphFormat::kAuto, o);
  EXPECT_TRUE(exe.ok()) << exe.status();
  if (!exe.ok())
    return {};
  return {*exe, (*exe)->cacheReport()};
}

CompileOptions inDir(const std::string &dir, int64_t n = 4) {
  CompileOptions o;
  o.inputShapes = {{"parent", {n, n}}};
  o.cacheDir = dir;
  return o;
}

/// The product of the n x n matrix with entries i*n+j with itself, checked
/// against a plain triple loop.
void expectSquare(const Executable &exe, int64_t n) {
  std::vector<double> p(n * n);
  for (int64_t i = 0; i < n * n; ++i)
    p[i] = static_cast<double>(i % 7);
  Buffer in = Buffer::borrow(p.data(), DType::f64, {n, n});
  auto out = exe.run({{"parent", &in}});
  ASSERT_TRUE(out.ok()) << out.status();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t k = 0; k < n; ++k)
        want += p[i * n + k] * p[k * n + j];
      EXPECT_EQ((*out)[0].at(i * n + j), want);
    }
}

} // namespace

TEST(CompileCacheTest, AMissThenAHit) {
  std::string dir = tempDir();
  Compiled first = compile(inDir(dir));
  EXPECT_NE(first.report.find("miss"), std::string::npos) << first.report;
  ASSERT_EQ(entries(dir).size(), 1u);
  Compiled second = compile(inDir(dir));
  EXPECT_NE(second.report.find("hit (" + dir), std::string::npos)
      << second.report;
  expectSquare(*second.exe, 4);
  // In the same process, the in-process cache answers first.
  auto again = Executable::compile(kRule, GraphFormat::kAuto, inDir(dir));
  ASSERT_TRUE(again.ok());
  EXPECT_NE((*again)->cacheReport().find("in this process"), std::string::npos);
}

TEST(CompileCacheTest, OffMeansNeitherReadNorWritten) {
  std::string dir = tempDir();
  CompileOptions o = inDir(dir);
  o.cache = false;
  Compiled c = compile(o);
  EXPECT_EQ(c.report, "cache: off");
  EXPECT_TRUE(entries(dir).empty());
}

TEST(CompileCacheTest, TheKeyChangesWithEveryPart) {
  std::string dir = tempDir();
  compile(inDir(dir));
  auto missBecause = [&](const CompileOptions &o, const char *part) {
    Compiled c = compile(o);
    EXPECT_NE(c.report.find("miss"), std::string::npos) << part << ": "
                                                         << c.report;
    EXPECT_NE(c.report.find(std::string("another ") + part),
              std::string::npos)
        << c.report;
  };
  missBecause(inDir(dir, 6), "shapes");
  CompileOptions f32 = inDir(dir);
  f32.dtype = DType::f32;
  // The dtype changes the imported graph's element types too.
  Compiled c = compile(f32);
  EXPECT_NE(c.report.find("miss"), std::string::npos) << c.report;
  CompileOptions vec = inDir(dir);
  vec.vectorize = false;
  missBecause(vec, "options");
  CompileOptions target = inDir(dir);
  target.cpu = "x86-64";
  missBecause(target, "target");

  // Another compiler build: the same entry with another build id in its
  // key is not taken for this build's.
  std::string other = tempDir();
  Compiled base = compile(inDir(other));
  std::vector<std::string> files = entries(other);
  ASSERT_EQ(files.size(), 1u);
  auto bytes = runtime::readFile(files[0]);
  ASSERT_TRUE(bytes.ok());
  auto parsed = runtime::parseModule(*bytes, files[0]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  runtime::ModuleManifest m = parsed->first;
  for (auto &[k, v] : m.options)
    if (k == "key.build")
      v = "0000000000000000";
  std::string rewritten = runtime::serializeModule(m, parsed->second);
  ASSERT_TRUE(runtime::writeFileAtomically(files[0], rewritten).ok());
  missBecause(inDir(other), "build");
}

TEST(CompileCacheTest, DamagedEntriesAreRecompiledNotLoaded) {
  for (bool truncate : {true, false}) {
    std::string dir = tempDir();
    compile(inDir(dir));
    std::vector<std::string> files = entries(dir);
    ASSERT_EQ(files.size(), 1u);
    auto bytes = runtime::readFile(files[0]);
    ASSERT_TRUE(bytes.ok());
    std::string damaged = *bytes;
    if (truncate)
      damaged.resize(damaged.size() / 2);
    else
      damaged[damaged.size() / 2] ^= 0x04; // one bit
    {
      std::ofstream out(files[0], std::ios::binary | std::ios::trunc);
      out << damaged;
    }
    Compiled c = compile(inDir(dir));
    EXPECT_NE(c.report.find("removed a damaged entry"), std::string::npos)
        << c.report;
    expectSquare(*c.exe, 4);
    // Recompiled and stored again, whole.
    auto after = runtime::readFile(files[0]);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, *bytes) << (truncate ? "truncated" : "bit flip");
    Compiled hit = compile(inDir(dir));
    EXPECT_NE(hit.report.find("hit ("), std::string::npos) << hit.report;
  }
}

TEST(CompileCacheTest, EvictionKeepsTheCacheUnderItsCap) {
  std::string dir = tempDir();
  Compiled one = compile(inDir(dir, 2));
  uint64_t entryBytes = totalBytes(dir);
  ASSERT_GT(entryBytes, 0u);
  CompileOptions o = inDir(dir);
  o.cacheMaxBytes = entryBytes * 3 + entryBytes / 2; // room for about three
  for (int64_t n = 3; n < 10; ++n) {
    o.inputShapes = {{"parent", {n, n}}};
    compile(o);
    EXPECT_LE(totalBytes(dir), o.cacheMaxBytes) << "after n = " << n;
  }
  EXPECT_GE(entries(dir).size(), 2u);
  // The most recent survive; the oldest (n = 2) is gone.
  o.inputShapes = {{"parent", {9, 9}}};
  EXPECT_NE(compile(o).report.find("hit ("), std::string::npos);
  o.inputShapes = {{"parent", {2, 2}}};
  EXPECT_NE(compile(o).report.find("miss"), std::string::npos);
}
