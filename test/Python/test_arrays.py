"""Arrays in and out: G5 conversions, zero-copy inputs and outputs,
caller-provided outputs, DLPack with PyTorch and NumPy, the buffer
protocol. References are NumPy expressions."""
import gc

import numpy as np
import pytest

import tl
from conftest import ROWSUM, SANITIZED


@pytest.fixture(scope="module")
def rowsum():
    return tl.compile(ROWSUM)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.float32, np.float16])
def test_converted_dtypes(rowsum, dtype):
    x = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    out = rowsum(R=x)["result0"]
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, x.astype(np.float64).sum(axis=1))


@pytest.mark.parametrize("make", [
    lambda x: np.asfortranarray(x),
    lambda x: x[:, ::2],
    lambda x: x[::-1, ::-1],
    lambda x: np.broadcast_to(x[:1], x.shape),
    lambda x: x.T,
])
def test_layouts(rowsum, make):
    x = make(np.random.default_rng(1).random((6, 8)))
    np.testing.assert_allclose(rowsum(R=x)["result0"], x.sum(axis=1), rtol=1e-12)


def test_scalars_lists_and_f32_compute():
    exe = tl.compile(ROWSUM.replace("f64", "f32"), dtype="f32")
    out = exe(R=[[1, 2], [3, 4.5]])["result0"]
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.array([3, 7.5], np.float32))


def test_bad_dtypes_raise(rowsum):
    with pytest.raises(tl.InvalidArgumentError, match="G5.*complex128"):
        rowsum(R=np.ones((2, 2), np.complex128))
    with pytest.raises(tl.InvalidArgumentError, match="G5"):
        rowsum(R=np.array([["a", "b"]]))
    with pytest.raises(ValueError):  # tl.InvalidArgumentError is a ValueError too
        rowsum(R=np.ones((2, 2), object))
    with pytest.raises(tl.InvalidArgumentError, match="G5"):
        tl.compile(ROWSUM, dtype="int32")


def test_outputs_own_their_memory(rowsum):
    out = rowsum(R=np.ones((4, 5)))["result0"]
    view = out[1:]
    del out
    gc.collect()
    np.testing.assert_array_equal(view, [5, 5, 5])
    assert view.base is not None and view.flags.writeable


@pytest.mark.skipif(SANITIZED, reason="resident memory is not measurable under ASan's shadow memory")
def test_inputs_are_read_in_place(rowsum):
    """A C-contiguous float64 input costs no memory; a Fortran-order one is
    converted once (so the measurement can see a copy)."""
    x = np.random.default_rng(2).random((2500, 8000))  # 160 MB
    rowsum(R=x)  # code and pool warm
    if not tl.peak_resident_bytes(reset=True) and not tl.peak_resident_bytes():
        pytest.skip("this kernel does not let the peak resident set be reset")

    def growth(array):
        tl.peak_resident_bytes(reset=True)
        base = tl.resident_bytes()
        out = rowsum(R=array)["result0"]
        return tl.peak_resident_bytes() - base, out

    grew, out = growth(x)
    np.testing.assert_allclose(out, x.sum(axis=1), rtol=1e-12)
    assert grew < 16 << 20, f"a contiguous f64 input grew resident memory by {grew >> 20} MiB"
    xf = np.asfortranarray(x)
    grew, out = growth(xf)
    np.testing.assert_allclose(out, x.sum(axis=1), rtol=1e-12)
    assert grew > 100 << 20, "the converted input should show as a copy"


def test_out_arrays_are_written_in_place(rowsum):
    x = np.random.default_rng(3).random((50, 20))
    out = {"result0": np.empty(50)}
    target = out["result0"]
    result = rowsum.run({"R": x}, out=out)
    assert result is out and result["result0"] is target
    np.testing.assert_allclose(target, x.sum(axis=1), rtol=1e-12)
    with pytest.raises(tl.InvalidArgumentError, match="out\\['result0'\\] must be a writable C-contiguous float64"):
        rowsum.run({"R": x}, out={"result0": np.empty(50, np.float32)})
    with pytest.raises(tl.InvalidArgumentError, match="runInto: output 'result0' is 49xf64"):
        rowsum.run({"R": x}, out={"result0": np.empty(49)})
    with pytest.raises(tl.NotFoundError, match="G4: out\\['nope'\\] names no output"):
        rowsum.run({"R": x}, out={"nope": np.empty(50)})
    ro = np.empty(50)
    ro.flags.writeable = False
    with pytest.raises(tl.InvalidArgumentError, match="read-only"):
        rowsum.run({"R": x}, out={"result0": ro})


