// The store's schema: versioned migrations, applied once on the calling thread before any writer starts.

import type { SqliteDatabase } from './sqlite-connection.js';

import { SCHEMA_VERSION } from '../schema-version.js';

export { SCHEMA_VERSION };

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
  // 2: the service of each run and the rest of its run span's resource, so services and hosts sharing
  // a store are told apart; and each span's scope, trace state, links and dropped counts (\`otel\`).
  `
  ALTER TABLE runs ADD COLUMN service_name TEXT;
  ALTER TABLE runs ADD COLUMN service_version TEXT;
  ALTER TABLE runs ADD COLUMN deployment_environment TEXT;
  ALTER TABLE runs ADD COLUMN resource TEXT;
  ALTER TABLE runs ADD COLUMN otel TEXT;
  ALTER TABLE steps ADD COLUMN otel TEXT;
  ALTER TABLE attempts ADD COLUMN otel TEXT;
  ALTER TABLE tool_calls ADD COLUMN otel TEXT;
  -- Other instrumentations' spans are keyed by (trace_id, span_id): a span id another trace reuses is another span.
  CREATE TABLE spans_v2 (
    span_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL,
    span_kind INTEGER NOT NULL, start_ms REAL NOT NULL, end_ms REAL NOT NULL, duration_ms REAL NOT NULL,
    status_code INTEGER NOT NULL, status_message TEXT, scope TEXT, attributes TEXT NOT NULL DEFAULT '{}',
    events TEXT NOT NULL DEFAULT '[]', otel TEXT, PRIMARY KEY (trace_id, span_id)
  );
  INSERT INTO spans_v2 (span_id, trace_id, parent_span_id, name, span_kind, start_ms, end_ms, duration_ms, status_code, status_message, scope, attributes, events)
    SELECT span_id, trace_id, parent_span_id, name, span_kind, start_ms, end_ms, duration_ms, status_code, status_message, scope, attributes, events FROM spans;
  DROP TABLE spans;
  ALTER TABLE spans_v2 RENAME TO spans;
  CREATE INDEX spans_by_trace ON spans (trace_id, start_ms);
  CREATE INDEX spans_by_start ON spans (start_ms);
  CREATE INDEX runs_by_service ON runs (service_name, start_ms);
  `,
  // 3: every span keeps its resource (\`resources\`, one row per distinct resource, which spans name
  // by \`resource_id\`), and runtrace's own tables are keyed by (id, trace_id), so an id another
  // trace reuses is another run, step, attempt or tool call. The tables are rebuilt. (The id comes
  // first: a key led by the trace id makes inserts markedly slower.)
  `
  CREATE TABLE resources (
    resource_id TEXT PRIMARY KEY, service_name TEXT, service_version TEXT, deployment_environment TEXT,
    attributes TEXT NOT NULL DEFAULT '{}'
  );
  -- An event's span is named by its trace too: the trace of the row the event belongs to (read
  -- while the old tables still have their single-column keys), else its run's.
  CREATE TABLE events_v3 (
    trace_id TEXT NOT NULL, span_id TEXT NOT NULL, seq INTEGER NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL,
    time_ms REAL NOT NULL, attributes TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (span_id, trace_id, seq)
  ) WITHOUT ROWID;
  INSERT INTO events_v3 (trace_id, span_id, seq, run_id, name, time_ms, attributes)
    SELECT coalesce(
        (SELECT trace_id FROM runs WHERE runs.run_id = e.span_id), (SELECT trace_id FROM steps WHERE steps.step_id = e.span_id),
        (SELECT trace_id FROM attempts WHERE attempts.attempt_id = e.span_id), (SELECT trace_id FROM tool_calls WHERE tool_calls.span_id = e.span_id),
        (SELECT trace_id FROM runs WHERE runs.run_id = e.run_id), ''),
      e.span_id, e.seq, e.run_id, e.name, e.time_ms, e.attributes
    FROM events AS e;
  DROP TABLE events;
  ALTER TABLE events_v3 RENAME TO events;
  CREATE INDEX events_by_run ON events (run_id);

  CREATE TABLE runs_v3 (
    run_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, parent_run_id TEXT, name TEXT,
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
    attributes TEXT NOT NULL DEFAULT '{}', service_name TEXT, service_version TEXT, deployment_environment TEXT,
    resource TEXT, otel TEXT, resource_id TEXT, PRIMARY KEY (run_id, trace_id)
  );
  INSERT INTO runs_v3 SELECT *, NULL FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v3 RENAME TO runs;
  CREATE INDEX runs_by_trace ON runs (trace_id);
  CREATE INDEX runs_by_start ON runs (start_ms, run_id);
  CREATE INDEX runs_figures ON runs (start_ms, normalized_model, provider, status, input_tokens, output_tokens,
    reasoning_tokens, cache_read_tokens, cache_creation_tokens, total_tokens, cost_usd, cost_unknown, duration_ms,
    tool_call_count, run_id);
  CREATE INDEX runs_by_duration ON runs (coalesce(duration_ms, -1), run_id);
  CREATE INDEX runs_by_tokens ON runs (total_tokens, run_id);
  CREATE INDEX runs_by_cost ON runs (coalesce(cost_usd, -1), run_id);
  CREATE INDEX runs_by_conversation ON runs (conversation_id, start_ms);
  CREATE INDEX runs_by_root_conversation ON runs (root_conversation_id, start_ms);
  CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
  CREATE INDEX runs_in_progress ON runs (last_activity_ms) WHERE status = 'in_progress';
  CREATE INDEX runs_by_service ON runs (service_name, start_ms);

  CREATE TABLE steps_v3 (
    step_id TEXT NOT NULL, run_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, number INTEGER,
    operation TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, provider TEXT, request_model TEXT,
    response_model TEXT, response_id TEXT, finish_reasons TEXT, input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0, time_to_first_chunk_ms REAL, start_ms REAL NOT NULL, end_ms REAL,
    duration_ms REAL, last_activity_ms REAL NOT NULL, cost_usd REAL, cost_unknown INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT, PRIMARY KEY (step_id, trace_id)
  );
  INSERT INTO steps_v3 SELECT *, NULL FROM steps;
  DROP TABLE steps;
  ALTER TABLE steps_v3 RENAME TO steps;
  CREATE INDEX steps_by_run ON steps (run_id, number);
  CREATE INDEX steps_in_progress ON steps (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE attempts_v3 (
    attempt_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    number INTEGER, status TEXT NOT NULL, method TEXT, url TEXT, url_path TEXT, status_code INTEGER,
    resend_count INTEGER, retry_classification TEXT, retry_delay_ms REAL, error_type TEXT, error TEXT,
    start_ms REAL NOT NULL, end_ms REAL, duration_ms REAL, last_activity_ms REAL NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT, PRIMARY KEY (attempt_id, trace_id)
  );
  INSERT INTO attempts_v3 SELECT *, NULL FROM attempts;
  DROP TABLE attempts;
  ALTER TABLE attempts_v3 RENAME TO attempts;
  CREATE INDEX attempts_by_run ON attempts (run_id, start_ms);
  CREATE INDEX attempts_in_progress ON attempts (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE tool_calls_v3 (
    span_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    name TEXT, call_id TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, start_ms REAL NOT NULL,
    end_ms REAL, duration_ms REAL, last_activity_ms REAL NOT NULL, attributes TEXT NOT NULL DEFAULT '{}',
    otel TEXT, resource_id TEXT, PRIMARY KEY (span_id, trace_id)
  );
  INSERT INTO tool_calls_v3 SELECT *, NULL FROM tool_calls;
  DROP TABLE tool_calls;
  ALTER TABLE tool_calls_v3 RENAME TO tool_calls;
  CREATE INDEX tool_calls_by_run ON tool_calls (run_id, start_ms);
  CREATE INDEX tool_calls_in_progress ON tool_calls (last_activity_ms) WHERE status = 'in_progress';


  ALTER TABLE spans ADD COLUMN resource_id TEXT;
  `,
  // 4: steps, attempts and tool calls are keyed by their run first, (run_id, id, trace_id): one
  // index serves both the write's conflict check and the reads of a run's children, where a key on
  // the id and a second index by run made every write land on two random index pages (ids are
  // random, so each is a page no other recent write touched: a cache miss, then a page more in the
  // write-ahead log). The tables are rebuilt.
  `
  CREATE TABLE steps_v4 (
    step_id TEXT NOT NULL, run_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, number INTEGER,
    operation TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, provider TEXT, request_model TEXT,
    response_model TEXT, response_id TEXT, finish_reasons TEXT, input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0, reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0, cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0, time_to_first_chunk_ms REAL, start_ms REAL NOT NULL, end_ms REAL,
    duration_ms REAL, last_activity_ms REAL NOT NULL, cost_usd REAL, cost_unknown INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT, UNIQUE (run_id, step_id, trace_id)
  );
  INSERT INTO steps_v4 SELECT * FROM steps;
  DROP TABLE steps;
  ALTER TABLE steps_v4 RENAME TO steps;
  CREATE INDEX steps_in_progress ON steps (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE attempts_v4 (
    attempt_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    number INTEGER, status TEXT NOT NULL, method TEXT, url TEXT, url_path TEXT, status_code INTEGER,
    resend_count INTEGER, retry_classification TEXT, retry_delay_ms REAL, error_type TEXT, error TEXT,
    start_ms REAL NOT NULL, end_ms REAL, duration_ms REAL, last_activity_ms REAL NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT, UNIQUE (run_id, attempt_id, trace_id)
  );
  INSERT INTO attempts_v4 SELECT * FROM attempts;
  DROP TABLE attempts;
  ALTER TABLE attempts_v4 RENAME TO attempts;
  CREATE INDEX attempts_in_progress ON attempts (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE tool_calls_v4 (
    span_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    name TEXT, call_id TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, start_ms REAL NOT NULL,
    end_ms REAL, duration_ms REAL, last_activity_ms REAL NOT NULL, attributes TEXT NOT NULL DEFAULT '{}',
    otel TEXT, resource_id TEXT, UNIQUE (run_id, span_id, trace_id)
  );
  INSERT INTO tool_calls_v4 SELECT * FROM tool_calls;
  DROP TABLE tool_calls;
  ALTER TABLE tool_calls_v4 RENAME TO tool_calls;
  CREATE INDEX tool_calls_in_progress ON tool_calls (last_activity_ms) WHERE status = 'in_progress';
  `,
  // 5: no index of runs by a figure (duration, tokens, cost) or by trace. Figures and trace ids
  // are random, so each of these indexes put every run's write on a random page: once the store
  // outgrew the writer's page cache, a read and a page more in the write-ahead log per index and
  // run. Lists sorted by a figure pick their page from runs_figures (which holds every figure, in
  // time order); retention, the one reader of runs by trace alone, scans the primary key (which
  // holds the trace id) once per deletion instead.
  `
  DROP INDEX IF EXISTS runs_by_duration;
  DROP INDEX IF EXISTS runs_by_tokens;
  DROP INDEX IF EXISTS runs_by_cost;
  DROP INDEX IF EXISTS runs_by_trace;
  `,
];

