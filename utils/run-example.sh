#!/usr/bin/env bash
# Sets up (idempotent), builds, and runs the main job on bundled data: the
# family-tree rule grandparent(a, c) <- parent(a, b), parent(b, c), and
# has_grandchild(a) <- EXISTS c grandparent(a, c), on examples/family.
set -euo pipefail
cd "$(dirname "$0")/.."
bash utils/bootstrap.sh
cmake --preset release > /dev/null
cmake --build --preset release
build/bin/tl-jit examples/family/grandparent.json \
  --inputs=examples/family/parent.npz --output=build/grandparent.out.npz --print
echo "outputs written to build/grandparent.out.npz"
# The same rule compiled once into a module, then run by the MLIR-free
# runtime (what a deployment copies: tl-run and the .tlm file).
build/bin/tl-compile examples/family/grandparent.json \
  --inputs=examples/family/parent.npz -o build/grandparent.tlm
build/bin/tl-run build/grandparent.tlm --inputs=examples/family/parent.npz --print
echo "module written to build/grandparent.tlm"
# The same rule from Python (docs/Python.md): the build put `import tl` in
# build/python; a .pth file in the user's site-packages points Debian's
# python3 at it (as `pip install --user -e` would; delete it to undo).
site=$(/usr/bin/python3 -m site --user-site)
mkdir -p "$site"
echo "$PWD/build/python" > "$site/tl-build.pth"
echo "python3 finds 'import tl' through $site/tl-build.pth"
/usr/bin/python3 - <<'PY'
import numpy as np, tl
with np.load("examples/family/parent.npz") as f:
    parent = f["parent"]
out = tl.compile("examples/family/grandparent.json")(parent=parent)
print("from Python:", {name: a.tolist() for name, a in out.items()})
PY
