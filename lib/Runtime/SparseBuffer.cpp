//===- SparseBuffer.cpp - a tensor that stores its nonzeros ---------------===//

#include "tl/Runtime/SparseBuffer.h"
#include "tl/Runtime/Limits.h"

#include <algorithm>
#include <cstring>
#include <limits>

using namespace tl::runtime;

const char *tl::runtime::sparseFormatName(SparseFormat format) {
  return format == SparseFormat::csr ? "csr" : "coo";
}

int64_t SparseBuffer::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d == 0)
      return 0;
    if (n > std::numeric_limits<int64_t>::max() / d)
      n = std::numeric_limits<int64_t>::max();
    else
      n *= d;
  }
  return n;
}

double SparseBuffer::density() const {
  int64_t n = numElements();
  return n == 0 ? 0.0 : double(nnz()) / double(n);
}

std::string SparseBuffer::typeString() const {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + dtypeName(dtype()) + " " + sparseFormatName(format) + ", " +
         std::to_string(nnz()) + " nonzero" + (nnz() == 1 ? "" : "s");
}

static std::string tuple(const std::vector<int64_t> &c) {
  std::string s = "(";
  for (size_t i = 0; i < c.size(); ++i)
    s += (i ? ", " : "") + std::to_string(c[i]);
  return s + (c.size() == 1 ? ",)" : ")");
}

absl::Status SparseBuffer::validate(std::string_view whatView,
                                    const SparseNames &names) const {
  std::string what(whatView);
  auto bad = [&](const std::string &msg) {
    return absl::InvalidArgumentError(what + ": " + msg);
  };
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] < 0)
      return bad("dimension " + std::to_string(d) + " of the shape is " +
                 std::to_string(shape[d]) + "; sizes are >= 0");
  if (values.rank() != 1)
    return bad("'" + names.values + "' has rank " +
               std::to_string(values.rank()) + "; expected a vector");
  int64_t n = nnz();
  if (format == SparseFormat::csr) {
    if (rank() != 2)
      return bad("a CSR tensor has rank 2, this shape has rank " +
                 std::to_string(rank()));
    int64_t rows = shape[0], cols = shape[1];
    if (int64_t(positions.size()) != rows + 1)
      return bad("'" + names.positions + "' has " +
                 std::to_string(positions.size()) + " entries; " +
                 std::to_string(rows) + " " + names.major + "s need " +
                 std::to_string(rows + 1));
    if (positions[0] != 0)
      return bad("'" + names.positions + "' starts at " +
                 std::to_string(positions[0]) + ", not 0");
    if (positions[rows] != n)
      return bad("'" + names.positions + "' ends at " +
                 std::to_string(positions[rows]) + " but '" + names.values +
                 "' has " + std::to_string(n) + " entries");
    if (int64_t(coordinates.size()) != n)
      return bad("'" + names.coordinates + "' has " +
                 std::to_string(coordinates.size()) + " entries but '" +
                 names.values + "' has " + std::to_string(n));
    // Every position first, so the message names the first bad one.
    for (int64_t r = 0; r < rows; ++r)
      if (positions[r + 1] < positions[r] || positions[r + 1] > n)
        return bad("'" + names.positions + "' entry " + std::to_string(r + 1) +
                   " is " + std::to_string(positions[r + 1]) + " after " +
                   std::to_string(positions[r]) + "; expected a value in " +
                   std::to_string(positions[r]) + ".." + std::to_string(n));
    for (int64_t r = 0; r < rows; ++r) {
      int64_t begin = positions[r], end = positions[r + 1];
      for (int64_t k = begin; k < end; ++k) {
        int64_t c = coordinates[k];
        if (c < 0 || c >= cols)
          return bad("'" + names.coordinates + "' entry " + std::to_string(k) +
                     " (" + names.major + " " + std::to_string(r) + ") is " +
                     std::to_string(c) + ", outside the " +
                     std::to_string(cols) + " " + names.minor + "s");
        if (k > begin && c <= coordinates[k - 1])
          return bad("'" + names.coordinates + "' entry " + std::to_string(k) +
                     " (" + names.major + " " + std::to_string(r) + ") is " +
                     std::to_string(c) + " after " +
                     std::to_string(coordinates[k - 1]) + ": " + names.minor +
                     "s must increase within a " + names.major +
                     (c == coordinates[k - 1] ? " (a duplicate entry)" : "") +
                     "; SciPy's m.sum_duplicates() writes the canonical form");
      }
    }
    return absl::OkStatus();
  }
  size_t r = shape.size();
  if (!positions.empty())
    return bad("a COO tensor has no '" + names.positions + "'");
  if (coordinates.size() != size_t(n) * r)
    return bad("'" + names.coordinates + "' has " +
               std::to_string(coordinates.size()) + " entries; " +
               std::to_string(n) + " nonzeros of rank " + std::to_string(r) +
               " need " + std::to_string(size_t(n) * r));
  if (r == 0 && n > 1)
    return bad("a 0-d tensor has at most one entry, '" + names.values +
               "' has " + std::to_string(n));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t *c = coordinates.data() + k * r;
    for (size_t d = 0; d < r; ++d)
      if (c[d] < 0 || c[d] >= shape[d])
        return bad("entry " + std::to_string(k) + " of '" + names.coordinates +
                   "' is " + tuple(coordinate(k)) + ": index " +
                   std::to_string(c[d]) + " of dimension " + std::to_string(d) +
                   " is outside 0.." + std::to_string(shape[d] - 1));
    if (k == 0)
      continue;
    const int64_t *p = c - r;
    int cmp = 0;
    for (size_t d = 0; d < r && cmp == 0; ++d)
      cmp = c[d] < p[d] ? -1 : c[d] > p[d] ? 1 : 0;
    if (cmp <= 0)
      return bad("entry " + std::to_string(k) + " of '" + names.coordinates +
                 "' is " + tuple(coordinate(k)) +
                 (cmp == 0 ? ", the same as entry " : ", before entry ") +
                 std::to_string(k - 1) +
                 ": entries must be in increasing row-major order with no "
                 "duplicates");
  }
  return absl::OkStatus();
}

