"""Writes the sparse files of sparse-inputs.test into DIR: valid ones in
SciPy's save_npz layouts and tl's COO layout, the dense arrays they
hold, and malformed ones (each breaking one rule)."""
import os
import sys

import numpy as np
import scipy.sparse as sp

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(7)
a = (rng.random((6, 5)) < 0.3) * rng.integers(1, 9, (6, 5)).astype(np.float64)
a[3] = 0  # an empty row
b = (rng.random((5, 4)) < 0.4).astype(np.float64)
np.savez(f"{d}/dense.npz", a=a, b=b)
m = sp.csr_matrix(a)
sp.save_npz(f"{d}/a_csr.npz", m)
sp.save_npz(f"{d}/a_csc.npz", m.tocsc())
coo = m.tocoo()
perm = rng.permutation(coo.nnz)  # COO entries in any order
sp.save_npz(f"{d}/a_coo.npz", sp.coo_matrix((coo.data[perm], (coo.row[perm], coo.col[perm])), shape=a.shape),
            compressed=False)
sp.save_npz(f"{d}/b_csr.npz", sp.csr_matrix(b.astype(np.float32)))
# The format as a unicode string (<U3) and int64 indices, boolean values.
np.savez(f"{d}/a_unicode.npz", format=np.array("csr"), shape=np.array(a.shape), data=m.data,
         indices=m.indices.astype(np.int64), indptr=m.indptr.astype(np.int64))
np.savez(f"{d}/b_bool.npz", format=np.array(b"coo"), shape=np.array(b.shape), data=np.ones(int(b.sum()), dtype=bool),
         row=np.nonzero(b)[0].astype(np.uint16), col=np.nonzero(b)[1].astype(np.uint8))
# tl's COO for rank 3, shuffled, int32 indices.
t = (rng.random((3, 4, 2)) < 0.3) * 1.0
idx = np.argwhere(t != 0)[::-1]
np.savez(f"{d}/t_coo.npz", indices=idx.astype(np.int32), values=t[tuple(idx.T)], shape=np.array(t.shape))
np.save(f"{d}/t.npy", t)
# An --inputs archive with a sparse group and a dense member.
np.savez(f"{d}/mixed.npz", **{"a/format": np.array(b"csr"), "a/shape": np.array(a.shape), "a/data": m.data,
                              "a/indices": m.indices, "a/indptr": m.indptr, "b": b})
# An empty and a full relation.
sp.save_npz(f"{d}/empty.npz", sp.csr_matrix((6, 5)))
sp.save_npz(f"{d}/full.npz", sp.csr_matrix(np.ones((6, 5))))


def scipy_csr(name, data, indices, indptr, shape=(6, 5), fmt=b"csr"):
    np.savez(f"{d}/{name}.npz", format=np.array(fmt), shape=np.array(shape), data=np.asarray(data, dtype=np.float64),
             indices=np.asarray(indices), indptr=np.asarray(indptr))


# Malformed: each breaks one rule.
scipy_csr("bad_col", m.data, np.where(np.arange(m.nnz) == 4, 9, m.indices), m.indptr)
scipy_csr("bad_indptr_len", m.data, m.indices, m.indptr[:-1])
indptr = m.indptr.copy()
indptr[2] = indptr[3] + 1  # row 2 ends after row 3 does
scipy_csr("bad_indptr_order", m.data, m.indices, indptr)
row = int(np.argmax(np.diff(m.indptr) >= 2))  # the first row with two entries
unsorted = m.indices.copy()
k = m.indptr[row]
unsorted[k], unsorted[k + 1] = m.indices[k + 1], m.indices[k]
scipy_csr("bad_unsorted", m.data, unsorted, m.indptr)
scipy_csr("bad_dup", [1, 2], [3, 3], [0, 2, 2, 2, 2, 2, 2])
scipy_csr("bad_lengths", m.data[:-1], m.indices, m.indptr)
scipy_csr("bad_float_indices", m.data, m.indices.astype(np.float64), m.indptr)
scipy_csr("bad_format", m.data, m.indices, m.indptr, fmt=b"dia")
scipy_csr("bad_shape", m.data, m.indices, m.indptr, shape=(6, -5))
np.savez(f"{d}/bad_coo_dup.npz", format=np.array(b"coo"), shape=np.array([6, 5]), data=np.ones(3),
         row=np.array([1, 4, 1]), col=np.array([2, 0, 2]))
np.savez(f"{d}/bad_coo_range.npz", format=np.array(b"coo"), shape=np.array([6, 5]), data=np.ones(2),
         row=np.array([1, 6]), col=np.array([2, 0]))
np.savez(f"{d}/bad_tl_coo_shape.npz", indices=np.zeros((3, 2), dtype=np.int64), values=np.ones(3),
         shape=np.array([3, 4, 2]))
np.savez(f"{d}/bad_tl_coo_negative.npz", indices=np.array([[0, 1, 1], [2, -1, 0]]), values=np.ones(2),
         shape=np.array([3, 4, 2]))
np.savez(f"{d}/not_sparse.npz", x=np.ones(3))
