#!/usr/bin/env bash
# Installs tl (cmake --install) into a scratch prefix, builds
# examples/installed (find_package(tl) only) against it and runs it on the
# family example: the grandparent relation must come out (issue 14).
#   install_test.sh BUILD_DIR SOURCE_DIR [SANITIZERS]
# A sanitizer build's libtl needs the program built with the same
# sanitizers (the runtime must come first), as a user of it would.
set -euo pipefail
build="$1"; source="$2"; sanitize="${3:-}"
flags=()
if [ -n "$sanitize" ]; then
  flags=(-DCMAKE_CXX_FLAGS="-fsanitize=$sanitize"
         -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize")
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
# Only the API's headers are installed, and none includes MLIR or LLVM.
if grep -rlE '#include "(mlir|llvm)/' "$work/prefix/include"; then
  echo "install_test: an installed header includes MLIR or LLVM" >&2
  exit 1
fi
cmake -S "$source/examples/installed" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release "${flags[@]}" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/example" > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; exit 1; }
"$work/example/grandparent" "$source/examples/family/grandparent.json"