std::vector<int64_t> SparseBuffer::coordinate(int64_t k) const {
  if (format == SparseFormat::csr) {
    // The row is the last position at or before k (rows may be empty).
    auto it = std::upper_bound(positions.begin(), positions.end(), k);
    return {int64_t(it - positions.begin()) - 1, coordinates[k]};
  }
  size_t r = shape.size();
  return std::vector<int64_t>(coordinates.begin() + k * r,
                              coordinates.begin() + (k + 1) * r);
}

template <typename T> static void scatter(const SparseBuffer &s, T *out) {
  const T *v = s.values.data<T>();
  if (s.format == SparseFormat::csr) {
    int64_t cols = s.shape[1];
    for (int64_t r = 0; r + 1 < int64_t(s.positions.size()); ++r)
      for (int64_t k = s.positions[r]; k < s.positions[r + 1]; ++k)
        out[r * cols + s.coordinates[k]] = v[k];
    return;
  }
  std::vector<int64_t> strides = Buffer::rowMajorStrides(s.shape);
  size_t r = s.shape.size();
  for (int64_t k = 0; k < s.nnz(); ++k) {
    int64_t at = 0;
    for (size_t d = 0; d < r; ++d)
      at += s.coordinates[k * r + d] * strides[d];
    out[at] = v[k];
  }
}

absl::StatusOr<Buffer> SparseBuffer::toDense() const {
  std::optional<uint64_t> bytes = checkedBytes(shape, dtypeSize(dtype()));
  if (!bytes || *bytes > memoryLimit())
    return absl::ResourceExhaustedError(
        "the dense form of a " + typeString() + " tensor needs " +
        (bytes ? formatBytes(*bytes) : std::string("over 2^62 bytes")) +
        ", more than the memory limit of " + formatBytes(memoryLimit()) +
        " (TL_MEMORY_LIMIT or --memory-limit)");
  Buffer dense = Buffer::allocate(dtype(), shape);
  if (!dense.data())
    return absl::ResourceExhaustedError("cannot allocate " +
                                        formatBytes(*bytes) + " for a " +
                                        typeString() + " tensor's dense form");
  if (dtype() == DType::f32)
    scatter(*this, dense.data<float>());
  else
    scatter(*this, dense.data<double>());
  return dense;
}