/**
 * Outcome of {@link migrate}: `found` when the file's schema is newer than this code knows,
 * `foreignTables` when the file is another application's SQLite database (left untouched).
 */
export type MigrateResult =
  | { readonly ok: true; readonly from: number; readonly to: number }
  | { readonly ok: false; readonly found: number; readonly foreignTables?: readonly string[] };

/** How long opening waits for other processes that are switching the same new file to WAL. */
const WAL_SWITCH_TIMEOUT_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Puts the file in WAL mode. Switching needs the file to itself, and SQLite answers "database is
 * locked" at once, without waiting, while another process holds it (several processes opening a
 * new file together): so try again, a few milliseconds apart, for a while.
 */
function switchToWal(db: SqliteDatabase): void {
  const deadline = Date.now() + WAL_SWITCH_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error: unknown) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, Math.min(50, 2 + attempt * 2));
    }
  }
}

/** The runtrace schema version a file holds (SQLite's \`user_version\`). */
function versionOf(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Brings a database to {@link SCHEMA_VERSION} (or to an older \`target\`, which the tests of the
 * migrations use to make files of earlier versions); never downgrades. Safe when several
 * processes open the same file at once: each migration runs in a write transaction that reads
 * the version again once it holds the lock, so whoever comes second finds the work done.
 */
export function migrate(db: SqliteDatabase, target = SCHEMA_VERSION): MigrateResult {
  const found = versionOf(db);
  if (found > SCHEMA_VERSION) return { ok: false, found };
  if (found >= target) {
    switchToWal(db);
    return { ok: true, from: found, to: found };
  }
  // Before the first table (so retention can give pages back to the file system) and before WAL;
  // outside any transaction, where SQLite accepts both. A no-op on a file that has tables.
  if (found === 0) db.pragma('auto_vacuum = INCREMENTAL');
  switchToWal(db);
  const from = found;
  for (;;) {
    const step = db.transaction((): MigrateResult | undefined => {
      const current = versionOf(db);
      if (current > SCHEMA_VERSION) return { ok: false, found: current };
      if (current >= target) return undefined;
      if (current === 0) {
        // A file with tables but no runtrace schema version belongs to someone else, and
        // runtrace's tables must not be added to it. (Read under the lock: another process
        // may have just created runtrace's own.)
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 5").pluck().all() as string[];
        if (tables.length > 0) return { ok: false, found: current, foreignTables: tables };
      }
      const sql = MIGRATIONS[current];
      if (sql === undefined) return undefined;
      db.exec(sql);
      db.pragma(`user_version = ${current + 1}`);
      return { ok: true, from, to: current + 1 };
    });
    const result = step.immediate();
    if (result === undefined) return { ok: true, from, to: Math.max(versionOf(db), from) };
    if (!result.ok) return result;
  }
}
