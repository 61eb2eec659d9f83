#!/usr/bin/env bash
# Runs one libFuzzer target over its seeds: for a bounded time in ctest
# (TL_FUZZ_SECONDS, default 20), or for a number of inputs in a campaign
# (TL_FUZZ_RUNS; docs/Testing.md). A crash, leak, hang (-timeout) or
# memory blow-up fails the run and leaves the input in WORKDIR.
#
# usage: run-fuzzer.sh FUZZER WORKDIR DICT SEED_GLOB...
set -euo pipefail
fuzzer=$1 work=$2 dict=$3
shift 3
rm -rf "$work"
mkdir -p "$work/corpus" "$work/seeds"
shopt -s nullglob
n=0
for pattern in "$@"; do
  for f in $pattern; do
    n=$((n + 1))
    cp "$f" "$work/seeds/$n-$(basename "$f")"
  done
done
if [ "$n" -eq 0 ]; then
  echo "run-fuzzer.sh: no seeds matched $*" >&2
  exit 1
fi
if [ -n "${TL_FUZZ_RUNS:-}" ]; then
  limit=(-runs="$TL_FUZZ_RUNS")
else
  limit=(-max_total_time="${TL_FUZZ_SECONDS:-20}")
fi
echo "run-fuzzer.sh: $(basename "$fuzzer") with $n seeds, ${limit[*]}"
exec "$fuzzer" "${limit[@]}" -seed="${TL_FUZZ_SEED:-1}" -timeout=10 \
  -rss_limit_mb=2048 -dict="$dict" -artifact_prefix="$work/" \
  -print_final_stats=1 "$work/corpus" "$work/seeds"