template <typename T> static void gather(const Buffer &dense, SparseBuffer &s) {
  const std::vector<int64_t> &shape = dense.shape();
  const std::vector<int64_t> &strides = dense.strides();
  size_t r = shape.size();
  int64_t n = dense.numElements();
  std::vector<T> vals;
  std::vector<int64_t> idx(r, 0);
  if (s.format == SparseFormat::csr)
    s.positions.assign(1, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t at = 0;
    for (size_t d = 0; d < r; ++d)
      at += idx[d] * strides[d];
    T v = dense.data<T>()[at];
    if (v != T(0) || v != v) { // NaN is a nonzero
      vals.push_back(v);
      if (s.format == SparseFormat::csr)
        s.coordinates.push_back(idx[1]);
      else
        s.coordinates.insert(s.coordinates.end(), idx.begin(), idx.end());
    }
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
      if (s.format == SparseFormat::csr && d == 1)
        s.positions.push_back(int64_t(vals.size()));
    }
  }
  if (s.format == SparseFormat::csr)
    s.positions.resize(shape[0] + 1, int64_t(vals.size()));
  s.values = Buffer::allocate(dense.dtype(), {int64_t(vals.size())});
  if (!vals.empty())
    std::memcpy(s.values.data(), vals.data(), vals.size() * sizeof(T));
}

SparseBuffer SparseBuffer::fromDense(const Buffer &dense, SparseFormat format) {
  SparseBuffer s;
  s.format = format;
  s.shape = dense.shape();
  if (dense.dtype() == DType::f32)
    gather<float>(dense, s);
  else
    gather<double>(dense, s);
  return s;
}

SparseBuffer SparseBuffer::convert(SparseFormat to) const {
  SparseBuffer s;
  s.format = to;
  s.shape = shape;
  s.values = values.copyAs(dtype());
  if (to == format) {
    s.positions = positions;
    s.coordinates = coordinates;
    return s;
  }
  int64_t n = nnz();
  if (to == SparseFormat::coo) { // rows are already in order
    s.coordinates.reserve(2 * n);
    for (int64_t r = 0; r + 1 < int64_t(positions.size()); ++r)
      for (int64_t k = positions[r]; k < positions[r + 1]; ++k) {
        s.coordinates.push_back(r);
        s.coordinates.push_back(coordinates[k]);
      }
    return s;
  }
  s.positions.assign(shape[0] + 1, 0);
  s.coordinates.reserve(n);
  for (int64_t k = 0; k < n; ++k) {
    ++s.positions[coordinates[2 * k] + 1];
    s.coordinates.push_back(coordinates[2 * k + 1]);
  }
  for (size_t r = 1; r < s.positions.size(); ++r)
    s.positions[r] += s.positions[r - 1];
  return s;
}

template <typename T>
static void keepNonzeros(const SparseBuffer &from, SparseBuffer &to) {
  const T *v = from.values.data<T>();
  int64_t n = from.nnz(), kept = 0;
  for (int64_t k = 0; k < n; ++k)
    kept += v[k] != T(0);
  to.values = Buffer::allocate(from.dtype(), {kept});
  T *out = to.values.data<T>();
  int64_t rank = from.format == SparseFormat::csr ? 1 : from.rank();
  to.coordinates.reserve(kept * rank);
  auto keep = [&](int64_t k) {
    *out++ = v[k];
    to.coordinates.insert(to.coordinates.end(),
                          from.coordinates.begin() + k * rank,
                          from.coordinates.begin() + (k + 1) * rank);
  };
  if (from.format == SparseFormat::coo) {
    for (int64_t k = 0; k < n; ++k)
      if (v[k] != T(0))
        keep(k);
    return;
  }
  to.positions.assign(from.positions.size(), 0);
  for (size_t r = 0; r + 1 < from.positions.size(); ++r) {
    for (int64_t k = from.positions[r]; k < from.positions[r + 1]; ++k)
      if (v[k] != T(0))
        keep(k);
    to.positions[r + 1] = int64_t(to.coordinates.size());
  }
}

SparseBuffer SparseBuffer::withoutZeros() const {
  SparseBuffer s;
  s.format = format;
  s.shape = shape;
  if (dtype() == DType::f32)
    keepNonzeros<float>(*this, s);
  else
    keepNonzeros<double>(*this, s);
  return s;
}
