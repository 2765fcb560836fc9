// The SQLite side of ingest: schema migrations, row upserts, the packing of rows for the trip to
// the writer worker and the worker's entry point. Self-contained on purpose (only better-sqlite3
// and node builtins): the same file runs on the main thread (migrations, sweeps) and as the worker
// thread's script.

import Database from 'better-sqlite3';
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 1;

export type SqliteDatabase = Database.Database;

export const RUN_COLUMNS = [
  'run_id', 'trace_id', 'parent_span_id', 'parent_run_id', 'name', 'kind', 'status', 'status_message',
  'error_type', 'conversation_id', 'root_conversation_id', 'parent_conversation_id', 'trigger_message_id',
  'history_tip_message_id', 'assistant_message_id', 'provider', 'model', 'normalized_model', 'label',
  'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'has_summary', 'step_count', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'tool_call_count', 'has_error', 'endpoint', 'first_message', 'cost_usd', 'cost_unknown', 'stale', 'attributes',
] as const;

export const STEP_COLUMNS = [
  'step_id', 'run_id', 'trace_id', 'parent_span_id', 'number', 'operation', 'status', 'status_message',
  'error_type', 'provider', 'request_model', 'response_model', 'response_id', 'finish_reasons', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'time_to_first_chunk_ms', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'cost_usd', 'cost_unknown',
  'attributes',
] as const;

export const ATTEMPT_COLUMNS = [
  'attempt_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'number', 'status', 'method', 'url', 'url_path',
  'status_code', 'resend_count', 'retry_classification', 'retry_delay_ms', 'error_type', 'error', 'start_ms',
  'end_ms', 'duration_ms', 'last_activity_ms', 'attributes',
] as const;

export const TOOL_COLUMNS = [
  'span_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'name', 'call_id', 'status', 'status_message',
  'error_type', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'attributes',
] as const;

export const SPAN_COLUMNS = [
  'span_id', 'trace_id', 'parent_span_id', 'name', 'span_kind', 'start_ms', 'end_ms', 'duration_ms', 'status_code',
  'status_message', 'scope', 'attributes', 'events',
] as const;

export type RunRow = Record<(typeof RUN_COLUMNS)[number], string | number | null>;
export type StepRow = Record<(typeof STEP_COLUMNS)[number], string | number | null>;
export type AttemptRow = Record<(typeof ATTEMPT_COLUMNS)[number], string | number | null>;
export type ToolRow = Record<(typeof TOOL_COLUMNS)[number], string | number | null>;
export type SpanRow = Record<(typeof SPAN_COLUMNS)[number], string | number | null>;

export interface EventRow {
  readonly name: string;
  readonly time_ms: number;
  readonly attributes: string;
}

/** A row's values in the column order of its table. */
export type RowValues = readonly (string | number | null)[];

/**
 * One row to write, as span conversion produces it. `events` are written (by sequence number,
 * so a finished span's superset overwrites a snapshot's) when the row is written; `aggregate`
 * re-derives the run's figures from its steps when the run has no summary.
 */
export interface RowOp {
  readonly table: 'runs' | 'steps' | 'attempts' | 'tool_calls' | 'spans';
  readonly values: RowValues;
  readonly events: readonly EventRow[];
  readonly aggregate: boolean;
}

/** A row to write with the keys of its events, read from its values by {@link decodeOps}. */
export interface WriteOp extends RowOp {
  readonly spanId: string;
  readonly runId: string | null;
}

const TABLES: readonly WriteOp['table'][] = ['runs', 'steps', 'attempts', 'tool_calls', 'spans'];
const TABLE_INDEX: Readonly<Record<WriteOp['table'], number>> = { runs: 0, steps: 1, attempts: 2, tool_calls: 3, spans: 4 };
const TABLE_COLUMNS: readonly (readonly string[])[] = [RUN_COLUMNS, STEP_COLUMNS, ATTEMPT_COLUMNS, TOOL_COLUMNS, SPAN_COLUMNS];
const CELL_NULL = 0;
const CELL_NUMBER = 1;
const CELL_TEXT = 2;

