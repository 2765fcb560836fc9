#!/usr/bin/env bash
# The one test command: installs everything, builds, lints, type-checks and runs every test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RUNTRACE_ROOT"

install_and_build
echo "== lint"
pnpm run lint
echo "== typecheck"
pnpm run typecheck
echo "== test"
report_dir="$(mktemp -d)"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report_dir/vitest.json" || status=$?
if [ -f "$report_dir/vitest.json" ]; then
  node scripts/test-summary.mjs "$report_dir/vitest.json" || status=1
else
  echo "no test report was written" >&2
  status=1
fi
rm -rf "$report_dir"
echo "== packed install (the public packages installed with npm into a fresh app, used with no code)"
bash scripts/check-packed-install.sh || status=1
exit "$status"
