#!/usr/bin/env bash
# pack_selftest.sh SOURCE BUILD SHARED DIR PYTHON: utils/gpu-pack.sh with
# CPU modules for 20 cases, then DIR/gpu-check.sh, which must run every
# module through the packed loader and libraries and match them all.
set -euo pipefail
src=$1 build=$2 shared=$3 dir=$4 python=$5
TL_SHARED_DIR=$shared bash "$src/utils/gpu-pack.sh" "$dir" --target=cpu --max-cases=20 \
  --build="$build"
out=$(PYTHON=$python "$dir/gpu-check.sh" --no-bench)
echo "$out" | tail -3
echo "$out" | grep -q "^[0-9][0-9]* of [0-9][0-9]* modules match (0 failures)"
