//===- SparseBufferTest.cpp - COO and CSR tensors --------------------------===//

#include "tl/Runtime/SparseBuffer.h"
#include "tl/Runtime/Limits.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace tl::runtime;

namespace {

Buffer randomDense(std::mt19937 &rng, std::vector<int64_t> shape,
                   double density) {
  Buffer b = Buffer::allocate(DType::f64, std::move(shape));
  std::uniform_real_distribution<double> u(0, 1);
  for (int64_t i = 0; i < b.numElements(); ++i)
    b.data<double>()[i] = u(rng) < density ? 1 + int(u(rng) * 9) : 0;
  return b;
}

int64_t countNonzeros(const Buffer &b) {
  int64_t n = 0;
  for (int64_t i = 0; i < b.numElements(); ++i)
    n += b.at(i) != 0;
  return n;
}

void expectSame(const Buffer &a, const Buffer &b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numElements(); ++i)
    ASSERT_EQ(a.at(i), b.at(i)) << "element " << i;
}

SparseBuffer csr(std::vector<int64_t> shape, std::vector<int64_t> positions,
                 std::vector<int64_t> coordinates) {
  SparseBuffer s;
  s.format = SparseFormat::csr;
  s.shape = std::move(shape);
  s.positions = std::move(positions);
  s.coordinates = std::move(coordinates);
  s.values = Buffer::allocate(DType::f64, {int64_t(s.coordinates.size())});
  return s;
}

std::string message(const absl::Status &st) { return std::string(st.message()); }

} // namespace

// Random tensors at densities from empty to full, in both layouts: the
// nonzeros are the dense tensor's (counted here), they validate, and the
// dense form and the other layout give the tensor back.
TEST(SparseBufferTest, DenseRoundTripsAtEveryDensity) {
  std::mt19937 rng(19);
  for (double density : {0.0, 0.01, 0.1, 0.5, 0.9, 1.0})
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{7, 5}, {1, 9}, {9, 1}, {0, 4}, {3, 0}}) {
      Buffer dense = randomDense(rng, shape, density);
      for (SparseFormat f : {SparseFormat::csr, SparseFormat::coo}) {
        SparseBuffer s = SparseBuffer::fromDense(dense, f);
        ASSERT_TRUE(s.validate("t").ok()) << message(s.validate("t"));
        EXPECT_EQ(s.nnz(), countNonzeros(dense));
        auto back = s.toDense();
        ASSERT_TRUE(back.ok());
        expectSame(*back, dense);
        SparseBuffer other = s.convert(f == SparseFormat::csr
                                           ? SparseFormat::coo
                                           : SparseFormat::csr);
        ASSERT_TRUE(other.validate("t").ok()) << message(other.validate("t"));
        auto otherDense = other.toDense();
        ASSERT_TRUE(otherDense.ok());
        expectSame(*otherDense, dense);
      }
    }
}

TEST(SparseBufferTest, CooOfAnyRank) {
  std::mt19937 rng(5);
  for (std::vector<int64_t> shape : {std::vector<int64_t>{6},
                                     {3, 4, 2},
                                     {2, 2, 2, 3}}) {
    Buffer dense = randomDense(rng, shape, 0.3);
    SparseBuffer s = SparseBuffer::fromDense(dense, SparseFormat::coo);
    EXPECT_TRUE(s.validate("t").ok());
    EXPECT_EQ(s.nnz(), countNonzeros(dense));
    for (int64_t k = 0; k < s.nnz(); ++k) {
      std::vector<int64_t> c = s.coordinate(k);
      int64_t at = 0;
      for (size_t d = 0; d < c.size(); ++d)
        at = at * shape[d] + c[d];
      EXPECT_EQ(dense.at(at), s.values.at(k));
    }
    auto back = s.toDense();
    ASSERT_TRUE(back.ok());
    expectSame(*back, dense);
  }
}

