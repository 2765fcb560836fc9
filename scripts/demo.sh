#!/usr/bin/env bash
# The first command: installs, builds, records a few runs of the example chat agent against a
# local mock LLM server, then prints the runs table and one run's waterfall with the CLI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RUNTRACE_ROOT"

install_and_build

# The demo writes into a fresh database of its own (RUNTRACE_DB chooses another file).
demo_dir="$(mktemp -d)"
export RUNTRACE_DB="${RUNTRACE_DB:-$demo_dir/runtrace.db}"
runtrace() { node packages/cli/bin/runtrace.js "$@"; }

echo
echo "== the example chat agent (examples/chat-agent) records four turns into $RUNTRACE_DB"
node examples/chat-agent/src/main.ts

echo
echo "== runtrace runs"
runtrace runs

run_id="$(runtrace runs --search 'weather in Oslo' --limit 1 --json | node -e '
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
    const [run] = JSON.parse(text).runs;
    if (!run) process.exit(1);
    process.stdout.write(run.runId);
  });')"

echo
echo "== runtrace show $run_id   (a rate limit retried, a tool call, then the answer)"
runtrace show "$run_id"

echo
echo "== next (from this directory):"
echo "   bash scripts/pnpm.sh exec runtrace show $run_id --bodies --db $RUNTRACE_DB"
echo "   bash scripts/pnpm.sh exec runtrace stats --db $RUNTRACE_DB"
echo "   bash scripts/pnpm.sh exec runtrace --help"
