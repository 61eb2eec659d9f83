//===- SparseBuffer.h - a tensor that stores its nonzeros -------*- C++ -*-===//
//
// The runtime's sparse tensor, in one of two layouts:
//
//   CSR (rank 2): `positions` has rows+1 entries; row r's entries are
//   positions[r] .. positions[r+1]-1; `coordinates` holds each entry's
//   column, strictly increasing within a row (SciPy's canonical form).
//
//   COO (any rank): `coordinates` holds nnz x rank indices, row-major;
//   entries in strictly increasing row-major order (no duplicates).
//
// `values` is a 1-d buffer of nnz f32 or f64 values; an entry whose value
// is 0 is allowed (an explicit zero). No MLIR or LLVM dependency: the
// public API and tl-run use it.
//
//===----------------------------------------------------------------------===//

#ifndef TL_RUNTIME_SPARSEBUFFER_H
#define TL_RUNTIME_SPARSEBUFFER_H

#include "tl/Runtime/Buffer.h"

#include "absl/status/statusor.h"

#include <string_view>
#include <variant>

namespace tl::runtime {

enum class SparseFormat { coo, csr };

/// "coo" or "csr".
const char *sparseFormatName(SparseFormat format);

/// How validate() names the arrays and dimensions in its messages (a
/// reader passes the names its file uses, e.g. SciPy's "indptr").
struct SparseNames {
  std::string positions = "positions", coordinates = "coordinates",
              values = "values";
  /// The dimension `positions` runs over, and the other one (CSR); a CSC
  /// matrix read as the CSR of its transpose swaps them.
  std::string major = "row", minor = "column";
};

struct SparseBuffer {
  SparseFormat format = SparseFormat::coo;
  std::vector<int64_t> shape;
  std::vector<int64_t> positions;
  std::vector<int64_t> coordinates;
  Buffer values;

  DType dtype() const { return values.dtype(); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t nnz() const { return values.numElements(); }
  /// Elements of the dense tensor (saturating at INT64_MAX).
  int64_t numElements() const;
  /// nnz / numElements (0 for a zero-size tensor).
  double density() const;
  /// "100000x100000xf32 csr, 1000000 nonzeros".
  std::string typeString() const;

  /// OK when the layout above holds; otherwise INVALID_ARGUMENT naming
  /// the array and the first bad entry, prefixed by `what`.
  absl::Status validate(std::string_view what,
                        const SparseNames &names = {}) const;

  /// The index of entry `k` in every dimension.
  std::vector<int64_t> coordinate(int64_t k) const;

  /// The dense tensor (row-major, owned); RESOURCE_EXHAUSTED when it is
  /// over the memory limit (Limits.h).
  absl::StatusOr<Buffer> toDense() const;
  /// The nonzeros of `dense` (any strides). CSR needs rank 2.
  static SparseBuffer fromDense(const Buffer &dense, SparseFormat format);
  /// The same tensor in the other layout (CSR needs rank 2).
  SparseBuffer convert(SparseFormat to) const;
  /// The same tensor without its explicit zeros (what fromDense of its
  /// dense form stores), in the same layout.
  SparseBuffer withoutZeros() const;
};

/// A tensor dense or sparse: what a call to code that returns sparse
/// results gives.
using AnyBuffer = std::variant<Buffer, SparseBuffer>;

} // namespace tl::runtime

#endif // TL_RUNTIME_SPARSEBUFFER_H
