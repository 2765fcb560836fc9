// The ceiling of benchmarks/store-ingest.ts: the store exporter's work done synchronously on the
// calling thread, with nothing else — each ReadableSpan converted to its row values, then written
// with the store's own upserts, one transaction per batch. It mirrors
// packages/store/src/internal/span-rows.ts (conversion) and packages/store/src/internal/sqlite-writer.ts
// (columns, upsert and aggregate SQL, transaction handling); keep them in step when those change.
// What it leaves out is exactly the exporter's overhead: its queue, the packing of rows for the
// worker, the hop to the worker thread and back, and the completion callbacks.
import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, defaultPricingTable, isRunStatus, isUsageMissing, normalizeModel } from '@runtrace/core';
import type { SqliteDatabase, Statement } from './baseline-sqlite.ts';

type Cell = string | number | null;

// ---- SQL, as in sqlite-writer.ts -----------------------------------------------------------------

const RUN_COLUMNS = [
  'run_id', 'trace_id', 'parent_span_id', 'parent_run_id', 'name', 'kind', 'status', 'status_message',
  'error_type', 'conversation_id', 'root_conversation_id', 'parent_conversation_id', 'trigger_message_id',
  'history_tip_message_id', 'assistant_message_id', 'provider', 'model', 'normalized_model', 'label',
  'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'has_summary', 'step_count', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'tool_call_count', 'has_error', 'endpoint', 'first_message', 'cost_usd', 'cost_unknown', 'stale', 'attributes',
] as const;
const STEP_COLUMNS = [
  'step_id', 'run_id', 'trace_id', 'parent_span_id', 'number', 'operation', 'status', 'status_message',
  'error_type', 'provider', 'request_model', 'response_model', 'response_id', 'finish_reasons', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'time_to_first_chunk_ms', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'cost_usd', 'cost_unknown',
  'attributes',
] as const;
const ATTEMPT_COLUMNS = [
  'attempt_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'number', 'status', 'method', 'url', 'url_path',
  'status_code', 'resend_count', 'retry_classification', 'retry_delay_ms', 'error_type', 'error', 'start_ms',
  'end_ms', 'duration_ms', 'last_activity_ms', 'attributes',
] as const;

const HAS_SUMMARY = RUN_COLUMNS.indexOf('has_summary');

