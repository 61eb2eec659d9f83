"""Writes the inputs of sparse-route.test into DIR: two 60x60 relations
with about 1% of their pairs as facts (SciPy CSR and COO files), one
empty relation, a dense 60x8 embedding, and what NumPy computes from
them (expected.npz); and a 100000x100000 relation of 300 facts (big.npz)
with its two-hop join (big_join.npz), whose dense forms would be 75 GiB."""
import sys

import numpy as np
import scipy.sparse as sp

d = sys.argv[1]
rng = np.random.default_rng(19)
n = 60
r = (rng.random((n, n)) < 0.01) * rng.uniform(0.5, 2.0, (n, n))
q = (rng.random((n, n)) < 0.01).astype(np.float64)
e = rng.uniform(-1, 1, (n, 8))
sp.save_npz(f"{d}/r.npz", sp.csr_matrix(r))
sp.save_npz(f"{d}/q.npz", sp.coo_matrix(q))
sp.save_npz(f"{d}/empty.npz", sp.csr_matrix((n, n)))
np.save(f"{d}/e.npy", e)
np.savez(f"{d}/expected.npz", a=r @ e, h=np.heaviside(r @ q, 0.0), u=r + q,
         h_empty=np.zeros((n, n)))
big = sp.csr_matrix((np.ones(300), (rng.integers(0, 2000, 300), rng.integers(0, 2000, 300))),
                    shape=(100_000, 100_000))
big.sum_duplicates()
big.data[:] = 1.0
sp.save_npz(f"{d}/big.npz", big)
sp.save_npz(f"{d}/big_join.npz", (big @ big).tocsr())
