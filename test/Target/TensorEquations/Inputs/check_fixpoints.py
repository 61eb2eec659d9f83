"""Runs the recursive programs of fixpoints.test through tl-jit on random
graphs, in the reference evaluator and as compiled code (f64 and f32; the
closures semi-naively and as the plain loop), and compares each with a
NumPy fixpoint (naive iteration)."""
import os
import subprocess
import sys
import tempfile

import numpy as np

tl_jit, programs = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)


def numpy_fixpoint(step, shape):
    state = np.zeros(shape)
    for _ in range(1000):
        nxt = step(state)
        if np.array_equal(nxt, state):
            return state
        state = nxt
    raise AssertionError("the NumPy fixpoint did not converge")


# The reference evaluator, and compiled code in both float types, with the
# semi-naive closure kernel (the default) and without it (the plain loop).
MODES = [["--reference"], [], ["--dtype=f32"], ["--semi-naive=false"],
         ["--dtype=f32", "--semi-naive=false"]]


def run(program, inputs, output, mode):
    with tempfile.TemporaryDirectory() as d:
        np.savez(os.path.join(d, "in.npz"), **inputs)
        out = os.path.join(d, "out.npz")
        subprocess.run([tl_jit, os.path.join(programs, program), *mode,
                        "--inputs=" + os.path.join(d, "in.npz"), "--output=" + out],
                       check=True)
        return np.load(out)[output]


def check(program, inputs, output, want):
    for mode in MODES:
        got = run(program, inputs, output, mode)
        assert np.array_equal(got, want), (program, mode, got, want)


checked = 0
for n, density in [(1, 0.0), (6, 0.0), (8, 0.2), (20, 0.08), (30, 0.05), (12, 1.0)]:
    edge = (rng.random((n, n)) < density).astype(float)
    want = numpy_fixpoint(lambda a: ((edge + a @ edge) > 0).astype(float), (n, n))
    check("closure.tle", {"Edge": edge}, "Reach", want)
    check("closure-left.tle", {"Edge": edge}, "Reach", want)
    checked += 2

# Weighted relations: the step of a sum of values >= 0 is their pattern's
# closure (the kernel runs on the pattern). Negative entries can cancel:
# the kernel declines and the plain loop runs (the same results).
for n, density, low in [(25, 0.1, 0.25), (16, 0.3, -1.0)]:
    edge = np.where(rng.random((n, n)) < density, rng.uniform(low, 3.0, (n, n)), 0.0)
    edge = edge.astype(np.float32).astype(float)  # exact in f32 too
    want = numpy_fixpoint(lambda a: ((edge + a @ edge) > 0).astype(float), (n, n))
    check("closure.tle", {"Edge": edge}, "Reach", want)
    checked += 1

# Ancestor over a random genealogy: each person's parents come earlier.
n = 40
parent = np.zeros((n, n))
for child in range(2, n):
    for p in rng.choice(child, size=2, replace=False):
        parent[p, child] = 1.0
want = numpy_fixpoint(lambda a: ((parent + a @ parent) > 0).astype(float), (n, n))
check("ancestor.tle", {"Parent": parent}, "Ancestor", want)
checked += 1

# Same generation over a random tree: children of one parent, and children
# of people of the same generation.
n = 30
tree = np.zeros((n, n))
for child in range(1, n):
    tree[rng.integers(child), child] = 1.0
base = tree.T @ tree
want = numpy_fixpoint(lambda s: ((base + tree.T @ s @ tree) > 0).astype(float), (n, n))
check("samegen.tle", {"Tree": tree}, "SameGen", want)
checked += 1
print(f"fixpoints: {checked} programs equal NumPy, in the reference evaluator "
      "and compiled (f64, f32)")
