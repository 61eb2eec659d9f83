#!/usr/bin/python3
"""The tiered JIT: shape-generic code (tier 0) against code specialized to
the shapes (tier 1), on the same inputs in the same run.

  bench/tiering.py [--tool build/bin/tl-jit] [--runs 20] [--markdown]

For each workload, tl-jit compiles twice, once with every size unknown
(--input-shape=NAME=?x?, tier 1 off) and once for the inputs' shapes, each
with a fresh cache directory, and reports:

- first result: the compile time of each (from --jit-log), i.e. the time to
  the first result before any run;
- run: the median of --runs calls (tl-jit --benchmark);
- generic / specialized: how much slower the generic code is (target: at
  most 2x).

Workloads: three corpus-style rules (a join, a join with an EXISTS, a
rule with a nonlinearity) and the shapes of W1 (row sums 4096^2 f32), W2
(a 512^3 f64 join) and W6 (a batched join + softmax). Tuning (tier 2) is
not built yet, so it has no column.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

RULES = {
    "grandparent": ("""
func.func @main(%p: tensor<?x?xf64> {tl.name = "p"}) -> (tensor<?x?xf64> {tl.name = "gp"}) {
  %0 = tl.einsum "ab,bc->ac" %p, %p : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %1 = tl.unary step %0 : tensor<?x?xf64>
  return %1 : tensor<?x?xf64>
}""", {"p": (300, 300)}, "f64"),
    "exists-join": ("""
func.func @main(%p: tensor<?x?xf64> {tl.name = "p"}, %q: tensor<?x?xf64> {tl.name = "q"}) -> (tensor<?xf64> {tl.name = "e"}) {
  %0 = tl.einsum "ab,bc->ac" %p, %q : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %1 = tl.reduce max %0 axes = [1] : tensor<?x?xf64> -> tensor<?xf64>
  return %1 : tensor<?xf64>
}""", {"p": (256, 200), "q": (200, 300)}, "f64"),
    "sigmoid-rule": ("""
func.func @main(%x: tensor<?x?xf64> {tl.name = "x"}, %w: tensor<?x?xf64> {tl.name = "w"}) -> (tensor<?x?xf64> {tl.name = "y"}) {
  %0 = tl.einsum "ab,bc->ac" %x, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %1 = tl.unary sigmoid %0 : tensor<?x?xf64>
  return %1 : tensor<?x?xf64>
}""", {"x": (512, 128), "w": (128, 256)}, "f64"),
    "W1 rowsum f32": ("""
func.func @main(%x: tensor<?x?xf32> {tl.name = "x"}) -> (tensor<?xf32> {tl.name = "s"}) {
  %0 = tl.einsum "ab->a" %x : (tensor<?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}""", {"x": (4096, 4096)}, "f32"),
    "W2 join f64": ("""
func.func @main(%a: tensor<?x?xf64> {tl.name = "a"}, %b: tensor<?x?xf64> {tl.name = "b"}) -> (tensor<?x?xf64> {tl.name = "c"}) {
  %0 = tl.einsum "ik,kj->ij" %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}""", {"a": (512, 512), "b": (512, 512)}, "f64"),
    "W6 join+softmax f32": ("""
func.func @main(%q: tensor<?x?x?xf32> {tl.name = "q"}, %k: tensor<?x?x?xf32> {tl.name = "k"}) -> (tensor<?x?x?xf32> {tl.name = "p"}) {
  %s = tl.einsum "bik,bjk->bij" %q, %k : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %m = tl.reduce max %s axes = [2] : tensor<?x?x?xf32> -> tensor<?x?xf32>
  %mm = tl.einsum "bi->bij" %m : (tensor<?x?xf32>) -> tensor<?x?x?xf32>
  %d = tl.binary subtract %s, %mm : tensor<?x?x?xf32>, tensor<?x?x?xf32> -> tensor<?x?x?xf32>
  %e = tl.unary exp %d : tensor<?x?x?xf32>
  %z = tl.reduce sum %e axes = [2] : tensor<?x?x?xf32> -> tensor<?x?xf32>
  %zz = tl.einsum "bi->bij" %z : (tensor<?x?xf32>) -> tensor<?x?x?xf32>
  %p = tl.binary divide %e, %zz : tensor<?x?x?xf32>, tensor<?x?x?xf32> -> tensor<?x?x?xf32>
  return %p : tensor<?x?x?xf32>
}""", {"q": (16, 128, 64), "k": (16, 128, 64)}, "f32"),
}


def run(tool, graph, inputs, dtype, generic, runs, tmp):
    cache = tempfile.mkdtemp(dir=tmp)
    log = os.path.join(cache, "log.json")
    cmd = [tool, graph, "--inputs=" + inputs, "--dtype=" + dtype, "--cache-dir=" + cache,
           f"--benchmark={runs}", "--benchmark_format=json",
           "--benchmark_compile_repetitions=1", "--jit-log=" + log]
    if generic:
        cmd += ["--hot-threshold=0"]
        for name, shape in np.load(inputs).items():
            cmd.append(f"--input-shape={name}=" + "x".join("?" for _ in shape.shape))
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(" ".join(cmd) + ": " + r.stderr.strip())
    bench = {b["name"].split("/")[-1]: b for b in json.loads(r.stdout)["benchmarks"]}
    c = bench["run_median"]
    run_ms = c["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[c["time_unit"]]
    events = json.load(open(log))
    return events[0]["ms"], run_ms


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(here, "..", "build", "bin", "tl-jit"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(15)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (text, shapes, dtype) in RULES.items():
            graph = os.path.join(tmp, name.split()[0] + ".mlir")
            open(graph, "w").write(text)
            inputs = os.path.join(tmp, name.split()[0] + ".npz")
            np.savez(inputs, **{k: rng.random(s).astype(np.float32 if dtype == "f32" else np.float64)
                                for k, s in shapes.items()})
            try:
                g_first, g_run = run(args.tool, graph, inputs, dtype, True, args.runs, tmp)
                s_first, s_run = run(args.tool, graph, inputs, dtype, False, args.runs, tmp)
            except RuntimeError as e:
                print(f"FAILED {name}: {e}", file=sys.stderr)
                continue
            rows.append((name, g_first, s_first, g_run, s_run, g_run / s_run))
    head = ("workload", "generic compile ms", "specialized compile ms",
            "generic run ms", "specialized run ms", "generic / specialized")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print(f"| {r[0]} | {r[1]:.0f} | {r[2]:.0f} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.2f}x |")
    else:
        print(f"{head[0]:22s} {'gen cc ms':>10s} {'spec cc ms':>10s} {'gen run':>10s} {'spec run':>10s} {'ratio':>7s}")
        for r in rows:
            print(f"{r[0]:22s} {r[1]:10.0f} {r[2]:10.0f} {r[3]:10.3f} {r[4]:10.3f} {r[5]:6.2f}x")


if __name__ == "__main__":
    main()
