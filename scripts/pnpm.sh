#!/usr/bin/env bash
# Runs pnpm with the repository's toolchain: scripts/pnpm.sh <pnpm arguments>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RUNTRACE_ROOT"
exec pnpm "$@"
