#!/usr/bin/python3
"""Sparse relations (issue 19), each against its peers in the same run:

  W9  P @ Q, 100k x 100k with 1M random nonzeros each, f32 (peers.py's W9
      matrices, same seed): SciPy CSR @ CSR (single-threaded), and
      SuiteSparse:GraphBLAS's plus-times (f32) and LOR_LAND (bool)
      semirings (bench/sparse_graphblas.cpp, built when libgraphblas-dev
      is installed: utils/bootstrap.sh --bench).
  KG  a synthetic knowledge graph of FB15k-237's size (14,541 entities, 237
      relations of Zipf-like sizes, 310k facts, seed 237) and one two-hop
      rule `h_a_b[x,z] = step(r_a[x,y] r_b[y,z])` for every ordered pair of
      its --kg-top largest relations (16: 256 rules), every relation in one
      --inputs archive: tl's compile, run and peak resident memory against
      SciPy computing the same rules ((A @ B) > 0, one thread).

  bench/sparse.py [--workloads w9,kg] [--n 100000] [--nnz 1000000]
                  [--kg-top 16] [--threads 2] [--runs 5]

tl reads the same files (SciPy's save_npz) as CSR through the sparse route
(`tl-jit --benchmark`: the densities of its sparse inputs decide the
layouts) and prints its own benchmark line; docs/Performance.md,
"Sparse relations", has the numbers and the gap's measured causes.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import scipy
import scipy.sparse as sp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--workloads", default="w9,kg")
ap.add_argument("--kg-top", type=int, default=16)
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


def w9():
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


def kg_relations():
    """FB15k-237's sizes: 14,541 entities, 237 relations whose fact counts
    fall off like 1/rank^0.9 (279 to ~40k facts), 310k facts; duplicate
    facts merged."""
    rng = np.random.default_rng(237)
    entities, relations, facts = 14_541, 237, 310_000
    weights = 1.0 / np.arange(1, relations + 1) ** 0.9
    counts = rng.multinomial(facts, weights / weights.sum())
    rels = []
    for c in counts:
        m = sp.csr_matrix((np.ones(c), (rng.integers(0, entities, c), rng.integers(0, entities, c))),
                          shape=(entities, entities))
        m.sum_duplicates()
        m.data[:] = 1.0
        rels.append(m)
    return rels


def run_child(cmd, env=None):
    """Runs cmd; returns (exit status, output, peak resident MB, seconds)."""
    with tempfile.TemporaryFile("w+") as out:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return p.returncode, out.read(), usage.ru_maxrss / 1024, seconds


def kg():
    rels = kg_relations()
    top = sorted(range(len(rels)), key=lambda r: -rels[r].nnz)[:args.kg_top]
    pairs = [(a, b) for a in top for b in top]
    print(f"# KG: {rels[0].shape[0]} entities, {len(rels)} relations, {sum(m.nnz for m in rels)} facts; "
          f"{len(pairs)} rules over the {len(top)} largest relations ({rels[top[-1]].nnz} to {rels[top[0]].nnz} facts)")
    expected = {f"h_{a}_{b}": ((rels[a] @ rels[b]) > 0).nnz for a, b in pairs}
    scipy_ms = median_ms(lambda: [(rels[a] @ rels[b]) > 0 for a, b in pairs], args.runs)
    env = dict(os.environ, TL_NUM_THREADS=str(args.threads))
    jit = os.path.join(args.build, "bin", "tl-jit")
    with tempfile.TemporaryDirectory() as tmp:
        archive, rules, out = (os.path.join(tmp, f) for f in ("kg.npz", "two_hop.tle", "out.npz"))
        members = {}
        for r, m in enumerate(rels):
            members.update({f"r{r}/format": np.array(b"csr"), f"r{r}/shape": np.array(m.shape),
                            f"r{r}/data": m.data, f"r{r}/indices": m.indices, f"r{r}/indptr": m.indptr})
        np.savez(archive, **members)
        with open(rules, "w") as f:
            f.writelines(f"h_{a}_{b}[x,z] = step(r{a}[x,y] r{b}[y,z])\n" for a, b in pairs)
        # What a user sees: one process that compiles (cold: a fresh cache
        # directory), runs once and writes every result sparse; then the
        # same command again, its compile now read from that cache.
        cmd = [jit, rules, "--inputs=" + archive, "--output=" + out, "--sparse-outputs=always",
               "--cache-dir=" + os.path.join(tmp, "cache")]
        processes = []
        for _ in ("cold", "cached"):
            rc, text, rss, seconds = run_child(cmd, env)
            if rc != 0:
                print("# tl: exit %d: %s" % (rc, text.strip()[-2000:]))
                return
            processes.append((seconds, rss))
        got = np.load(out)
        for name, nnz in expected.items():
            assert len(got[name + "/data"]) == nnz, (name, len(got[name + "/data"]), nnz)
        # The compile it times is its own (cold, and cached in a directory
        # of its own); the one it runs reads the cache above.
        rc, text, _, _ = run_child([jit, rules, "--inputs=" + archive, "--cache-dir=" + os.path.join(tmp, "cache"),
                                    "--benchmark=" + str(args.runs), "--benchmark_compile_repetitions=1",
                                    "--benchmark_format=json"], env)
        if rc != 0:
            print("# tl --benchmark: exit %d: %s" % (rc, text.strip()[-2000:]))
            return
        times = {b["name"].split("/")[-1]: b for b in json.loads(text[text.index("{"):])["benchmarks"]}
    ms = lambda b: b["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
    print(f"| KG, {len(pairs)} two-hop rules | ms (median of {args.runs}) | peak resident MB |")
    print("|---|---|---|")
    print(f"| scipy (A @ B) > 0 per rule (1 thread) | {scipy_ms:.1f} | |")
    print(f"| tl run ({args.threads} threads) | {ms(times['run_median']):.1f} | |")
    print(f"| tl compile | {ms(times['compile_median']):.0f} | |")
    for how, (seconds, rss) in zip(("cold", "cached"), processes):
        print(f"| tl process, compile {how}, run, write (wall, once) | {seconds * 1e3:.0f} | {rss:.0f} |")
    print("# targets: run under 1 s, under 500 MB peak resident memory")


for name in args.workloads.split(","):
    {"w9": w9, "kg": kg}[name]()