/**
 * Write operations packed for the trip to the writer worker: every text cell concatenated into
 * one string, every number (and text length) in one `Float64Array`, one tag per cell in a
 * `Uint8Array`. Cloning one string and transferring two buffers costs a fraction of
 * structured-cloning thousands of small arrays and objects, on both threads.
 *
 * Layout, per op: `numbers` holds the table index, the aggregate flag and the event count,
 * then one cell per column and three per event (name, time, attributes). A cell's tag says
 * whether it is null, a number (the next entry of `numbers`) or text (the next entry of
 * `numbers` is its length in `text`).
 */
export interface EncodedOps {
  /** Number of ops. */
  readonly count: number;
  readonly text: string;
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly tags: Uint8Array<ArrayBuffer>;
}

/** Packs ops for {@link decodeOps}. */
export function encodeOps(ops: readonly RowOp[]): EncodedOps {
  let cells = 0;
  for (const op of ops) cells += op.values.length + op.events.length * 3;
  const numbers = new Float64Array(cells + ops.length * 3);
  const tags = new Uint8Array(cells);
  const texts: string[] = [];
  let n = 0;
  let t = 0;
  const cell = (value: string | number | null): void => {
    if (value === null) {
      tags[t++] = CELL_NULL;
    } else if (typeof value === 'number') {
      tags[t++] = CELL_NUMBER;
      numbers[n++] = value;
    } else {
      tags[t++] = CELL_TEXT;
      numbers[n++] = value.length;
      texts.push(value);
    }
  };
  for (const op of ops) {
    numbers[n++] = TABLE_INDEX[op.table];
    numbers[n++] = op.aggregate ? 1 : 0;
    numbers[n++] = op.events.length;
    for (const value of op.values) cell(value);
    for (const event of op.events) {
      cell(event.name);
      cell(event.time_ms);
      cell(event.attributes);
    }
  }
  return { count: ops.length, text: texts.join(''), numbers: numbers.subarray(0, n), tags };
}

/** Unpacks what {@link encodeOps} packed. */
export function decodeOps(encoded: EncodedOps): WriteOp[] {
  const { text, numbers, tags } = encoded;
  let n = 0;
  let t = 0;
  let offset = 0;
  const cell = (): string | number | null => {
    const tag = tags[t++];
    if (tag === CELL_NUMBER) return numbers[n++]!;
    if (tag === CELL_TEXT) {
      const end = offset + numbers[n++]!;
      const value = text.slice(offset, end);
      offset = end;
      return value;
    }
    return null;
  };
  const ops: WriteOp[] = [];
  for (let index = 0; index < encoded.count; index++) {
    const tableIndex = numbers[n++]!;
    const table = TABLES[tableIndex]!;
    const aggregate = numbers[n++] === 1;
    const eventCount = numbers[n++]!;
    const columns = TABLE_COLUMNS[tableIndex]!.length;
    const values: (string | number | null)[] = new Array<string | number | null>(columns);
    for (let column = 0; column < columns; column++) values[column] = cell();
    const events: EventRow[] = [];
    for (let event = 0; event < eventCount; event++) {
      events.push({ name: String(cell()), time_ms: Number(cell()), attributes: String(cell()) });
    }
    const spanId = String(values[0]);
    // The key comes first; every runtrace table keeps its run id second (a run is its own).
    const runId = table === 'spans' ? null : table === 'runs' ? spanId : String(values[1]);
    ops.push({ table, values, spanId, runId, events, aggregate });
  }
  return ops;
}

