//===- NpyTest.cpp - .npy/.npz reading against files NumPy wrote ----------===//
//
// The fixtures in Inputs/ were written by NumPy 1.24 (np.save, np.savez,
// np.savez_compressed); the expected values are the ones given to NumPy.
//
//===----------------------------------------------------------------------===//

#include "tl/IO/Npy.h"
#include "tl/IO/Zip.h"

#include <unistd.h>
#include <cstdio>

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir::tl::io;

static std::string input(const char *name) {
  return std::string(TL_UNITTEST_INPUTS) + "/" + name;
}

static Array readOk(const char *name) {
  auto a = readNpy(input(name));
  EXPECT_TRUE(a.ok()) << a.status().message();
  return a.ok() ? std::move(*a) : Array();
}

static std::string errorOf(const absl::Status &s) { return std::string(s.message()); }

TEST(NpyTest, Float64Matrix) {
  Array a = readOk("f64_2x3.npy");
  EXPECT_EQ(a.dtype, DType::f64);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.toDoubles(),
            (std::vector<double>{1.5, -2.0, 3.25, 0.0, 1e300, -1e-300}));
}

TEST(NpyTest, Float32AndFloat16) {
  Array a = readOk("f32_3.npy");
  EXPECT_EQ(a.dtype, DType::f32);
  EXPECT_EQ(a.toDoubles(), (std::vector<double>{1.0, double(0.1f), -7.5}));
  Array h = readOk("f16_2.npy");
  EXPECT_EQ(h.dtype, DType::f16);
  EXPECT_EQ(h.toDoubles(), (std::vector<double>{0.5, -2.0}));
}

TEST(NpyTest, IntegersAndBool) {
  EXPECT_EQ(readOk("i64_2x2.npy").toDoubles(),
            (std::vector<double>{1, -2, 3, 1099511627776.0}));
  EXPECT_EQ(readOk("i8_3.npy").toDoubles(), (std::vector<double>{-128, 0, 127}));
  EXPECT_EQ(readOk("u16_2.npy").toDoubles(), (std::vector<double>{0, 65535}));
  Array b = readOk("bool_4.npy");
  EXPECT_EQ(b.dtype, DType::b1);
  EXPECT_EQ(b.toDoubles(), (std::vector<double>{1, 0, 0, 1}));
}

