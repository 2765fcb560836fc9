// Ingest throughput of SqliteSpanExporter (realistic run/step/attempt spans, ~1 KB of attributes
// each) next to the ceiling: a raw better-sqlite3 prepared-insert loop of the same rows in one
// transaction.
// Run: bash scripts/pnpm.sh exec tsc -b packages/store && bash scripts/pnpm.sh exec node benchmarks/store-ingest.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes } from '@runtrace/core';
import { SqliteSpanExporter, openStore } from '@runtrace/store';
import { Database, type SqliteDatabase, type Statement } from './internal/baseline-sqlite.ts';

type ReadableSpan = Parameters<SqliteSpanExporter['export']>[0][number];

const RUNS = 5_000;
const ROUNDS = 7;
const BATCH = 512;

type Attrs = Record<string, string | number | boolean | string[]>;

function hr(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function span(traceId: string, spanId: string, parent: string | undefined, name: string, startMs: number, endMs: number, attributes: Attrs): ReadableSpan {
  return {
    name,
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    ...(parent === undefined ? {} : { parentSpanContext: { traceId, spanId: parent, traceFlags: 1 } }),
    startTime: hr(startMs),
    endTime: hr(endMs),
    duration: hr(endMs - startMs),
    status: { code: 0 },
    attributes,
    links: [],
    events: [],
    ended: true,
    resource: { attributes: {} } as unknown as ReadableSpan['resource'],
    instrumentationScope: { name: 'bench' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

const id = (prefix: string, n: number, width: number): string => prefix + n.toString(16).padStart(width - prefix.length, '0');
const MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Summarize the attached build log and list the failing tests with a one-line reason for each. '.repeat(6) }] }]);
const OUTPUT = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Three tests failed: the retry test timed out and two snapshot tests differ. ' }] }]);
const HEADERS = JSON.stringify({ 'content-type': 'application/json', authorization: '[REDACTED]', 'user-agent': 'runtrace-bench/1.0', 'x-request-id': 'req_0123456789abcdef', 'openai-organization': 'org-bench', 'x-ratelimit-remaining-tokens': '149000' });
const BODY = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Summarize the attached build log. '.repeat(12) }] });

/** One run: the run span, 3 steps and 3 attempts (7 spans, ~1 KB of attributes each). */
function makeRun(n: number): ReadableSpan[] {
  const trace = id('b', n, 32);
  const runId = id('a', n, 16);
  const t = Date.UTC(2026, 0, 1) + n * 10_000;
  const spans: ReadableSpan[] = [];
  for (let s = 1; s <= 3; s++) {
    const stepId = id(`b${s}`, n, 16);
    spans.push(
      span(trace, id(`c${s}`, n, 16), stepId, 'POST', t + s * 2000, t + s * 2000 + 1500, {
        [RuntraceAttributes.SPAN_KIND]: 'attempt', [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
        [RuntraceAttributes.STEP_ID]: stepId, [RuntraceAttributes.ATTEMPT_NUMBER]: 1, [HttpAttributes.REQUEST_METHOD]: 'POST',
        [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions', [HttpAttributes.RESPONSE_STATUS_CODE]: 200,
        [RuntraceAttributes.ATTEMPT_REQUEST_HEADERS]: HEADERS, [RuntraceAttributes.ATTEMPT_REQUEST_BODY]: BODY,
        [RuntraceAttributes.ATTEMPT_REQUEST_BODY_SIZE]: BODY.length,
      }),
      span(trace, stepId, runId, 'chat gpt-4o-mini', t + s * 2000, t + s * 2000 + 1600, {
        [RuntraceAttributes.SPAN_KIND]: 'step', [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
        [RuntraceAttributes.STEP_NUMBER]: s, [RuntraceAttributes.STEP_OPERATION]: 'stream', [GenAiAttributes.OPERATION_NAME]: 'chat',
        [GenAiAttributes.PROVIDER_NAME]: 'openai', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [GenAiAttributes.RESPONSE_MODEL]: 'gpt-4o-mini-2024-07-18',
        [GenAiAttributes.USAGE_INPUT_TOKENS]: 1200, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 300, [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
        [GenAiAttributes.INPUT_MESSAGES]: MESSAGES, [GenAiAttributes.OUTPUT_MESSAGES]: OUTPUT, [RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS]: 350,
      }),
    );
  }
  spans.push(
    span(trace, runId, undefined, 'invoke_agent chat_turn', t, t + 8000, {
      [RuntraceAttributes.SPAN_KIND]: 'run', [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
      [RuntraceAttributes.RUN_KIND]: 'chat_turn', [GenAiAttributes.CONVERSATION_ID]: `conv-${n % 500}`, [GenAiAttributes.PROVIDER_NAME]: 'openai',
      [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [RuntraceAttributes.RUN_LABEL]: 'Summarize the attached build log and list the failing tests '.repeat(3),
      [RuntraceAttributes.SUMMARY_STEP_COUNT]: 3, [RuntraceAttributes.SUMMARY_INPUT_TOKENS]: 3600, [RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]: 900,
      [RuntraceAttributes.SUMMARY_TOTAL_TOKENS]: 4500, [RuntraceAttributes.SUMMARY_COST_USD]: 0.0011, [RuntraceAttributes.SUMMARY_ENDPOINT]: 'POST /v1/chat/completions',
      [RuntraceAttributes.SUMMARY_FIRST_MESSAGE]: 'Summarize the attached build log and list the failing tests '.repeat(6),
    }),
  );
  return spans;
}

// A named-parameter statement run with positional values (in the order of its @names), the
// fastest way better-sqlite3 binds and the way the store's writer binds.
function positional(db: SqliteDatabase, sql: string): { readonly statement: Statement; readonly values: (row: Record<string, unknown>) => unknown[] } {
  const names = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1]!);
  return { statement: db.prepare(sql.replace(/@\w+/g, '?')), values: (row) => names.map((name) => row[name]) };
}

function rawInsert(path: string, spans: readonly ReadableSpan[]): number {
  openStore({ path }).close(); // same schema and indexes
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insertRun = positional(db, 'INSERT INTO runs (run_id, trace_id, name, kind, status, conversation_id, provider, model, label, start_ms, end_ms, duration_ms, last_activity_ms, has_summary, step_count, input_tokens, output_tokens, total_tokens, cost_usd, endpoint, first_message, attributes) VALUES (@run_id, @trace_id, @name, @kind, @status, @conversation_id, @provider, @model, @label, @start_ms, @end_ms, @duration_ms, @last_activity_ms, 1, 3, 3600, 900, 4500, 0.0011, @endpoint, @first_message, @attributes)');
  const insertStep = positional(db, 'INSERT INTO steps (step_id, run_id, trace_id, parent_span_id, number, operation, status, provider, request_model, response_model, finish_reasons, input_tokens, output_tokens, total_tokens, time_to_first_chunk_ms, start_ms, end_ms, duration_ms, last_activity_ms, cost_usd, attributes) VALUES (@step_id, @run_id, @trace_id, @parent_span_id, @number, @operation, @status, @provider, @request_model, @response_model, @finish_reasons, @input_tokens, @output_tokens, @total_tokens, @ttfc, @start_ms, @end_ms, @duration_ms, @last_activity_ms, @cost_usd, @attributes)');
  const insertAttempt = positional(db, 'INSERT INTO attempts (attempt_id, run_id, step_id, trace_id, parent_span_id, number, status, method, url, url_path, status_code, start_ms, end_ms, duration_ms, last_activity_ms, attributes) VALUES (@attempt_id, @run_id, @step_id, @trace_id, @parent_span_id, @number, @status, @method, @url, @url_path, @status_code, @start_ms, @end_ms, @duration_ms, @last_activity_ms, @attributes)');
  // Rows prepared before timing: the ceiling measures SQLite inserts only.
  const ms = (time: [number, number]): number => time[0] * 1000 + time[1] / 1e6;
  const rows = spans.map((s) => {
    const a = s.attributes;
    const base = { trace_id: s.spanContext().traceId, run_id: String(a[RuntraceAttributes.RUN_ID]), status: 'completed', start_ms: ms(s.startTime), end_ms: ms(s.endTime), duration_ms: ms(s.duration), last_activity_ms: ms(s.endTime), attributes: JSON.stringify(a) };
    const kind = a[RuntraceAttributes.SPAN_KIND];
    if (kind === 'run') return { kind, row: { ...base, name: s.name, kind: 'chat_turn', conversation_id: a[GenAiAttributes.CONVERSATION_ID], provider: 'openai', model: 'gpt-4o-mini', label: a[RuntraceAttributes.RUN_LABEL], endpoint: 'POST /v1/chat/completions', first_message: a[RuntraceAttributes.SUMMARY_FIRST_MESSAGE] } };
    if (kind === 'step') return { kind, row: { ...base, step_id: s.spanContext().spanId, parent_span_id: s.parentSpanContext?.spanId, number: a[RuntraceAttributes.STEP_NUMBER], operation: 'stream', provider: 'openai', request_model: 'gpt-4o-mini', response_model: 'gpt-4o-mini-2024-07-18', finish_reasons: '["stop"]', input_tokens: 1200, output_tokens: 300, total_tokens: 1500, ttfc: 350, cost_usd: 0.00036 } };
    return { kind, row: { ...base, attempt_id: s.spanContext().spanId, step_id: a[RuntraceAttributes.STEP_ID], parent_span_id: s.parentSpanContext?.spanId, number: 1, method: 'POST', url: a[HttpAttributes.URL_FULL], url_path: '/v1/chat/completions', status_code: 200 } };
  });
  const inserts = rows.map(({ kind, row }) => {
    const insert = kind === 'run' ? insertRun : kind === 'step' ? insertStep : insertAttempt;
    return { statement: insert.statement, values: insert.values(row) };
  });
  const started = performance.now();
  db.transaction(() => {
    for (const { statement, values } of inserts) statement.run(values);
  })();
  const elapsed = performance.now() - started;
  db.close();
  checkRows(path, spans.length);
  return elapsed;
}

// Both sides must have written every row, or the comparison means nothing.
function checkRows(path: string, expected: number): void {
  const db = new Database(path, { readonly: true });
  const count = (table: string): number => Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  const written = count('runs') + count('steps') + count('attempts');
  db.close();
  if (written !== expected) throw new Error(`${path}: ${written} rows written, ${expected} expected`);
}

async function exporterInsert(path: string, spans: readonly ReadableSpan[], inFlight: number): Promise<number> {
  const exporter = new SqliteSpanExporter({ path, maxQueueSpans: 50_000 });
  await exporter.forceFlush();
  const started = performance.now();
  let next = 0;
  let failed = 0;
  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = (): void => {
      while (running < inFlight && next < spans.length) {
        const batch = spans.slice(next, next + BATCH);
        next += BATCH;
        running++;
        exporter.export(batch, (result) => {
          if (result.error !== undefined) failed++; // this exporter always says why it failed
          running--;
          if (next >= spans.length && running === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const elapsed = performance.now() - started;
  await exporter.shutdown();
  if (failed > 0) throw new Error(`${failed} exports failed`);
  checkRows(path, spans.length);
  return elapsed;
}

const spans: ReadableSpan[] = [];
for (let n = 0; n < RUNS; n++) spans.push(...makeRun(n));
const attributeBytes = spans.reduce((sum, s) => sum + JSON.stringify(s.attributes).length, 0) / spans.length;

const dir = mkdtempSync(join(tmpdir(), 'runtrace-bench-ingest-'));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const raw: number[] = [];
const sequential: number[] = [];
const pipelined: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    raw.push(rawInsert(join(dir, `raw-${round}.db`), spans));
    sequential.push(await exporterInsert(join(dir, `seq-${round}.db`), spans, 1));
    pipelined.push(await exporterInsert(join(dir, `pipe-${round}.db`), spans, 8));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Shared machines change speed from one second to the next, so each round measures the ceiling
// and the exporter back to back, and the share of the ceiling is the median of those paired ratios
// (its range over the rounds is printed too).
const rate = (ms: number): number => spans.length / (ms / 1000);
const share = (runs: number[]): string => {
  const ratios = runs.map((ms, round) => (raw[round]! / ms) * 100);
  return `${median(ratios).toFixed(0).padStart(4)}% of ceiling (rounds ${Math.min(...ratios).toFixed(0)}–${Math.max(...ratios).toFixed(0)}%)`;
};
const line = (label: string, runs: number[], ratio: string): string => `${label.padEnd(58)} ${rate(median(runs)).toFixed(0).padStart(8)} spans/s  ${ratio}`;
console.log(`store ingest: ${RUNS} runs, ${spans.length} spans (run + 3 steps + 3 attempts), ~${attributeBytes.toFixed(0)} B attributes/span, ${ROUNDS} rounds, medians`);
console.log(line('ceiling: raw prepared inserts, one transaction', raw, ' 100%'));
console.log(line(`SqliteSpanExporter, one export of ${BATCH} at a time`, sequential, share(sequential)));
console.log(line(`SqliteSpanExporter, up to 8 exports of ${BATCH} in flight`, pipelined, share(pipelined)));
console.log('target: at least 60% of the ceiling');
