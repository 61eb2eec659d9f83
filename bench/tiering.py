#!/usr/bin/python3
"""The tiered JIT: shape-generic code (tier 0), code specialized to the
shapes (tier 1) and tuned code (tier 2), on the same inputs in the same run.

  bench/tiering.py [--tool build/bin/tl-jit] [--runs 20] [--tune 5] [--markdown]

For each workload, tl-jit compiles three times, each with a fresh cache
directory: with every size unknown (--input-shape=NAME=?x?, tier 1 off),
for the inputs' shapes, and for the inputs' shapes with --tune=SECONDS.
Then a second process compiles the tuned graph again from the third cache
directory. Reported:

- compile: the time to the first result's code (from --jit-log);
- run: the median of --runs calls (tl-jit --benchmark), after tuning for
  the tuned column;
- generic / specialized (target: at most 2x), tuned speedup over the
  specialized code (target: at least 1.3x on two workloads, never slower);
- second process: the tier and cache outcome of its compile (target:
  "tuned", "hit").

Workloads: three corpus-style rules (a join, a join with an EXISTS, a
rule with a nonlinearity) and the shapes of W1 (row sums 4096^2 f32), W2
(a 512^3 f64 join) and W6 (a batched join + softmax).
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


def run(tool, graph, inputs, dtype, mode, runs, tmp, tune=0, cache=None):
    """mode: "generic", "specialized" or "tuned". Returns (first compile
    event, run ms, every event)."""
    cache = cache or tempfile.mkdtemp(dir=tmp)
    log = os.path.join(cache, "log-%s.json" % mode)
    cmd = [tool, graph, "--inputs=" + inputs, "--dtype=" + dtype, "--cache-dir=" + cache,
           f"--benchmark={runs}", "--benchmark_format=json",
           "--benchmark_compile_repetitions=1", "--jit-log=" + log]
    if mode == "generic":
        cmd += ["--hot-threshold=0"]
        for name, shape in np.load(inputs).items():
            cmd.append(f"--input-shape={name}=" + "x".join("?" for _ in shape.shape))
    if mode == "tuned" and tune:
        cmd.append(f"--tune={tune}")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(" ".join(cmd) + ": " + r.stderr.strip())
    bench = {b["name"].split("/")[-1]: b for b in json.loads(r.stdout)["benchmarks"]}
    c = bench["run_median"]
    run_ms = c["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[c["time_unit"]]
    events = json.load(open(log))
    return events[0], run_ms, events, cache


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(here, "..", "build", "bin", "tl-jit"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--tune", type=float, default=5)
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
                g, g_run, _, _ = run(args.tool, graph, inputs, dtype, "generic", args.runs, tmp)
            except RuntimeError as e:
                print(f"generic code refused for {name}: {e}", file=sys.stderr)
                g, g_run = {"ms": float("nan")}, float("nan")
            try:
                s, s_run, _, _ = run(args.tool, graph, inputs, dtype, "specialized", args.runs, tmp)
                _, t_run, t_events, cache = run(args.tool, graph, inputs, dtype, "tuned",
                                                args.runs, tmp, tune=args.tune)
                second, _, _, _ = run(args.tool, graph, inputs, dtype, "tuned", args.runs, tmp,
                                      cache=cache)
            except RuntimeError as e:
                print(f"FAILED {name}: {e}", file=sys.stderr)
                continue
            tuning_s = t_events[-1]["ms"] / 1000 if t_events[-1]["tier"] == "tuned" else 0
            rows.append((name, g["ms"], s["ms"], g_run, s_run, t_run, tuning_s,
                         second["tier"] + "/" + second["cache"]))
    head = ("workload", "generic compile ms", "specialized compile ms", "generic run ms",
            "specialized run ms", "tuned run ms", "tuning s", "generic / specialized",
            "tuned speedup", "2nd process")
    fmt = lambda r: (r[0], f"{r[1]:.0f}", f"{r[2]:.0f}", f"{r[3]:.3f}", f"{r[4]:.3f}",
                     f"{r[5]:.3f}", f"{r[6]:.1f}", f"{r[3] / r[4]:.2f}x", f"{r[4] / r[5]:.2f}x", r[7])
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(fmt(r)) + " |")
    else:
        for r in rows:
            print("  ".join(f"{h}={v}" for h, v in zip(head, fmt(r))))


if __name__ == "__main__":
    main()
