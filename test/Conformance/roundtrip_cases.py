#!/usr/bin/env python3
"""Round-trip checks over the corpus and the lit tests.

1. Every graph of the corpus that imports: import -> export -> import gives
   the same IR (text equality of the two imports).
2. Every .mlir lit test file that tl-opt parses: printing and re-parsing
   gives the same text (split files are handled with --split-input-file).
   Files that only hold invalid IR (-verify-diagnostics tests, files that
   tl-opt must refuse: `RUN: not tl-opt`) are skipped.

Exit status 1 on any difference.
"""
import argparse
import glob
import os
import subprocess
import sys


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--translate", required=True)
    ap.add_argument("--opt", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--lit-tests", required=True)
    args = ap.parse_args()
    failed, checked = [], 0

    for path in sorted(glob.glob(os.path.join(args.cases, "*.json"))):
        first = run([args.translate, "--import-tensorlogic-json", path])
        if first.returncode != 0:
            continue  # an invalid graph: nothing to round-trip
        exported = run([args.translate, "--export-tensorlogic-json"], first.stdout)
        if exported.returncode != 0:
            failed.append(f"{path}: export failed: {exported.stderr.strip()}")
            continue
        second = run([args.translate, "--import-tensorlogic-json"], exported.stdout)
        checked += 1
        if second.returncode != 0 or second.stdout != first.stdout:
            failed.append(f"{path}: import -> export -> import differs\n{second.stderr}")

    for path in sorted(glob.glob(os.path.join(args.lit_tests, "**", "*.mlir"), recursive=True)):
        text = open(path).read()
        if "expected-error" in text or "RUN: not tl-opt" in text:
            continue
        first = run([args.opt, "--split-input-file", path])
        if first.returncode != 0:
            failed.append(f"{path}: tl-opt cannot parse it: {first.stderr.strip()}")
            continue
        second = run([args.opt, "--split-input-file", "-"], first.stdout)
        checked += 1
        if second.returncode != 0 or second.stdout != first.stdout:
            failed.append(f"{path}: tl-opt round trip differs\n{second.stderr}")

    for f in failed:
        print("FAIL " + f)
    print(f"{checked - len(failed)}/{checked} round trips stable")
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
