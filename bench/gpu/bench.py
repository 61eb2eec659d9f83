#!/usr/bin/env python3
"""GPU benchmarks of a utils/gpu-pack.sh folder, against PyTorch on the same
GPU, in one run (run by gpu-check.sh after the corpus check).

  bench.py DIR

For W1 (row sums 4096^2 f32), W2 (join 4096^3 f32), W4 (fused rule 64M
f32) and W6 (batched join + softmax, 64 x 128^3 f32): inputs drawn here,
tl's module run by tl-run --profile (10 runs; the kernels' time per run
from CUDA events, and the whole run with its host-device copies), PyTorch
eager on device-resident tensors timed with CUDA events (median of 20),
and the device-to-device copy bandwidth (torch copy_ of 1 GiB) as the
bandwidth bound. Prints one table (docs/Performance.md records it).
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

WORKLOADS = {
    # id: (module stem, inputs {name: shape}, bytes moved, FLOPs)
    "W1 row sums 4096^2 f32": ("w1_rowsum", {"R": (4096, 4096)}, 4 * 4096 * 4096 + 4 * 4096, 4096 * 4096),
    "W2 join 4096^3 f32": ("w2_join", {"P": (4096, 4096), "Q": (4096, 4096)}, 3 * 4 * 4096 * 4096, 2 * 4096 ** 3),
    "W4 fused rule 64M f32": ("w4_fused_rule", {n: (64 << 20,) for n in "ABCD"}, 5 * 4 * (64 << 20), 6 * (64 << 20)),
    "W6 batched join + softmax f32": ("w6_join_softmax", {"A": (64, 128, 128), "B": (64, 128, 128)},
                                      3 * 4 * 64 * 128 * 128, 2 * 64 * 128 ** 3),
}
UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def torch_peer(torch, stem, t):
    if stem == "w1_rowsum":
        return lambda: t["R"].sum(1)
    if stem == "w2_join":
        return lambda: t["P"] @ t["Q"]
    if stem == "w4_fused_rule":
        return lambda: torch.sigmoid(t["A"] * t["B"] + t["C"]) - torch.relu(t["D"])
    return lambda: torch.softmax(torch.bmm(t["A"], t["B"]), dim=-1)


def cuda_ms(torch, fn, reps=20):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return float(np.median(times))


def main():
    d = sys.argv[1]
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False  # exact f32, as tl's default
    torch.backends.cudnn.allow_tf32 = False
    libs = os.path.join(d, "lib")
    if os.environ.get("LD_LIBRARY_PATH"):
        libs += ":" + os.environ["LD_LIBRARY_PATH"]
    for nvidia in ("/usr/local/nvidia/lib64", "/usr/local/nvidia/lib"):
        if os.path.isdir(nvidia):
            libs += ":" + nvidia
    tlrun = [os.path.join(d, "lib", "tl-run-loader"), "--library-path", libs, os.path.join(d, "bin", "tl-run")]
    n = 1 << 28  # 1 GiB of f32
    src, dst = torch.empty(n, device="cuda"), torch.empty(n, device="cuda")
    copy_ms = cuda_ms(torch, lambda: dst.copy_(src))
    bandwidth = 2 * 4 * n / (copy_ms * 1e-3)
    del src, dst
    print(f"GPU: {torch.cuda.get_device_name()}; device-to-device copy {bandwidth / 1e12:.2f} TB/s")
    rng = np.random.default_rng(1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (stem, shapes, nbytes, flops) in WORKLOADS.items():
            module = os.path.join(d, "bench", stem + ".tlm")
            arrays = {k: rng.uniform(-1, 1, s).astype(np.float32) for k, s in shapes.items()}
            inputs = os.path.join(tmp, stem + ".npz")
            np.savez(inputs, **arrays)
            p = subprocess.run(tlrun + [module, "--profile", "--inputs=" + inputs],
                               capture_output=True, text=True, timeout=600)
            kernels_ms, run_ms = None, None
            if p.returncode == 0:
                m = re.search(r"run: median ([\d.]+) (us|ms|s)", p.stdout)
                run_ms = float(m.group(1)) * UNIT[m.group(2)] if m else None
                total = 0.0
                for k in re.finditer(r"^\s+[\d.]+%\s+([\d.]+) (us|ms|s)\s+kernel ", p.stdout, re.M):
                    total += float(k.group(1)) * UNIT[k.group(2)]
                kernels_ms = total / 10  # --profile sums 10 runs
            else:
                print(f"{name}: tl-run failed: {p.stderr.strip()[:400]}")
            t = {k: torch.from_numpy(v).cuda() for k, v in arrays.items()}
            torch_ms = cuda_ms(torch, torch_peer(torch, stem, t))
            rows.append((name, kernels_ms, run_ms, torch_ms, nbytes, flops))
            del t
            torch.cuda.empty_cache()
    print()
    print("| workload | tl kernels | tl run (with copies) | PyTorch eager | tl / PyTorch | tl bandwidth (share of copy) | tl TFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for name, k, r, t, nbytes, flops in rows:
        if k is None:
            print(f"| {name} | failed | | {t:.3f} ms | | | |")
            continue
        bw = nbytes / (k * 1e-3)
        print(f"| {name} | {k:.3f} ms | {r:.3f} ms | {t:.3f} ms | {t / k:.2f}x | "
              f"{bw / 1e12:.2f} TB/s ({bw / bandwidth:.0%}) | {flops / (k * 1e-3) / 1e12:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