const MIGRATIONS: readonly string[] = [
  // 1: runs, steps, attempts, tool calls, events and generic spans.
  `
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, parent_span_id TEXT, parent_run_id TEXT, name TEXT,
    kind TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, conversation_id TEXT,
    root_conversation_id TEXT, parent_conversation_id TEXT, trigger_message_id INTEGER,
    history_tip_message_id INTEGER, assistant_message_id INTEGER, provider TEXT, model TEXT,
    normalized_model TEXT, label TEXT, start_ms REAL NOT NULL, end_ms REAL, duration_ms REAL,
    last_activity_ms REAL NOT NULL, has_summary INTEGER NOT NULL DEFAULT 0, step_count INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0, cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0, total_tokens INTEGER NOT NULL DEFAULT 0,
    tool_call_count INTEGER NOT NULL DEFAULT 0, has_error INTEGER NOT NULL DEFAULT 0, endpoint TEXT,
    first_message TEXT, cost_usd REAL, cost_unknown INTEGER NOT NULL DEFAULT 0, stale INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX runs_by_start ON runs (start_ms, run_id);
  -- Covers overview and analytics scans, so aggregates never read the wide rows.
  CREATE INDEX runs_figures ON runs (start_ms, normalized_model, provider, status, input_tokens, output_tokens,
    reasoning_tokens, cache_read_tokens, cache_creation_tokens, total_tokens, cost_usd, cost_unknown, duration_ms,
    tool_call_count, run_id);
  CREATE INDEX runs_by_duration ON runs (coalesce(duration_ms, -1), run_id);
  CREATE INDEX runs_by_tokens ON runs (total_tokens, run_id);
  CREATE INDEX runs_by_cost ON runs (coalesce(cost_usd, -1), run_id);
  CREATE INDEX runs_by_conversation ON runs (conversation_id, start_ms);
  CREATE INDEX runs_by_root_conversation ON runs (root_conversation_id, start_ms);
  CREATE INDEX runs_by_trace ON runs (trace_id);
  CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
  CREATE INDEX runs_in_progress ON runs (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE steps (
    step_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, number INTEGER,
    operation TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, provider TEXT, request_model TEXT,
    response_model TEXT, response_id TEXT, finish_reasons TEXT, input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0, time_to_first_chunk_ms REAL, start_ms REAL NOT NULL, end_ms REAL,
    duration_ms REAL, last_activity_ms REAL NOT NULL, cost_usd REAL, cost_unknown INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX steps_by_run ON steps (run_id, number);
  CREATE INDEX steps_in_progress ON steps (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE attempts (
    attempt_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    number INTEGER, status TEXT NOT NULL, method TEXT, url TEXT, url_path TEXT, status_code INTEGER,
    resend_count INTEGER, retry_classification TEXT, retry_delay_ms REAL, error_type TEXT, error TEXT,
    start_ms REAL NOT NULL, end_ms REAL, duration_ms REAL, last_activity_ms REAL NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX attempts_by_run ON attempts (run_id, start_ms);
  CREATE INDEX attempts_in_progress ON attempts (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE tool_calls (
    span_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    name TEXT, call_id TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, start_ms REAL NOT NULL,
    end_ms REAL, duration_ms REAL, last_activity_ms REAL NOT NULL, attributes TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX tool_calls_by_run ON tool_calls (run_id, start_ms);
  CREATE INDEX tool_calls_in_progress ON tool_calls (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE events (
    span_id TEXT NOT NULL, seq INTEGER NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL, time_ms REAL NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (span_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX events_by_run ON events (run_id);

  CREATE TABLE spans (
    span_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL,
    span_kind INTEGER NOT NULL, start_ms REAL NOT NULL, end_ms REAL NOT NULL, duration_ms REAL NOT NULL,
    status_code INTEGER NOT NULL, status_message TEXT, scope TEXT, attributes TEXT NOT NULL DEFAULT '{}',
    events TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX spans_by_trace ON spans (trace_id, start_ms);
  CREATE INDEX spans_by_start ON spans (start_ms);
  `,
];

/** Outcome of {@link migrate}: `newer` when the file's schema is newer than this code knows. */
export type MigrateResult = { readonly ok: true; readonly from: number; readonly to: number } | { readonly ok: false; readonly found: number };

