#!/usr/bin/python3
"""Eight processes compile the same graph into one empty cache at once.

  concurrent_compiles.py --jit BUILD/bin/tl-jit --graph G.json --inputs IN.npz
                         --expected EXPECTED.npz [--processes 8] [--rounds 3]

Each round starts the processes together on an empty cache directory. All
must exit 0 with the same outputs, bit for bit, matching the expected ones
(NumPy, rtol 1e-9 / atol 1e-12);
afterwards the directory must hold exactly one entry, no temporary files,
and a further compile must hit it. Exit status 1 on any failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jit", required=True)
    ap.add_argument("--graph", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    expected = np.load(args.expected)
    failures = []
    for rnd in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            cache = os.path.join(tmp, "cache")
            env = dict(os.environ, TL_CACHE_DIR=cache)
            procs = []
            for i in range(args.processes):
                out = os.path.join(tmp, f"out{i}.npz")
                procs.append((out, subprocess.Popen(
                    [args.jit, args.graph, "--inputs=" + args.inputs, "--output=" + out,
                     "--explain-cache"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)))
            first = None
            for out, p in procs:
                stdout, stderr = p.communicate(timeout=300)
                if p.returncode != 0:
                    failures.append(f"round {rnd}: exit {p.returncode}: {stderr.strip()}")
                    continue
                got = np.load(out)
                for k in expected.files:
                    if k not in got.files or not np.allclose(got[k], expected[k], rtol=1e-9, atol=1e-12,
                                                             equal_nan=True):
                        failures.append(f"round {rnd}: output {k} differs from the expected")
                    elif first is not None and not np.array_equal(got[k], first[k], equal_nan=True):
                        failures.append(f"round {rnd}: output {k} differs between processes")
                first = first or {k: got[k] for k in got.files}
            files = sorted(os.listdir(cache)) if os.path.isdir(cache) else []
            if len(files) != 1 or not files[0].endswith(".tlm"):
                failures.append(f"round {rnd}: the cache holds {files}, not one entry")
            again = subprocess.run([args.jit, args.graph, "--inputs=" + args.inputs, "--explain-cache",
                                    "--output=" + os.path.join(tmp, "again.npz")],
                                   env=env, capture_output=True, text=True, timeout=300)
            if "cache: hit" not in again.stderr:
                failures.append(f"round {rnd}: a later compile did not hit: {again.stderr.strip()}")
    for f in failures:
        print("FAIL " + f)
    print(f"{args.rounds} rounds of {args.processes} processes: "
          f"{'ok' if not failures else str(len(failures)) + ' failures'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
