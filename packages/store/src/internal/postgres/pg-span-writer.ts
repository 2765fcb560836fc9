// Writing rows into PostgreSQL: the same ops and rules as SQLite's span writer (a finished row is final, runs of other instrumentations' spans merge, run figures roll up from steps), as multi-row statements in one transaction per batch, safe for many writers at once.
import { ATTEMPT_COLUMNS, RESOURCE_COLUMNS, RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from '../row-columns.js';
import type { RowValues, WriteOp } from '../row-columns.js';
import type { PgClient } from './pg-client.js';
import { MARK_CHANGED_SQL } from './pg-schema.js';

type KeyedTable = 'runs' | 'steps' | 'attempts' | 'tool_calls';

/**
 * Each runtrace table: its name in PostgreSQL, its columns, its id column, and the columns of its
 * key (the upsert's conflict target): a run by (run_id, trace_id), a run's children by their run
 * first (layout 4, as SQLite's schema 4).
 */
const TABLES: Record<KeyedTable, { readonly name: string; readonly columns: readonly string[]; readonly key: string; readonly keyColumns: readonly string[] }> = {
  runs: { name: 'runtrace_runs', columns: RUN_COLUMNS, key: 'run_id', keyColumns: ['run_id', 'trace_id'] },
  steps: { name: 'runtrace_steps', columns: STEP_COLUMNS, key: 'step_id', keyColumns: ['run_id', 'step_id', 'trace_id'] },
  attempts: { name: 'runtrace_attempts', columns: ATTEMPT_COLUMNS, key: 'attempt_id', keyColumns: ['run_id', 'attempt_id', 'trace_id'] },
  tool_calls: { name: 'runtrace_tool_calls', columns: TOOL_COLUMNS, key: 'span_id', keyColumns: ['run_id', 'span_id', 'trace_id'] },
};

/**
 * Parameters per statement at most (PostgreSQL takes 65,535). Far under that limit: building and
 * encoding a statement is synchronous work on the host's event loop, and between statements the
 * loop is free, so smaller statements keep its delay short at no cost in throughput.
 */
const MAX_PARAMETERS = 8_000;

const STATUS = { runs: RUN_COLUMNS.indexOf('status'), steps: STEP_COLUMNS.indexOf('status'), attempts: ATTEMPT_COLUMNS.indexOf('status'), tool_calls: TOOL_COLUMNS.indexOf('status') };
const TOOL_RUN_ID = TOOL_COLUMNS.indexOf('run_id');
const TOOL_CALL_ID = TOOL_COLUMNS.indexOf('call_id');
const TOOL_ATTRIBUTES = TOOL_COLUMNS.indexOf('attributes');

/** Placeholder lists made so far, by rows and width: most statements are full chunks of the same shape. */
const madePlaceholders = new Map<string, string>();

/** `($1, $2, …), (…)` for `rows` rows of `width` values. */
function placeholders(rows: number, width: number): string {
  const key = `${rows}x${width}`;
  let made = madePlaceholders.get(key);
  if (made === undefined) {
    made = makePlaceholders(rows, width);
    // A handful of shapes in practice (the full chunk of each table and the last one); bounded anyway.
    if (madePlaceholders.size < 64) madePlaceholders.set(key, made);
  }
  return made;
}

function makePlaceholders(rows: number, width: number): string {
  const groups: string[] = [];
  for (let row = 0; row < rows; row++) {
    const names: string[] = [];
    for (let column = 1; column <= width; column++) names.push(`$${row * width + column}`);
    groups.push(`(${names.join(', ')})`);
  }
  return groups.join(', ');
}

/** Upsert statements made so far, by table and rows. */
const madeUpserts = new Map<string, string>();

/** The upsert of a runtrace table: a terminal row is final, only an in-progress row is replaced (SQLite's rule). Returns the keys it wrote. */
function upsertSql(table: KeyedTable, rows: number): string {
  const key = `${table}:${rows}`;
  let made = madeUpserts.get(key);
  if (made === undefined) {
    made = makeUpsertSql(table, rows);
    if (madeUpserts.size < 64) madeUpserts.set(key, made);
  }
  return made;
}

function makeUpsertSql(table: KeyedTable, rows: number): string {
  const { name, columns, key, keyColumns } = TABLES[table];
  const updates = columns
    .filter((column) => !keyColumns.includes(column))
    .map((column) => (column === 'last_activity_ms' ? `last_activity_ms = greatest(${name}.last_activity_ms, excluded.last_activity_ms)` : `${column} = excluded.${column}`))
    .join(', ');
  return `INSERT INTO ${name} (${columns.join(', ')}) VALUES ${placeholders(rows, columns.length)}
    ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${updates} WHERE ${name}.status = 'in_progress'
    RETURNING ${key} AS id, trace_id`;
}

/** SQLite's MERGE_FOREIGN_RUN_SQL in PostgreSQL's words (see span-writer.ts for the rule). */
const MERGE_FOREIGN_RUN_SQL = (() => {
  const takes = '(excluded.name IS NOT NULL AND (r.name IS NULL OR excluded.end_ms >= r.end_ms))';
  const named = (column: string): string => `${column} = CASE WHEN ${takes} THEN excluded.${column} ELSE r.${column} END`;
  const first = (column: string): string => `${column} = CASE WHEN ${takes} THEN coalesce(excluded.${column}, r.${column}) ELSE coalesce(r.${column}, excluded.${column}) END`;
  const worse = `CASE WHEN 'error' IN (r.status, excluded.status) THEN 'error' WHEN 'interrupted' IN (r.status, excluded.status) THEN 'interrupted' ELSE 'completed' END`;
  return `INSERT INTO runtrace_runs AS r (${RUN_COLUMNS.join(', ')}) VALUES ${placeholders(1, RUN_COLUMNS.length)}
    ON CONFLICT (run_id, trace_id) DO UPDATE SET
      ${['name', 'kind', 'status_message', 'error_type', 'parent_span_id', 'attributes', 'otel'].map(named).join(', ')},
      status = CASE WHEN ${takes} THEN excluded.status WHEN r.name IS NOT NULL THEN r.status ELSE ${worse} END,
      ${['conversation_id', 'provider', 'model', 'normalized_model', 'service_name', 'service_version', 'deployment_environment', 'resource', 'resource_id'].map(first).join(', ')},
      start_ms = least(r.start_ms, excluded.start_ms),
      end_ms = greatest(coalesce(r.end_ms, excluded.end_ms), excluded.end_ms),
      duration_ms = greatest(coalesce(r.end_ms, excluded.end_ms), excluded.end_ms) - least(r.start_ms, excluded.start_ms),
      last_activity_ms = greatest(r.last_activity_ms, excluded.last_activity_ms)
    WHERE r.run_id = r.trace_id`;
})();

/** SQLite's AGGREGATE_RUN_SQL (core's step cost and endpoint rules) for every run named in $1/$2 at once. */
export const AGGREGATE_RUNS_SQL = `
  UPDATE runtrace_runs AS r SET
    step_count = a.n, input_tokens = a.i, output_tokens = a.o, reasoning_tokens = a.rt,
    cache_read_tokens = a.cr, cache_creation_tokens = a.cc, total_tokens = a.t,
    has_error = CASE WHEN r.status = 'error' OR a.err > 0 THEN 1 ELSE 0 END,
    cost_unknown = CASE WHEN a.unk > 0 THEN 1 ELSE 0 END,
    cost_usd = CASE WHEN a.unk > 0 THEN NULL ELSE a.cost END,
    tool_call_count = (SELECT count(*) FROM runtrace_tool_calls AS t WHERE t.trace_id = r.trace_id AND t.run_id = r.run_id),
    -- The endpoint rule of core's endpointLabel: the first attempt with a method and path, whatever its outcome.
    endpoint = (SELECT upper(method) || ' ' || url_path FROM runtrace_attempts AS at
      WHERE at.trace_id = r.trace_id AND at.run_id = r.run_id AND method IS NOT NULL AND url_path IS NOT NULL
      ORDER BY start_ms LIMIT 1)
  FROM (SELECT k.trace_id, k.run_id, count(s.step_id) AS n, coalesce(sum(s.input_tokens), 0) AS i,
      coalesce(sum(s.output_tokens), 0) AS o, coalesce(sum(s.reasoning_tokens), 0) AS rt,
      coalesce(sum(s.cache_read_tokens), 0) AS cr, coalesce(sum(s.cache_creation_tokens), 0) AS cc,
      coalesce(sum(s.total_tokens), 0) AS t, count(*) FILTER (WHERE s.status = 'error') AS err,
      coalesce(sum(s.cost_unknown), 0) AS unk, coalesce(sum(s.cost_usd), 0) AS cost
    FROM unnest($1::text[], $2::text[]) AS k (trace_id, run_id)
    LEFT JOIN runtrace_steps AS s ON s.trace_id = k.trace_id AND s.run_id = k.run_id
    GROUP BY k.trace_id, k.run_id) AS a
  WHERE r.trace_id = a.trace_id AND r.run_id = a.run_id AND r.has_summary = 0`;

/** SQLite's NUMBER_FOREIGN_STEPS_SQL: the steps of runs made of other instrumentations' spans, numbered by start time. */
const NUMBER_FOREIGN_STEPS_SQL = `
  UPDATE runtrace_steps AS s SET number = ranked.n
  FROM (SELECT step_id, trace_id, row_number() OVER (PARTITION BY trace_id, run_id ORDER BY start_ms, step_id) AS n
    FROM runtrace_steps WHERE (trace_id, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))) AS ranked
  WHERE s.trace_id = ranked.trace_id AND s.step_id = ranked.step_id AND s.number IS DISTINCT FROM ranked.n`;

/** SQLite's DEDUPLICATE_TOOL_CALL_SQL: a tool call read on the wire gives way to the application's record of it. */
const DEDUPLICATE_TOOL_CALL_SQL = `
  DELETE FROM runtrace_tool_calls AS t
  WHERE t.trace_id = $1 AND t.run_id = $2 AND t.call_id = $3 AND (t.attributes::jsonb ->> 'runtrace.tool.from_wire') = 'true'
    AND EXISTS (SELECT 1 FROM runtrace_tool_calls AS recorded WHERE recorded.trace_id = $1 AND recorded.run_id = $2 AND recorded.call_id = $3
      AND coalesce(recorded.attributes::jsonb ->> 'runtrace.tool.from_wire', 'false') <> 'true')`;

/**
 * Takes a transaction-level advisory lock per trace the batch writes, in one order for everyone:
 * writers of the same traces take turns (a run's roll-up reads and updates rows of its whole
 * trace), writers of other traces go on side by side.
 */
const LOCK_TRACES_SQL = `
  SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT hashtextextended(trace_id, 0) AS key FROM unnest($1::text[]) AS t (trace_id) ORDER BY key) AS keys`;

/** How often a batch is tried again when PostgreSQL chose it as a deadlock victim or its serialization failed. */
const MAX_ATTEMPTS = 5;

/** SQLSTATEs of failures that a new attempt of the same transaction can get past. */
export const RETRIED_CODES = new Set(['40P01', '40001']);

/** Whether a tool call row may have a twin to remove (span-writer.ts's rule). */
function mayHaveTwin(values: RowValues): boolean {
  const attributes = values[TOOL_ATTRIBUTES];
  return typeof attributes !== 'string' || attributes.includes('"runtrace.tool.from_wire":true') || !attributes.includes('"runtrace.span.kind"');
}

function keyOf(traceId: string, id: string): string {
  return `${traceId}/${id}`;
}

/**
 * The ops of one batch that write the same row, reduced to the one that decides it, as applying
 * them one by one would: the first terminal one (nothing replaces it), else the last snapshot.
 */
function decidingOps(ops: readonly WriteOp[], table: KeyedTable): Map<string, WriteOp> {
  const status = STATUS[table];
  const chosen = new Map<string, WriteOp>();
  for (const op of ops) {
    const key = keyOf(op.traceId, op.spanId);
    const previous = chosen.get(key);
    if (previous === undefined || previous.values[status] === 'in_progress') chosen.set(key, op);
  }
  return chosen;
}

/** Rows of a batch in chunks whose parameters fit one statement. */
function* chunks<T>(items: readonly T[], width: number): Generator<T[]> {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / width));
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/**
 * Writes batches of row ops into PostgreSQL, each in one transaction on the client it is given
 * (one connection). Several writers may write the same rows at the same moment: every statement
 * is an idempotent upsert keyed like SQLite's tables, and a finished row always wins over an
 * in-progress one, whichever commits first.
 */
