#!/bin/sh
# Runs the GPU checks of a folder made by utils/gpu-pack.sh: every valid
# corpus case through tl-run on the GPU, f64 and f32 and adjoints, against
# the expected outputs (one table), then the GPU benchmarks against
# PyTorch (bench.py; --no-bench skips them). Needs python3 with NumPy (and
# PyTorch for the benchmarks) and the GPU's driver.
set -eu
D=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$D/lib/tl-run-loader" ]; then
  mkdir -p "$D/lib"
  tar -C "$D/lib" -xJf "$D/libs.tar.xz"
  ln -sf "$(cd "$D/lib" && ls ld-linux-*.so.* | head -1)" "$D/lib/tl-run-loader"
fi
status=0
"${PYTHON:-python3}" "$D/check.py" "$D" || status=$?
if [ "$status" -ne 2 ] && [ "${1:-}" != "--no-bench" ]; then
  "${PYTHON:-python3}" "$D/bench.py" "$D" || status=1
fi
exit "$status"