// Explicit zeros (code computed through the sparse route stores some)
// are dropped in either layout; the tensor and its layout stay the same.
TEST(SparseBufferTest, WithoutZerosDropsExplicitZeros) {
  SparseBuffer s = csr({3, 4}, {0, 2, 2, 5}, {0, 3, 1, 2, 3});
  const double values[] = {1, 0, 0, 2, 0};
  for (int k = 0; k < 5; ++k)
    s.values.data<double>()[k] = values[k];
  for (SparseFormat f : {SparseFormat::csr, SparseFormat::coo}) {
    SparseBuffer t = s.convert(f).withoutZeros();
    ASSERT_TRUE(t.validate("t").ok()) << message(t.validate("t"));
    EXPECT_EQ(t.format, f);
    ASSERT_EQ(t.nnz(), 2);
    EXPECT_EQ(t.coordinate(0), (std::vector<int64_t>{0, 0}));
    EXPECT_EQ(t.coordinate(1), (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(t.values.at(1), 2);
    if (f == SparseFormat::csr)
      EXPECT_EQ(t.positions, (std::vector<int64_t>{0, 1, 1, 2}));
    auto a = s.toDense(), b = t.toDense();
    ASSERT_TRUE(a.ok() && b.ok());
    expectSame(*a, *b);
  }
}

TEST(SparseBufferTest, StridedDenseAndNaN) {
  double data[6] = {0, 1, 0, NAN, 2, 0};
  // The transpose of a 2x3 row-major array: a 3x2 view.
  Buffer view = Buffer::borrow(data, DType::f64, {3, 2}, {1, 3});
  SparseBuffer s = SparseBuffer::fromDense(view, SparseFormat::csr);
  ASSERT_EQ(s.nnz(), 3); // NaN is not zero
  EXPECT_EQ(s.coordinate(0), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(s.coordinate(1), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(s.coordinate(2), (std::vector<int64_t>{1, 1}));
  EXPECT_TRUE(std::isnan(s.values.at(0)));
  EXPECT_EQ(s.values.at(1), 1);
  EXPECT_EQ(s.values.at(2), 2);
  EXPECT_EQ(s.density(), 0.5);
}

TEST(SparseBufferTest, ValidateNamesTheFirstBadEntry) {
  EXPECT_EQ(message(csr({2, 3}, {0, 1}, {0}).validate("m")),
            "m: 'positions' has 2 entries; 2 rows need 3");
  EXPECT_EQ(message(csr({2, 3}, {0, 2, 1}, {0, 1}).validate("m")),
            "m: 'positions' ends at 1 but 'values' has 2 entries");
  EXPECT_EQ(message(csr({2, 3, 1}, {0, 1, 2}, {0, 1}).validate("m")),
            "m: a CSR tensor has rank 2, this shape has rank 3");
  EXPECT_EQ(message(csr({3, 3}, {0, 2, 1, 2}, {0, 1}).validate("m")),
            "m: 'positions' entry 2 is 1 after 2; expected a value in 2..2");
  EXPECT_EQ(message(csr({2, 3}, {0, 1, 2}, {0, 3}).validate("m")),
            "m: 'coordinates' entry 1 (row 1) is 3, outside the 3 columns");
  EXPECT_EQ(
      message(csr({1, 3}, {0, 2}, {2, 2}).validate("m")),
      "m: 'coordinates' entry 1 (row 0) is 2 after 2: columns must increase "
      "within a row (a duplicate entry); SciPy's m.sum_duplicates() writes "
      "the canonical form");
  SparseBuffer coo;
  coo.shape = {2, 2};
  coo.coordinates = {1, 0, 0, 1};
  coo.values = Buffer::allocate(DType::f32, {2});
  EXPECT_EQ(message(coo.validate("c")),
            "c: entry 1 of 'coordinates' is (0, 1), before entry 0: entries "
            "must be in increasing row-major order with no duplicates");
  coo.coordinates = {0, 1, 0, 2};
  EXPECT_EQ(message(coo.validate("c")),
            "c: entry 1 of 'coordinates' is (0, 2): index 2 of dimension 1 "
            "is outside 0..1");
}

TEST(SparseBufferTest, DenseFormOverTheMemoryLimitIsRefused) {
  SparseBuffer s = csr({100000, 100000}, std::vector<int64_t>(100001, 0), {});
  ASSERT_TRUE(s.validate("big").ok());
  auto dense = s.toDense();
  ASSERT_FALSE(dense.ok());
  EXPECT_EQ(dense.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(message(dense.status()).find("100000x100000xf64 csr, 0 nonzeros"),
            std::string::npos)
      << message(dense.status());
}