export class PgSpanWriter {
  /**
   * Writes one batch in one transaction; rolls it back and rethrows when a statement fails (after
   * a few new attempts when the failure was a deadlock or a serialization failure).
   */
  async write(client: PgClient, ops: readonly WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      await client.query('BEGIN');
      try {
        await this.#add(client, ops);
        await client.query(MARK_CHANGED_SQL);
        await client.query('COMMIT');
        return;
      } catch (error: unknown) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (error as { code?: unknown }).code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRIED_CODES.has(code)) throw error;
      }
    }
  }

  async #add(client: PgClient, ops: readonly WriteOp[]): Promise<void> {
    await client.query(LOCK_TRACES_SQL, [[...new Set(ops.map((op) => op.traceId))]]);
    const resources = new Map<string, RowValues>();
    for (const op of ops) if (op.resource !== undefined) resources.set(String(op.resource[0]), op.resource);
    for (const rows of chunks([...resources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row), RESOURCE_COLUMNS.length)) {
      // A resource id is a digest of the resource: a row already there is this resource.
      await client.query(`INSERT INTO runtrace_resources (${RESOURCE_COLUMNS.join(', ')}) VALUES ${placeholders(rows.length, RESOURCE_COLUMNS.length)} ON CONFLICT DO NOTHING`, rows.flat());
    }

    const touched = new Map<string, { readonly traceId: string; readonly runId: string }>();
    const summarized = new Set<string>();
    const foreignRuns = new Map<string, { readonly traceId: string; readonly runId: string }>();
    const written: WriteOp[] = [];

    // Runs of other instrumentations' spans merge row by row, in order: each span widens the run.
    for (const op of ops) {
      if (op.table !== 'runs' || op.foreignRun !== true) continue;
      const result = await client.query(MERGE_FOREIGN_RUN_SQL, op.values);
      if ((result.rowCount ?? 0) > 0) written.push(op);
    }
    // A foreign run's steps and tool calls (they carry `foreignRun` too) are upserted like runtrace's own.
    for (const table of ['runs', 'steps', 'attempts', 'tool_calls'] as const) {
      // In key order, so that writers upserting the same rows lock them in the same order (no deadlock).
      const deciding = [...decidingOps(ops.filter((op) => op.table === table && !(table === 'runs' && op.foreignRun === true)), table)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, op]) => op);
      const byKey = new Map(deciding.map((op) => [keyOf(op.traceId, op.spanId), op]));
      for (const rows of chunks(deciding, TABLES[table].columns.length)) {
        const result = await client.query<{ id: string; trace_id: string }>(upsertSql(table, rows.length), rows.flatMap((op) => op.values));
        for (const row of result.rows) written.push(byKey.get(keyOf(row.trace_id, row.id))!);
      }
    }
    const generic = ops.filter((op) => op.table === 'spans');
    for (const rows of chunks(generic, SPAN_COLUMNS.length)) {
      await client.query(`INSERT INTO runtrace_spans (${SPAN_COLUMNS.join(', ')}) VALUES ${placeholders(rows.length, SPAN_COLUMNS.length)} ON CONFLICT DO NOTHING`, rows.flatMap((op) => op.values));
    }

    const events: unknown[][] = [];
    for (const op of written) {
      if (op.table === 'runs' && !op.aggregate) summarized.add(keyOf(op.traceId, op.spanId));
      if (op.runId === null) continue;
      const key = keyOf(op.traceId, op.runId);
      if (op.runValues !== undefined) await client.query(MERGE_FOREIGN_RUN_SQL, op.runValues);
      if ((op.table === 'runs' && op.foreignRun === true) || op.runValues !== undefined) foreignRuns.set(key, { traceId: op.traceId, runId: op.runId });
      if (op.table === 'tool_calls' && op.values[TOOL_CALL_ID] !== null && mayHaveTwin(op.values)) {
        await client.query(DEDUPLICATE_TOOL_CALL_SQL, [op.traceId, op.values[TOOL_RUN_ID], op.values[TOOL_CALL_ID]]);
      }
      op.events.forEach((event, seq) => events.push([op.traceId, op.spanId, seq, op.runId, event.name, event.time_ms, event.attributes]));
      if (op.aggregate) touched.set(key, { traceId: op.traceId, runId: op.runId });
    }
    for (const rows of chunks(events, 7)) {
      // By sequence number: a finished span's events (a superset) overwrite its snapshot's.
      await client.query(
        `INSERT INTO runtrace_events (trace_id, span_id, seq, run_id, name, time_ms, attributes) VALUES ${placeholders(rows.length, 7)}
          ON CONFLICT (span_id, trace_id, seq) DO UPDATE SET run_id = excluded.run_id, name = excluded.name, time_ms = excluded.time_ms, attributes = excluded.attributes`,
        rows.flat(),
      );
    }
    if (foreignRuns.size > 0) {
      const runs = [...foreignRuns.values()];
      await client.query(NUMBER_FOREIGN_STEPS_SQL, [runs.map((run) => run.traceId), runs.map((run) => run.runId)]);
    }
    // A run whose span carries its summary needs no aggregation from its children.
    const aggregate = [...touched].filter(([key]) => !summarized.has(key)).map(([, run]) => run);
    if (aggregate.length > 0) {
      await client.query(AGGREGATE_RUNS_SQL, [aggregate.map((run) => run.traceId), aggregate.map((run) => run.runId)]);
    }
  }
}
