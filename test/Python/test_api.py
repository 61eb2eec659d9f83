"""The rest of the C++ API through Python: graphs in every form, batch,
async, modules, profiling, streaming, training utilities, capabilities,
the tiered JIT, and errors. References are NumPy expressions."""
import json
import os
import pathlib

import numpy as np
import pytest

import tl
from conftest import GRANDPARENT, MATMUL, ROWSUM

RNG = np.random.default_rng(7)


def parent(n=5):
    p = np.zeros((n, n))
    p[0, 1] = p[1, 2] = p[1, 3] = p[4, 0] = 1
    return p


def grandparent_ref(p):
    gp = p @ p  # EXISTS b as a sum: the number of paths
    return gp, np.minimum(gp.max(axis=1), 1.0)


@pytest.mark.parametrize("form", ["path", "pathlib", "text", "dict", "bytes"])
def test_graph_forms(form):
    text = open(GRANDPARENT).read()
    graph = {"path": GRANDPARENT, "pathlib": pathlib.Path(GRANDPARENT), "text": text,
             "dict": json.loads(text), "bytes": text.encode()}[form]
    out = tl.compile(graph)(parent=parent())
    gp, has = grandparent_ref(parent())
    np.testing.assert_array_equal(out["grandparent[ac]"], gp)
    np.testing.assert_array_equal(out["has_grandchild[a]"], has)


def test_mlir_text_and_fixed_shapes():
    exe = tl.compile(MATMUL, shapes={"A": (3, 4), "B": (4, 2)})
    assert exe.inputs == [{"name": "A", "shape": (3, 4), "dtype": "f64"},
                          {"name": "B", "shape": (4, 2), "dtype": "f64"}]
    a, b = RNG.random((3, 4)), RNG.random((4, 2))
    np.testing.assert_allclose(exe(A=a, B=b)["result0"], a @ b, rtol=1e-12)
    with pytest.raises(tl.InvalidArgumentError, match="G11|shape"):
        exe(A=RNG.random((3, 5)), B=b)


def test_new_shapes_do_not_recompile():
    """Shape-generic code serves new shapes at once (docs/Tiering.md)."""
    exe = tl.compile(GRANDPARENT, hot_threshold=0)
    for n in (3, 6, 9, 12):
        p = (RNG.random((n, n)) < 0.3).astype(float)
        np.testing.assert_array_equal(exe(parent=p)["grandparent[ac]"], grandparent_ref(p)[0])
    stats = exe.stats()
    assert [e["tier"] for e in stats["events"]] == ["generic"], stats["events"]
    assert stats["calls"] == 4


def test_first_call_is_specialized_and_hot_shapes_too():
    exe = tl.compile(GRANDPARENT)
    exe(parent=parent(5))
    tiers = [e["tier"] for e in exe.stats()["events"]]
    assert tiers == ["generic", "specialized"], tiers
    assert exe.stats()["last_tier"] == "specialized"


def test_run_batch():
    exe = tl.compile(ROWSUM)
    items = [{"R": RNG.random((n, 3))} for n in (2, 5, 9)]
    for item, out in zip(items, exe.run_batch(items, threads=2)):
        np.testing.assert_allclose(out["result0"], item["R"].sum(axis=1), rtol=1e-12)
    bad = items + [{"X": np.ones((2, 2))}]
    with pytest.raises(tl.InvalidArgumentError, match="batch item 3: G3: no input named 'R'"):
        exe.run_batch(bad)
    results = exe.run_batch(bad, errors="return")
    assert isinstance(results[3], tl.Error) and isinstance(results[0], dict)


def test_run_async():
    exe = tl.compile(ROWSUM)
    x = RNG.random((300, 300))
    futures = [exe.run_async({"R": x * k}) for k in range(6)]
    for k, f in enumerate(futures):
        np.testing.assert_allclose(f.result(timeout=60)["result0"], (x * k).sum(axis=1), rtol=1e-12)
        assert f.done() and not f.cancel()
    # A queued run can be cancelled; one that was gets tl.CancelledError.
    futures = [exe.run_async(R=x) for _ in range(50)]
    cancelled = [f for f in futures if f.cancel()]
    for f in futures:
        if f in cancelled:
            assert f.cancelled()
            with pytest.raises(tl.CancelledError):
                f.result()
        else:
            np.testing.assert_allclose(f.result()["result0"], x.sum(axis=1), rtol=1e-12)
    # Inputs stay alive while a dropped future's run completes.
    exe.run_async(R=RNG.random((200, 200)))


def test_save_and_load(tmp_path):
    exe = tl.compile(GRANDPARENT, shapes={"parent": (5, 5)})
    path = tmp_path / "gp.tlm"
    exe.save(path)
    loaded = tl.load(path)
    np.testing.assert_array_equal(loaded(parent=parent())["grandparent[ac]"], grandparent_ref(parent())[0])
    with pytest.raises(tl.FailedPreconditionError, match="loaded from the module"):
        loaded.grad({"parent": parent()})
    with pytest.raises(tl.NotFoundError):
        tl.load(tmp_path / "missing.tlm")
    (tmp_path / "bad.tlm").write_bytes(b"not a module")
    with pytest.raises(tl.Error):
        tl.load(tmp_path / "bad.tlm")
    with pytest.raises(tl.FailedPreconditionError, match="compiled at its first call"):
        tl.compile(GRANDPARENT).save(tmp_path / "x.tlm")


