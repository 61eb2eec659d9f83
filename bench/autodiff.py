#!/usr/bin/python3
"""Forward+backward of sum(sigmoid(P @ Q)) at 512^3: tl against PyTorch autograd.

    /usr/bin/python3 bench/autodiff.py [--threads 2] [--repetitions 5]

Runs tl-bench-autodiff (Google Benchmark: the forward function alone and the
compiled adjoint, forward and backward in one call) and, in the same run,
PyTorch in its best configuration (torch.set_num_threads, no_grad for the
forward, grads reset to None) on the same shapes, and prints medians and
ratios: tl backward / tl forward (target <= 2) and torch / tl for
forward+backward (target > 1). A benchmark, not a test.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--repetitions", type=int, default=5)
args = ap.parse_args()

env = dict(os.environ, TL_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
# Both sides in their best configuration: tl picks OpenBLAS's kernels for
# the CPU itself when no machine-wide OPENBLAS_CORETYPE overrides it (this
# machine exports Haswell, ../shared/bench/limits.md); torch is told below.
env.pop("OPENBLAS_CORETYPE", None)
exe = os.path.join(ROOT, "build", "bin", "tl-bench-autodiff")
if not os.path.exists(exe):
    subprocess.run(["cmake", "--build", os.path.join(ROOT, "build"), "--target", "tl-bench-autodiff"], check=True)
out = subprocess.run([exe, "--benchmark_format=json", f"--benchmark_repetitions={args.repetitions}",
                      "--benchmark_report_aggregates_only=true"], env=env, check=True, text=True,
                     capture_output=True).stdout
tl = {}
for b in json.loads(out)["benchmarks"]:
    if b.get("aggregate_name") == "median":
        name = b["run_name"].split("/")  # BM_Forward/f32/real_time
        tl[(name[0], name[1])] = b["real_time"] * {"ms": 1e-3, "us": 1e-6, "ns": 1e-9}[b["time_unit"]]

# torch's GEMMs go to OpenBLAS, which on a CPU model it does not know (a
# virtual machine's, as here) falls back to SSE3 kernels: its best
# configuration names the AVX-512 ones, read once when torch loads it.
with open("/proc/cpuinfo") as f:
    if " avx512f " in f.read():
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
import torch  # noqa: E402

torch.set_num_threads(args.threads)


def median_time(fn, n=30):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


rows = []
for dt, name in ((torch.float32, "f32"), (torch.float64, "f64")):
    g = torch.Generator().manual_seed(1)
    P = ((torch.rand(512, 512, generator=g, dtype=dt) - 0.5) * 0.1).requires_grad_()
    Q = ((torch.rand(512, 512, generator=g, dtype=dt) - 0.5) * 0.1).requires_grad_()

    def forward():
        with torch.no_grad():
            torch.sigmoid(P @ Q).sum()

    def forward_backward():
        P.grad = None
        Q.grad = None
        torch.sigmoid(P @ Q).sum().backward()

    tf, tfb = tl[("BM_Forward", name)], tl[("BM_ForwardBackward", name)]
    pf, pfb = median_time(forward), median_time(forward_backward)
    rows.append((name, tf, tfb, (tfb - tf) / tf, pf, pfb, pfb / tfb))

print(f"| dtype | tl forward | tl fwd+bwd | tl backward / forward | torch forward | torch fwd+bwd | torch / tl (fwd+bwd) |")
print("|---|---|---|---|---|---|---|")
for name, tf, tfb, ratio, pf, pfb, speedup in rows:
    print(f"| {name} | {tf*1e3:.2f} ms | {tfb*1e3:.2f} ms | {ratio:.2f} | {pf*1e3:.2f} ms | {pfb*1e3:.2f} ms | {speedup:.2f}x |")
