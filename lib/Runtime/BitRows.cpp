//===- BitRows.cpp - bit rows back to 0/1 values --------------------------===//

#include "BitRows.h"

namespace tl::runtime::bits {

namespace {
template <typename T>
void expand(const Word *row, int64_t n, T *out, int64_t stride) {
  if (stride != 1) {
    for (int64_t z = 0; z < n; ++z)
      out[z * stride] = T((row[z >> 6] >> (z & 63)) & 1);
    return;
  }
  for (int64_t z = 0; z < n; ++z)
    out[z] = T((row[z >> 6] >> (z & 63)) & 1);
}
} // namespace

TL_VECTOR_CLONES
void expandRow(const Word *row, int64_t n, float *out, int64_t stride) {
  expand(row, n, out, stride);
}
TL_VECTOR_CLONES
void expandRow(const Word *row, int64_t n, double *out, int64_t stride) {
  expand(row, n, out, stride);
}

} // namespace tl::runtime::bits
