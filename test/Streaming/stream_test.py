#!/usr/bin/python3
"""Streaming and checkpoint/resume through tl-jit (issue 6).

  stream_test.py --tool BUILD/bin/tl-jit --graph rules.mlir [--kills 10]

1. Inputs four times larger than the memory budget (32 MiB streamed, an
   8 MiB budget): every output equals NumPy's on the whole arrays (rtol
   1e-12; max/min/rows exact), and the run's peak resident memory above
   what the process held before streaming (the kernel's high-water mark,
   reset when streaming starts) stays under the budget.
2. A streaming run with a checkpoint is killed with SIGKILL at a random
   point after it has started, then rerun: it resumes from its checkpoint
   and its output files are byte for byte those of an uninterrupted run.
   Done --kills times in a row.
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--tool", required=True)
ap.add_argument("--graph", required=True)
ap.add_argument("--kills", type=int, default=10)
ap.add_argument("--no-memory-check", action="store_true",
                help="sanitizer builds: ASan's shadow memory and quarantine are not the run's")
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="tl-stream-")
rng = np.random.default_rng(3)
knows = rng.random((4096, 1024))  # 32 MiB
w = rng.random((1024, 8)) - 0.5
np.save(os.path.join(tmp, "knows.npy"), knows)
np.save(os.path.join(tmp, "w.npy"), w)
budget_kib = 8 * 1024


def stream(out, extra=()):
    cmd = [args.tool, args.graph, "--stream=knows",
           "--stream-input=knows=" + os.path.join(tmp, "knows.npy"),
           "--stream-input=w=" + os.path.join(tmp, "w.npy"),
           "--memory-budget=%dK" % budget_kib, "--output-dir=" + out] + list(extra)
    return cmd


failures = []

# 1. Correctness and memory.
out = os.path.join(tmp, "out")
r = subprocess.run(stream(out), capture_output=True, text=True)
if r.returncode != 0:
    sys.exit("streaming failed: " + r.stderr)
print(r.stdout.splitlines()[0])
m = re.search(r"in (\d+) chunks of (\d+); peak resident memory (\d+) KiB above", r.stdout)
chunks, rows, peak_kib = int(m.group(1)), int(m.group(2)), int(m.group(3))
if chunks < 4:
    failures.append("only %d chunks: the inputs did not exceed the budget" % chunks)
if peak_kib > budget_kib and not args.no_memory_check:
    failures.append("peak %d KiB above baseline exceeds the %d KiB budget" % (peak_kib, budget_kib))
sig = 1 / (1 + np.exp(-(knows @ w)))
expected = {
    "rule": sig, "total": knows.sum(0), "most": knows.max(0), "least": knows.min(0),
    "avg": knows.mean(0), "product": np.prod(1 + knows * 1e-4, axis=0),
    "transposed": knows.T, "weights": w.sum(0),
}
for name, want in expected.items():
    got = np.load(os.path.join(out, name + ".npy"))
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-12, atol=0)
    if name in ("most", "least", "transposed", "weights"):
        ok = ok and np.array_equal(got, want)
    print("%s %s %s" % ("PASS" if ok else "FAIL", name, got.shape))
    if not ok:
        failures.append(name)

# 2. SIGKILL and resume, byte for byte.
reference = {n: open(os.path.join(out, n + ".npy"), "rb").read() for n in expected}
for attempt in range(args.kills):
    run_out = os.path.join(tmp, "kill%d" % attempt)
    ckpt = os.path.join(run_out + ".ckpt")
    extra = ["--checkpoint=" + ckpt, "--stream-throttle-ms=15"]
    p = subprocess.Popen(stream(run_out, extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait for a checkpoint, then kill at a random moment after it.
    deadline = time.time() + 60
    while not os.path.exists(ckpt) and p.poll() is None and time.time() < deadline:
        time.sleep(0.002)
    time.sleep(random.Random(attempt).uniform(0, 0.3))
    p.send_signal(signal.SIGKILL)
    p.wait()
    killed = p.returncode == -signal.SIGKILL
    r = subprocess.run(stream(run_out, extra), capture_output=True, text=True)
    same = r.returncode == 0 and all(
        open(os.path.join(run_out, n + ".npy"), "rb").read() == reference[n] for n in expected)
    resumed = re.search(r"resumed at row (\d+)", r.stdout)
    note = "killed, resumed at row %s" % resumed.group(1) if killed and resumed else (
        "killed before the first chunk was recorded" if killed else "finished before the kill")
    print("%s kill %d: %s; outputs %s" % ("PASS" if same else "FAIL", attempt, note,
                                          "identical" if same else "DIFFER"))
    if not same:
        failures.append("kill %d: %s" % (attempt, r.stderr.strip()))
    if not (killed and resumed):
        failures.append("kill %d: %s (the run must be killed mid-way and resume)" % (attempt, note))
    if os.path.exists(ckpt):
        failures.append("kill %d: the checkpoint was left behind" % attempt)

if failures:
    print("FAILED: " + "; ".join(failures))
    sys.exit(1)
print("all streaming checks passed")