/** Opens a database file for reading and writing with the store's pragmas. */
export function openDatabase(path: string, options: { readonly busyTimeoutMs?: number } = {}): SqliteDatabase {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL with NORMAL sync: a commit is durable across application crashes (not power loss)
  // without an fsync per transaction. Per connection, so set on every one.
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Brings a database to {@link SCHEMA_VERSION}; never downgrades. */
export function migrate(db: SqliteDatabase): MigrateResult {
  const found = Number(db.pragma('user_version', { simple: true }));
  if (found > SCHEMA_VERSION) return { ok: false, found };
  if (found === 0) {
    // Must precede the first table so retention can give pages back to the file system.
    db.pragma('auto_vacuum = INCREMENTAL');
  }
  db.pragma('journal_mode = WAL');
  for (let version = found; version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return { ok: true, from: found, to: SCHEMA_VERSION };
}

function upsertSql(table: string, key: string, columns: readonly string[]): string {
  const updates = columns
    .filter((column) => column !== key)
    .map((column) =>
      column === 'last_activity_ms'
        ? `last_activity_ms = max(${table}.last_activity_ms, excluded.last_activity_ms)`
        : `${column} = excluded.${column}`,
    )
    .join(', ');
  // A terminal row is final: only an in-progress row may be replaced (by a newer in-progress
  // snapshot or by the finished span).
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

/**
 * Prepared statements for writing spans into one database. Writes happen in an explicit
 * transaction so the writer can keep adding ops to it while more arrive: {@link begin}, any
 * number of {@link add}, then {@link commit} (or {@link rollback}).
 */
export class SpanWriter {
  readonly #db: SqliteDatabase;
  readonly #upsert: Record<WriteOp['table'], Database.Statement>;
  readonly #insertEvent: Database.Statement;
  readonly #aggregate: Database.Statement;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #touchedRuns = new Set<string>();
  readonly #summarizedRuns = new Set<string>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#upsert = {
      runs: db.prepare(upsertSql('runs', 'run_id', RUN_COLUMNS)),
      steps: db.prepare(upsertSql('steps', 'step_id', STEP_COLUMNS)),
      attempts: db.prepare(upsertSql('attempts', 'attempt_id', ATTEMPT_COLUMNS)),
      tool_calls: db.prepare(upsertSql('tool_calls', 'span_id', TOOL_COLUMNS)),
      spans: db.prepare(`INSERT OR IGNORE INTO spans (${SPAN_COLUMNS.join(', ')}) VALUES (${SPAN_COLUMNS.map(() => '?').join(', ')})`),
    };
    this.#insertEvent = db.prepare(
      'INSERT OR REPLACE INTO events (span_id, seq, run_id, name, time_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#aggregate = db.prepare(AGGREGATE_RUN_SQL);
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** Writes a batch in one transaction. */
  write(ops: readonly WriteOp[]): void {
    if (ops.length === 0) return;
    this.begin();
    try {
      this.add(ops);
      this.commit();
    } catch (error: unknown) {
      this.rollback();
      throw error;
    }
  }

  /** Starts a write transaction. */
  begin(): void {
    this.#touchedRuns.clear();
    this.#summarizedRuns.clear();
    this.#begin.run();
  }

  /** Writes ops into the open transaction. */
  add(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      this.#writeOne(op);
      if (op.table === 'runs' && !op.aggregate) this.#summarizedRuns.add(op.spanId);
    }
  }

  /** Re-aggregates the runs touched by the transaction's ops, then commits it. */
  commit(): void {
    // A run whose span carries its summary needs no aggregation from its children.
    for (const runId of this.#touchedRuns) if (!this.#summarizedRuns.has(runId)) this.#aggregate.run({ run_id: runId });
    this.#commit.run();
  }

  /** Abandons the open transaction, if any. */
  rollback(): void {
    try {
      if (this.#db.inTransaction) this.#rollback.run();
    } catch {
      // SQLite already rolled it back (some errors end the transaction themselves).
    }
  }

  get database(): SqliteDatabase {
    return this.#db;
  }

  #writeOne(op: WriteOp): void {
    const info = this.#upsert[op.table].run(op.values);
    if (info.changes === 0 || op.runId === null) return;
    let seq = 0;
    for (const event of op.events) {
      this.#insertEvent.run(op.spanId, seq++, op.runId, event.name, event.time_ms, event.attributes);
    }
    if (op.aggregate) this.#touchedRuns.add(op.runId);
  }
}

/** Counts of rows a sweep finalized. */
export interface SweepCountsRow {
  readonly runs: number;
  readonly steps: number;
  readonly attempts: number;
  readonly toolCalls: number;
}

/** What a sweep that did not run finalized. */
export const NO_SWEEP: SweepCountsRow = { runs: 0, steps: 0, attempts: 0, toolCalls: 0 };

/**
 * Finalizes as interrupted every in-progress row with no activity since `cutoffMs`, and every
 * in-progress child of a run finalized by a sweep. Runs first, then their children. (A child of
 * a run that ended normally is left alone: its finished span may still be on its way.)
 */
export function sweepStale(db: SqliteDatabase, cutoffMs: number): SweepCountsRow {
  const message = 'no activity before the stale threshold; the recording process stopped';
  return db.transaction(() => {
    const staleRuns = db
      .prepare(
        `UPDATE runs SET status = 'interrupted', stale = 1, status_message = coalesce(status_message, @message),
           end_ms = max(start_ms, last_activity_ms), duration_ms = max(start_ms, last_activity_ms) - start_ms
         WHERE status = 'in_progress' AND last_activity_ms < @cutoff RETURNING run_id`,
      )
      .pluck()
      .all({ cutoff: cutoffMs, message }) as string[];
    const children = (table: string): number =>
      db
        .prepare(
          `UPDATE ${table} SET status = 'interrupted', end_ms = max(start_ms, last_activity_ms),
             duration_ms = max(start_ms, last_activity_ms) - start_ms
           WHERE status = 'in_progress' AND (last_activity_ms < @cutoff
             OR run_id IN (SELECT run_id FROM runs WHERE runs.run_id = ${table}.run_id AND runs.stale = 1 AND runs.status = 'interrupted'))`,
        )
        .run({ cutoff: cutoffMs }).changes;
    const steps = children('steps');
    const attempts = children('attempts');
    const toolCalls = children('tool_calls');
    const aggregate = db.prepare(AGGREGATE_RUN_SQL);
    for (const runId of staleRuns) aggregate.run({ run_id: runId });
    return { runs: staleRuns.length, steps, attempts, toolCalls };
  }).immediate();
}

/** Messages from the exporter to the writer worker. */
export type WriterRequest = { readonly type: 'write'; readonly id: number; readonly ops: EncodedOps } | { readonly type: 'close' };

/** Messages from the writer worker to the exporter. */
export type WriterResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'open-failed'; readonly message: string }
  | { readonly type: 'written'; readonly ids: readonly number[]; readonly error?: string }
  | { readonly type: 'closed' };

/** Data the worker is started with. */
export interface WriterWorkerData {
  readonly runtraceSqliteWriter: true;
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Most ops per transaction when several write requests are waiting. */
  readonly maxBatchSpans: number;
}

type WriteRequest = Extract<WriterRequest, { type: 'write' }>;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function runWorker(data: WriterWorkerData): void {
  const port = parentPort;
  if (port === null) return;
  let writer: SpanWriter;
  try {
    writer = new SpanWriter(openDatabase(data.path, { busyTimeoutMs: data.busyTimeoutMs }));
  } catch (error: unknown) {
    port.postMessage({ type: 'open-failed', message: errorMessage(error) } satisfies WriterResponse);
    return;
  }
  port.postMessage({ type: 'ready' } satisfies WriterResponse);

  const reply = (requests: readonly WriteRequest[], error?: unknown): void => {
    const ids = requests.map((request) => request.id);
    port.postMessage((error === undefined ? { type: 'written', ids } : { type: 'written', ids, error: errorMessage(error) }) satisfies WriterResponse);
  };
  const next = (): WriterRequest | undefined => receiveMessageOnPort(port)?.message as WriterRequest | undefined;
  const close = (): void => {
    writer.database.close();
    port.postMessage({ type: 'closed' } satisfies WriterResponse);
    port.close();
  };

  port.on('message', (first: WriterRequest) => {
    let request: WriterRequest | undefined = first;
    while (request !== undefined) {
      if (request.type === 'close') {
        close();
        return;
      }
      // One transaction per wake-up: requests that arrive while it is open (the rest of a large
      // export, other exports) join it, up to maxBatchSpans ops; it commits when none waits.
      const group: WriteRequest[] = [request];
      let groupOps = request.ops.count;
      let carried: WriterRequest | undefined;
      try {
        writer.begin();
        writer.add(decodeOps(request.ops));
        for (let waiting = next(); waiting !== undefined; waiting = next()) {
          if (waiting.type === 'close' || groupOps + waiting.ops.count > data.maxBatchSpans) {
            carried = waiting;
            break;
          }
          group.push(waiting);
          groupOps += waiting.ops.count;
          writer.add(decodeOps(waiting.ops));
        }
        writer.commit();
        reply(group);
      } catch (error: unknown) {
        writer.rollback();
        if (group.length === 1) {
          reply(group, error);
        } else {
          // Each request on its own, so one request's failure is never another's.
          for (const single of group) {
            try {
              writer.write(decodeOps(single.ops));
              reply([single]);
            } catch (singleError: unknown) {
              reply([single], singleError);
            }
          }
        }
      }
      request = carried ?? next();
    }
  });
}

function isWriterWorkerData(value: unknown): value is WriterWorkerData {
  return typeof value === 'object' && value !== null && (value as { runtraceSqliteWriter?: unknown }).runtraceSqliteWriter === true;
}

if (!isMainThread && isWriterWorkerData(workerData)) runWorker(workerData);
