// Writing rows: the upserts that keep a finished row final, the merge of runs made of other
// instrumentations' spans, the run roll-up, and the transactions that group waiting writes. Used by
// the writer thread and, for spool replay and tests, on the main thread.
import type Database from 'better-sqlite3';
import { OpsReader, encodedCount } from './ops-codec.js';
import type { EncodedOps } from './ops-codec.js';
import { ATTEMPT_COLUMNS, RESOURCE_COLUMNS, RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from './row-columns.js';
import type { RowValues, WriteOp } from './row-columns.js';
import type { SqliteDatabase } from './sqlite-connection.js';

/**
 * The upsert of a runtrace table, whose rows are keyed by `keyColumns`: a run by (run_id,
 * trace_id), a step, attempt or tool call by its run first (see migration 4).
 */
function upsertSql(table: string, keyColumns: readonly string[], columns: readonly string[]): string {
  const updates = columns
    .filter((column) => !keyColumns.includes(column))
    .map((column) =>
      column === 'last_activity_ms'
        ? `last_activity_ms = max(${table}.last_activity_ms, excluded.last_activity_ms)`
        : `${column} = excluded.${column}`,
    )
    .join(', ');
  // A terminal row is final: only an in-progress row may be replaced (by a newer in-progress
  // snapshot or by the finished span).
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
    ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${updates} WHERE ${table}.status = 'in_progress'`;
}

export const AGGREGATE_RUN_SQL = `
  UPDATE runs SET
    step_count = a.n, input_tokens = a.i, output_tokens = a.o, reasoning_tokens = a.r,
    cache_read_tokens = a.cr, cache_creation_tokens = a.cc, total_tokens = a.t,
    has_error = CASE WHEN runs.status = 'error' OR a.err > 0 THEN 1 ELSE 0 END,
    cost_unknown = CASE WHEN a.unk > 0 THEN 1 ELSE 0 END,
    cost_usd = CASE WHEN a.unk > 0 THEN NULL ELSE a.cost END,
    tool_call_count = (SELECT count(*) FROM tool_calls WHERE tool_calls.trace_id = runs.trace_id AND tool_calls.run_id = runs.run_id),
    -- The endpoint rule of core's endpointLabel: the first attempt with a method and path, whatever its outcome.
    endpoint = (SELECT upper(method) || ' ' || url_path FROM attempts
      WHERE attempts.trace_id = runs.trace_id AND attempts.run_id = runs.run_id AND method IS NOT NULL AND url_path IS NOT NULL
      ORDER BY start_ms LIMIT 1)
  FROM (SELECT count(*) AS n, coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o,
      coalesce(sum(reasoning_tokens), 0) AS r, coalesce(sum(cache_read_tokens), 0) AS cr,
      coalesce(sum(cache_creation_tokens), 0) AS cc, coalesce(sum(total_tokens), 0) AS t,
      coalesce(sum(status = 'error'), 0) AS err, coalesce(sum(cost_unknown), 0) AS unk, coalesce(sum(cost_usd), 0) AS cost
    FROM steps WHERE trace_id = @trace_id AND run_id = @run_id) AS a
  WHERE runs.trace_id = @trace_id AND runs.run_id = @run_id AND runs.has_summary = 0`;

/** SQL for the worse of two statuses of a foreign run's rows: error, then interrupted, then completed. */
function worseStatus(a: string, b: string): string {
  return `CASE WHEN 'error' IN (${a}, ${b}) THEN 'error' WHEN 'interrupted' IN (${a}, ${b}) THEN 'interrupted' ELSE 'completed' END`;
}

/**
 * Merges one span's view of a run made of other instrumentations' spans (a trace without a
 * runtrace run; its run id is the trace id) into the stored row, so spans arriving in any order,
 * batch or process make one run. Times widen to cover every span. An agent span's row (it has a
 * name) names the run — kind, name, status, model — when it ends last of what is stored (the
 * outermost agent contains the others); until one does, the run's status is the worst of its
 * spans'. Model, provider and conversation otherwise come from the first span that has them; the
 * figures are aggregated from the steps. Such a row is a roll-up, so unlike a runtrace run it
 * changes after it is terminal. Never touches a runtrace run (whose id is a span id).
 */
export const MERGE_FOREIGN_RUN_SQL = (() => {
  const takes = '(excluded.name IS NOT NULL AND (runs.name IS NULL OR excluded.end_ms >= runs.end_ms))';
  const named = (column: string): string => `${column} = CASE WHEN ${takes} THEN excluded.${column} ELSE runs.${column} END`;
  const first = (column: string): string => `${column} = CASE WHEN ${takes} THEN coalesce(excluded.${column}, runs.${column}) ELSE coalesce(runs.${column}, excluded.${column}) END`;
  return `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (run_id, trace_id) DO UPDATE SET
      ${['name', 'kind', 'status_message', 'error_type', 'parent_span_id', 'attributes', 'otel'].map(named).join(', ')},
      status = CASE WHEN ${takes} THEN excluded.status WHEN runs.name IS NOT NULL THEN runs.status ELSE ${worseStatus('runs.status', 'excluded.status')} END,
      ${['conversation_id', 'provider', 'model', 'normalized_model', 'service_name', 'service_version', 'deployment_environment', 'resource', 'resource_id'].map(first).join(', ')},
      start_ms = min(runs.start_ms, excluded.start_ms),
      end_ms = max(coalesce(runs.end_ms, excluded.end_ms), excluded.end_ms),
      duration_ms = max(coalesce(runs.end_ms, excluded.end_ms), excluded.end_ms) - min(runs.start_ms, excluded.start_ms),
      last_activity_ms = max(runs.last_activity_ms, excluded.last_activity_ms)
    WHERE runs.run_id = runs.trace_id`;
})();

/** Numbers the steps of a run made of other instrumentations' spans by start time, 1..n (they come in any order). */
export const NUMBER_FOREIGN_STEPS_SQL = `
  UPDATE steps SET number = ranked.n
  FROM (SELECT step_id, row_number() OVER (ORDER BY start_ms, step_id) AS n FROM steps WHERE trace_id = @trace_id AND run_id = @run_id) AS ranked
  WHERE steps.run_id = @run_id AND steps.step_id = ranked.step_id AND steps.trace_id = @trace_id AND steps.number IS NOT ranked.n`;

/**
 * One tool call recorded twice in a run — by an instrumentation of the application (another
 * library's tool span, or runtrace's \`run.tool()\`) and by runtrace from the wire (the model asked
 * for it, the next request carried its result) — is kept once: the application's record, which
 * timed the execution itself. Mirrors the processor's summary, which counts a call id once.
 */
export const DEDUPLICATE_TOOL_CALL_SQL = `
  DELETE FROM tool_calls
  WHERE trace_id = @trace_id AND run_id = @run_id AND call_id = @call_id AND json_extract(attributes, '$."runtrace.tool.from_wire"') = 1
    AND EXISTS (SELECT 1 FROM tool_calls AS recorded WHERE recorded.trace_id = @trace_id AND recorded.run_id = @run_id AND recorded.call_id = @call_id
      AND coalesce(json_extract(recorded.attributes, '$."runtrace.tool.from_wire"'), 0) <> 1)`;

const TOOL_RUN_ID = TOOL_COLUMNS.indexOf('run_id');
const TOOL_CALL_ID = TOOL_COLUMNS.indexOf('call_id');
const TOOL_ATTRIBUTES = TOOL_COLUMNS.indexOf('attributes');

/**
 * Whether a tool call row may have a twin to remove: one read on the wire, or one another library
 * recorded. runtrace's own `run.tool()` records need no check: the wire leaves out the call ids
 * the application recorded, and a wire record written after its twin removes itself.
 */
function mayHaveTwin(values: RowValues): boolean {
  const attributes = values[TOOL_ATTRIBUTES];
  return typeof attributes !== 'string' || attributes.includes('"runtrace.tool.from_wire":true') || !attributes.includes('"runtrace.span.kind"');
}

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
  readonly #mergeForeignRun: Database.Statement;
  readonly #numberForeignSteps: Database.Statement;
  readonly #deduplicateToolCall: Database.Statement;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #insertResource: Database.Statement;
  /** Runs by trace and run id (see {@link runKey}), as the statements' parameters. */
  readonly #touchedRuns = new Map<string, RunKey>();
  readonly #summarizedRuns = new Set<string>();
  readonly #foreignRuns = new Map<string, RunKey>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#upsert = {
      runs: db.prepare(upsertSql('runs', ['run_id', 'trace_id'], RUN_COLUMNS)),
      steps: db.prepare(upsertSql('steps', ['run_id', 'step_id', 'trace_id'], STEP_COLUMNS)),
      attempts: db.prepare(upsertSql('attempts', ['run_id', 'attempt_id', 'trace_id'], ATTEMPT_COLUMNS)),
      tool_calls: db.prepare(upsertSql('tool_calls', ['run_id', 'span_id', 'trace_id'], TOOL_COLUMNS)),
      spans: db.prepare(`INSERT OR IGNORE INTO spans (${SPAN_COLUMNS.join(', ')}) VALUES (${SPAN_COLUMNS.map(() => '?').join(', ')})`),
    };
    this.#insertEvent = db.prepare(
      'INSERT OR REPLACE INTO events (trace_id, span_id, seq, run_id, name, time_ms, attributes) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // A resource id is a digest of the resource: a row already there is this resource.
    this.#insertResource = db.prepare(`INSERT OR IGNORE INTO resources (${RESOURCE_COLUMNS.join(', ')}) VALUES (${RESOURCE_COLUMNS.map(() => '?').join(', ')})`);
    this.#aggregate = db.prepare(AGGREGATE_RUN_SQL);
    this.#mergeForeignRun = db.prepare(MERGE_FOREIGN_RUN_SQL);
    this.#numberForeignSteps = db.prepare(NUMBER_FOREIGN_STEPS_SQL);
    this.#deduplicateToolCall = db.prepare(DEDUPLICATE_TOOL_CALL_SQL);
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** Writes a batch in one transaction. */
  write(ops: readonly WriteOp[]): void {
    if (ops.length > 0) this.#transaction(() => this.add(ops));
  }

  /** Starts a write transaction. */
  begin(): void {
    this.#touchedRuns.clear();
    this.#summarizedRuns.clear();
    this.#foreignRuns.clear();
    this.#begin.run();
  }

  /** Writes ops into the open transaction. */
  add(ops: readonly WriteOp[]): void {
    for (const op of ops) this.#add(op);
  }

  /** Writes packed ops into the open transaction, unpacking one at a time (see {@link OpsReader}). */
  addEncoded(encoded: EncodedOps): void {
    const reader = new OpsReader(encoded);
    for (let op = reader.next(); op !== undefined; op = reader.next()) this.#add(op);
  }

  /** Writes packed ops in one transaction. */
  writeEncoded(encoded: EncodedOps): void {
    this.#transaction(() => this.addEncoded(encoded));
  }

  /** Runs `add` in a transaction of its own: committed, or rolled back when anything throws. */
  #transaction(add: () => void): void {
    this.begin();
    try {
      add();
      this.commit();
    } catch (error: unknown) {
      this.rollback();
      throw error;
    }
  }

  /** Re-aggregates the runs touched by the transaction's ops, then commits it. */
  commit(): void {
    // A run whose span carries its summary needs no aggregation from its children.
    for (const run of this.#foreignRuns.values()) this.#numberForeignSteps.run(run);
    for (const [key, run] of this.#touchedRuns) if (!this.#summarizedRuns.has(key)) this.#aggregate.run(run);
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

  #add(op: WriteOp): void {
    this.#writeOne(op);
    if (op.table === 'runs' && !op.aggregate) this.#summarizedRuns.add(runKey(op.traceId, op.spanId));
  }

  #writeOne(op: WriteOp): void {
    // Values are passed as arguments rather than in one array: better-sqlite3 then binds each
    // from its argument list, instead of reading it out of the array through N-API (a property
    // lookup per value). A row's values are numbers, strings and nulls only, which it binds alike.
    if (op.resource !== undefined) this.#insertResource.run(...op.resource);
    const foreignRun = op.table === 'runs' && op.foreignRun === true;
    const info = (foreignRun ? this.#mergeForeignRun : this.#upsert[op.table]).run(...op.values);
    if (info.changes === 0 || op.runId === null) return;
    if (op.runValues !== undefined) this.#mergeForeignRun.run(...op.runValues);
    const key = runKey(op.traceId, op.runId);
    if (foreignRun || op.runValues !== undefined) this.#foreignRuns.set(key, { trace_id: op.traceId, run_id: op.runId });
    if (op.table === 'tool_calls' && op.values[TOOL_CALL_ID] !== null && mayHaveTwin(op.values)) {
      this.#deduplicateToolCall.run({ trace_id: op.traceId, run_id: op.values[TOOL_RUN_ID], call_id: op.values[TOOL_CALL_ID] });
    }
    let seq = 0;
    for (const event of op.events) {
      this.#insertEvent.run(op.traceId, op.spanId, seq++, op.runId, event.name, event.time_ms, event.attributes);
    }
    if (op.aggregate && !this.#touchedRuns.has(key)) this.#touchedRuns.set(key, { trace_id: op.traceId, run_id: op.runId });
  }
}

/** A run's key, as the parameters of the statements that name one run. */
interface RunKey {
  readonly trace_id: string;
  readonly run_id: string;
}

/** One string for a run's key: a run id is only unique within its trace. */
function runKey(traceId: string, runId: string): string {
  return `${traceId}/${runId}`;
}

/** A unit of work: packed ops and the id the exporter waits on. */
export interface Unit {
  readonly id: number;
  readonly encoded: EncodedOps;
}

/**
 * Writes units in as few transactions as `maxBatchSpans` allows, unpacking each op only as it is
 * written. A failed transaction is retried unit by unit, so one unit's failure (a damaged buffer
 * included) is never another's. Returns each unit's outcome.
 */
export function writeUnits(writer: SpanWriter, units: readonly Unit[], maxBatchSpans: number, settle: (ids: number[], error?: unknown) => void): void {
  let index = 0;
  while (index < units.length) {
    const group: Unit[] = [];
    let groupOps = 0;
    while (index < units.length) {
      const unit = units[index]!;
      const count = encodedCount(unit.encoded);
      if (group.length > 0 && groupOps + count > maxBatchSpans) break;
      group.push(unit);
      groupOps += count;
      index += 1;
    }
    try {
      writer.begin();
      for (const unit of group) writer.addEncoded(unit.encoded);
      writer.commit();
      settle(group.map((unit) => unit.id));
    } catch (error: unknown) {
      writer.rollback();
      if (group.length === 1) {
        settle([group[0]!.id], error);
        continue;
      }
      for (const unit of group) {
        try {
          writer.writeEncoded(unit.encoded);
          settle([unit.id]);
        } catch (singleError: unknown) {
          settle([unit.id], singleError);
        }
      }
    }
  }
}
