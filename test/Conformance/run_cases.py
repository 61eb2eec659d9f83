#!/usr/bin/python3
"""Runs every case of the shared conformance corpus through tl-jit.

  run_cases.py --tool BUILD/bin/tl-jit --cases SHARED/testdata/cases
               [--dtypes f64 f32] [--reference] [--cross-check] [--only STEM ...]
  run_cases.py --tool BUILD/bin/tl-jit --cases SHARED/testdata/cases --grads

Valid cases must match STEM.expected.npz (compared by the corpus's own
oracle.compare, an independent NumPy check) in every dtype asked for:
rtol 1e-9 / atol 1e-12 in f64, rtol 1e-5 / atol 1e-6 in f32. Cases whose
expected outputs are f32 run in f32 only. --reference runs the reference
interpreter instead of compiled code; --cross-check also runs it and
requires compiled code and interpreter to agree within the same tolerances.
Cases with STEM.error.txt must exit with a status of 1 (not a signal, not
a crash) and print the expected substring. Exit status 1 on any failure.
--grads checks the gradients instead: for every case with STEM.grads.npz,
`tl-jit --grad=<every array of STEM.grads.npz> --cotangents=STEM.cotangents.npz`
must match it in f64 (rtol 1e-9 / atol 1e-12, as the corpus asks).
--sparse gives every input of rank >= 1 in sparse form (rank 2 as SciPy's
CSR, CSC and COO in turn, written by scipy.sparse.save_npz's layout; other
ranks in tl's COO layout, entries shuffled) and asks for every output
sparse (--sparse-outputs=always), densified here by SciPy and NumPy.
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


def write_sparse_inputs(dense_path, sparse_path):
    """Every array of rank >= 1 as a sparse group NAME/... (SciPy's layout
    for rank 2, cycling CSR, CSC and COO; tl's COO layout otherwise).
    Returns how many arrays it wrote sparse."""
    import scipy.sparse as sp
    rng = np.random.default_rng(0)
    members, layouts = {}, ["csr", "csc", "coo"]
    with np.load(dense_path) as z:
        for i, name in enumerate(z.files):
            a = z[name]
            if a.ndim == 0:
                members[name] = a
            elif a.ndim == 2:
                m = getattr(sp.csr_matrix(a), "to" + layouts[i % 3])()
                parts = {"format": np.array(m.format.encode()), "shape": np.array(m.shape), "data": m.data}
                if m.format == "coo":
                    parts.update(row=m.row, col=m.col)
                else:
                    parts.update(indices=m.indices, indptr=m.indptr)
                members.update({name + "/" + k: v for k, v in parts.items()})
            else:
                idx = np.argwhere(a != 0)
                order = rng.permutation(len(idx))
                members[name + "/indices"] = idx[order].astype(np.int64)
                members[name + "/values"] = a[tuple(idx[order].T)]
                members[name + "/shape"] = np.array(a.shape, dtype=np.int64)
    np.savez(sparse_path, **members)
    return sum(1 for k in members if k.endswith("/shape"))


def load_sparse_outputs(path):
    """An output archive whose arrays may be sparse groups, densified."""
    import scipy.sparse as sp
    out, groups = {}, {}
    with np.load(path) as z:
        for key in z.files:
            if "/" in key:
                name, part = key.rsplit("/", 1)
                groups.setdefault(name, {})[part] = z[key]
            else:
                out[key] = z[key]
    for name, g in groups.items():
        if "format" in g:
            fmt = g["format"].item().decode()
            assert fmt == "csr", fmt
            m = sp.csr_matrix((g["data"], g["indices"], g["indptr"]), shape=tuple(g["shape"]))
            out[name] = m.toarray()
        else:
            dense = np.zeros(tuple(g["shape"]), dtype=g["values"].dtype)
            dense[tuple(g["indices"].T)] = g["values"]
            out[name] = dense
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--dtypes", nargs="+", default=["f64"], choices=["f64", "f32"])
    ap.add_argument("--reference", action="store_true")
    ap.add_argument("--cross-check", action="store_true")
    ap.add_argument("--grads", action="store_true")
    ap.add_argument("--sparse", action="store_true")
    ap.add_argument("--sparse-threshold", type=float,
                    help="with --sparse: tl-jit's --sparse-threshold (1: every "
                         "sparse input takes the sparse route)")
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
    mode = ["--reference"] if args.reference else []
    failed, checks = [], 0
    fell_back = []  # runs the sparse route could not compile (ran dense)
    load = load_sparse_outputs if args.sparse else oracle.load_npz
    with tempfile.TemporaryDirectory() as tmp:
        def run(stem, extra):
            base = os.path.join(args.cases, stem)
            tag = "".join(extra).replace("-", "_").replace("/", "_")
            out = os.path.join(tmp, stem + tag + ".npz")
            inputs = base + ".inputs.npz"
            if args.sparse:
                inputs = os.path.join(tmp, stem + ".sparse-inputs.npz")
                sparse = write_sparse_inputs(base + ".inputs.npz", inputs)
                extra = extra + ["--sparse-outputs=always"]
                if args.sparse_threshold is not None and sparse:
                    extra = extra + [f"--sparse-threshold={args.sparse_threshold}"]
            cmd = [args.tool, base + ".json", "--inputs=" + inputs, "--output=" + out] + extra
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            if "the sparse route failed" in r.stderr:
                fell_back.append((stem, r.stderr.strip().splitlines()[0]))
            return r, out

        for stem in stems:
            base = os.path.join(args.cases, stem)
            if args.grads:
                if not os.path.exists(base + ".grads.npz"):
                    continue
                expected = oracle.load_npz(base + ".grads.npz")
                r, out = run(stem, ["--dtype=f64", "--grad=" + ",".join(sorted(expected)),
                                    "--cotangents=" + base + ".cotangents.npz"])
                report = io.StringIO()
                ok = r.returncode == 0 and oracle.compare(load(out), expected, rtol=1e-9, atol=1e-12,
                                                          out=report)
                checks += 1
                print(f"{'PASS' if ok else 'FAIL'} {stem} [gradients]")
                if not ok:
                    print("  " + (r.stderr.strip() or report.getvalue().strip()).replace("\n", "\n  "))
                    failed.append(stem)
                continue
            if os.path.exists(base + ".error.txt"):
                want = open(base + ".error.txt").read().strip()
                r, _ = run(stem, mode)
                msg = (r.stdout + r.stderr).strip()
                ok = r.returncode == 1 and want.lower() in msg.lower()
                checks += 1
                print(f"{'PASS' if ok else 'FAIL'} {stem}: exit {r.returncode}: {msg.splitlines()[-1] if msg else ''}")
                if not ok:
                    failed.append(stem)
                continue
            expected = oracle.load_npz(base + ".expected.npz")
            corpus_f32 = any(v.dtype == np.float32 for v in expected.values())
            for dtype in (["f32"] if corpus_f32 else args.dtypes):
                rtol, atol = TOLERANCES[dtype]
                name = f"{stem} [{dtype}{' reference' if args.reference else ''}]"
                r, out = run(stem, mode + ["--dtype=" + dtype])
                report = io.StringIO()
                ok = r.returncode == 0 and oracle.compare(load(out), expected, rtol=rtol, atol=atol, out=report)
                if not ok and r.returncode == 0 and dtype == "f32" and not args.reference:
                    # An f64 case run in f32 can flip a discontinuous op
                    # (round(0.49999999999999994) is 1 once the input rounds
                    # to 0.5f). Accepted only when the interpreter, computing
                    # in f32 independently, misses the same outputs and the
                    # compiled code matches it everywhere.
                    rr, ref_out = run(stem, ["--reference", "--dtype=f32"])
                    got, ref = load(out), load(ref_out) if rr.returncode == 0 else {}
                    bad = {k for k in expected if not oracle.compare({k: got.get(k)} if k in got else {}, {k: expected[k]}, rtol=rtol, atol=atol, out=io.StringIO())}
                    ref_bad = {k for k in expected if k not in ref or not oracle.compare({k: ref[k]}, {k: expected[k]}, rtol=rtol, atol=atol, out=io.StringIO())}
                    if rr.returncode == 0 and bad == ref_bad and oracle.compare(got, ref, rtol=rtol, atol=atol, out=report):
                        ok = True
                        name += " (f32-inherent: " + ", ".join(sorted(bad)) + " match the f32 interpreter)"
                if ok and args.cross_check:
                    name += " + interpreter"
                    rr, ref_out = run(stem, ["--reference", "--dtype=" + dtype])
                    ok = rr.returncode == 0 and oracle.compare(
                        load(out), load(ref_out), rtol=rtol, atol=atol, out=report)
                    r = r if rr.returncode == 0 else rr
                checks += 1
                print(f"{'PASS' if ok else 'FAIL'} {name}")
                if not ok:
                    print("  " + (r.stderr.strip() or report.getvalue().strip()).replace("\n", "\n  "))
                    failed.append(name)
    print(f"{checks - len(failed)}/{checks} checks passed over {len(stems)} cases")
    if args.sparse_threshold is not None:
        print(f"sparse route: {len(fell_back)} run(s) compiled dense because "
              "the sparse route could not compile them")
        for stem, why in fell_back:
            print(f"  {stem}: {why[:300]}")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed or fell_back else 0


if __name__ == "__main__":
    sys.exit(main())
