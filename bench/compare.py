#!/usr/bin/python3
"""tl against its peers on the workloads of ../shared/bench/workloads.md, in one run.

    /usr/bin/python3 bench/compare.py [--threads 2] [--quick] [--markdown]

Sets up what the peers need (utils/bootstrap.sh --bench: PyTorch, SciPy,
OpenBLAS, Eigen from Debian), builds tl-bench-workloads and the C++
references of ../shared/bench (oneDNN/OpenBLAS GEMM, hand-written fused
kernels), runs each with the same thread count one after the other, and
prints one table: tl's median, the peer's median, and their ratio (peer
time / tl time, or tl GFLOP/s / peer GFLOP/s: above 1 means tl is faster).
Peers run in their best configuration (limits.md): OpenBLAS with its
AVX-512 kernels (OPENBLAS_CORETYPE=SkylakeX on a CPU with AVX-512: on a
CPU model it does not know, as a virtual machine may report, OpenBLAS's
own choice falls back to SSE3 kernels at a third of the speed; tl's
loader makes the same choice), thread pools told not to spin against
each other (OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--quick", action="store_true", help="fewer repetitions")
ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
ap.add_argument("--skip-setup", action="store_true", help="do not run bootstrap/build")
args = ap.parse_args()
T = str(args.threads)


def sh(cmd, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    for k in [k for k, v in e.items() if v is None]:
        del e[k]
    return subprocess.run(cmd, env=e, check=True, text=True, capture_output=True, **kw).stdout


def log(msg):
    print(f"# {msg}", file=sys.stderr, flush=True)


BIN = os.path.join(ROOT, "build", "bench-peers")
if not args.skip_setup:
    log("setting up (bootstrap --bench, build)")
    subprocess.run(["bash", os.path.join(ROOT, "utils", "bootstrap.sh"), "--bench"], check=True)
    if not os.path.exists(os.path.join(ROOT, "build", "build.ninja")):
        subprocess.run(["cmake", "--preset", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "--preset", "release", "--target", "tl-bench-workloads"], cwd=ROOT, check=True)
    os.makedirs(BIN, exist_ok=True)
    sh(["g++", "-O3", "-march=native", "-fopenmp", "-std=c++17", "-I/usr/include/eigen3",
        os.path.join(SHARED, "gemm_bench.cpp"), "-o", os.path.join(BIN, "gemm_bench"), "-lopenblas", "-ldnnl"])
    sh(["g++", "-O3", "-march=native", "-ffast-math", "-fopenmp", "-std=c++17",
        os.path.join(SHARED, "kernels_ref.cpp"), "-o", os.path.join(BIN, "kernels_ref")])

# OpenBLAS's best kernels for this CPU (None: its own detection).
with open("/proc/cpuinfo") as f:
    BLAS_CORE = "SkylakeX" if " avx512f " in f.read() else None
QUIET = {"OMP_WAIT_POLICY": "passive", "OPENBLAS_THREAD_TIMEOUT": "4"}

# --- tl ---------------------------------------------------------------------
log("tl-bench-workloads")
reps = "3" if args.quick else "5"
out = sh([os.path.join(ROOT, "build", "bin", "tl-bench-workloads"), "--benchmark_format=json",
          f"--benchmark_repetitions={reps}", "--benchmark_report_aggregates_only=true"],
         env={"TL_NUM_THREADS": T, **QUIET,
              # A machine-wide OPENBLAS_CORETYPE (this one exports Haswell,
              # ../shared/bench/limits.md) would hold tl's f64 GEMMs to
              # AVX2 while the peer gets AVX-512: unset, tl picks for the CPU
              # itself (LibraryKernels.cpp), as the peer is told to.
              "OPENBLAS_CORETYPE": None})
tl = {}
for b in json.loads(out)["benchmarks"]:
    if b.get("aggregate_name") == "median":
        name = b["run_name"].replace("/real_time", "")
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        tl[name] = b["real_time"] * scale

# --- C++ references -----------------------------------------------------------
log("oneDNN / OpenBLAS GEMM")
gemm = {}
for lib, env in (("dnnl", {"OMP_NUM_THREADS": T}), ("openblas", {"OPENBLAS_CORETYPE": BLAS_CORE})):
    text = sh([os.path.join(BIN, "gemm_bench"), lib, T, "512", "1024"], env={**env, **QUIET})
    for m in re.finditer(r"(f32|f64) threads=\d+ n=\s*(\d+)\s+median\s+([\d.]+) GFLOP/s", text):
        gemm[(lib, m.group(1), int(m.group(2)))] = float(m.group(3))
log("hand-written C++ kernels")
text = sh([os.path.join(BIN, "kernels_ref")], env={"OMP_NUM_THREADS": T})
ref = {}
m = re.search(r"W1 rowsum f32 4096x4096\s+([\d.]+) ms", text)
ref["W1"] = float(m.group(1)) * 1e-3
for n in (4, 64):
    best = min(float(x) for x in re.findall(rf"W4 fused n=\s*{n}M \S+\s+([\d.]+) ms", text))
    ref[f"W4_{n}M"] = best * 1e-3
m = re.search(r"W8 compiled 100x100 rowsum f64\s+([\d.]+) ns/call\s+\(4 acc", text)
ref["W8_rowsum"] = float(m.group(1)) * 1e-9
m = re.search(r"W8 compiled 1000-elem mul f64\s+([\d.]+) ns/call", text)
ref["W8_mul"] = float(m.group(1)) * 1e-9

# --- NumPy / PyTorch ------------------------------------------------------------
log("NumPy / PyTorch peers (peers.py)")
peers = {}
with tempfile.NamedTemporaryFile(suffix=".jsonl") as f:
    cmd = ["/usr/bin/python3", os.path.join(SHARED, "peers.py"), "--threads", T, "--blas-core", BLAS_CORE or "auto",
           "--only", "W1,W2,W3,W4,W6,W8", "--json", f.name]
    if args.quick:
        cmd.append("--quick")
    sh(cmd, env=QUIET)
    for line in open(f.name):
        r = json.loads(line)
        peers[(r["work"], r["impl"])] = r["median_s"]


def peer(work, impl_prefix):
    for (w, impl), s in peers.items():
        if w == work and impl.startswith(impl_prefix):
            return s
    return None


# --- the table ----------------------------------------------------------------
rows = []


def row(work, tl_name, peer_name, peer_s, target, flops=None, absolute=False):
    """absolute: a target on tl's own time, with no peer."""
    t = tl.get(tl_name)
    fmt = lambda s: f"{s * 1e6:.2f} us" if s < 1e-3 else f"{s * 1e3:.3f} ms"
    if absolute and t is not None:
        rows.append((work, fmt(t), "-", "-", "-", target))
        return
    if t is None or peer_s is None:
        rows.append((work, "-", peer_name, "-", "-", target))
        return
    ratio = peer_s / t
    tl_txt = fmt(t) + (f" ({flops / t / 1e9:.0f} GFLOP/s)" if flops else "")
    rows.append((work, tl_txt, peer_name, fmt(peer_s), f"{ratio:.2f}x", target))


