"""Gradients through recursive rules: tl-jit --grad (compiled in f64 and
f32, and the reference evaluator) against NumPy backpropagation through
the iterations the fixpoint actually takes, on random contractive
programs X = 0.5 tanh(W X) + B."""
import os
import subprocess
import sys
import tempfile

import numpy as np

tl_jit, program = sys.argv[1], sys.argv[2]
TOLERANCE = 1e-6  # as the program says: reachable in f32 too
rng = np.random.default_rng(11)


def numpy_gradients(w, b):
    """X_{k+1} = 0.5 tanh(W X_k) + B from X_0 = 0 until no element moves by
    more than TOLERANCE, then the chain rule backwards over those steps for
    the loss sum(X_K)."""
    x, steps = np.zeros(len(b)), []
    for _ in range(200):
        nxt = 0.5 * np.tanh(w @ x) + b
        steps.append(x)
        change, x = np.max(np.abs(nxt - x)), nxt
        if change <= TOLERANCE:
            break
    else:
        raise AssertionError("the NumPy iteration did not converge")
    lam, dw, db = np.ones(len(b)), np.zeros_like(w), np.zeros_like(b)
    for s in reversed(steps):
        t = np.tanh(w @ s)
        db += lam
        dz = 0.5 * lam * (1 - t * t)
        dw += np.outer(dz, s)
        lam = w.T @ dz
    return {"W": dw, "B": db}, len(steps)


def run(inputs, mode):
    """tl-jit --grad compiled; for "reference", the adjoint function it
    emits (tl IR, with the tl.fixpoint_adjoint) run by the reference
    evaluator on the inputs and the cotangent of X (ones, as --grad
    seeds it)."""
    with tempfile.TemporaryDirectory() as d:
        np.savez(os.path.join(d, "in.npz"), **inputs)
        out = os.path.join(d, "out.npz")
        if mode == ["--reference"]:
            adjoint = subprocess.run([tl_jit, program, "--grad=W,B", "--emit=tl",
                                      "--inputs=" + os.path.join(d, "in.npz")],
                                     check=True, capture_output=True, text=True).stdout
            assert "tl.fixpoint_adjoint" in adjoint, adjoint
            with open(os.path.join(d, "grad.mlir"), "w") as f:
                f.write(adjoint)
            seeded = dict(inputs, **{"X.cotangent": np.ones(len(inputs["B"]))})
            np.savez(os.path.join(d, "in.npz"), **seeded)
            command = [tl_jit, os.path.join(d, "grad.mlir"), "--reference"]
        else:
            command = [tl_jit, program, *mode, "--grad=W,B"]
        subprocess.run([*command, "--inputs=" + os.path.join(d, "in.npz"),
                        "--output=" + out], check=True)
        got = np.load(out)
        return {k: got[k] for k in ("W", "B")}


checked, iterations = 0, []
for n, scale in [(1, 0.5), (5, 1.0), (12, 1.5), (30, 1.0)]:
    # Row sums of |W| below 2 keep 0.5 tanh(W x) a contraction.
    w = rng.uniform(-1, 1, (n, n))
    w *= scale / max(1.0, np.abs(w).sum(axis=1).max())
    b = rng.uniform(-1, 1, n)
    want, k = numpy_gradients(w, b)
    iterations.append(k)
    for mode, rtol, atol in [(["--reference"], 1e-9, 1e-12), ([], 1e-9, 1e-12),
                             (["--dtype=f32"], 1e-3, 1e-4)]:
        got = run({"W": w, "B": b}, mode)
        for name in ("W", "B"):
            assert np.allclose(got[name], want[name], rtol=rtol, atol=atol), (
                n, mode, name, got[name], want[name])
        checked += 1
assert min(iterations) > 3, iterations
print(f"fixpoint gradients: {checked} runs match NumPy")