TEST(NpyTest, FortranOrderIsTransposedToC) {
  Array a = readOk("fortran_2x3.npy"); // np.arange(6).reshape(2, 3), F order
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.toDoubles(), (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(NpyTest, BigEndian) {
  EXPECT_EQ(readOk("bigendian_3.npy").toDoubles(),
            (std::vector<double>{1.0, 2.0, -3.0}));
}

TEST(NpyTest, ScalarAndEmpty) {
  Array s = readOk("scalar.npy");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.toDoubles(), (std::vector<double>{2.5}));
  Array e = readOk("empty_0x3.npy");
  EXPECT_EQ(e.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(e.numElements(), 0);
}

TEST(NpyTest, StructuredDtypeIsRejected) {
  auto a = readNpy(input("structured.npy"));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(errorOf(a.status()).find("structured arrays are not supported"),
            std::string::npos);
}

TEST(NpyTest, BadBytes) {
  auto notNpy = parseNpy("hello world", "x.npy");
  ASSERT_FALSE(notNpy.ok());
  EXPECT_EQ(errorOf(notNpy.status()), "x.npy: not a .npy file (no \\x93NUMPY magic)");
  // A valid header that promises more data than there is.
  std::string truncated = serializeNpy(Array::fromDoubles(DType::f64, {4}, {1, 2, 3, 4}));
  truncated.resize(truncated.size() - 8);
  auto t = parseNpy(truncated, "t.npy");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(errorOf(t.status()),
            "t.npy: truncated data: shape (4,) needs 32 bytes, the file has 24");
}

TEST(NpzTest, SavezStoredWithZip64Extras) {
  auto z = readNpz(input("plain.npz"));
  ASSERT_TRUE(z.ok()) << errorOf(z.status());
  ASSERT_EQ(z->size(), 3u);
  EXPECT_EQ((*z)[0].first, "a");
  EXPECT_EQ((*z)[0].second.toDoubles(), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ((*z)[1].first, "b");
  EXPECT_EQ((*z)[1].second.shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ((*z)[2].first, "knows[ab]");
  EXPECT_EQ((*z)[2].second.dtype, DType::f32);
  EXPECT_EQ((*z)[2].second.toDoubles(), (std::vector<double>{1, 0, 0, 1}));
}

TEST(NpzTest, SavezCompressedIsInflated) {
  auto z = readNpz(input("compressed.npz"));
  ASSERT_TRUE(z.ok()) << errorOf(z.status());
  ASSERT_EQ(z->size(), 2u);
  std::vector<double> big = (*z)[0].second.toDoubles();
  ASSERT_EQ(big.size(), 1000u);
  for (size_t i = 0; i < big.size(); ++i)
    ASSERT_EQ(big[i], double(i));
  EXPECT_EQ((*z)[1].second.toDoubles(), (std::vector<double>{-1.0}));
}

TEST(NpzTest, CorruptMemberFailsItsCrc) {
  auto z = readNpz(input("corrupt_crc.npz"));
  ASSERT_FALSE(z.ok());
  EXPECT_NE(errorOf(z.status()).find("CRC mismatch in member 'a.npy'"),
            std::string::npos);
}

TEST(NpzTest, WriteThenReadKeepsNamesOrderAndBits) {
  std::string path = testing::TempDir() + "/tl-npz-" +
                     std::to_string(::getpid()) + ".npz";
  NamedArrays arrays;
  arrays.emplace_back("z[ab]", Array::fromDoubles(DType::f64, {2, 2},
                                                  {1.0, NAN, -INFINITY, -0.0}));
  arrays.emplace_back("a", Array::fromDoubles(DType::f32, {}, {0.1}));
  arrays.emplace_back("empty", Array::fromDoubles(DType::f64, {0, 4}, {}));
  ASSERT_TRUE(writeNpz(path, arrays).ok());
  auto back = readNpz(path);
  std::remove(path.c_str());
  ASSERT_TRUE(back.ok()) << errorOf(back.status());
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*back)[i].first, arrays[i].first);
    EXPECT_EQ((*back)[i].second.dtype, arrays[i].second.dtype);
    EXPECT_EQ((*back)[i].second.shape, arrays[i].second.shape);
    EXPECT_EQ((*back)[i].second.data, arrays[i].second.data);
  }
}

TEST(ZipTest, TruncatedArchivesAreErrorsNotCrashes) {
  auto bytes = writeZip({{"a.npy", std::string(100, 'x')}});
  ASSERT_TRUE(bytes.ok());
  // Every prefix of a valid archive is rejected cleanly.
  for (size_t n = 0; n < bytes->size(); ++n) {
    auto r = readZip(std::string_view(*bytes).substr(0, n), "p.zip");
    EXPECT_FALSE(r.ok()) << "prefix " << n;
  }
}

//===----------------------------------------------------------------------===//
// Hostile files (issue 14): claimed sizes are checked before anything is
// allocated, and every failure is a message, never a crash or a hang.
//===----------------------------------------------------------------------===//

#include "tl/IO/InlineInput.h"
#include "tl/Runtime/Limits.h"

#include <chrono>

namespace {
/// A .npy header (version 1) with `shape` and no data.
std::string npyHeader(const std::string &shape) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header;
}

/// Sets the process's memory limit for one test.
struct ScopedMemoryLimit {
  explicit ScopedMemoryLimit(uint64_t bytes) {
    tl::runtime::setMemoryLimit(bytes);
  }
  ~ScopedMemoryLimit() { tl::runtime::setMemoryLimit(0); }
};
} // namespace

TEST(NpyTest, ShapeWhoseSizeOverflowsIsRefused) {
  // (0, 2^60): a valid zero-size header, but its other dimension would
  // overflow every size computed from it later.
  auto a = parseNpy(npyHeader("(0, 1152921504606846976)"), "z.npy");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(errorOf(a.status()),
            "z.npy: the .npy header's shape (0, 1152921504606846976) of "
            "float64 overflows 64-bit sizes (the product of its nonzero "
            "dimensions is above 2^62 bytes)");
  // A large claim with no data behind it is truncated, not allocated.
  auto big = parseNpy(npyHeader("(1000000, 1000000)"), "b.npy");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(errorOf(big.status()).find("truncated data"), std::string::npos);
}

