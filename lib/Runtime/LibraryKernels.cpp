//===- LibraryKernels.cpp - GEMMs that oneDNN runs for generated code -----===//

#include "tl/Runtime/RuntimeABI.h"

#include <oneapi/dnnl/dnnl.h>

namespace {

/// Leading dimension and transpose flag of a row-major view with strides
/// (s0, s1), or false when neither stride is 1 (oneDNN cannot take it).
bool gemmLayout(int64_t rows, int64_t cols, int64_t s0, int64_t s1,
                char &trans, int64_t &ld) {
  if (s1 == 1 && (s0 >= cols || rows == 1)) {
    trans = 'N';
    ld = rows == 1 ? cols : s0;
    return true;
  }
  if (s0 == 1 && (s1 >= rows || cols == 1)) {
    trans = 'T';
    ld = cols == 1 ? rows : s1;
    return true;
  }
  return false;
}

void sgemm(const float *a, int64_t m, int64_t k, int64_t aS0, int64_t aS1,
           const float *b, int64_t n, int64_t bS0, int64_t bS1, float *c,
           int64_t cS0, int64_t cS1) {
  if (m == 0 || n == 0 || k == 0)
    return;
  char ta, tb, tc;
  int64_t lda, ldb, ldc;
  ldb = ldc = lda = 0;
  if (gemmLayout(m, k, aS0, aS1, ta, lda) &&
      gemmLayout(k, n, bS0, bS1, tb, ldb) &&
      gemmLayout(m, n, cS0, cS1, tc, ldc) && tc == 'N' &&
      dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c, ldc) ==
          dnnl_success)
    return;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) {
      float x = a[i * aS0 + p * aS1];
      for (int64_t j = 0; j < n; ++j)
        c[i * cS0 + j * cS1] += x * b[p * bS0 + j * bS1];
    }
}

} // namespace

extern "C" void tl_rt_sgemm(float *, float *a, int64_t aOff, int64_t m,
                            int64_t k, int64_t aS0, int64_t aS1, float *,
                            float *b, int64_t bOff, int64_t, int64_t n,
                            int64_t bS0, int64_t bS1, float *, float *c,
                            int64_t cOff, int64_t, int64_t, int64_t cS0,
                            int64_t cS1) {
  sgemm(a + aOff, m, k, aS0, aS1, b + bOff, n, bS0, bS1, c + cOff, cS0, cS1);
}

extern "C" void tl_rt_batch_sgemm(
    float *, float *a, int64_t aOff, int64_t batch, int64_t m, int64_t k,
    int64_t aS0, int64_t aS1, int64_t aS2, float *, float *b, int64_t bOff,
    int64_t, int64_t, int64_t n, int64_t bS0, int64_t bS1, int64_t bS2,
    float *, float *c, int64_t cOff, int64_t, int64_t, int64_t, int64_t cS0,
    int64_t cS1, int64_t cS2) {
  for (int64_t i = 0; i < batch; ++i)
    sgemm(a + aOff + i * aS0, m, k, aS1, aS2, b + bOff + i * bS0, n, bS1, bS2,
          c + cOff + i * cS0, cS1, cS2);
}
