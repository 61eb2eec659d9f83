//===- LinearRule.cpp - semi-naive R = step(B + L R M) over bit rows ------===//
//
// The kernel of tl.semi_naive_rule. From R = 0 the fixpoint of
// R = step(B + L R M) (entries >= 0) holds after t iterations the pairs
// of B joined through up to t-1 steps of L on the left and M on the right:
// same generation is B = T^T T, L = T^T, M = T. Each iteration's new pairs
// Delta are the only ones that can find more,
//
//   Delta' = (L Delta M) \ R,   R' = R | Delta',
//
// so a level joins Delta with M (OR of M's rows over each row's bits), then
// L (OR of those rows over the rows of Delta that changed), on 64-bit
// words. The number of non-empty levels, plus the one that confirms no
// change, is the plain loop's iteration count: max_iterations fails alike.
//
// The kernel declines (returns 0) unless the loop's step depends only on
// the patterns: all entries finite and >= 0, no sum that could overflow
// (n^2 max(L) max(M) + max(B) finite) and no product of two positive
// factors that rounds to zero.
//
//===----------------------------------------------------------------------===//

#include "BitRows.h"

#include "tl/Runtime/RuntimeABI.h"

using namespace tl::runtime;
using namespace tl::runtime::bits;

namespace {

/// Out = OR of `rows[i]` over the bits i of `select` (and of `mask`, when
/// given).
TL_VECTOR_CLONES
void orRows(const Word *__restrict select, const Word *__restrict mask,
            int64_t selectWords, const Word *__restrict rows, int64_t words,
            Word *__restrict out) {
  for (int64_t v = 0; v < words; ++v)
    out[v] = 0;
  for (int64_t w = 0; w < selectWords; ++w)
    for (Word b = mask ? select[w] & mask[w] : select[w]; b; b &= b - 1) {
      const Word *row = rows + (w * 64 + __builtin_ctzll(b)) * words;
      for (int64_t v = 0; v < words; ++v)
        out[v] |= row[v];
    }
}

/// Out = `row` & ~`seen`, seen |= out; whether any bit is new. `out` may
/// be `row`.
TL_VECTOR_CLONES
bool keepNew(const Word *row, Word *__restrict seen, Word *out,
             int64_t words) {
  Word any = 0;
  for (int64_t v = 0; v < words; ++v) {
    Word fresh = row[v] & ~seen[v];
    seen[v] |= fresh;
    out[v] = fresh;
    any |= fresh;
  }
  return any != 0;
}

template <typename T>
int64_t linearRule(Strided<T> b, const Strided<T> *l, const Strided<T> *m,
                   T *r, int64_t rS0, int64_t rS1, int64_t maxIterations,
                   int64_t site, double tolerance) {
  const int64_t rows = b.rows, cols = b.cols;
  if ((l && (l->rows != rows || l->cols != rows)) ||
      (m && (m->rows != cols || m->cols != cols)))
    return 0;
  const int64_t words = wordsFor(cols), rowWords = wordsFor(rows);
  std::vector<Word> base, left, right;
  PatternRange<T> bRange = loadPattern(b, base);
  PatternRange<T> lRange, mRange;
  if (l)
    lRange = loadPattern(*l, left);
  if (m)
    mRange = loadPattern(*m, right);
  if (!bRange.binary || !lRange.binary || !mRange.binary)
    return 0;
  if (l && m && lRange.smallestPositive * mRange.smallestPositive == T(0))
    return 0;
  double bound = double(bRange.largest) +
                 double(rows) * (l ? double(lRange.largest) : 1.0) *
                     double(cols) * (m ? double(mRange.largest) : 1.0);
  if (!(bound < double(std::numeric_limits<T>::max())))
    return 0;

  ThreadPool &pool = ThreadPool::global();
  const int64_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  auto forRows = [&](auto &&body) {
    pool.parallelFor(tasks, [&](int64_t task) {
      int64_t end = std::min(rows, (task + 1) * kRowsPerTask);
      for (int64_t x = task * kRowsPerTask; x < end; ++x)
        body(x);
    });
  };
  std::vector<Word> seen = base, delta = base, next(base.size()),
                    joined(m ? base.size() : 0);
  std::vector<uint8_t> active(static_cast<size_t>(rows)),
      nextActive(static_cast<size_t>(rows));
  std::vector<Word> activeBits(static_cast<size_t>(rowWords));
  forRows([&](int64_t x) {
    const Word *row = &delta[size_t(x) * words];
    active[size_t(x)] = std::any_of(row, row + words, [](Word w) { return w; });
  });
  int64_t levels = 0;
  while (std::find(active.begin(), active.end(), 1) != active.end()) {
    ++levels;
    // Delta M, for the rows of Delta that have bits.
    const std::vector<Word> &dm = m ? joined : delta;
    if (m)
      forRows([&](int64_t p) {
        if (active[size_t(p)])
          orRows(&delta[size_t(p) * words], nullptr, words, right.data(),
                 words, &joined[size_t(p) * words]);
      });
    std::fill(activeBits.begin(), activeBits.end(), 0);
    for (int64_t p = 0; p < rows; ++p)
      if (active[size_t(p)])
        activeBits[size_t(p >> 6)] |= Word(1) << (p & 63);
    // L (Delta M), each row kept where it is new.
    forRows([&](int64_t x) {
      Word *out = &next[size_t(x) * words];
      Word *known = &seen[size_t(x) * words];
      if (!l) {
        nextActive[size_t(x)] =
            active[size_t(x)] &&
            keepNew(&dm[size_t(x) * words], known, out, words);
        if (!active[size_t(x)])
          std::fill(out, out + words, 0);
        return;
      }
      orRows(&left[size_t(x) * rowWords], activeBits.data(), rowWords,
             dm.data(), words, out);
      nextActive[size_t(x)] = keepNew(out, known, out, words);
    });
    delta.swap(next);
    active.swap(nextActive);
  }

  forRows([&](int64_t x) {
    expandRow(&seen[size_t(x) * words], cols, r + x * rS0, rS1);
  });
  // Each non-empty level is an iteration that changed R; one more sees no
  // change. The plain loop runs at least once and at most max_iterations.
  int64_t needed = levels + 1;
  int64_t allowed = std::max<int64_t>(maxIterations, 1);
  if (needed > allowed)
    tl_rt_fixpoint_diverged(site, allowed, 1.0, tolerance);
  return 1;
}

template <typename T>
int64_t run(T *b, int64_t bOff, int64_t bN, int64_t bM, int64_t bS0,
            int64_t bS1, T *l, int64_t lOff, int64_t lN, int64_t lM,
            int64_t lS0, int64_t lS1, T *m, int64_t mOff, int64_t mN,
            int64_t mM, int64_t mS0, int64_t mS1, T *r, int64_t rOff,
            int64_t rS0, int64_t rS1, int64_t hasLeft, int64_t hasRight,
            int64_t maxIterations, int64_t site, double tolerance) {
  Strided<T> left{l + lOff, lN, lM, lS0, lS1};
  Strided<T> right{m + mOff, mN, mM, mS0, mS1};
  return linearRule<T>({b + bOff, bN, bM, bS0, bS1},
                       hasLeft ? &left : nullptr, hasRight ? &right : nullptr,
                       r + rOff, rS0, rS1, maxIterations, site, tolerance);
}

} // namespace

