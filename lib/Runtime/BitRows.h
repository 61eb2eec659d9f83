//===- BitRows.h - 0/1 relations as rows of 64-bit words --------*- C++ -*-===//
//
// What the semi-naive kernels (Closure.cpp, LinearRule.cpp) share: a
// strided view of a tensor argument, its pattern (entries > 0) as bit
// rows, and a bit row written back as 0/1 values.
//
//===----------------------------------------------------------------------===//

#ifndef TL_LIB_RUNTIME_BITROWS_H
#define TL_LIB_RUNTIME_BITROWS_H

#include "tl/Runtime/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

// The loops that take the time, compiled for the widest vectors the host
// has (GCC picks a clone at load time); the sanitizer builds keep one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&       \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define TL_VECTOR_CLONES                                                       \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TL_VECTOR_CLONES
#endif

namespace tl::runtime::bits {

using Word = uint64_t;

inline int64_t wordsFor(int64_t n) { return (n + 63) / 64; }

/// A 2-d memref argument: any strides (a transposed view included).
template <typename T>
struct Strided {
  const T *data;
  int64_t rows, cols, rowStride, colStride;
  T at(int64_t i, int64_t j) const {
    return data[i * rowStride + j * colStride];
  }
};

/// Rows handed to one pool task: enough work to pay for the hand-off.
constexpr int64_t kRowsPerTask = 16;

/// What a pattern's values allow: whether all are finite and >= 0 (else
/// the step of a sum depends on them), the smallest positive and the
/// largest entry.
template <typename T>
struct PatternRange {
  bool binary = true;
  T smallestPositive = std::numeric_limits<T>::infinity(), largest = 0;
};

/// `bits` (rows x wordsFor(cols)) gets the entries > 0 of `m`.
template <typename T>
PatternRange<T> loadPattern(Strided<T> m, std::vector<Word> &bits) {
  const int64_t words = wordsFor(m.cols);
  bits.assign(size_t(m.rows) * words, 0);
  const int64_t tasks = (m.rows + kRowsPerTask - 1) / kRowsPerTask;
  std::vector<PatternRange<T>> ranges(static_cast<size_t>(tasks));
  ThreadPool::global().parallelFor(tasks, [&](int64_t task) {
    PatternRange<T> &range = ranges[size_t(task)];
    int64_t end = std::min(m.rows, (task + 1) * kRowsPerTask);
    for (int64_t i = task * kRowsPerTask; i < end; ++i) {
      Word *row = &bits[size_t(i) * words];
      for (int64_t j = 0; j < m.cols; ++j) {
        T v = m.at(i, j);
        if (!(v >= 0) || !std::isfinite(v)) {
          range.binary = false;
          return;
        }
        if (v > 0) {
          row[j >> 6] |= Word(1) << (j & 63);
          range.smallestPositive = std::min(range.smallestPositive, v);
          range.largest = std::max(range.largest, v);
        }
      }
    }
  });
  PatternRange<T> all;
  for (const PatternRange<T> &r : ranges) {
    all.binary = all.binary && r.binary;
    all.smallestPositive = std::min(all.smallestPositive, r.smallestPositive);
    all.largest = std::max(all.largest, r.largest);
  }
  return all;
}

/// One row of a result: 1 where `row` has a bit, 0 elsewhere.
void expandRow(const Word *row, int64_t n, float *out, int64_t stride);
void expandRow(const Word *row, int64_t n, double *out, int64_t stride);

} // namespace tl::runtime::bits

#endif // TL_LIB_RUNTIME_BITROWS_H
