// The query benchmarks' dataset: 100,000 runs / 1,000,000 spans written with direct inserts,
// generated once and cached in the temp directory (benchmarks/store-queries.ts, benchmarks/ui.ts).
import { existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes } from '@runtrace/core';
import { SCHEMA_VERSION, openStore } from '@runtrace/store';
import { createSeededRandom } from '@runtrace/testkit';
import { Database } from './baseline-sqlite.ts';

export const RUNS = 100_000; // each: run + 3 steps + 3 attempts + 2 tool calls + 1 generic span
export const PATH = join(tmpdir(), `runtrace-bench-queries-v${SCHEMA_VERSION}-${RUNS}.db`);
export const END = Date.UTC(2026, 0, 31);
const START = END - 90 * 86_400_000;

const MODELS = [
  ['openai', 'gpt-4o-mini', 0.15, 0.6],
  ['openai', 'gpt-4o', 2.5, 10],
  ['anthropic', 'claude-sonnet-4-5', 3, 15],
  ['anthropic', 'claude-haiku-4-5', 1, 5],
  ['google', 'gemini-2.5-flash', 0.3, 2.5],
  ['local', 'llama-3-70b', 0, 0],
] as const;
const STATUSES = ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'error', 'error', 'interrupted', 'in_progress'] as const;
const STEP_ATTRIBUTES = JSON.stringify({ [RuntraceAttributes.SPAN_KIND]: 'step', [GenAiAttributes.OPERATION_NAME]: 'chat' });
const ATTEMPT_ATTRIBUTES = JSON.stringify({ [RuntraceAttributes.SPAN_KIND]: 'attempt', [HttpAttributes.REQUEST_METHOD]: 'POST' });
const TOOL_ATTRIBUTES = JSON.stringify({ [RuntraceAttributes.SPAN_KIND]: 'tool' });
const HTTP_ATTRIBUTES = JSON.stringify({ [HttpAttributes.REQUEST_METHOD]: 'GET' });
const TOOLS = ['search', 'read_file', 'write_file', 'run_tests', 'fetch_url', 'calculator', 'sql_query', 'send_email'];