function upsertSql(table: string, key: string, columns: readonly string[]): string {
  const updates = columns
    .filter((column) => column !== key)
    .map((column) => (column === 'last_activity_ms' ? `last_activity_ms = max(${table}.last_activity_ms, excluded.last_activity_ms)` : `${column} = excluded.${column}`))
    .join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
    ON CONFLICT (${key}) DO UPDATE SET ${updates} WHERE ${table}.status = 'in_progress'`;
}

const AGGREGATE_RUN_SQL = `
  UPDATE runs SET
    step_count = a.n, input_tokens = a.i, output_tokens = a.o, reasoning_tokens = a.r,
    cache_read_tokens = a.cr, cache_creation_tokens = a.cc, total_tokens = a.t,
    has_error = CASE WHEN runs.status = 'error' OR a.err > 0 THEN 1 ELSE 0 END,
    cost_unknown = CASE WHEN a.unk > 0 THEN 1 ELSE 0 END,
    cost_usd = CASE WHEN a.unk > 0 THEN NULL ELSE a.cost END,
    tool_call_count = (SELECT count(*) FROM tool_calls WHERE tool_calls.run_id = runs.run_id),
    endpoint = (SELECT method || ' ' || url_path FROM attempts
      WHERE attempts.run_id = runs.run_id AND attempts.status = 'completed' AND method IS NOT NULL AND url_path IS NOT NULL
      ORDER BY start_ms LIMIT 1)
  FROM (SELECT count(*) AS n, coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o,
      coalesce(sum(reasoning_tokens), 0) AS r, coalesce(sum(cache_read_tokens), 0) AS cr,
      coalesce(sum(cache_creation_tokens), 0) AS cc, coalesce(sum(total_tokens), 0) AS t,
      coalesce(sum(status = 'error'), 0) AS err, coalesce(sum(cost_unknown), 0) AS unk, coalesce(sum(cost_usd), 0) AS cost
    FROM steps WHERE run_id = @run_id) AS a
  WHERE runs.run_id = @run_id AND runs.has_summary = 0`;

// ---- conversion, as in span-rows.ts (finished spans only) --------------------------------------------

function str(a: Attributes, key: string): string | null {
  const value = a[key];
  return typeof value === 'string' && value !== '' ? value : null;
}
function num(a: Attributes, key: string): number | null {
  const value = a[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}
function int(a: Attributes, key: string): number | null {
  const value = num(a, key);
  return value !== null && Number.isSafeInteger(value) ? value : null;
}
function count(a: Attributes, key: string): number {
  const value = num(a, key);
  return value !== null && value > 0 ? Math.round(value) : 0;
}
const bool = (a: Attributes, key: string): boolean => a[key] === true || a[key] === 'true';
const json = (value: unknown): string => JSON.stringify(value) ?? 'null';
const parentOf = (span: ReadableSpan): string | null => span.parentSpanContext?.spanId ?? null;
const runIdOf = (span: ReadableSpan, spanId: string): string => str(span.attributes, RuntraceAttributes.RUN_ID) ?? parentOf(span) ?? spanId;

function statusOf(span: ReadableSpan): string {
  const recorded = span.attributes[RuntraceAttributes.STATUS];
  if (isRunStatus(recorded) && recorded !== 'in_progress') return recorded;
  return span.status.code === SpanStatusCode.ERROR ? 'error' : 'completed';
}
function statusMessage(span: ReadableSpan): string | null {
  return str(span.attributes, RuntraceAttributes.STATUS_MESSAGE) ?? (span.status.message !== undefined && span.status.message !== '' ? span.status.message : null);
}
function timing(span: ReadableSpan): [start: number, end: number, duration: number] {
  const start = hrTimeToMilliseconds(span.startTime);
  const end = Math.max(start, hrTimeToMilliseconds(span.endTime));
  return [start, end, end - start];
}
function cost(model: string | null, usage: { inputTokens: number; outputTokens: number; reasoningTokens: number; cacheReadTokens: number; cacheCreationTokens: number }, provider: string | null): [Cell, number] {
  if (usage.inputTokens === 0 && usage.outputTokens === 0) return [0, 0];
  if (model === null) return [null, 1];
  const result = defaultPricingTable.cost(model, usage, provider ?? undefined);
  return result.known ? [result.usd, 0] : [null, 1];
}

function runValues(span: ReadableSpan): Cell[] {
  const a = span.attributes;
  const [start, end, duration] = timing(span);
  const { spanId, traceId } = span.spanContext();
  const status = statusOf(span);
  const model = str(a, GenAiAttributes.REQUEST_MODEL);
  const provider = str(a, GenAiAttributes.PROVIDER_NAME);
  const hasSummary = a[RuntraceAttributes.SUMMARY_STEP_COUNT] !== undefined || a[RuntraceAttributes.SUMMARY_TOTAL_TOKENS] !== undefined || a[RuntraceAttributes.SUMMARY_INPUT_TOKENS] !== undefined;
  const usage = {
    inputTokens: count(a, RuntraceAttributes.SUMMARY_INPUT_TOKENS), outputTokens: count(a, RuntraceAttributes.SUMMARY_OUTPUT_TOKENS),
    reasoningTokens: count(a, RuntraceAttributes.SUMMARY_REASONING_TOKENS), cacheReadTokens: count(a, RuntraceAttributes.SUMMARY_CACHE_READ_TOKENS),
    cacheCreationTokens: count(a, RuntraceAttributes.SUMMARY_CACHE_CREATION_TOKENS),
  };
  let price: [Cell, number] = [0, 0];
  if (hasSummary) {
    const recorded = num(a, RuntraceAttributes.SUMMARY_COST_USD);
    price = recorded !== null ? [recorded, 0] : bool(a, RuntraceAttributes.SUMMARY_COST_UNKNOWN) ? [null, 1] : cost(model, usage, provider);
  }
  return [
    spanId, traceId, parentOf(span), str(a, RuntraceAttributes.RUN_PARENT_RUN_ID), span.name, str(a, RuntraceAttributes.RUN_KIND), status, statusMessage(span),
    str(a, HttpAttributes.ERROR_TYPE), str(a, GenAiAttributes.CONVERSATION_ID), str(a, RuntraceAttributes.RUN_ROOT_CONVERSATION_ID),
    str(a, RuntraceAttributes.RUN_PARENT_CONVERSATION_ID), int(a, RuntraceAttributes.RUN_TRIGGER_MESSAGE_ID), int(a, RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID),
    int(a, RuntraceAttributes.RUN_ASSISTANT_MESSAGE_ID), provider, model, model === null ? null : normalizeModel(model), str(a, RuntraceAttributes.RUN_LABEL),
    start, end, duration, end, hasSummary ? 1 : 0, count(a, RuntraceAttributes.SUMMARY_STEP_COUNT), usage.inputTokens, usage.outputTokens,
    usage.reasoningTokens, usage.cacheReadTokens, usage.cacheCreationTokens, num(a, RuntraceAttributes.SUMMARY_TOTAL_TOKENS) ?? usage.inputTokens + usage.outputTokens,
    count(a, RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT), status === 'error' || bool(a, RuntraceAttributes.SUMMARY_HAS_ERROR) ? 1 : 0,
    str(a, RuntraceAttributes.SUMMARY_ENDPOINT), str(a, RuntraceAttributes.SUMMARY_FIRST_MESSAGE), price[0], price[1], bool(a, RuntraceAttributes.STALE) ? 1 : 0, json(a),
  ];
}

function stepValues(span: ReadableSpan): Cell[] {
  const a = span.attributes;
  const [start, end, duration] = timing(span);
  const { spanId, traceId } = span.spanContext();
  const provider = str(a, GenAiAttributes.PROVIDER_NAME);
  const requestModel = str(a, GenAiAttributes.REQUEST_MODEL);
  const responseModel = str(a, GenAiAttributes.RESPONSE_MODEL);
  const usage = {
    inputTokens: count(a, GenAiAttributes.USAGE_INPUT_TOKENS), outputTokens: count(a, GenAiAttributes.USAGE_OUTPUT_TOKENS),
    reasoningTokens: count(a, GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS), cacheReadTokens: count(a, GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS),
    cacheCreationTokens: count(a, GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS),
  };
  const price: [Cell, number] = isUsageMissing(a) ? [null, 1] : cost(responseModel ?? requestModel, usage, provider);
  const reasons = a[GenAiAttributes.RESPONSE_FINISH_REASONS];
  const finishReasons = Array.isArray(reasons) ? json(reasons.filter((reason) => typeof reason === 'string')) : typeof reasons === 'string' ? json([reasons]) : '[]';
  return [
    spanId, runIdOf(span, spanId), traceId, parentOf(span), int(a, RuntraceAttributes.STEP_NUMBER), str(a, RuntraceAttributes.STEP_OPERATION), statusOf(span),
    statusMessage(span), str(a, HttpAttributes.ERROR_TYPE), provider, requestModel, responseModel, str(a, GenAiAttributes.RESPONSE_ID), finishReasons,
    usage.inputTokens, usage.outputTokens, usage.reasoningTokens, usage.cacheReadTokens, usage.cacheCreationTokens, usage.inputTokens + usage.outputTokens,
    num(a, RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS), start, end, duration, end, price[0], price[1], json(a),
  ];
}

function urlPath(a: Attributes): string | null {
  const path = str(a, HttpAttributes.URL_PATH);
  if (path !== null) return path;
  const url = str(a, HttpAttributes.URL_FULL);
  if (url === null) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

function attemptValues(span: ReadableSpan): Cell[] {
  const a = span.attributes;
  const [start, end, duration] = timing(span);
  const { spanId, traceId } = span.spanContext();
  return [
    spanId, runIdOf(span, spanId), str(a, RuntraceAttributes.STEP_ID) ?? parentOf(span), traceId, parentOf(span), int(a, RuntraceAttributes.ATTEMPT_NUMBER),
    statusOf(span), str(a, HttpAttributes.REQUEST_METHOD), str(a, HttpAttributes.URL_FULL), urlPath(a), int(a, HttpAttributes.RESPONSE_STATUS_CODE),
    int(a, HttpAttributes.REQUEST_RESEND_COUNT), str(a, RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION), num(a, RuntraceAttributes.ATTEMPT_RETRY_DELAY_MS),
    str(a, HttpAttributes.ERROR_TYPE), str(a, RuntraceAttributes.ATTEMPT_ERROR), start, end, duration, end, json(a),
  ];
}

/** A span's row: its table and its values in the table's column order. */
export interface Row {
  readonly table: 'runs' | 'steps' | 'attempts';
  readonly values: readonly Cell[];
}

/** Converts a finished run, step or attempt span (the ceiling writes no other kind). */
export function toRow(span: ReadableSpan): Row {
  const kind = span.attributes[RuntraceAttributes.SPAN_KIND];
  if (kind === 'run') return { table: 'runs', values: runValues(span) };
  if (kind === 'step') return { table: 'steps', values: stepValues(span) };
  if (kind === 'attempt') return { table: 'attempts', values: attemptValues(span) };
  throw new Error(`the ceiling writes runs, steps and attempts only, not ${String(kind)}`);
}

// ---- writing, as SpanWriter does -----------------------------------------------------------------

/** Converts and writes run, step and attempt spans with the store's statements, one transaction per call. */
export class CeilingWriter {
  readonly #upsert: Readonly<Record<Row['table'], Statement>>;
  readonly #aggregate: Statement;
  readonly #begin: Statement;
  readonly #commit: Statement;

  constructor(db: SqliteDatabase) {
    this.#upsert = {
      runs: db.prepare(upsertSql('runs', 'run_id', RUN_COLUMNS)),
      steps: db.prepare(upsertSql('steps', 'step_id', STEP_COLUMNS)),
      attempts: db.prepare(upsertSql('attempts', 'attempt_id', ATTEMPT_COLUMNS)),
    };
    this.#aggregate = db.prepare(AGGREGATE_RUN_SQL);
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
  }

  /** One batch: convert each span, upsert its row, re-aggregate the runs without a summary, commit. */
  write(spans: readonly ReadableSpan[]): void {
    const touched = new Set<string>();
    const summarized = new Set<string>();
    this.#begin.run();
    for (const span of spans) {
      const row = toRow(span);
      const changes = (this.#upsert[row.table].run(row.values) as { changes: number }).changes;
      if (row.table === 'runs' && row.values[HAS_SUMMARY] === 1) summarized.add(String(row.values[0]));
      else if (changes > 0) touched.add(String(row.values[row.table === 'runs' ? 0 : 1]));
    }
    for (const runId of touched) if (!summarized.has(runId)) this.#aggregate.run({ run_id: runId });
    this.#commit.run();
  }
}
