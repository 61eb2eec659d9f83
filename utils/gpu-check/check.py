#!/usr/bin/env python3
"""The GPU check of a utils/gpu-pack.sh folder (run by gpu-check.sh).

Every packed module runs through tl-run (started by the packed loader, with
the packed libraries) on its case's inputs. f64 modules, and f32 modules of
cases whose expected outputs are f32, must match STEM.expected.npz by the
corpus's oracle.compare (f64: rtol 1e-9 / atol 1e-12; f32: rtol 1e-5 /
atol 1e-6); f32 modules of f64 cases must match the CPU's f32 results
(ref/STEM.f32.npz) within the f32 tolerances; adjoint modules (STEM.grad)
must match STEM.grads.npz in f64. One line per case, then a
summary; exit status 1 on any failure, 2 when nothing can run.
"""
import concurrent.futures
import glob
import io
import os
import subprocess
import sys
import tempfile
import time

TOLERANCES = {"f64": (1e-9, 1e-12), "f32": (1e-5, 1e-6)}


def main():
    d = sys.argv[1]
    sys.path.insert(0, d)
    import numpy as np
    import oracle

    target = open(os.path.join(d, "TARGET")).read().split()
    # The packed libraries first; then where this machine keeps its driver.
    libs = os.path.join(d, "lib")
    if os.environ.get("LD_LIBRARY_PATH"):
        libs += ":" + os.environ["LD_LIBRARY_PATH"]
    for nvidia in ("/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/local/cuda/compat"):
        if os.path.isdir(nvidia):
            libs += ":" + nvidia
    loader = [os.path.join(d, "lib", "tl-run-loader"), "--library-path", libs,
              os.path.join(d, "bin", "tl-run")]
    device = "cuda" if target[0] == "cuda" else "cpu"
    print(f"tl GPU check: modules for {' '.join(target)}")
    try:
        smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                              "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
        if smi.returncode == 0:
            print("GPU:", smi.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    modules = sorted(glob.glob(os.path.join(d, "modules", "*.tlm")))
    if not modules:
        print("no modules in", d)
        return 2
    failed, rows = [], []
    start = time.time()
    no_gpu = []

    def check(m, tmp):
        """(row, failure or None) for one module."""
        stem, dtype = os.path.basename(m)[:-4].rsplit(".", 1)
        inputs = os.path.join(d, "cases", stem + ".inputs.npz")
        expected_path = os.path.join(d, "cases", stem + ".expected.npz")
        out = os.path.join(tmp, f"{stem}.{dtype}.npz")
        extra = []
        if dtype == "grad":  # the adjoint: cotangents in, gradients out
            extra = ["--cotangents=" + os.path.join(d, "cases", stem + ".cotangents.npz")]
            expected_path = os.path.join(d, "cases", stem + ".grads.npz")
        t0 = time.time()
        r = subprocess.run(loader + [m, "--device=" + device, "--inputs=" + inputs,
                                     "--output=" + out] + extra,
                           capture_output=True, text=True, timeout=120)
        ms = (time.time() - t0) * 1e3
        if r.returncode != 0:
            if "no CUDA driver" in r.stderr or "sees no GPU" in r.stderr:
                no_gpu.append(r.stderr.strip())
            return ((stem, dtype, "FAIL (run)", ms),
                    f"{stem} {dtype}: tl-run exited {r.returncode}: {r.stderr.strip()[:500]}")
        expected = oracle.load_npz(expected_path)
        ref = expected
        if dtype == "f32" and any(v.dtype != np.float32 for v in expected.values()):
            ref = oracle.load_npz(os.path.join(d, "ref", stem + ".f32.npz"))
        rtol, atol = TOLERANCES["f64" if dtype == "grad" else dtype]
        report = io.StringIO()
        if oracle.compare(oracle.load_npz(out), ref, rtol=rtol, atol=atol, out=report):
            return (stem, dtype, "ok", ms), None
        return (stem, dtype, "FAIL (values)", ms), f"{stem} {dtype}: {report.getvalue().strip()[:800]}"

    with tempfile.TemporaryDirectory() as tmp:
        # The first module alone: no GPU stops the check with one message.
        row, failure = check(modules[0], tmp)
        if no_gpu:
            print(no_gpu[0])
            print("no usable GPU here: stopping")
            return 2
        results = [(row, failure)]
        # Each tl-run process creates a CUDA context: run several at once.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results += list(pool.map(lambda m: check(m, tmp), modules[1:]))
    for row, failure in results:
        rows.append(row)
        if failure:
            failed.append(failure)
    passed = len(modules) - len(failed)
    print(f"{'case':40s} {'dtype':5s} {'result':14s} {'ms':>8s}")
    for stem, dtype, result, ms in rows:
        print(f"{stem:40s} {dtype:5s} {result:14s} {ms:8.1f}")
    for f in failed:
        print("FAIL", f)
    # Per-kernel times from CUDA events (tl-run --profile) for one module.
    sample = [m for m in modules if os.path.basename(m).startswith("comp_agg_sum.f64")] or modules[:1]
    stem = os.path.basename(sample[0])[:-4].rsplit(".", 1)[0]
    prof = subprocess.run(loader + [sample[0], "--profile",
                                    "--inputs=" + os.path.join(d, "cases", stem + ".inputs.npz")],
                          capture_output=True, text=True, timeout=120)
    print(f"tl-run --profile {os.path.basename(sample[0])} (exit {prof.returncode}):")
    print((prof.stdout + prof.stderr).strip()[:3000])
    print(f"{passed} of {len(modules)} modules match ({len(failed)} failures) "
          f"in {time.time() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
