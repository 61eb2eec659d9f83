"""Shared fixtures of the Python module's tests (run by ctest: tl-python).

The environment comes from test/CMakeLists.txt: PYTHONPATH finds the
built package, TL_CASES the shared corpus, TL_CACHE_DIR the build's test
cache. The corpus's oracle.py (an independent NumPy implementation)
provides load_npz and compare.
"""
import os
import sys

import pytest

CASES = os.environ.get("TL_CASES", os.path.join(os.path.dirname(__file__),
                                                "../../../shared/testdata/cases"))
sys.path.insert(0, os.path.dirname(os.path.abspath(CASES)))

# Sanitizer builds run the suite with the sanitizer runtime preloaded
# (test/CMakeLists.txt); tests that measure memory or time skip there.
SANITIZED = bool(os.environ.get("TL_SANITIZED"))

ROWSUM = """func.func @main(%r: tensor<?x?xf64> {tl.name = "R"}) -> tensor<?xf64> {
  %0 = tl.einsum "ab->a" %r : (tensor<?x?xf64>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}"""

MATMUL = """func.func @main(%a: tensor<?x?xf64> {tl.name = "A"}, %b: tensor<?x?xf64> {tl.name = "B"}) -> tensor<?x?xf64> {
  %0 = tl.einsum "ab,bc->ac" %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}"""

GRANDPARENT = os.path.join(os.path.dirname(__file__), "../../examples/family/grandparent.json")


@pytest.fixture(scope="session")
def cases():
    if not os.path.isdir(CASES):
        pytest.skip(f"the shared corpus is not at {CASES}")
    return CASES


@pytest.fixture(scope="session")
def oracle(cases):
    import oracle as module
    return module
