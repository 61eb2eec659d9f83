#!/usr/bin/env bash
# Packs what a machine with an NVIDIA GPU needs to check tl's GPU backend
# (issue 17), for a machine with the GPU's driver and Python (NumPy) but no
# LLVM, no MLIR and no network:
#
#   utils/gpu-pack.sh DIR [--gpu-arch=sm_90] [--target=cuda|cpu] [--build=build]
#                         [--max-cases=N]
#   DIR/gpu-check.sh            # on the GPU machine
#
# DIR gets tl-run and every shared library it needs, the loader included
# (compressed: DIR/libs.tar.xz; tl-run is started through the packed
# loader, so the other machine's C library does not matter), every valid
# corpus case compiled into modules by tl-compile --target=cuda in f64 and
# f32 (f32 only where the expected outputs are f32) and, for cases with
# gradients, the adjoint in f64; the cases' inputs, cotangents, expected
# outputs and gradients, the CPU's f32 results for the f64 cases (what f32
# GPU results are compared with), the corpus's oracle (compare) and the
# checker, and the GPU benchmarks' modules (bench/gpu) with their script.
# --target=cpu packs CPU modules instead: a self-test of the
# package on any machine; --max-cases=N packs only the first N cases.
set -euo pipefail
cd "$(dirname "$0")/.."
out="" arch=sm_90 target=cuda build=build max=0
for a in "$@"; do
  case "$a" in
    --gpu-arch=*) arch=${a#*=} ;;
    --target=*) target=${a#*=} ;;
    --build=*) build=${a#*=} ;;
    --max-cases=*) max=${a#*=} ;;
    -*) echo "gpu-pack.sh: unknown option $a" >&2; exit 2 ;;
    *) out=$a ;;
  esac
done
[ -n "$out" ] || { echo "usage: utils/gpu-pack.sh DIR [--gpu-arch=sm_90] [--target=cuda|cpu]" >&2; exit 2; }
cases=$(cd "${TL_SHARED_DIR:-../shared}/testdata" && pwd)
for t in tl-compile tl-jit tl-run; do
  [ -x "$build/bin/$t" ] || { echo "gpu-pack.sh: $build/bin/$t is missing (build first)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/bin" "$out/cases" "$out/modules" "$out/ref" "$out/libs"
cp "$build/bin/tl-run" "$out/bin/"
strip "$out/bin/tl-run"
# Every library tl-run needs, and the loader, resolved as this machine does.
ldd "$build/bin/tl-run" | awk '$3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' |
  while read -r lib; do cp -L "$lib" "$out/libs/"; done
# The CUDA driver, opened at run time from the other machine, needs these
# parts of the C library: they must come from the packed one.
for stub in libdl.so.2 libpthread.so.0 librt.so.1; do
  cp -L "/lib/x86_64-linux-gnu/$stub" "$out/libs/"
done
tar -C "$out/libs" -cJf "$out/libs.tar.xz" .
rm -rf "$out/libs"
cp "$cases/oracle.py" "$out/"
cp utils/gpu-check/check.py utils/gpu-check/gpu-check.sh "$out/"
chmod +x "$out/gpu-check.sh"

flags=(--target="$target" --no-cache)
[ "$target" = cuda ] && flags+=(--gpu-arch="$arch")
n=0
for json in "$cases"/cases/*.json; do
  stem=$(basename "$json" .json)
  base=${json%.json}
  [ -e "$base.error.txt" ] && continue
  [ -e "$base.expected.npz" ] || continue
  [ "$max" -gt 0 ] && [ "$n" -ge "$max" ] && break
  cp "$base.inputs.npz" "$base.expected.npz" "$out/cases/"
  # Cases whose expected outputs are f32 run in f32 only (as tl-conformance).
  dtypes="f64 f32"
  /usr/bin/python3 -c 'import sys, numpy as np
d = np.load(sys.argv[1])
sys.exit(0 if d.files and all(d[k].dtype == np.float32 for k in d.files) else 1)' \
    "$base.expected.npz" && dtypes=f32
  for dtype in $dtypes; do
    "$build/bin/tl-compile" "$json" --inputs="$base.inputs.npz" --dtype=$dtype \
      "${flags[@]}" -o "$out/modules/$stem.$dtype.tlm"
  done
  # Gradients (G12) on the GPU: the adjoint module, checked against the
  # corpus's .grads.npz.
  if [ -e "$base.grads.npz" ]; then
    wrt=$(/usr/bin/python3 -c 'import sys, numpy as np; print(",".join(np.load(sys.argv[1]).files))' "$base.grads.npz")
    cp "$base.grads.npz" "$base.cotangents.npz" "$out/cases/"
    "$build/bin/tl-compile" "$json" --inputs="$base.inputs.npz" --grad="$wrt" \
      "${flags[@]}" -o "$out/modules/$stem.grad.tlm"
  fi
  # The CPU's f32 results: an f64 case in f32 is compared with them.
  "$build/bin/tl-jit" "$json" --inputs="$base.inputs.npz" --dtype=f32 --no-cache \
    --output="$out/ref/$stem.f32.npz" > /dev/null 2>&1
  n=$((n + 1))
done
# The GPU benchmarks (bench/gpu/bench.py draws their inputs there).
mkdir -p "$out/bench"
cp bench/gpu/bench.py "$out/"
for g in bench/gpu/*.mlir; do
  "$build/bin/tl-compile" "$g" --dtype=f32 "${flags[@]}" \
    -o "$out/bench/$(basename "$g" .mlir).tlm"
done
echo "$target $arch" > "$out/TARGET"
echo "packed $n cases for $target ($arch) into $out: $(du -sh "$out" | cut -f1)"
