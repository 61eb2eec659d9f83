#!/usr/bin/python3
"""Every case of the shared corpus through the GPU backend, without a GPU.

  ptx_cases.py --tool BUILD/bin/tl-jit --cases SHARED/testdata/cases
               [--ptxas PATH] [--arch sm_90] [--only STEM ...] [--quick]

Valid cases are compiled for the GPU (`tl-jit --device=cuda --emit=ptx`,
f64 and f32, and the adjoint of every case with gradients) and every
kernel's PTX must be accepted by the CUDA toolkit's
`ptxas` for --arch. Cases with STEM.error.txt must fail with --device=cuda
as they fail on the CPU: exit status 1 and the expected text. Without
ptxas (no CUDA toolkit) the PTX is still produced and checked for what a
driver would refuse (unresolved libdevice functions); the script says that
ptxas was skipped. Exit status 1 on any failure.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile


def split_images(text):
    """(name, ptx) per '// kernel image NAME' header of --emit=ptx."""
    parts = re.split(r"^// kernel image (\S+)\n", text, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--ptxas", default=shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas")
    ap.add_argument("--arch", default="sm_90")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--quick", action="store_true", help="f64 only, no adjoints")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    ptxas = args.ptxas if os.access(args.ptxas, os.X_OK) else None
    stems = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(args.cases, "*.json")))
    if args.only:
        stems = [s for s in stems if s in args.only]
    if not stems:
        print(f"no cases found in {args.cases}")
        return 1
    failed, kernels, invalid = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for stem in stems:
            base = os.path.join(args.cases, stem)
            error = base + ".error.txt"
            runs = [("f64", []), ("f32", [])] if not os.path.exists(error) else [("f64", [])]
            if args.quick:
                runs = [("f64", [])]
            if os.path.exists(base + ".grads.npz") and not os.path.exists(error) and not args.quick:
                import numpy as np
                with np.load(base + ".grads.npz") as g:
                    wrt = ",".join(g.files)
                runs.append(("f64", ["--grad=" + wrt, "--cotangents=" + base + ".cotangents.npz"]))
            for dtype, extra in runs:
                cmd = [args.tool, base + ".json", "--inputs=" + base + ".inputs.npz",
                       "--device=cuda", "--gpu-arch=" + args.arch, "--emit=ptx",
                       "--dtype=" + dtype, "--no-cache"] + extra
                if extra:
                    dtype = "grad"
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    failed.append(f"{stem} ({dtype}): timed out")
                    continue
                if os.path.exists(error):
                    invalid += 1
                    want = open(error).read().strip()
                    if p.returncode != 1 or want not in p.stderr:
                        failed.append(f"{stem}: expected exit 1 with '{want}', got "
                                      f"{p.returncode}: {p.stderr.strip()[:300]}")
                    continue
                if p.returncode != 0:
                    failed.append(f"{stem} ({dtype}): {p.stderr.strip()[:400]}")
                    continue
                images = split_images(p.stdout)
                if not images:
                    failed.append(f"{stem} ({dtype}): no kernel in the output")
                for name, ptx in images:
                    kernels += 1
                    if ".target " + args.arch not in ptx:
                        failed.append(f"{stem} ({dtype}) {name}: PTX not for {args.arch}")
                        continue
                    if ".extern .func __nv_" in ptx:
                        failed.append(f"{stem} ({dtype}) {name}: libdevice function left unresolved")
                        continue
                    if not ptxas:
                        continue
                    path = os.path.join(tmp, f"{stem}.{dtype}.{name}.ptx")
                    with open(path, "w") as f:
                        f.write(ptx)
                    q = subprocess.run([ptxas, "-arch=" + args.arch, path, "-o", os.devnull],
                                       capture_output=True, text=True, timeout=args.timeout)
                    if q.returncode != 0:
                        failed.append(f"{stem} ({dtype}) {name}: ptxas: {q.stderr.strip()[:400]}")
    for f in failed:
        print("FAIL", f)
    checked = "accepted by ptxas" if ptxas else "produced (ptxas skipped: no CUDA toolkit)"
    print(f"{len(stems) - invalid} valid cases, {kernels} kernels {checked} for {args.arch}; "
          f"{invalid} invalid cases fail as on the CPU; {len(failed)} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