def test_grad_wrt_and_cotangents():
    exe = tl.compile(MATMUL)
    a, b = RNG.random((3, 4)), RNG.random((4, 2))
    cot = RNG.random((3, 2))
    g = exe.grad({"A": a, "B": b}, cotangents={"result0": cot})
    np.testing.assert_allclose(g["A"], cot @ b.T, rtol=1e-12)
    np.testing.assert_allclose(g["B"], a.T @ cot, rtol=1e-12)
    only = exe.grad({"A": a, "B": b}, wrt="B")
    assert list(only) == ["B"]
    np.testing.assert_allclose(only["B"], a.T @ np.ones((3, 2)), rtol=1e-12)
    outs, grads = exe.grad({"A": a, "B": b}, with_outputs=True)
    np.testing.assert_allclose(outs["result0"], a @ b, rtol=1e-12)


def test_profile_and_trace(tmp_path):
    exe = tl.compile(GRANDPARENT)
    trace = tmp_path / "trace.json"
    prof = exe.profile({"parent": parent(40)}, runs=5, trace=trace)
    assert len(prof["runs_us"]) == 5 and prof["median_us"] > 0
    assert prof["nodes"] and all("node " in n["node"] for n in prof["nodes"])
    assert "per node" in prof["report"]
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    assert any("node" in e.get("name", "") for e in events)


def test_capabilities():
    caps = tl.capabilities()
    assert caps["version"] == tl.__version__  # the project's version, one source
    assert caps["dtypes"] == ["f32", "f64"] and "cpu" in caps["devices"]
    assert "gradients" in caps["features"] and caps["hardware_threads"] >= 1


def test_stream(tmp_path):
    x = RNG.random((1000, 20))
    np.save(tmp_path / "r.npy", x)
    report = tl.stream(ROWSUM, inputs={"R": tmp_path / "r.npy"}, streamed="R",
                       output_dir=tmp_path / "out", chunk_rows=128)
    assert report["chunks"] == 8 and report["rows"] == 1000
    np.testing.assert_allclose(np.load(tmp_path / "out" / "result0.npy"), x.sum(axis=1), rtol=1e-12)


def test_training_utilities():
    acc = tl.GradientAccumulator()
    g1, g2 = {"w": RNG.random((3, 2))}, {"w": RNG.random((3, 2))}
    acc.add(g1)
    acc.add(g2)
    assert acc.count == 2
    np.testing.assert_allclose(acc.mean()["w"], (g1["w"] + g2["w"]) / 2, rtol=1e-12)
    g = {"w": np.array([3.0, -4.0]), "b": np.array([12.0])}
    norm = tl.clip_by_global_norm(g, 6.5)
    assert norm == pytest.approx(13.0)
    np.testing.assert_allclose(g["w"], [1.5, -2.0])
    tl.clip_by_value(g, -1.0, 1.0)
    np.testing.assert_array_equal(g["w"], [1.0, -1.0])
    scaler = tl.LossScaler(initial_scale=8.0, dynamic=True)
    grads = {"w": np.array([8.0, 16.0])}
    assert scaler.unscale(grads) and list(grads["w"]) == [1.0, 2.0]
    assert not scaler.unscale({"w": np.array([np.inf])}) and scaler.overflows == 1
    report = tl.gradcheck(MATMUL, {"A": RNG.random((3, 4)), "B": RNG.random((4, 2))})
    assert report["ok"] and report["checked"] > 0, report["report"]


def test_emit():
    assert "tl.einsum" in tl.emit(MATMUL, "tl", shapes={"A": (2, 3), "B": (3, 4)})
    assert "define" in tl.emit(MATMUL, "llvm-ir", shapes={"A": (2, 3), "B": (3, 4)})
    assert "asm" in tl.emit_stages()


def test_gpu_options():
    shapes = {"A": (2, 3), "B": (3, 4)}
    ptx = tl.emit(MATMUL, "ptx", shapes=shapes, device="cuda", gpu_arch="sm_80")
    assert ".target sm_80" in ptx and ".entry main_kernel" in ptx
    with pytest.raises(ValueError, match="'device' is"):
        tl.compile(MATMUL, shapes=shapes, device="gpu")
    if not tl.capabilities()["cuda"]:
        # Compiles (and could be saved); running needs a GPU, and the error
        # says why there is none.
        exe = tl.compile(MATMUL, shapes=shapes, device="cuda")
        with pytest.raises(tl.Error, match="cannot run here"):
            exe(A=np.ones((2, 3)), B=np.ones((3, 4)))


def test_errors_are_the_tools_text(tmp_path):
    with pytest.raises(tl.NotFoundError):
        tl.compile(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"tensors": ["a[ab]"], "nodes": [{"op": {"Einsum": {"spec": "ab->c"}}, "inputs": [0], "outputs": [0]}], "inputs": [], "outputs": [0]}')
    with pytest.raises(tl.InvalidArgumentError) as raised:
        tl.compile(bad).run({"a": np.ones((2, 2))})
    assert raised.value.rule is not None and str(raised.value).startswith(str(bad))
    assert raised.value.code == "INVALID_ARGUMENT"
    with pytest.raises(tl.InvalidArgumentError, match="G3"):
        tl.compile(GRANDPARENT, shapes={"parent": (5, 5)})(parnet=parent())
    with pytest.raises(TypeError, match="unknown option 'hot_treshold'.*hot_threshold"):
        tl.compile(GRANDPARENT, hot_treshold=3)
    with pytest.raises(TypeError, match="takes an int"):
        tl.compile(GRANDPARENT, threads="two")
    with pytest.raises(tl.InvalidArgumentError, match="shapes\\['parent'\\] has size"):
        tl.compile(GRANDPARENT, shapes={"parent": (5, 2.5)})
    with pytest.raises(TypeError, match="a graph is a path"):
        tl.compile(42)
    with pytest.raises(tl.InvalidArgumentError):
        tl.compile("func.func @main( {")
