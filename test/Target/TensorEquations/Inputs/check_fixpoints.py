"""Runs the recursive programs of fixpoints.test through tl-jit on random
graphs, in the reference evaluator and as compiled code (f64 and f32; the
rules linear in their head semi-naively and as the plain loop), and
compares each with a NumPy fixpoint (naive iteration)."""
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
# semi-naive kernels (the default) and without it (the plain loop).
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


def check(program, inputs, output, want, modes=MODES):
    for mode in modes:
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

# Same generation over random trees (one node; a chain; 64 nodes, a full
# word of the kernel's bit rows; a weighted tree, whose pattern is what
# counts): children of one parent, and children of people of the same
# generation. T^T R T joins the state on both sides. One size, so that the
# compile cache serves the later trees.
def random_tree(n, weights=None):
    tree = np.zeros((n, n))
    for child in range(1, n):
        tree[rng.integers(child), child] = 1.0 if weights is None else rng.uniform(*weights)
    return tree


for tree in [random_tree(1), random_tree(64), np.eye(64, k=1), random_tree(64, (0.5, 2.0))]:
    tree = tree.astype(np.float32).astype(float)
    base, up = (tree.T @ tree > 0), (tree > 0).astype(float)
    want = numpy_fixpoint(lambda s: ((base + up.T @ s @ up) > 0).astype(float), tree.shape)
    check("samegen.tle", {"Tree": tree}, "SameGen", want)
    checked += 1

# Other rules linear in their head: reachability from given pairs (B is not
# the relation) grown at either end, and a general B + A R C; compiled, with
# and without the semi-naive kernel.
LINEAR_MODES = [[], ["--dtype=f32"], ["--semi-naive=false"]]
n = 70
edge = (rng.random((n, n)) < 0.04).astype(float)
start = (rng.random((n, n)) < 0.05).astype(float)
want = numpy_fixpoint(lambda r: ((start + r @ edge) > 0).astype(float), (n, n))
check("from-start.tle", {"Start": start, "Edge": edge}, "Reach", want, LINEAR_MODES)
want = numpy_fixpoint(lambda r: ((start + edge @ r) > 0).astype(float), (n, n))
check("from-start-left.tle", {"Start": start, "Edge": edge}, "Reach", want, LINEAR_MODES)
a = (rng.random((n, n)) < 0.04).astype(float)
c = (rng.random((n, n)) < 0.04).astype(float)
want = numpy_fixpoint(lambda r: ((start + a @ r @ c) > 0).astype(float), (n, n))
check("two-sided.tle", {"B": start, "A": a, "C": c}, "R", want, LINEAR_MODES)
checked += 3


def check_same(program, inputs, output, modes):
    """The semi-naive kernel and the plain loop agree where the kernel must
    decline: negative entries, f32 products that round to zero, f32 sums that
    overflow (inf * 0 is NaN in the loop)."""
    got = [run(program, inputs, output, mode) for mode in modes]
    for g, mode in zip(got[1:], modes[1:]):
        assert np.array_equal(g, got[0], equal_nan=True), (program, mode, g, got[0])


tree = random_tree(64)
signed = tree * np.where(rng.random(tree.shape) < 0.3, -1.0, 1.0)
check_same("samegen.tle", {"Tree": signed}, "SameGen", [["--reference"], [], ["--semi-naive=false"]])
checked += 1
tree = random_tree(n)
for scale in [1e-30, 1e30]:
    check_same("two-sided.tle", {"B": np.eye(n), "A": tree * scale, "C": tree.T * scale},
               "R", [["--dtype=f32"], ["--dtype=f32", "--semi-naive=false"]])
    checked += 1

# max_iterations: the kernel counts the plain loop's iterations (K), so
# K - 1 fails with the loop's message and K does not, in every mode.
tree = random_tree(64)
base = tree.T @ tree
state, iterations = np.zeros(tree.shape), 0
while True:
    iterations += 1
    nxt = ((base + tree.T @ state @ tree) > 0).astype(float)
    if np.array_equal(nxt, state):
        break
    state = nxt
with tempfile.TemporaryDirectory() as d:
    for limit in [iterations - 1, iterations]:
        program = os.path.join(d, "limited.tle")
        with open(program, "w") as f:
            f.write("SameGen[x,y] = step(Tree[p,x] Tree[p,y] + Tree[p,x] SameGen[p,q] Tree[q,y])\n"
                    f"@fixpoint SameGen max_iterations={limit}\n")
        np.savez(os.path.join(d, "in.npz"), Tree=tree)
        errors = set()
        for mode in [["--reference"], [], ["--semi-naive=false"]]:
            r = subprocess.run([tl_jit, program, *mode, "--inputs=" + os.path.join(d, "in.npz"),
                                "--output=" + os.path.join(d, "out.npz")],
                               capture_output=True, text=True)
            if limit == iterations:
                assert r.returncode == 0, (mode, r.stderr)
                assert np.array_equal(np.load(os.path.join(d, "out.npz"))["SameGen"], state)
            else:
                assert r.returncode != 0, mode
                errors.add(r.stderr.replace("reference evaluator: ", ""))
        if limit < iterations:
            assert len(errors) == 1 and f"no fixpoint after {limit} iteration" in errors.pop()
checked += 1
print(f"fixpoints: {checked} programs equal NumPy, in the reference evaluator "
      "and compiled (f64, f32)")