TEST(NpyTest, RanksAboveNumPysLimitAreRefusedQuickly) {
  std::string shape = "(";
  for (int i = 0; i < 1000; ++i)
    shape += "1, ";
  shape += ")";
  auto start = std::chrono::steady_clock::now();
  auto a = parseNpy(npyHeader(shape), "r.npy");
  ASSERT_FALSE(a.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(errorOf(a.status()),
            "r.npy: the .npy header has more than 32 dimensions (NumPy's "
            "limit, and tl's)");
  // 32 dimensions are fine.
  std::string ok = "(";
  for (int i = 0; i < 32; ++i)
    ok += "1, ";
  ok += ")";
  std::string bytes = npyHeader(ok) + std::string(8, '\0');
  EXPECT_TRUE(parseNpy(bytes, "ok.npy").ok());
}

TEST(NpyTest, ArraysAboveTheMemoryLimitAreRefused) {
  ScopedMemoryLimit limit(1024);
  std::string bytes = serializeNpy(
      Array::fromDoubles(DType::f64, {256}, std::vector<double>(256, 1.0)));
  auto a = parseNpy(bytes, "m.npy");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(errorOf(a.status()),
            "m.npy: shape (256,) of float64 needs 2.0 KiB, more than the "
            "memory limit of 1.0 KiB (TL_MEMORY_LIMIT or --memory-limit)");
}

TEST(NpyTest, MalformedHeadersAreQuotedWithinOneLine) {
  std::string shape(100000, '9');
  auto a = parseNpy(npyHeader("(" + shape + ")"), "long.npy");
  ASSERT_FALSE(a.ok());
  EXPECT_LT(errorOf(a.status()).size(), 200u) << errorOf(a.status());
}

TEST(ZipTest, ClaimedSizesBeyondDeflateAreRefusedBeforeAllocating) {
  // A stored member rewritten to claim deflate and 4 GiB - 16
  // uncompressed: a 100-byte archive that once took 20 s and larger
  // claims aborted the process.
  auto bytes = writeZip({{"a.npy", std::string(16, 'x')}});
  ASSERT_TRUE(bytes.ok());
  std::string z = *bytes;
  size_t central = z.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(central, std::string::npos);
  z[central + 10] = 8; // method: deflate
  for (int i = 0; i < 4; ++i)
    z[central + 24 + i] = char(i == 0 ? 0xf0 : 0xff);
  auto start = std::chrono::steady_clock::now();
  auto r = readZip(z, "claim.npz");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(errorOf(r.status()),
            "claim.npz: member 'a.npy' claims 4294967280 bytes uncompressed "
            "from 16 compressed bytes, more than deflate can produce (a "
            "corrupt zip header)");
}

TEST(ZipTest, NamesAreFlaggedUtf8AndOverlongNamesRefused) {
  auto bytes = writeZip({{"\xe5\x90\x8d\xe5\x89\x8d.npy", "x"}});
  ASSERT_TRUE(bytes.ok());
  // General purpose flags of the local header: bit 11, UTF-8 names.
  EXPECT_EQ(uint8_t((*bytes)[7]) << 8 | uint8_t((*bytes)[6]), 0x800);
  auto back = readZip(*bytes, "u.npz");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].first, "\xe5\x90\x8d\xe5\x89\x8d.npy");
  auto tooLong = writeZip({{std::string(70000, 'n'), "x"}});
  ASSERT_FALSE(tooLong.ok());
  EXPECT_NE(errorOf(tooLong.status())
                .find("a member name of 70000 bytes; a .npz holds names of "
                      "at most 65535"),
            std::string::npos);
}

TEST(NpzTest, WritesAreAtomicAndNameTheFileOnFailure) {
  NamedArrays arrays;
  arrays.emplace_back("a", Array::fromDoubles(DType::f64, {1}, {1}));
  std::string path = testing::TempDir() + "/no-such-dir-" +
                     std::to_string(::getpid()) + "/out.npz";
  absl::Status st = writeNpz(path, arrays);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(errorOf(st).rfind("cannot write '" + path + "'", 0), 0u)
      << errorOf(st);
  EXPECT_NE(errorOf(st).find("No such file or directory"), std::string::npos);
}

TEST(InlineInputTest, HugeOrOverflowingShapesAreRefusedBeforeAllocating) {
  ScopedMemoryLimit limit(uint64_t(1) << 30);
  auto huge = parseInlineInput("x=10000000000xf64=0");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(errorOf(huge.status()),
            "--input='x=10000000000xf64=0': the array needs 74.5 GiB, more "
            "than the memory limit of 1.0 GiB (TL_MEMORY_LIMIT or "
            "--memory-limit)");
  auto wraps = parseInlineInput("x=0x2305843009213693952xf64");
  ASSERT_FALSE(wraps.ok());
  EXPECT_NE(errorOf(wraps.status()).find("the shape's size overflows 64 bits"),
            std::string::npos);
}
