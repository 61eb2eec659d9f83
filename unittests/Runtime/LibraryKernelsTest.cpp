//===- LibraryKernelsTest.cpp - library GEMMs against plain loops ---------===//
//
// tl_rt_batch_sgemm runs each pool thread's share of a batch as one oneDNN
// matmul primitive, the threads at once (each with its own scratchpad); it
// must compute what one sgemm per batch item computes: C += A x B, for the
// layouts generated code passes (row-major, a transposed operand, a batch
// stride that is not the matrix size), checked against a double-precision
// loop. tl_rt_dgemm and tl_rt_batch_dgemm (OpenBLAS, loaded at run time)
// against a long-double loop, for the same layouts and one that no BLAS
// takes (no unit stride: the runtime's own loop).
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/LibraryKernels.h"
#include "tl/Runtime/RuntimeABI.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <type_traits>
#include <vector>

namespace {

struct Layout {
  int64_t s0, s1, s2; // batch, row, column strides
  int64_t size;       // elements of the allocation
};

// C += A x B through the runtime entry for T's precision.
void gemm(int64_t batch, int64_t m, int64_t k, int64_t n, float *a, Layout la,
          float *b, Layout lb, float *c, Layout lc) {
  tl_rt_batch_sgemm(a, a, 0, batch, m, k, la.s0, la.s1, la.s2, b, b, 0, batch,
                    k, n, lb.s0, lb.s1, lb.s2, c, c, 0, batch, m, n, lc.s0,
                    lc.s1, lc.s2);
}

void gemm(int64_t batch, int64_t m, int64_t k, int64_t n, double *a, Layout la,
          double *b, Layout lb, double *c, Layout lc) {
  if (batch == 1)
    tl_rt_dgemm(a, a, 0, m, k, la.s1, la.s2, b, b, 0, k, n, lb.s1, lb.s2, c, c,
                0, m, n, lc.s1, lc.s2);
  else
    tl_rt_batch_dgemm(a, a, 0, batch, m, k, la.s0, la.s1, la.s2, b, b, 0, batch,
                      k, n, lb.s0, lb.s1, lb.s2, c, c, 0, batch, m, n, lc.s0,
                      lc.s1, lc.s2);
}

// Against a loop in a wider type: double for float, long double for double.
template <typename T>
void check(int64_t batch, int64_t m, int64_t k, int64_t n, Layout la, Layout lb,
           Layout lc) {
  constexpr bool single = std::is_same_v<T, float>;
  using Wide = std::conditional_t<single, double, long double>;
  std::mt19937 rng(single ? 11 : 12);
  std::uniform_real_distribution<T> dist(-1, 1);
  std::vector<T> a(la.size), b(lb.size), c(lc.size);
  for (T &x : a)
    x = dist(rng);
  for (T &x : b)
    x = dist(rng);
  for (T &x : c)
    x = dist(rng); // C += A x B keeps what C holds
  std::vector<T> before = c;
  gemm(batch, m, k, n, a.data(), la, b.data(), lb, c.data(), lc);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        Wide want = before[p * lc.s0 + i * lc.s1 + j * lc.s2];
        for (int64_t q = 0; q < k; ++q)
          want += Wide(a[p * la.s0 + i * la.s1 + q * la.s2]) *
                  b[p * lb.s0 + q * lb.s1 + j * lb.s2];
        double got = c[p * lc.s0 + i * lc.s1 + j * lc.s2];
        double tol = single ? 1e-4 * (1 + std::abs(double(want)))
                            : 1e-12 * (k + std::abs(double(want)));
        ASSERT_NEAR(got, double(want), tol)
            << "batch " << p << " row " << i << " col " << j;
      }
}

TEST(LibraryKernelsTest, BatchedMatmulIsEveryItemsGemm) {
  // Row-major, contiguous batches (W6's layout). Repeated: the pool's
  // threads run the same primitive at once, and a shared scratchpad
  // showed up as a wrong tile now and then.
  for (int repeat = 0; repeat < 20; ++repeat)
    check<float>(8, 16, 24, 20, {16 * 24, 24, 1, 8 * 16 * 24},
                 {24 * 20, 20, 1, 8 * 24 * 20}, {16 * 20, 20, 1, 8 * 16 * 20});
  // B transposed in memory (its columns contiguous).
  check<float>(5, 7, 9, 6, {7 * 9, 9, 1, 5 * 7 * 9}, {9 * 6, 1, 9, 5 * 9 * 6},
               {7 * 6, 6, 1, 5 * 7 * 6});
  // The batch outermost in neither A nor C: A is (m, batch, k).
  check<float>(4, 3, 5, 2, {5, 4 * 5, 1, 3 * 4 * 5}, {5 * 2, 2, 1, 4 * 5 * 2},
               {2, 4 * 2, 1, 3 * 4 * 2});
  // One row, one column: degenerate matrices.
  check<float>(3, 1, 4, 1, {4, 4, 1, 12}, {4, 1, 1, 12}, {1, 1, 1, 3});
}

TEST(LibraryKernelsTest, DoublePrecisionGemmIsExact) {
  // bootstrap.sh installs OpenBLAS; say which path ran.
  std::printf("blas: %s (%s)\n", tl::runtime::blasAvailable() ? "yes" : "no",
              tl::runtime::blasDescription().c_str());
  // Large enough for OpenBLAS's threaded and blocked paths.
  check<double>(1, 150, 200, 170, {0, 200, 1, 150 * 200},
                {0, 170, 1, 200 * 170}, {0, 170, 1, 150 * 170});
  // A transposed (column-major) and C with a leading dimension > n.
  check<double>(1, 33, 17, 9, {0, 1, 33, 33 * 17}, {0, 9, 1, 17 * 9},
                {0, 12, 1, 33 * 12});
  // No unit stride in A: the runtime's loop.
  check<double>(1, 6, 5, 4, {0, 10, 2, 60}, {0, 4, 1, 20}, {0, 4, 1, 24});
  // Batched, contiguous and with the batch inside.
  check<double>(6, 16, 24, 20, {16 * 24, 24, 1, 6 * 16 * 24},
                {24 * 20, 20, 1, 6 * 24 * 20}, {16 * 20, 20, 1, 6 * 16 * 20});
  check<double>(4, 3, 5, 2, {5, 4 * 5, 1, 3 * 4 * 5}, {5 * 2, 2, 1, 4 * 5 * 2},
                {2, 4 * 2, 1, 3 * 4 * 2});
}

} // namespace
