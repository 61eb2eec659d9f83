//===- BufferTest.cpp - owned and borrowed tensor buffers ------------------===//

#include "tl/Runtime/Buffer.h"

#include "gtest/gtest.h"

#include <cstdint>

using tl::runtime::Buffer;
using tl::runtime::DType;

TEST(BufferTest, AllocateIsAlignedZeroedAndRowMajor) {
  Buffer b = Buffer::allocate(DType::f32, {3, 5});
  ASSERT_NE(b.data(), nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % Buffer::kAlignment, 0u);
  EXPECT_TRUE(b.ownsMemory());
  EXPECT_EQ(b.numElements(), 15);
  EXPECT_EQ(b.strides(), (std::vector<int64_t>{5, 1}));
  for (int64_t i = 0; i < 15; ++i)
    EXPECT_EQ(b.at(i), 0.0);
  EXPECT_EQ(b.typeString(), "3x5xf32");
}

TEST(BufferTest, ZeroSizeAndScalarBuffersHaveMemory) {
  Buffer empty = Buffer::allocate(DType::f64, {0, 4});
  EXPECT_NE(empty.data(), nullptr);
  EXPECT_EQ(empty.numElements(), 0);
  Buffer scalar = Buffer::allocate(DType::f64, {});
  ASSERT_NE(scalar.data(), nullptr);
  EXPECT_EQ(scalar.numElements(), 1);
  EXPECT_EQ(scalar.typeString(), "f64");
}

TEST(BufferTest, BorrowedMemoryIsNotFreedAndViewsShareIt) {
  double data[6] = {1, 2, 3, 4, 5, 6};
  {
    Buffer b = Buffer::borrow(data, DType::f64, {2, 3});
    EXPECT_FALSE(b.ownsMemory());
    Buffer v = b.view();
    EXPECT_EQ(v.data(), static_cast<void *>(data));
    v.data<double>()[4] = 50;
  }
  EXPECT_EQ(data[4], 50); // still ours, and written through the view
}

TEST(BufferTest, StridedBorrowReadsAndCopiesInLogicalOrder) {
  // A 2x3 transpose view of a row-major 3x2 array: strides {1, 2}.
  float data[6] = {1, 2, 3, 4, 5, 6}; // rows [1 2] [3 4] [5 6]
  Buffer t = Buffer::borrow(data, DType::f32, {2, 3}, {1, 2});
  EXPECT_FALSE(t.isContiguous());
  Buffer c = t.copyAs(DType::f64);
  EXPECT_TRUE(c.isContiguous());
  const double want[6] = {1, 3, 5, 2, 4, 6};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(c.data<double>()[i], want[i]) << i;
}

TEST(BufferTest, MoveTransfersOwnership) {
  Buffer a = Buffer::allocate(DType::f64, {4});
  void *p = a.data();
  Buffer b = std::move(a);
  EXPECT_EQ(b.data(), p);
  EXPECT_TRUE(b.ownsMemory());
  EXPECT_EQ(a.data(), nullptr); // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(a.ownsMemory());
  a = std::move(b);
  EXPECT_EQ(a.data(), p);
}

TEST(BufferTest, AllocationWhoseSizeOverflowsFailsCleanly) {
  // 3 x 2^61 doubles: the byte count wraps to 0 without a check.
  Buffer b = Buffer::allocate(DType::f64, {3, int64_t(1) << 61});
  EXPECT_EQ(b.data(), nullptr);
  // 5 x 2^61 elements overflow int64: the count saturates, never wraps.
  EXPECT_EQ(Buffer::allocate(DType::f64, {5, int64_t(1) << 61}).numElements(),
            INT64_MAX);
  Buffer z = Buffer::allocate(DType::f64, {0, int64_t(1) << 61});
  EXPECT_EQ(z.data(), nullptr); // refused too: its shape alone overflows
  Buffer fine = Buffer::allocate(DType::f64, {0, 4});
  EXPECT_NE(fine.data(), nullptr);
  EXPECT_EQ(fine.numElements(), 0);
}