def gemm_s(lib, dt, n):
    g = gemm.get((lib, dt, n))
    return 2.0 * n ** 3 / (g * 1e9) if g else None


row("W1 rowsum 4096^2 f32", "W1/rowsum_f32_4096", "hand-written C++ (OpenMP)", ref["W1"], ">= 0.9x")
row("W1 rowsum 4096^2 f32", "W1/rowsum_f32_4096", "torch.sum", peer("W1", "torch.sum"), "")
row("W2 join 1024^3 f32", "W2/join_f32_1024", "oneDNN dnnl_sgemm", gemm_s("dnnl", "f32", 1024), ">= 0.9x", 2 * 1024 ** 3)
row("W2 join 1024^3 f64", "W2/join_f64_1024", "OpenBLAS dgemm (AVX-512)", gemm_s("openblas", "f64", 1024), ">= 0.9x", 2 * 1024 ** 3)
row("W3 chain join f32", "W3/chain_f32", "numpy einsum optimal", peer("W3", "numpy einsum optimize='optimal'"), ">= 1x")
row("W3 chain join f32", "W3/chain_f32", "torch.einsum", peer("W3", "torch.einsum"), "> 1x")
for n in (4, 64):
    row(f"W4 fused rule {n}M f32", f"W4/fused_rule_f32_{n}M", "fused C++ (best variant)", ref[f"W4_{n}M"], ">= 0.9x")
    row(f"W4 fused rule {n}M f32", f"W4/fused_rule_f32_{n}M", "torch eager", peer("W4", f"torch eager expression n={n}M"), ">= 3x")
row("W6 batched join+softmax", "W6/batched_join_softmax_f32", "numpy matmul + softmax", peer("W6", "numpy matmul + softmax"), ">= 2x")
row("W8 100x100 rowsum f64", "W8/rowsum_f64_100x100", "compiled C++ call", ref["W8_rowsum"], "<= 1 us")
row("W8 100x100 rowsum f64, bound", "W8/rowsum_f64_100x100_bound", "compiled C++ call", ref["W8_rowsum"], "<= 1 us")
row("W8 100x100 rowsum f64", "W8/rowsum_f64_100x100", "numpy R.sum(axis=1)", peer("W8", "numpy R.sum(axis=1) 100x100"), "")
row("W8 1000 multiply f64", "W8/multiply_f64_1000", "compiled C++ call", ref["W8_mul"], "")
row("W8 1000 multiply f64", "W8/multiply_f64_1000", "numpy a*b", peer("W8", "numpy a*b 1000"), "")
row("pool wake-up, 1 empty trip per thread", "pool/wake", "", None, "< 1 us", absolute=True)
for n in (512, 1024):
    row(f"G1 grandparent N={n} f32", f"G1/grandparent_f32_{n}", "oneDNN sgemm, same N", gemm_s("dnnl", "f32", n), "GEMM speed", 2 * n ** 3)

head = ("workload", "tl (median)", "peer", "peer (median)", "peer/tl", "target")
if args.markdown:
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")
else:
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
print(f"\nthreads={T}; ratio = peer time / tl time (above 1: tl faster).")
