#!/usr/bin/env bash
# Regenerates the dialect and pass references from the .td files and copies
# them into docs/. Run after changing TLOps.td, TLBase.td or a Passes.td; the
# tl-docs-fresh-* tests fail until you do.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
cmake --build "$BUILD" --target tl-docs
cp "$BUILD/docs/Dialects/TLDialect.md" docs/Dialects/TLDialect.md
for doc in TLPasses TLConversionPasses TLCodegenPasses; do
  cp "$BUILD/docs/$doc.md" "docs/$doc.md"
done
echo "docs/Dialects/TLDialect.md and docs/TL*Passes.md updated"
