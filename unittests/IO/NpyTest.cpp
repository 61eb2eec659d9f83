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
