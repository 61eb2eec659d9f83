//===- SparseNpz.h - sparse tensors in .npz files ---------------*- C++ -*-===//
//
// Two layouts, both plain .npz archives (docs/CLI.md, "Sparse tensors"):
//
//   SciPy's save_npz: 'format' (b'csr', b'csc' or b'coo'), 'shape',
//   'data', and 'indptr' + 'indices' (CSR, CSC) or 'row' + 'col' (COO).
//   Rank 2; scipy.sparse.load_npz reads what tl writes.
//
//   tl's COO for any rank: 'indices' [nnz, rank] (integers), 'values'
//   [nnz], 'shape' [rank]; entries in any order, no duplicates.
//
// Inside an archive of several arrays (--inputs, --output=OUT.npz) a
// sparse tensor NAME is the same members under "NAME/" ("NAME/data", ...).
//
// Readers check everything (lengths, ranges, order, duplicates) and name
// the member and the first bad entry; they return the runtime's canonical
// form: CSR for SciPy's rank-2 layouts, sorted COO otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef TL_IO_SPARSENPZ_H
#define TL_IO_SPARSENPZ_H

#include "tl/IO/Npy.h"
#include "tl/Runtime/SparseBuffer.h"

namespace tl::io {

/// Whether `keys` are the members of one sparse tensor in either layout.
bool isSparseLayout(const std::vector<std::string> &keys);

/// The sparse tensor held by `members` (isSparseLayout); `what` names
/// them in messages. Malformed data is DATA_LOSS.
absl::StatusOr<runtime::SparseBuffer> parseSparse(const NpyMembers &members,
                                                  std::string_view what);

/// The members that hold `tensor`: SciPy's CSR layout for rank 2 (CSR,
/// or COO converted), tl's COO layout for other ranks. Keys are prefixed
/// by `prefix` ("" or "NAME/").
NpyMembers serializeSparse(const runtime::SparseBuffer &tensor,
                           const std::string &prefix);

/// A file holding exactly one sparse tensor.
absl::StatusOr<runtime::SparseBuffer> readSparseNpz(std::string_view path);
absl::Status writeSparseNpz(std::string_view path,
                            const runtime::SparseBuffer &tensor);

} // namespace tl::io

#endif // TL_IO_SPARSENPZ_H
