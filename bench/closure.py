#!/usr/bin/python3
"""Recursive rules (issue 20), each against its peers in the same run:

  W5  reachability, Reach[x,z] = step(Edge[x,z] + Reach[x,y] Edge[y,z]), at
      N=2000 with about 3 edges per node (peers.py's W5 graph, same seed):
      NumPy's dense iteration and the bitset C++ references of
      closure_ref.cpp;
  ancestor over a 2,000-person random genealogy (two parents each, among
      the people before), and same generation over a 1,000-node random
      tree: NumPy's dense iteration.

  bench/closure.py [--n 2000] [--threads 2] [--runs 3]

tl runs the .tle programs compiled (tl-jit --benchmark, f32): closures and
same generation (linear in its head, joined on both sides) semi-naively
over bit rows (tl-semi-naive), and, for comparison, as the plain loop of
dense joins (--semi-naive=false). tl's states start at zero, so its plain
loop takes one iteration more than the peers, which start at R = E.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

# NumPy's best GEMM kernels on a CPU OpenBLAS does not recognize (read once,
# when NumPy loads it); tl picks its own with the variable unset (below).
with open("/proc/cpuinfo") as f:
    if " avx512f " in f.read():
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")
ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=2000)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--runs", type=int, default=3)
args = ap.parse_args()


def make_graph(n, deg=3, seed=12345):  # peers.py's make_graph
    rng = np.random.default_rng(seed)
    m = n * deg
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    E = np.zeros((n, n), dtype=np.float32)
    E[u, v] = 1.0
    return E


def make_genealogy(n, seed=2026):
    rng = np.random.default_rng(seed)
    parent = np.zeros((n, n), dtype=np.float32)
    for child in range(2, n):
        parent[rng.choice(child, size=2, replace=False), child] = 1.0
    return parent


def make_tree(n, seed=2027):
    rng = np.random.default_rng(seed)
    tree = np.zeros((n, n), dtype=np.float32)
    for child in range(1, n):
        tree[rng.integers(child), child] = 1.0
    return tree


E = make_graph(args.n)
env = dict(os.environ, TL_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
env.pop("OPENBLAS_CORETYPE", None)


def median_time(fn):
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], result


def numpy_dense(step, start):
    state, it = start, 0
    while True:
        it += 1
        nxt = (step(state) > 0).astype(np.float32)
        if np.array_equal(nxt, state):
            return it, nxt
        state = nxt


def tl_run(d, program, inputs, output, flags=()):
    """tl-jit's median over --runs calls, and the result it computes."""
    prog = os.path.join(d, "program.tle")
    with open(prog, "w") as f:
        f.write(program + "\n")
    np.savez(os.path.join(d, "in.npz"), **inputs)
    out = os.path.join(d, "out.npz")
    jit = [os.path.join(ROOT, "build", "bin", "tl-jit"), prog, "--dtype=f32",
           "--inputs=" + os.path.join(d, "in.npz"), *flags]
    subprocess.run(jit + ["--output=" + out], env=env, check=True)
    result = np.load(out)[output]
    text = subprocess.run(jit + [f"--benchmark={args.runs}"], env=env, check=True,
                          capture_output=True, text=True).stdout
    m = re.search(r"run_median\s+([\d.e+-]+) (ms|s|us)", text)
    return float(m.group(1)) * {"s": 1, "ms": 1e-3, "us": 1e-6}[m.group(2)], result


def ms(t):
    return f"{t * 1e3:.1f} ms"


CLOSURE = "Reach[x,z] = step(Edge[x,z] + Reach[x,y] Edge[y,z])"
with tempfile.TemporaryDirectory() as d:
    tl_s, reach = tl_run(d, CLOSURE, {"Edge": E}, "Reach")
    tl_plain_s, reach_plain = tl_run(d, CLOSURE, {"Edge": E}, "Reach",
                                     ["--semi-naive=false"])
    np_s, (it, want) = median_time(lambda: numpy_dense(lambda R: R + R @ E, E.copy()))
    pairs = int(want.sum())
    assert np.array_equal(reach, want) and np.array_equal(reach_plain, want)

    graph = os.path.join(d, "graph.txt")
    u, v = np.nonzero(E)
    with open(graph, "w") as f:
        f.write(f"{args.n} {len(u)}\n")
        f.writelines(f"{a} {b}\n" for a, b in zip(u, v))
    ref = os.path.join(d, "closure_ref")
    subprocess.run(["g++", "-O3", "-march=native", "-fopenmp", "-std=c++17",
                    os.path.join(SHARED, "closure_ref.cpp"), "-o", ref], check=True)
    text = subprocess.run([ref, graph], env=env, check=True, capture_output=True,
                          text=True).stdout
    refs = {k: float(t) * 1e-3 for k, t in
            re.findall(r"W5 (\w+)\s+iters=\d+ pairs=\d+\s+median\s+([\d.]+) ms", text)}

    P = make_genealogy(2000)
    anc_s, anc = tl_run(d, "Ancestor[x,z] = step(Parent[x,z] + Ancestor[x,y] Parent[y,z])",
                        {"Parent": P}, "Ancestor")
    anc_np_s, (anc_it, anc_want) = median_time(
        lambda: numpy_dense(lambda A: P + A @ P, P.copy()))
    assert np.array_equal(anc, anc_want)

    T = make_tree(1000)
    sg_prog = "SameGen[x,y] = step(Tree[p,x] Tree[p,y] + Tree[p,x] SameGen[p,q] Tree[q,y])"
    sg_s, sg = tl_run(d, sg_prog, {"Tree": T}, "SameGen")
    sg_plain_s, sg_plain = tl_run(d, sg_prog, {"Tree": T}, "SameGen", ["--semi-naive=false"])
    base = T.T @ T
    sg_np_s, (sg_it, sg_want) = median_time(
        lambda: numpy_dense(lambda S: base + T.T @ S @ T, (base > 0).astype(np.float32)))
    assert np.array_equal(sg, sg_want) and np.array_equal(sg_plain, sg_want)

print(f"W5 N={args.n} edges={int(E.sum())} iterations={it} pairs={pairs} threads={args.threads}")
print("| implementation | median | tl speedup |")
print("|---|---|---|")
print(f"| tl (compiled .tle, f32, semi-naive) | {ms(tl_s)} | 1.00x |")
print(f"| tl, --semi-naive=false (dense loop) | {ms(tl_plain_s)} | {tl_plain_s / tl_s:.2f}x |")
print(f"| NumPy dense f32 iteration | {ms(np_s)} | {np_s / tl_s:.2f}x |")
for k, t in refs.items():
    print(f"| C++ {k} | {ms(t)} | {t / tl_s:.3f}x |")
print()
print(f"ancestor N=2000 genealogy: iterations={anc_it} pairs={int(anc_want.sum())}; "
      f"same generation N=1000 tree: iterations={sg_it} pairs={int(sg_want.sum())}")
print("| workload | tl | NumPy dense iteration | tl speedup |")
print("|---|---|---|---|")
print(f"| ancestor (semi-naive) | {ms(anc_s)} | {ms(anc_np_s)} | {anc_np_s / anc_s:.2f}x |")
print(f"| same generation (semi-naive) | {ms(sg_s)} | {ms(sg_np_s)} | {sg_np_s / sg_s:.2f}x |")
print(f"| same generation, --semi-naive=false (dense loop) | {ms(sg_plain_s)} | {ms(sg_np_s)} "
      f"| {sg_np_s / sg_plain_s:.2f}x |")
