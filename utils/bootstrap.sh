#!/usr/bin/env bash
# Installs every build and test dependency of tl from Debian 12 packages.
# Idempotent: packages already present are not downloaded again, and the
# script exits quickly when nothing is missing.
set -euo pipefail

PACKAGES=(
  # Toolchain. LLVM/MLIR are pinned to major 19 (see docs/toolchain notes).
  cmake ninja-build ccache g++ clang-19
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  # Libraries.
  libdnnl-dev libabsl-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  # OpenBLAS for f64 GEMMs: the runtime loads it with dlopen when it first
  # runs one (a plain loop without it), so only the tests need it here.
  libopenblas0
  # The Python module (python/): pybind11, Python's headers, DLPack's header.
  pybind11-dev python3-dev libdlpack-dev
  # SHA-256 of module files and compile cache keys (OpenSSL's libcrypto).
  libssl-dev
  # Test helpers: Debian's python3 with NumPy for the conformance oracle,
  # SciPy to write and read sparse tensors independently of tl's readers.
  zlib1g-dev python3 python3-numpy python3-scipy
  # The Python module's tests (pytest; PyTorch for the DLPack round trip).
  python3-pytest python3-torch
  # libFuzzer (clang's runtime) for the fuzz preset's targets (fuzz/).
  libclang-rt-19-dev
)
# bench/compare.py's peers (not needed to build or test): --bench adds them.
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(libopenblas-dev libeigen3-dev libgraphblas-dev)
fi
# The README tour's last line draws a graph with graphviz: --tour adds it.
if [ "${1:-}" = "--tour" ]; then
  PACKAGES+=(graphviz)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
