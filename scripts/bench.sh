#!/usr/bin/env bash
# Builds the packages and runs the benchmarks: every one, or those named (e.g. `redaction store-ingest`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RUNTRACE_ROOT"

install_and_build
if [ "$#" -eq 0 ]; then
  set -- $(ls benchmarks/*.ts | xargs -n1 basename | sed 's/\.ts$//')
fi
for name in "$@"; do
  echo "== benchmarks/$name.ts"
  node "benchmarks/$name.ts"
done
