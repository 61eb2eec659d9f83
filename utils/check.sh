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

cmake --preset release > /dev/null
cmake --build --preset release
ctest --preset release

cmake --preset asan > /dev/null
cmake --build --preset asan
ctest --preset asan

cmake --preset tsan > /dev/null
cmake --build --preset tsan
ctest --preset tsan

cmake --preset fuzz > /dev/null
cmake --build --preset fuzz
ctest --preset fuzz