function generate(path: string): void {
  const temporary = `${path}.partial`;
  rmSync(temporary, { force: true });
  openStore({ path: temporary, sweepOnOpen: false }).close();
  const db = new Database(temporary);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const random = createSeededRandom(42);
  const insertRun = db.prepare(`INSERT INTO runs (run_id, trace_id, name, kind, status, status_message, conversation_id, provider, model, normalized_model, label,
    start_ms, end_ms, duration_ms, last_activity_ms, has_summary, step_count, input_tokens, output_tokens, total_tokens, tool_call_count, has_error, endpoint, cost_usd, cost_unknown, attributes)
    VALUES (?, ?, 'invoke_agent chat_turn', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 3, ?, ?, ?, 2, ?, 'POST /v1/chat/completions', ?, ?, ?)`);
  const insertStep = db.prepare(`INSERT INTO steps (step_id, run_id, trace_id, parent_span_id, number, operation, status, provider, request_model, response_model, finish_reasons,
    input_tokens, output_tokens, total_tokens, time_to_first_chunk_ms, start_ms, end_ms, duration_ms, last_activity_ms, cost_usd, attributes)
    VALUES (?, ?, ?, ?, ?, 'stream', ?, ?, ?, ?, '["stop"]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAttempt = db.prepare(`INSERT INTO attempts (attempt_id, run_id, step_id, trace_id, parent_span_id, number, status, method, url, url_path, status_code,
    start_ms, end_ms, duration_ms, last_activity_ms, attributes) VALUES (?, ?, ?, ?, ?, 1, ?, 'POST', 'https://api.example.com/v1/chat/completions', '/v1/chat/completions', ?, ?, ?, ?, ?, ?)`);
  const insertTool = db.prepare(`INSERT INTO tool_calls (span_id, run_id, step_id, trace_id, parent_span_id, name, call_id, status, start_ms, end_ms, duration_ms, last_activity_ms, attributes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertSpan = db.prepare(`INSERT INTO spans (span_id, trace_id, parent_span_id, name, span_kind, start_ms, end_ms, duration_ms, status_code, scope, attributes)
    VALUES (?, ?, ?, 'GET', 2, ?, ?, ?, 0, 'undici', ?)`);
  const hex = (prefix: number, n: number, width: number): string => prefix.toString(16) + n.toString(16).padStart(width - 1, '0');
  const chunk = db.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) {
      const [provider, model, inPrice, outPrice] = MODELS[Math.floor(random() * MODELS.length)]!;
      const status = STATUSES[Math.floor(random() * STATUSES.length)]!;
      const runId = hex(1, n, 16);
      const trace = hex(2, n, 32);
      const start = START + Math.floor(random() * (END - START));
      const duration = Math.floor(Math.exp(random() * 14)); // 1 ms .. ~20 min, skewed short
      const end = status === 'in_progress' ? null : start + duration;
      const input = Math.floor(random() * 20_000);
      const output = Math.floor(random() * 4_000);
      const cost = model.startsWith('llama') ? null : (input * inPrice + output * outPrice) / 1e6;
      const attributes = JSON.stringify({ [RuntraceAttributes.SPAN_KIND]: 'run', [GenAiAttributes.REQUEST_MODEL]: model, [RuntraceAttributes.RUN_LABEL]: `Question number ${n} about the build` });
      insertRun.run(runId, trace, n % 7 === 0 ? 'title_generation' : 'chat_turn', status, status === 'error' ? 'upstream returned 500' : null, `conv-${n % 20_000}`, provider, model, model,
        `Question number ${n} about the build`, start, end, end === null ? null : duration, end ?? start, input, output, input + output, status === 'error' ? 1 : 0, cost, cost === null ? 1 : 0, attributes);
      for (let s = 1; s <= 3; s++) {
        const stepId = hex(3, n * 4 + s, 16);
        const stepStart = start + ((s - 1) * duration) / 3;
        const stepEnd = end === null ? null : stepStart + duration / 4;
        insertStep.run(stepId, runId, trace, runId, s, status === 'in_progress' && s === 3 ? 'in_progress' : 'completed', provider, model, model, Math.floor(input / 3), Math.floor(output / 3),
          Math.floor(input / 3) + Math.floor(output / 3), 200 + Math.floor(random() * 800), stepStart, stepEnd, stepEnd === null ? null : stepEnd - stepStart, stepEnd ?? stepStart,
          cost === null ? null : cost / 3, STEP_ATTRIBUTES);
        insertAttempt.run(hex(4, n * 4 + s, 16), runId, stepId, trace, stepId, 'completed', 200, stepStart, stepEnd, stepEnd === null ? null : stepEnd - stepStart, stepEnd ?? stepStart,
          ATTEMPT_ATTRIBUTES);
      }
      for (let t = 0; t < 2; t++) {
        const toolStart = start + duration / 2 + t;
        insertTool.run(hex(5, n * 2 + t, 16), runId, null, trace, runId, TOOLS[Math.floor(random() * TOOLS.length)]!, `call_${n}_${t}`, random() < 0.05 ? 'error' : 'completed',
          toolStart, toolStart + 10, 10, toolStart + 10, TOOL_ATTRIBUTES);
      }
      insertSpan.run(hex(6, n, 16), trace, hex(5, n * 2, 16), start + duration / 2, start + duration / 2 + 5, 5, HTTP_ATTRIBUTES);
    }
  });
  for (let n = 0; n < RUNS; n += 5_000) chunk(n, Math.min(RUNS, n + 5_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  renameSync(temporary, path);
  rmSync(`${temporary}-wal`, { force: true });
  rmSync(`${temporary}-shm`, { force: true });
}


/** The dataset's path, generated first when missing (about ten seconds). */
export function ensureDataset(): string {
  if (!existsSync(PATH)) {
    const started = performance.now();
    generate(PATH);
    console.log(`generated ${PATH} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return PATH;
}
