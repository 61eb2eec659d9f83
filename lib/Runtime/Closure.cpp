//===- Closure.cpp - semi-naive transitive closure over bit rows ----------===//
//
// The kernel of tl.semi_naive_closure. The fixpoint R = step(E + R E)
// from R = 0 holds after t iterations the pairs joined by a path of 1..t
// edges of the pattern E > 0; its limit is the transitive closure. Per
// source x, a breadth-first search over rows of 64-bit words finds the same
// pairs: each level ORs the rows of only the nodes the last level found
// (semi-naive: old facts are never joined again) and keeps the bits not
// yet visited. The deepest level L over all sources is the longest
// shortest path, which fixes how many iterations the plain loop takes
// (L + 1 from zeros, max(L, 1) from E: the last one confirms that nothing
// changed), and so whether it would have hit max_iterations.
//
// For E + R E and E + E R alike: both iterate to the pairs joined by some
// path, the first growing paths at their end, the second at their start.
//
//===----------------------------------------------------------------------===//

#include "BitRows.h"

#include "tl/Runtime/RuntimeABI.h"

using namespace tl::runtime;
using namespace tl::runtime::bits;

namespace {

/// The search from source x over the bit rows of E: `visited` gets the
/// nodes reachable by a path of one edge or more. Returns the number of
/// levels (the longest shortest path from x).
TL_VECTOR_CLONES
int64_t search(const Word *__restrict bits, int64_t words, int64_t x,
               Word *__restrict visited, Word *__restrict frontier,
               Word *__restrict next) {
  const Word *first = bits + x * words;
  Word any = 0;
  for (int64_t w = 0; w < words; ++w) {
    visited[w] = frontier[w] = first[w];
    any |= first[w];
  }
  int64_t level = 0;
  while (any) {
    ++level;
    for (int64_t w = 0; w < words; ++w)
      next[w] = 0;
    for (int64_t w = 0; w < words; ++w)
      for (Word b = frontier[w]; b; b &= b - 1) {
        const Word *row = bits + (w * 64 + __builtin_ctzll(b)) * words;
        for (int64_t v = 0; v < words; ++v)
          next[v] |= row[v];
      }
    any = 0;
    for (int64_t w = 0; w < words; ++w) {
      Word fresh = next[w] & ~visited[w];
      visited[w] |= fresh;
      frontier[w] = fresh;
      any |= fresh;
    }
  }
  return level;
}

template <typename T>
int64_t closure(Strided<T> e, T *r, int64_t rS0, int64_t rS1, int64_t start,
                int64_t maxIterations, int64_t site, double tolerance) {
  const int64_t n = e.rows;
  if (e.cols != n)
    return 0;
  const int64_t words = wordsFor(n);
  const int64_t tasks = (n + kRowsPerTask - 1) / kRowsPerTask;
  ThreadPool &pool = ThreadPool::global();

  // The pattern, or a refusal: a negative, NaN or infinite entry makes the
  // step of the sum depend on the values (cancellation, 0 * inf).
  std::vector<Word> bits;
  if (!loadPattern(e, bits).binary)
    return 0;

  std::vector<int64_t> depth(size_t(tasks), 0);
  pool.parallelFor(tasks, [&](int64_t task) {
    std::vector<Word> visited(words), frontier(words), next(words);
    int64_t deepest = 0;
    int64_t end = std::min(n, (task + 1) * kRowsPerTask);
    for (int64_t x = task * kRowsPerTask; x < end; ++x) {
      deepest = std::max(deepest, search(bits.data(), words, x, visited.data(),
                                         frontier.data(), next.data()));
      expandRow(visited.data(), n, r + x * rS0, rS1);
    }
    depth[size_t(task)] = deepest;
  });

  int64_t longest = 0;
  for (int64_t d : depth)
    longest = std::max(longest, d);
  // The plain loop runs at least once, and stops after max_iterations.
  int64_t needed = start == 0 ? longest + 1 : std::max<int64_t>(longest, 1);
  int64_t allowed = std::max<int64_t>(maxIterations, 1);
  // Every iteration before the last changes some pair from 0 to 1: a
  // shortest path of length L has prefixes of every shorter length.
  if (needed > allowed)
    tl_rt_fixpoint_diverged(site, allowed, 1.0, tolerance);
  return 1;
}

} // namespace

extern "C" int64_t tl_rt_closure_f32(float *, float *e, int64_t eOff,
                                     int64_t n, int64_t m, int64_t eS0,
                                     int64_t eS1, float *, float *r,
                                     int64_t rOff, int64_t, int64_t,
                                     int64_t rS0, int64_t rS1, int64_t start,
                                     int64_t maxIterations, int64_t site,
                                     double tolerance) {
  return closure<float>({e + eOff, n, m, eS0, eS1}, r + rOff, rS0, rS1, start,
                        maxIterations, site, tolerance);
}

extern "C" int64_t tl_rt_closure_f64(double *, double *e, int64_t eOff,
                                     int64_t n, int64_t m, int64_t eS0,
                                     int64_t eS1, double *, double *r,
                                     int64_t rOff, int64_t, int64_t,
                                     int64_t rS0, int64_t rS1, int64_t start,
                                     int64_t maxIterations, int64_t site,
                                     double tolerance) {
  return closure<double>({e + eOff, n, m, eS0, eS1}, r + rOff, rS0, rS1,
                         start, maxIterations, site, tolerance);
}
