"""tl: a compiler for TensorLogic, from Python.

    import numpy as np, tl
    exe = tl.compile("grandparent.json", dtype="f64")   # compiled at the first call
    out = exe(parent=np.eye(5))                          # {"grandparent[ac]": array, ...}
    grads = exe.grad({"parent": np.eye(5)})              # {"parent": array}

Graphs are TensorLogic JSON (a path, the text, or a dict in the EinsumGraph
layout) or MLIR in the tl dialect (a path or the text). Outputs are NumPy
arrays keyed by slot name (G4); errors raise tl.Error subclasses whose
message is the tools' rule-citing text. The reference is docs/Python.md.
"""

import json as _json
import os as _os

from ._tl import (  # noqa: F401  (the public API)
    BoundCall,
    CancelledError,
    DataLossError,
    Error,
    Executable,
    FailedPreconditionError,
    Future,
    GradientAccumulator,
    InternalError,
    InvalidArgumentError,
    LossScaler,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    Tensor,
    UnimplementedError,
    __version__,
    capabilities,
    clear_in_process_cache,
    clip_by_global_norm,
    clip_by_value,
    emit_stages,
    from_dlpack,
    load,
    peak_resident_bytes,
    resident_bytes,
)
from . import _tl

__all__ = [
    "compile", "load", "stream", "gradcheck", "emit", "capabilities",
    "from_dlpack", "Executable", "BoundCall", "Future", "Tensor", "GradientAccumulator",
    "LossScaler", "clip_by_value", "clip_by_global_norm", "Error",
    "InvalidArgumentError", "NotFoundError", "FailedPreconditionError",
    "ResourceExhaustedError", "DataLossError", "PermissionDeniedError",
    "CancelledError", "UnimplementedError", "InternalError",
]


def _graph(graph):
    """(text or path, is_path) for any way a graph is given."""
    if isinstance(graph, dict):
        return _json.dumps(graph), False
    if isinstance(graph, bytes):
        graph = graph.decode("utf-8")
    if isinstance(graph, _os.PathLike):
        return _os.fspath(graph), True
    if not isinstance(graph, str):
        raise TypeError(
            "a graph is a path, JSON or MLIR text, or a dict in the "
            f"EinsumGraph layout; got {type(graph).__name__}")
    # Text has braces (JSON, MLIR's function bodies); a path has none.
    if "{" in graph or "\n" in graph:
        return graph, False
    return graph, True


def compile(graph, shapes=None, dtype="f64", **options):
    """Compiles `graph` into a callable tl.Executable.

    shapes: the input shapes by the name the call binds ({"parent": (5, 5)});
    a size of None (or -1, "?") is known only at the call (shape-generic
    code, docs/Tiering.md). Without shapes, an MLIR graph compiles as its
    types say and a JSON graph compiles at its first call, shape-generic
    over the ranks of that call's arrays with that call's shapes specialized.
    dtype: "f64" (default) or "f32", the type every tensor is computed in.
    options: hot_threshold, max_versions, tune, value_profiles, function,
    opt_level, vectorize, cpu, features, threads, onednn, blas, approximate_exp,
    profile, cache, cache_dir, cache_max_bytes, expose_intermediates,
    strict_inputs, dtype_from_graph, sparse_threshold (docs/Python.md).
    """
    text, is_path = _graph(graph)
    return Executable(text, is_path, shapes, dtype, options)


def stream(graph, inputs, streamed, output_dir, dtype="f64", **options):
    """Runs `graph` over .npy inputs larger than memory (docs/Streaming.md).

    inputs: {name: path of a .npy file}; streamed: the names chunked along
    their first axis; output_dir: where <output>.npy files go. Further
    options: memory_budget (bytes), chunk_rows, checkpoint (a path: a
    killed run resumes from it), and compile options as tl.compile takes.
    Returns the report as a dict.
    """
    text, is_path = _graph(graph)
    options = dict(options, inputs=inputs, streamed=streamed,
                   output_dir=output_dir)
    return _tl._stream(text, is_path, dtype, options)


def gradcheck(graph, inputs, wrt=None, step=1e-6, rtol=1e-5, atol=1e-7,
              max_elements_per_input=64, seed=1, dtype="f64", **options):
    """Compares the compiled adjoint's gradients with central finite
    differences (in f64); returns a dict with ok, checked, max_abs_error,
    max_rel_error, mismatches and a printable report."""
    text, is_path = _graph(graph)
    return _tl._gradcheck(text, is_path, inputs, dtype, wrt, step, rtol, atol,
                          max_elements_per_input, seed, options)


def emit(graph, stage="tl", shapes=None, dtype="f64", **options):
    """The graph lowered to `stage` (tl.emit_stages()) as text, as
    `tl-jit --emit` prints it."""
    text, is_path = _graph(graph)
    return _tl._emit(text, is_path, stage, shapes, dtype, options)
