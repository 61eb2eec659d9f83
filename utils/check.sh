#!/usr/bin/env bash
# Sets up (idempotent), builds, and runs every test: the release build's
# ctest (lit, gtest, the conformance corpus, round trips, docs freshness),
# then the same tests under AddressSanitizer + UndefinedBehaviorSanitizer,
# then the concurrency tests under ThreadSanitizer, then each libFuzzer
# target for a bounded time (fuzz/, clang with ASan+UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
bash utils/bootstrap.sh
if [ ! -d ../shared/testdata/cases ]; then
  echo "check.sh: ../shared/testdata/cases is missing (the shared corpus sits beside the checkout)" >&2
  exit 1
fi

# Disk: a CI run once ran out of space building its third tree. On CI (a
# fresh machine, CI set) ccache cannot hit, so it stores nothing there; and
# each sanitizer tree is removed once its tests pass (TL_KEEP_BUILDS=1
# keeps them), so at most two trees are on disk at a time.
if [ -n "${CI:-}" ]; then export CCACHE_DISABLE=1; fi
done_with() {
  if [ "${TL_KEEP_BUILDS:-0}" != 1 ]; then rm -rf "$1"; fi
}

cmake --preset release > /dev/null
cmake --build --preset release
ctest --preset release

cmake --preset asan > /dev/null
cmake --build --preset asan
ctest --preset asan
done_with build-asan

cmake --preset tsan > /dev/null
cmake --build --preset tsan
ctest --preset tsan
done_with build-tsan

cmake --preset fuzz > /dev/null
cmake --build --preset fuzz
ctest --preset fuzz
done_with build-fuzz
