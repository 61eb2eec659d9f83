"""Writes the inputs of sparse-gradients.test into DIR: two 60x60
relations with about 5% of their pairs as facts (SciPy CSR), an empty and
a full one, a dense 60x4 embedding e, weights w and random cotangents;
the gradients of sum(<cotangent, output>) for each relation set, by the
closed form (SciPy) and by central finite differences of the forward
function in NumPy (expected_<set>.npz, fd_<set>.npz); and a 100000-entity
relation of 300,000 facts (big.npz, dense form 75 GiB) with a 16-wide
embedding and its closed-form gradients (big_expected.npz).

The program (emb.tle): a[x,d] = r[x,y] e[y,d];
s[x] = sigmoid(a[x,d] e[x,d] w[d]); h[x,d] = r[x,y] q[y,z] e[z,d]."""
import sys

import numpy as np
import scipy.sparse as sp

d = sys.argv[1]
rng = np.random.default_rng(4)


def forward(r, q, e, w):
    a = r @ e
    s = 1 / (1 + np.exp(-((a * e) @ w)))
    return a, s, r @ (q @ e)


def closed_form(r, q, e, w, ca, cs, ch):
    a, s, _ = forward(r, q, e, w)
    ds = cs * s * (1 - s)
    ga = ca + ds[:, None] * e * w[None, :]
    ge = ds[:, None] * a * w[None, :] + r.T @ ga + q.T @ (r.T @ ch)
    gw = (ds[:, None] * a * e).sum(0)
    return ge, gw


def finite_differences(r, q, e, w, ca, cs, ch, h=1e-6):
    def loss(e, w):
        a, s, hh = forward(r, q, e, w)
        return (a * ca).sum() + (s * cs).sum() + (hh * ch).sum()
    ge = np.zeros_like(e)
    for i in np.ndindex(e.shape):
        p, m = e.copy(), e.copy()
        p[i] += h
        m[i] -= h
        ge[i] = (loss(p, w) - loss(m, w)) / (2 * h)
    gw = np.zeros_like(w)
    for i in range(len(w)):
        p, m = w.copy(), w.copy()
        p[i] += h
        m[i] -= h
        gw[i] = (loss(e, p) - loss(e, m)) / (2 * h)
    return ge, gw


n = 60
e = rng.uniform(-1, 1, (n, 4))
w = rng.uniform(-1, 1, 4)
ca, cs, ch = rng.uniform(-1, 1, (n, 4)), rng.uniform(-1, 1, n), rng.uniform(-1, 1, (n, 4))
np.save(f"{d}/e.npy", e)
np.save(f"{d}/w.npy", w)
np.savez(f"{d}/cotangents.npz", a=ca, s=cs, h=ch)
sets = {
    "sparse": (sp.random(n, n, 0.05, "csr", random_state=5, data_rvs=np.ones),
               sp.random(n, n, 0.05, "csr", random_state=6, data_rvs=np.ones)),
    "empty": (sp.csr_matrix((n, n)), sp.csr_matrix((n, n))),
    "full": (sp.csr_matrix(np.ones((n, n))), sp.csr_matrix(rng.uniform(0.5, 1, (n, n)))),
}
for name, (r, q) in sets.items():
    sp.save_npz(f"{d}/r_{name}.npz", r)
    sp.save_npz(f"{d}/q_{name}.npz", q)
    ge, gw = closed_form(r, q, e, w, ca, cs, ch)
    np.savez(f"{d}/expected_{name}.npz", e=ge, w=gw)
    ge, gw = finite_differences(r, q, e, w, ca, cs, ch)
    np.savez(f"{d}/fd_{name}.npz", e=ge, w=gw)

big_n, facts = 100_000, 300_000
big = sp.csr_matrix((np.ones(facts), (rng.integers(0, big_n, facts), rng.integers(0, big_n, facts))),
                    shape=(big_n, big_n))
big.sum_duplicates()
big.data[:] = 1.0
sp.save_npz(f"{d}/big.npz", big)
be = rng.uniform(-0.1, 0.1, (big_n, 16))
bw = rng.uniform(-1, 1, 16)
np.save(f"{d}/big_e.npy", be)
np.save(f"{d}/big_w.npy", bw)
ones_a, ones_s = np.ones((big_n, 16)), np.ones(big_n)
ge, gw = closed_form(big, big, be, bw, ones_a, ones_s, ones_a)
np.savez(f"{d}/big_expected.npz", e=ge, w=gw)
