#!/usr/bin/python3
"""Sparse relations (issue 19), each against its peers in the same run:

  W9  P @ Q, 100k x 100k with 1M random nonzeros each, f32 (peers.py's W9
      matrices, same seed): SciPy CSR @ CSR (single-threaded), and
      SuiteSparse:GraphBLAS's plus-times (f32) and LOR_LAND (bool)
      semirings (bench/sparse_graphblas.cpp, built when libgraphblas-dev
      is installed: utils/bootstrap.sh --bench).

  bench/sparse.py [--n 100000] [--nnz 1000000] [--threads 2] [--runs 5]

tl reads the same files (SciPy's save_npz) as CSR through the sparse route
(`tl-jit --benchmark`: the densities of its sparse inputs decide the
layouts) and prints its own benchmark line; docs/Performance.md,
"Sparse relations", has the numbers and the gap's measured causes.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
import scipy.sparse as sp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=100_000)
ap.add_argument("--nnz", type=int, default=1_000_000)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--build", default=os.path.join(ROOT, "build"))
args = ap.parse_args()


def rand_csr(rng):
    """peers.py's W9 matrix: nnz random positions, duplicates merged, ones."""
    i = rng.integers(0, args.n, args.nnz)
    j = rng.integers(0, args.n, args.nnz)
    m = sp.csr_matrix((np.ones(args.nnz, dtype=np.float32), (i, j)), shape=(args.n, args.n))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def median_ms(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return float(np.median(times))


rng = np.random.default_rng(1)
P, Q = rand_csr(rng), rand_csr(rng)
Z = P @ Q
print(f"# W9: {args.n}x{args.n}, P nnz={P.nnz}, Q nnz={Q.nnz}, P@Q nnz={Z.nnz}; scipy {scipy.__version__}")
rows = [("scipy csr @ csr (1 thread)", median_ms(lambda: P @ Q, args.runs), Z.nnz),
        ("scipy (csr @ csr) > 0 (Boolean join)", median_ms(lambda: (P @ Q) > 0, args.runs), Z.nnz)]
with tempfile.TemporaryDirectory() as tmp:
    pf, qf = os.path.join(tmp, "P.npz"), os.path.join(tmp, "Q.npz")
    sp.save_npz(pf, P, compressed=False)
    sp.save_npz(qf, Q, compressed=False)
    gb = os.path.join(args.build, "bin", "tl-bench-sparse-graphblas")
    if os.path.exists(gb):
        out = subprocess.run([gb, pf, qf, str(args.threads), str(args.runs)], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            name, ms, nnz = line.split()
            rows.append((f"GraphBLAS {name} ({args.threads} threads)", float(ms.split("=")[1]),
                         int(nnz.split("=")[1])))
    else:
        print(f"# {gb} not built (install libgraphblas-dev: utils/bootstrap.sh --bench)")
    tle = os.path.join(tmp, "join.tle")
    with open(tle, "w") as f:
        f.write("Z[a,c] = P[a,b] Q[b,c]\n")
    jit = os.path.join(args.build, "bin", "tl-jit")
    r = subprocess.run([jit, tle, "--input=P=@" + pf, "--input=Q=@" + qf, "--dtype=f32", "--benchmark=" + str(args.runs)],
                       capture_output=True, text=True, env=dict(os.environ, TL_NUM_THREADS=str(args.threads)))
    tl_line = (r.stdout + r.stderr).strip().splitlines()
    print("# tl: " + (tl_line[-1] if tl_line else f"exit {r.returncode}"))

print("| W9 | ms (median of %d) | nnz of P@Q |" % args.runs)
print("|---|---|---|")
for name, ms, nnz in rows:
    assert nnz == Z.nnz, (name, nnz, Z.nnz)
    print(f"| {name} | {ms:.1f} | {nnz} |")
sys.exit(0)
