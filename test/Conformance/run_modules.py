#!/usr/bin/python3
"""Runs every case of the shared corpus as a compiled module.

  run_modules.py --compile BUILD/bin/tl-compile --run BUILD/bin/tl-run
                 --jit BUILD/bin/tl-jit --cases SHARED/testdata/cases
                 [--dtypes f64 f32] [--only STEM ...]

For every valid case and dtype: `tl-compile CASE.json --inputs=... -o M.tlm`,
then `tl-run M.tlm --inputs=... --output=OUT.npz`. The outputs must match
STEM.expected.npz (the corpus's oracle.compare: rtol 1e-9 / atol 1e-12 in
f64, 1e-5 / 1e-6 in f32) and be bit for bit what `tl-jit` computes for the
same case (the same code, loaded by another process). An f64 case run in f32
may miss the expected outputs only where tl-jit misses them identically
(tl-conformance accepts those against the f32 interpreter). Cases with
STEM.error.txt must make tl-compile exit with status 1 and the expected
message, and write no module. Exit status 1 on any failure.
"""
import argparse
import glob
import io
import os
import subprocess
import sys
import tempfile

import numpy as np

TOLERANCES = {"f64": (1e-9, 1e-12), "f32": (1e-5, 1e-6)}


def identical(a, b):
    if sorted(a) != sorted(b):
        return False
    return all(a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and
               np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compile", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--jit", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--dtypes", nargs="+", default=["f64", "f32"], choices=["f64", "f32"])
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
    failed, checks = [], 0

    def sh(cmd):
        return subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)

    with tempfile.TemporaryDirectory() as tmp:
        for stem in stems:
            base = os.path.join(args.cases, stem)
            inputs = "--inputs=" + base + ".inputs.npz"
            module = os.path.join(tmp, stem + ".tlm")
            if os.path.exists(base + ".error.txt"):
                want = open(base + ".error.txt").read().strip()
                r = sh([args.compile, base + ".json", inputs, "-o", module])
                msg = (r.stdout + r.stderr).strip()
                ok = r.returncode == 1 and want.lower() in msg.lower() and not os.path.exists(module)
                checks += 1
                print(f"{'PASS' if ok else 'FAIL'} {stem}: tl-compile exit {r.returncode}: "
                      f"{msg.splitlines()[-1] if msg else ''}")
                if not ok:
                    failed.append(stem)
                continue
            expected = oracle.load_npz(base + ".expected.npz")
            corpus_f32 = any(v.dtype == np.float32 for v in expected.values())
            for dtype in (["f32"] if corpus_f32 else args.dtypes):
                rtol, atol = TOLERANCES[dtype]
                name = f"{stem} [{dtype}]"
                out = os.path.join(tmp, f"{stem}.{dtype}.run.npz")
                jit_out = os.path.join(tmp, f"{stem}.{dtype}.jit.npz")
                r = sh([args.compile, base + ".json", inputs, "--dtype=" + dtype, "-o", module])
                if r.returncode == 0:
                    r = sh([args.run, module, inputs, "--output=" + out])
                rj = sh([args.jit, base + ".json", inputs, "--dtype=" + dtype, "--output=" + jit_out])
                report = io.StringIO()
                ok = r.returncode == 0 and rj.returncode == 0
                if ok:
                    got, jit = oracle.load_npz(out), oracle.load_npz(jit_out)
                    same = identical(got, jit)
                    if not same:
                        report.write("tl-run and tl-jit differ\n")
                    matches = oracle.compare(got, expected, rtol=rtol, atol=atol, out=report)
                    if not matches and same and dtype == "f32":
                        name += " (f32-inherent, as tl-jit)"
                        matches = True
                    ok = same and matches
                checks += 1
                print(f"{'PASS' if ok else 'FAIL'} {name}")
                if not ok:
                    print("  " + (r.stderr.strip() or rj.stderr.strip() or report.getvalue().strip())
                          .replace("\n", "\n  "))
                    failed.append(name)
                if os.path.exists(module):
                    os.remove(module)
    print(f"{checks - len(failed)}/{checks} checks passed over {len(stems)} cases")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
