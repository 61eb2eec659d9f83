#!/usr/bin/python3
"""Runs every case of the shared conformance corpus through tl-jit.

  run_cases.py --tool BUILD/bin/tl-jit --cases SHARED/testdata/cases [--only STEM ...]

Valid cases must match STEM.expected.npz within the corpus tolerances
(compared by the corpus's own oracle.compare, an independent NumPy check);
cases with STEM.error.txt must exit with a status of 1 (not a signal, not
a crash) and print the expected substring. Exit status 1 on any failure.
Gradients (STEM.grads.npz) are not checked yet: autodiff is issue 5.
"""
import argparse
import glob
import io
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.cases)))
    import oracle  # the corpus's compare() and load_npz()

    stems = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(args.cases, "*.json")))
    if args.only:
        stems = [s for s in stems if s in args.only]
    if not stems:
        print(f"no cases found in {args.cases}")
        return 1
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for stem in stems:
            base = os.path.join(args.cases, stem)
            out = os.path.join(tmp, stem + ".npz")
            cmd = [args.tool, base + ".json", "--inputs=" + base + ".inputs.npz", "--output=" + out]
            if os.path.exists(base + ".error.txt"):
                want = open(base + ".error.txt").read().strip()
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
                msg = (r.stdout + r.stderr).strip()
                ok = r.returncode == 1 and want.lower() in msg.lower()
                print(f"{'PASS' if ok else 'FAIL'} {stem}: exit {r.returncode}: {msg.splitlines()[-1] if msg else ''}")
                if not ok:
                    failed.append(stem)
                continue
            expected = oracle.load_npz(base + ".expected.npz")
            if any(v.dtype == np.float32 for v in expected.values()):
                cmd.append("--dtype=f32")
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            report = io.StringIO()
            ok = r.returncode == 0 and oracle.compare(oracle.load_npz(out), expected, out=report)
            print(f"{'PASS' if ok else 'FAIL'} {stem}")
            if not ok:
                print("  " + (r.stderr.strip() or report.getvalue().strip()).replace("\n", "\n  "))
                failed.append(stem)
    print(f"{len(stems) - len(failed)}/{len(stems)} cases passed")
    if failed:
        print("failed: " + " ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
