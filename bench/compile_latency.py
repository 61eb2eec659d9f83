#!/usr/bin/python3
"""Compile latency of tl-jit: JSON text to a callable function.

  bench/compile_latency.py [--tool build/bin/tl-jit] [--cases ../shared/testdata/cases]
                           [--repetitions 5] [--peers]

For every valid graph of the corpus, runs `tl-jit --benchmark`, which
compiles the graph from its text --repetitions times each way and reports
the medians: cold (no cache, a fresh MLIR context, as a new process without
a cache) and cached (from a warm persistent cache with nothing kept in
memory, as a new process with one). Prints both by graph size.
--peers also runs ../shared/bench/jit_compile_time.py in the same session
(numba's and TorchScript's first-call latency) when its imports are there.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(here, "..", "build", "bin", "tl-jit"))
    ap.add_argument("--cases", default=os.path.join(here, "..", "..", "shared", "testdata", "cases"))
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--peers", action="store_true")
    args = ap.parse_args()

    rows = []
    for path in sorted(glob.glob(os.path.join(args.cases, "*.json"))):
        base = path[:-5]
        if os.path.exists(base + ".error.txt"):
            continue
        nodes = len(json.load(open(path)).get("nodes", []))
        cmd = [args.tool, path, "--inputs=" + base + ".inputs.npz", "--benchmark=3",
               "--benchmark_format=json", f"--benchmark_compile_repetitions={args.repetitions}"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAILED {os.path.basename(path)}: {r.stderr.strip()}", file=sys.stderr)
            continue
        bench = {b["name"].split("/")[-1]: b for b in json.loads(r.stdout)["benchmarks"]}
        def ms(entry):
            c = bench[entry]
            return c["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[c["time_unit"]]
        rows.append((nodes, ms("compile_median"), ms("compile_cached_median"), os.path.basename(base)))

    rows.sort()
    print(f"{'graph':40s} {'nodes':>5s} {'cold ms':>9s} {'cached ms':>10s}")
    for nodes, cold, cached, name in rows:
        print(f"{name:40s} {nodes:5d} {cold:9.1f} {cached:10.2f}")
    for label, col in (("cold", 1), ("cached", 2)):
        all_ms = [r[col] for r in rows]
        print(f"\n{label}: {len(rows)} graphs, median {statistics.median(all_ms):.2f} ms, "
              f"min {min(all_ms):.2f}, max {max(all_ms):.2f}")
        buckets = [(1, 3), (4, 9), (10, 19), (20, 10**9)]
        for lo, hi in buckets:
            sel = [r[col] for r in rows if lo <= r[0] <= hi]
            if sel:
                name = f"{lo}-{hi}" if hi < 10**9 else f">={lo}"
                print(f"  {name:>6s} nodes: {len(sel):3d} graphs, median {statistics.median(sel):.2f} ms, "
                      f"max {max(sel):.2f} ms")
    if args.peers:
        peer = os.path.join(os.path.dirname(args.cases), "..", "bench", "jit_compile_time.py")
        print("\npeers (same session):")
        r = subprocess.run(["/usr/bin/python3", peer], capture_output=True, text=True)
        print(r.stdout.strip() or r.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