extern "C" int64_t tl_rt_linear_rule_f32(
    float *, float *b, int64_t bOff, int64_t bN, int64_t bM, int64_t bS0,
    int64_t bS1, float *, float *l, int64_t lOff, int64_t lN, int64_t lM,
    int64_t lS0, int64_t lS1, float *, float *m, int64_t mOff, int64_t mN,
    int64_t mM, int64_t mS0, int64_t mS1, float *, float *r, int64_t rOff,
    int64_t, int64_t, int64_t rS0, int64_t rS1, int64_t hasLeft,
    int64_t hasRight, int64_t maxIterations, int64_t site,
    double tolerance) {
  return run(b, bOff, bN, bM, bS0, bS1, l, lOff, lN, lM, lS0, lS1, m, mOff,
             mN, mM, mS0, mS1, r, rOff, rS0, rS1, hasLeft, hasRight,
             maxIterations, site, tolerance);
}

extern "C" int64_t tl_rt_linear_rule_f64(
    double *, double *b, int64_t bOff, int64_t bN, int64_t bM, int64_t bS0,
    int64_t bS1, double *, double *l, int64_t lOff, int64_t lN, int64_t lM,
    int64_t lS0, int64_t lS1, double *, double *m, int64_t mOff, int64_t mN,
    int64_t mM, int64_t mS0, int64_t mS1, double *, double *r, int64_t rOff,
    int64_t, int64_t, int64_t rS0, int64_t rS1, int64_t hasLeft,
    int64_t hasRight, int64_t maxIterations, int64_t site,
    double tolerance) {
  return run(b, bOff, bN, bM, bS0, bS1, l, lOff, lN, lM, lS0, lS1, m, mOff,
             mN, mM, mS0, mS1, r, rOff, rS0, rS1, hasLeft, hasRight,
             maxIterations, site, tolerance);
}