def test_missing_out_entries_are_allocated():
    exe = tl.compile(tl_json_two_outputs())
    p = np.eye(3)
    out = {"gp[ac]": np.zeros((3, 3))}
    res = exe.run({"p": p}, out=out)
    np.testing.assert_array_equal(res["gp[ac]"], p @ p)
    np.testing.assert_array_equal(res["has[a]"], (p @ p).sum(axis=1))


def tl_json_two_outputs():
    return {
        "tensors": ["p[ab]", "p[bc]", "gp[ac]", "has[a]"],
        "nodes": [
            {"op": {"Einsum": {"spec": "ab,bc->ac"}}, "inputs": [0, 1], "outputs": [2]},
            {"op": {"Einsum": {"spec": "ac->a"}}, "inputs": [2], "outputs": [3]},
        ],
        "inputs": [],
        "outputs": [2, 3],
    }


def test_dlpack_with_pytorch(rowsum):
    torch = pytest.importorskip("torch")
    t = torch.rand(7, 9, dtype=torch.float64)
    x = tl.from_dlpack(t)
    assert x.data_ptr == t.data_ptr() and x.shape == (7, 9) and x.dtype == "f64"
    np.testing.assert_allclose(rowsum(R=x)["result0"], t.sum(dim=1).numpy(), rtol=1e-12)
    # A torch tensor straight in (through __dlpack__), and a strided one.
    np.testing.assert_allclose(rowsum(R=t)["result0"], t.sum(dim=1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(rowsum(R=t.T)["result0"], t.T.sum(dim=1).numpy(), rtol=1e-12)
    # Outputs go to torch without a copy, and back.
    out = rowsum(R=t)["result0"]
    back = torch.from_dlpack(out)
    assert back.data_ptr() == out.ctypes.data
    y = tl.from_dlpack(back)
    assert torch.from_dlpack(y).data_ptr() == out.ctypes.data
    # Integer tensors are converted (G5).
    ti = torch.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(tl.from_dlpack(ti).numpy(), ti.numpy().astype(np.float64))
    # Memory stays alive through the chain after the producer goes.
    del t, back, out
    gc.collect()
    assert y.numpy().shape == (7,)


def test_tensor_numpy_and_buffer_protocol():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = tl.from_dlpack(a)
    assert t.data_ptr == a.ctypes.data
    m = memoryview(t)
    assert m.shape == (2, 3) and m.format == "d"
    np.testing.assert_array_equal(np.asarray(t), a)
    np.testing.assert_array_equal(np.from_dlpack(t), a)
    assert np.from_dlpack(t).ctypes.data == a.ctypes.data
    with pytest.raises(tl.InvalidArgumentError, match="does not export DLPack"):
        tl.from_dlpack([1, 2])


def test_bound_call_reads_current_contents(rowsum):
    x = np.zeros((30, 12))
    out = {"result0": np.empty(30)}
    call = rowsum.bind({"R": x}, out=out)
    for k in range(3):
        x[...] = np.random.default_rng(k).random((30, 12))  # refill in place
        res = call()
        assert res["result0"] is out["result0"]
        np.testing.assert_allclose(out["result0"], x.sum(axis=1), rtol=1e-12)
    allocated = rowsum.bind({"R": x})
    np.testing.assert_allclose(allocated()["result0"], x.sum(axis=1), rtol=1e-12)
    with pytest.raises(tl.InvalidArgumentError, match="bind: input 'R' would be converted"):
        rowsum.bind({"R": x.astype(np.float32)})
    with pytest.raises(tl.InvalidArgumentError, match="bind: input 'R' would be converted"):
        rowsum.bind({"R": np.asfortranarray(x)})
    with pytest.raises(tl.InvalidArgumentError, match="bind: output 'result0' is 29xf64"):
        rowsum.bind({"R": x}, out={"result0": np.empty(29)})


def test_scipy_sparse_inputs():
    """SciPy matrices in any format bind by name like arrays (issue 19): the
    result is NumPy's on the dense matrix; duplicates add up as in SciPy;
    the caller's matrix is left as it was."""
    sp = pytest.importorskip("scipy.sparse")
    from conftest import MATMUL
    exe = tl.compile(MATMUL)
    rng = np.random.default_rng(3)
    a = (rng.random((7, 5)) < 0.3) * rng.random((7, 5))
    b = rng.random((5, 3))
    for fmt in ["csr", "csc", "coo", "lil", "dok"]:
        out = exe(A=getattr(sp.csr_matrix(a), "to" + fmt)(), B=b)["result0"]
        np.testing.assert_allclose(out, a @ b, rtol=1e-12)
    dup = sp.csr_matrix((np.array([1.0, 2.0]), np.array([1, 1]), np.array([0, 2, 2])), shape=(2, 3))
    before = dup.indices.copy(), dup.data.copy()
    out = exe(A=dup, B=np.eye(3))["result0"]
    np.testing.assert_array_equal(out, [[0, 3, 0], [0, 0, 0]])
    np.testing.assert_array_equal(dup.indices, before[0])
    np.testing.assert_array_equal(dup.data, before[1])


def test_scipy_sparse_over_the_memory_limit():
    """A SciPy matrix at or under sparse_threshold (default 0.05) takes the
    sparse route: compiled for its density and read as CSR, never
    densified, so a relation whose dense form is 670 GiB runs; with
    sparse_threshold=0 it is bound dense, and refused naming the input."""
    sp = pytest.importorskip("scipy.sparse")
    huge = sp.csr_matrix((np.ones(1), np.array([0]), np.array([0, 1] + [1] * 299_999)), shape=(300_000, 300_000))
    out = tl.compile(ROWSUM)(R=huge)["result0"]
    assert out.shape == (300_000,) and out[0] == 1 and out.sum() == 1
    dense_only = tl.compile(ROWSUM, sparse_threshold=0)
    with pytest.raises(MemoryError, match="input 'R' \\(SciPy sparse\\): the dense form of a 300000x300000xf64 csr"):
        dense_only(R=huge)
    with pytest.raises(ValueError, match="option 'sparse_threshold' is a density between 0 and 1"):
        tl.compile(ROWSUM, sparse_threshold=2)


EMBEDDING = "a[x,d] = r[x,y] e[y,d]\ns[x] = sigmoid(a[x,d] e[x,d] w[d])\n"


def test_scipy_sparse_gradients(tmp_path):
    """Gradients with respect to dense arrays through a relation kept sparse
    (issue 19): equal to the closed form and to NumPy's central differences
    of the forward function, for a relation with 5% of its pairs, an empty
    one and, past the threshold, a full one (bound dense)."""
    sp = pytest.importorskip("scipy.sparse")
    program = tmp_path / "embedding.tle"
    program.write_text(EMBEDDING)
    exe = tl.compile(program)
    rng = np.random.default_rng(19)
    n, k = 40, 3
    e, w = rng.uniform(-1, 1, (n, k)), rng.uniform(-1, 1, k)

    def loss(r, e, w):
        a = r @ e
        return a.sum() + (1 / (1 + np.exp(-((a * e) @ w)))).sum()

    for r in [sp.random(n, n, 0.05, "csr", random_state=1, data_rvs=np.ones),
              sp.csr_matrix((n, n)), sp.csr_matrix(np.ones((n, n)))]:
        out = exe(r=r, e=e, w=w)
        np.testing.assert_allclose(out["a"], r @ e, rtol=1e-12, atol=1e-12)
        g = exe.grad({"r": r, "e": e, "w": w}, wrt=["e", "w"])
        a = r @ e
        s = 1 / (1 + np.exp(-((a * e) @ w)))
        ds = s * (1 - s)
        np.testing.assert_allclose(g["e"], ds[:, None] * a * w + r.T @ (ds[:, None] * e * w + 1), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(g["w"], (ds[:, None] * a * e).sum(0), rtol=1e-9, atol=1e-12)
        h = 1e-6
        for i in [(0, 0), (7, 1), (n - 1, k - 1)]:
            p, m = e.copy(), e.copy()
            p[i] += h
            m[i] -= h
            assert abs(g["e"][i] - (loss(r, p, w) - loss(r, m, w)) / (2 * h)) < 1e-6


def test_scipy_sparse_new_shape_compiles_again(tmp_path):
    """Relations of one density but another shape get their own code."""
    sp = pytest.importorskip("scipy.sparse")
    program = tmp_path / "rowsum.tle"
    program.write_text("s[x] = r[x,y]\n")
    exe = tl.compile(program)
    for n in (20, 40):
        r = sp.random(n, n, 0.05, "csr", random_state=1, data_rvs=np.ones)
        np.testing.assert_allclose(exe(r=r)["s"], np.asarray(r.sum(1)).ravel())
