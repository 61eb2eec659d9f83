"""Every case of the shared corpus through the module, the way a user
calls it: tl.compile(path) without shapes (compiled at the first call),
run with the case's arrays as np.load gives them (some int or bool: G5),
compared with the corpus's expected outputs by its own oracle.compare;
invalid graphs raise tl.Error with the expected text; gradients (G12)
against STEM.grads.npz."""
import glob
import io
import os

import numpy as np
import pytest

import tl
from conftest import CASES

STEMS = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(CASES, "*.json")))
GRAD_STEMS = [s for s in STEMS if os.path.exists(os.path.join(CASES, s + ".grads.npz"))]


def load(path):
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize("stem", STEMS)
def test_case(cases, oracle, stem):
    base = os.path.join(cases, stem)
    inputs = load(base + ".inputs.npz")
    if os.path.exists(base + ".error.txt"):
        want = open(base + ".error.txt").read().strip()
        with pytest.raises(tl.Error) as raised:
            tl.compile(base + ".json").run(inputs)
        assert want.lower() in str(raised.value).lower()
        return
    expected = oracle.load_npz(base + ".expected.npz")
    f32 = any(v.dtype == np.float32 for v in expected.values())
    exe = tl.compile(base + ".json", dtype="f32" if f32 else "f64")
    got = exe.run(inputs)
    assert list(got) == [k for k in got]  # a plain dict by output name (G4)
    report = io.StringIO()
    rtol, atol = (1e-5, 1e-6) if f32 else (1e-9, 1e-12)
    assert oracle.compare(got, expected, rtol=rtol, atol=atol, out=report), report.getvalue()
    for name, array in got.items():
        assert array.dtype == (np.float32 if f32 else np.float64), name


@pytest.mark.parametrize("stem", GRAD_STEMS)
def test_gradients(cases, oracle, stem):
    base = os.path.join(cases, stem)
    inputs = load(base + ".inputs.npz")
    expected = oracle.load_npz(base + ".grads.npz")
    cotangents = load(base + ".cotangents.npz")
    exe = tl.compile(base + ".json")
    grads = exe.grad(inputs, wrt=sorted(expected), cotangents=cotangents)
    report = io.StringIO()
    assert oracle.compare(grads, expected, rtol=1e-9, atol=1e-12, out=report), report.getvalue()


def test_fixed_shapes_match_generic(cases, oracle):
    """shapes= given: the same results as the deferred compile."""
    base = os.path.join(cases, "comp_sibling")
    inputs = load(base + ".inputs.npz")
    shapes = {k: v.shape for k, v in inputs.items()}
    got = tl.compile(base + ".json", shapes=shapes).run(inputs)
    assert oracle.compare(got, oracle.load_npz(base + ".expected.npz"), rtol=1e-9, atol=1e-12,
                          out=io.StringIO())
