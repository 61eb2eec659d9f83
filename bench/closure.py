#!/usr/bin/python3
"""W5: reachability as a recursive rule, Reach[x,z] = step(Edge[x,z] +
Reach[x,y] Edge[y,z]), at N=2000 with about 3 edges per node (the graph of
../shared/bench/peers.py W5, same seed), in the same run against NumPy's
dense iteration and the bitset C++ references of closure_ref.cpp.

  bench/closure.py [--n 2000] [--threads 2] [--runs 3]

tl runs the .tle program compiled (tl-jit --benchmark, f32, dense loops:
no semi-naive or bitset evaluation yet); its states start at zero, so it
takes one iteration more than the peers, which start at R = E.
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


E = make_graph(args.n)
env = dict(os.environ, TL_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
env.pop("OPENBLAS_CORETYPE", None)


def numpy_fixpoint():
    R = E.copy()
    it = 0
    while True:
        it += 1
        Rn = ((R + R @ E) > 0).astype(np.float32)
        if np.array_equal(Rn, R):
            return it, int(Rn.sum())
        R = Rn


with tempfile.TemporaryDirectory() as d:
    prog = os.path.join(d, "closure.tle")
    with open(prog, "w") as f:
        f.write("Reach[x,z] = step(Edge[x,z] + Reach[x,y] Edge[y,z])\n")
    np.savez(os.path.join(d, "in.npz"), Edge=E)
    out = os.path.join(d, "out.npz")
    jit = [os.path.join(ROOT, "build", "bin", "tl-jit"), prog, "--dtype=f32",
           "--inputs=" + os.path.join(d, "in.npz")]
    subprocess.run(jit + ["--output=" + out], env=env, check=True)
    reach = np.load(out)["Reach"]
    text = subprocess.run(jit + [f"--benchmark={args.runs}"], env=env, check=True,
                          capture_output=True, text=True).stdout
    m = re.search(r"run_median\s+([\d.]+) (ms|s|us)", text)
    tl_s = float(m.group(1)) * {"s": 1, "ms": 1e-3, "us": 1e-6}[m.group(2)]

    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        it, pairs = numpy_fixpoint()
        times.append(time.perf_counter() - t0)
    np_s = sorted(times)[len(times) // 2]
    assert int(reach.sum()) == pairs, (int(reach.sum()), pairs)

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

print(f"W5 N={args.n} edges={int(E.sum())} iterations={it} pairs={pairs} threads={args.threads}")
print("| implementation | median | tl speedup |")
print("|---|---|---|")
print(f"| tl (compiled .tle, f32 dense) | {tl_s * 1e3:.1f} ms | 1.00x |")
print(f"| NumPy dense f32 iteration | {np_s * 1e3:.1f} ms | {np_s / tl_s:.2f}x |")
for k, t in refs.items():
    print(f"| C++ {k} | {t * 1e3:.1f} ms | {t / tl_s:.3f}x |")
