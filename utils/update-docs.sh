#!/usr/bin/env bash
# Regenerates the dialect and pass references from the .td files and copies
# them into docs/. Run after changing TLOps.td, TLBase.td or Passes.td; the
# tl-docs-fresh-* tests fail until you do.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
cmake --build "$BUILD" --target tl-docs
cp "$BUILD/docs/Dialects/TLDialect.md" docs/Dialects/TLDialect.md
cp "$BUILD/docs/TLPasses.md" docs/TLPasses.md
echo "docs/Dialects/TLDialect.md and docs/TLPasses.md updated"
