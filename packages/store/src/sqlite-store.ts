// The local store's query side: list, detail, overview, analytics, deletes, retention and sweeps.

import { DEFAULT_STALE_AFTER_MS, InvalidArgumentError, ShutDownError, normalizeModel } from '@runtrace/core';
import { positiveOption } from '@runtrace/core/internal';
import type Database from 'better-sqlite3';
import type {
  Analytics,
  AnalyticsOptions,
  DeleteAfterMessageOptions,
  DeleteConversationOptions,
  DeleteResult,
  ListRunsOptions,
  Overview,
  OverviewOptions,
  RetentionOptions,
  RetentionResult,
  RunAnalytics,
  RunDetail,
  RunLookupOptions,
  RunPage,
  RunSummary,
  StoredResource,
  StorePricing,
  StoreSweepResult,
  SweepOptions,
} from './query-types.js';
import { openDatabaseFile, requireFilePath } from './internal/open-database-file.js';
import { encodeCursor, listPlan, requireText, timeRange, toEpochMs, whereRuns } from './internal/run-filters.js';
import type { SqlParams } from './internal/run-filters.js';
import { numberOrZero, parseObject, toAttempt, toEvent, toGenericSpan, toOtel, toRunSummary, toStep, toStoredResource, toToolCall } from './internal/row-mappers.js';
import type { Row, StepProblems } from './internal/row-mappers.js';
import { NO_SWEEP, sweepStale } from './internal/sweep-stale.js';
import { applyRetention, deleteRuns } from './internal/retention.js';
import { analyticsOf, countIf, figuresOf, runFiguresOf } from './internal/analytics-queries.js';
import type { StoreQueries } from './internal/analytics-queries.js';
import type { SqliteDatabase } from './internal/sqlite-connection.js';
import { SqliteSpanExporter } from './sqlite-span-exporter.js';
import type { SqliteSpanExporterOptions } from './sqlite-span-exporter.js';

/** Options of {@link openStore}. */
export interface SqliteStoreOptions {
  /** The SQLite file; created (with its directory) when missing. */
  readonly path: string;
  /** Idle time after which an in-progress row counts as stale. Default 5 minutes. */
  readonly staleAfterMs?: number;
  /** Finalize stale in-progress rows (left by a process that died) on open. Default `true`. */
  readonly sweepOnOpen?: boolean;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** How long a statement waits for a lock held by another connection. Default 5,000 ms. */
  readonly busyTimeoutMs?: number;
  /** Normalizes model names for the `model` filter. Default: the core `normalizeModel`. */
  readonly normalizeModel?: (model: string) => string;
  /** Pricing given to exporters made by {@link SqliteStore.createExporter}. Default: the core default table. */
  readonly pricing?: StorePricing;
}

// The statements getRun and runAnalytics share (one prepared statement each).
// A run is named by its trace and its id (an id is only unique within its trace).
const STEPS_OF_RUN = 'SELECT * FROM steps WHERE trace_id = ? AND run_id = ? ORDER BY number IS NULL, number, start_ms, step_id';
const ATTEMPTS_OF_RUN = 'SELECT * FROM attempts WHERE trace_id = ? AND run_id = ? ORDER BY start_ms, attempt_id';
const TOOL_CALLS_OF_RUN = 'SELECT * FROM tool_calls WHERE trace_id = ? AND run_id = ? ORDER BY start_ms, span_id';
/** The run a run id names: the newest, should several traces reuse the id. */
const RUN_BY_ID = 'SELECT * FROM runs WHERE run_id = ? ORDER BY start_ms DESC LIMIT 1';
const RUN_BY_KEY = 'SELECT * FROM runs WHERE trace_id = ? AND run_id = ?';

/**
 * The local store: opens (and migrates) a SQLite file and answers queries about the runs in it.
 * Reads run on the calling thread with their own connection; ingest goes through
 * {@link SqliteSpanExporter}.
 *
 * @example
 * const store = openStore({ path: '.runtrace/runtrace.db' });
 * const { runs } = store.listRuns({ status: 'error', limit: 20 });
 * const detail = store.getRun(runs[0].runId);
 * store.close();
 */
export class SqliteStore {
  /** The SQLite file. */
  readonly path: string;
  /** What the sweep on open finalized (zeros when it did not run). */
  readonly openSweep: StoreSweepResult;

  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #staleAfterMs: number;
  readonly #busyTimeoutMs: number;
  readonly #normalizeModel: (model: string) => string;
  readonly #pricing: StorePricing | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  /** The cached statements, as the aggregate queries reach them. */
  readonly #queries: StoreQueries = { all: (sql, params) => this.#all(sql, params), get: (sql, params) => this.#get(sql, params) };
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidArgumentError('options.path', options.path, 'a non-empty file path');
    }
    this.path = requireFilePath(options.path);
    this.#now = options.now ?? Date.now;
    this.#staleAfterMs = positiveOption('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS, { unit: 'milliseconds' });
    this.#busyTimeoutMs = positiveOption('options.busyTimeoutMs', options.busyTimeoutMs, 5_000, { unit: 'milliseconds' });
    this.#normalizeModel = options.normalizeModel ?? normalizeModel;
    this.#pricing = options.pricing;
    this.#db = openDatabaseFile(this.path, this.#busyTimeoutMs);
    this.openSweep = options.sweepOnOpen === false ? NO_SWEEP : sweepStale(this.#db, this.#now() - this.#staleAfterMs);
  }

  /**
   * A page of runs, newest first by default. Filters combine with AND; the time range selects
   * runs that overlap it. Paging is by cursor (keyset), so runs recorded meanwhile never shift
   * or repeat rows of later pages.
   *
   * @example
   * let page = store.listRuns({ conversationId: 'c1', sort: 'cost', limit: 50 });
   * while (page.nextCursor) page = store.listRuns({ conversationId: 'c1', sort: 'cost', cursor: page.nextCursor });
   */
  listRuns(options: ListRunsOptions = {}): RunPage {
    const plan = listPlan(options);
    const where = whereRuns(options, { time: 'overlap', normalizeModel: this.#normalizeModel });
    const params: SqlParams = { ...where.params, limit: plan.limit + 1 };
    const compare = plan.direction === 'desc' ? '<' : '>';
    let keyset = '';
    if (plan.cursor !== undefined) {
      params.c_value = plan.cursor.value;
      params.c_run = plan.cursor.runId;
      keyset = ` AND (${plan.expression} ${compare} @c_value OR (${plan.expression} = @c_value AND run_id ${compare} @c_run))`;
    }
    const order = plan.direction === 'desc' ? 'DESC' : 'ASC';
    const rows = this.#all(
      `SELECT *, ${plan.expression} AS sort_value FROM runs WHERE ${where.sql}${keyset} ORDER BY ${plan.expression} ${order}, run_id ${order} LIMIT @limit`,
      params,
    );
    const page = rows.slice(0, plan.limit);
    const last = page.at(-1);
    return {
      runs: this.#summaries(page),
      nextCursor: rows.length > plan.limit && last !== undefined ? encodeCursor(plan.sort, plan.direction, numberOrZero(last.sort_value), String(last.run_id)) : null,
    };
  }

  /**
   * The runs of `rows` as summaries. A run without a summary on its span (a run made of other
   * instrumentations' spans, or one still open) gets its failed and interrupted steps counted
   * from its step rows — in one query for these rows, not per run of a whole filter (as a column
   * of the sorted query would cost).
   */
  #summaries(rows: readonly Row[]): RunSummary[] {
    const open = rows.filter((row) => row.has_summary === 0);
    const counted = new Map<string, StepProblems>();
    const key = (row: Row): string => `${String(row.trace_id)}/${String(row.run_id)}`;
    if (open.length > 0) {
      const found = this.#all(
        `SELECT trace_id, run_id, ${countIf("status = 'error'")} AS failed, ${countIf("status = 'interrupted'")} AS interrupted
          FROM steps WHERE (trace_id, run_id) IN (VALUES ${open.map(() => '(?, ?)').join(', ')}) GROUP BY trace_id, run_id`,
        open.flatMap((row) => [String(row.trace_id), String(row.run_id)]),
      );
      for (const row of found) counted.set(key(row), { failedStepCount: numberOrZero(row.failed), interruptedStepCount: numberOrZero(row.interrupted) });
    }
    return rows.map((row) => toRunSummary(row, counted.get(key(row))));
  }

  /**
   * One run with its steps (in step order), attempts, tool calls, events, sub-agent runs, the
   * other spans of its trace and the resources of all of them; `undefined` when no run has this
   * id. A run id is unique within its trace: should runs of several traces have this one (ids a
   * collector received from elsewhere), `traceId` says which, else the newest is returned.
   *
   * @example
   * const detail = store.getRun('1f2e3d4c5b6a7980');
   * if (detail) for (const step of detail.steps) console.log(step.number, step.status, step.outputTokens);
   */
  getRun(runId: string, options: RunLookupOptions = {}): RunDetail | undefined {
    const row = this.#runRow(runId, options);
    if (row === undefined) return undefined;
    const key = [String(row.trace_id), String(row.run_id)];
    const [run] = this.#summaries([row]) as [RunSummary];
    const steps = this.#all(STEPS_OF_RUN, key).map(toStep);
    const reasons = run.costUnknown ? steps.flatMap((step) => (step.costUnknownReason === null ? [] : [step.costUnknownReason])) : [];
    const attempts = this.#all(ATTEMPTS_OF_RUN, key).map(toAttempt);
    const toolCalls = this.#all(TOOL_CALLS_OF_RUN, key).map(toToolCall);
    const spans = this.#all('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ms, span_id', [key[0]]).map(toGenericSpan);
    const resourceId = typeof row.resource_id === 'string' ? row.resource_id : null;
    const resources = this.#resources([resourceId, ...[steps, attempts, toolCalls, spans].flatMap((rows) => rows.map((found) => found.resourceId))]);
    return {
      run,
      attributes: parseObject(row.attributes),
      // Schema 2 kept the run's resource in its row; schema 3 in the resources table.
      resource: resourceId === null ? (typeof row.resource === 'string' ? parseObject(row.resource) : null) : (resources[resourceId]?.attributes ?? null),
      resourceId,
      resources,
      otel: toOtel(row.otel),
      steps,
      costUnknownReasons: [...new Set(reasons)],
      attempts,
      toolCalls,
      events: this.#all('SELECT * FROM events WHERE trace_id = ? AND run_id = ? ORDER BY time_ms, span_id, seq', key).map(toEvent),
      spans,
      childRuns: this.#summaries(this.#all('SELECT * FROM runs WHERE trace_id = ? AND parent_run_id = ? ORDER BY start_ms, run_id', key)),
    };
  }

  /** The run row a lookup names (see {@link getRun}). */
  #runRow(runId: string, options: RunLookupOptions): Row | undefined {
    if (typeof runId !== 'string' || runId === '') throw new InvalidArgumentError('runId', runId, 'a run id');
    const traceId = options.traceId;
    if (traceId !== undefined && (typeof traceId !== 'string' || traceId === '')) throw new InvalidArgumentError('traceId', traceId, 'a trace id');
    return traceId === undefined ? this.#get(RUN_BY_ID, [runId]) : this.#get(RUN_BY_KEY, [traceId, runId]);
  }

  /** The stored resources of these ids, by id. */
  #resources(ids: readonly (string | null)[]): Record<string, StoredResource> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    const found: Record<string, StoredResource> = {};
    if (wanted.length === 0) return found;
    for (const row of this.#all(`SELECT * FROM resources WHERE resource_id IN (${wanted.map(() => '?').join(', ')})`, wanted)) {
      const resource = toStoredResource(row);
      found[resource.resourceId] = resource;
    }
    return found;
  }


  /**
   * Totals for the runs that started in a period (or ever, without `from`/`to`), with the same
   * figures for the period of equal length just before it.
   *
   * @example
   * const week = store.overview({ from: Date.now() - 7 * 86_400_000, to: Date.now() });
   * console.log(week.costUsd, week.previousPeriod?.costUsd, week.successRate);
   */
  overview(options: OverviewOptions = {}): Overview {
    const range = timeRange(options);
    const current = figuresOf(this.#queries, options, range, this.#normalizeModel);
    if (range.from === undefined || range.to === undefined) return { ...current, previousPeriod: null };
    const length = range.to - range.from;
    return { ...current, previousPeriod: figuresOf(this.#queries, options, { from: range.from - length, to: range.from }, this.#normalizeModel) };
  }

  /**
   * Analytics across the runs that started in a period: activity by day (every day present),
   * duration and cost buckets (always all six), model performance, providers and top tools.
   *
   * @example
   * const { activityByDay, costBuckets, topTools } = store.analytics({ from: Date.parse('2026-01-01'), to: Date.parse('2026-02-01') });
   */
  analytics(options: AnalyticsOptions = {}): Analytics {
    return analyticsOf(this.#queries, options, this.#normalizeModel);
  }


  /**
   * Figures of one run: steps, attempts and retries, time to first token, tokens per second,
   * longest pause, tools. `undefined` when no run has this id.
   *
   * @example
   * const figures = store.runAnalytics(runId);
   * console.log(figures?.retries, figures?.timeToFirstTokenMs, figures?.tokensPerSecond);
   */
  runAnalytics(runId: string, options: RunLookupOptions = {}): RunAnalytics | undefined {
    const row = this.#runRow(runId, options);
    if (row === undefined) return undefined;
    const key = [String(row.trace_id), String(row.run_id)];
    const steps = this.#all(STEPS_OF_RUN, key).map(toStep);
    const attempts = this.#all(ATTEMPTS_OF_RUN, key).map(toAttempt);
    const tools = this.#all(TOOL_CALLS_OF_RUN, key).map(toToolCall);

    return runFiguresOf(runId, steps, attempts, tools);
  }

  /**
   * Deletes the runs of a conversation (and of its sub-agent conversations) that started
   * before `startedBefore`, with everything recorded under them.
   *
   * @example
   * store.deleteConversation({ conversationId: 'c1', startedBefore: Date.now() });
   */
  deleteConversation(options: DeleteConversationOptions): DeleteResult {
    const conversationId = requireText('conversationId', options.conversationId);
    const before = toEpochMs('startedBefore', options.startedBefore);
    return deleteRuns(this.#connection(), '(conversation_id = @conversation OR root_conversation_id = @conversation) AND start_ms < @before', {
      conversation: conversationId,
      before,
    });
  }

  /**
   * Deletes the runs of a conversation that came after a message (its trigger, history-tip or
   * assistant message id is greater than `messageId`) and started before `startedBefore`.
   *
   * @example
   * // The user edited message 41: drop every run that saw or answered anything newer.
   * store.deleteAfterMessage({ conversationId: 'c1', messageId: 41, startedBefore: editTime });
   */
  deleteAfterMessage(options: DeleteAfterMessageOptions): DeleteResult {
    const conversationId = requireText('conversationId', options.conversationId);
    if (!Number.isSafeInteger(options.messageId)) throw new InvalidArgumentError('messageId', options.messageId, 'a safe integer');
    const before = toEpochMs('startedBefore', options.startedBefore);
    return deleteRuns(this.#connection(), 
      `conversation_id = @conversation AND start_ms < @before
       AND (trigger_message_id > @message OR history_tip_message_id > @message OR assistant_message_id > @message)`,
      { conversation: conversationId, before, message: options.messageId },
    );
  }

  /**
   * Deletes old data: runs that started more than `maxAgeMs` ago (and spans of traces without
   * runs that old), then the oldest runs until the database uses at most `maxBytes`; frees the
   * space in the file.
   *
   * @example
   * store.applyRetention({ maxAgeMs: 30 * 86_400_000, maxBytes: 500 * 1024 * 1024 });
   */
  applyRetention(options: RetentionOptions): RetentionResult {
    return applyRetention(this.#connection(), this.path, options, this.#now);
  }

  /**
   * Finalizes as interrupted every in-progress row with no activity for `staleAfterMs`
   * (children of a finalized run too) and returns the counts.
   *
   * @example
   * const counts = store.sweep({ staleAfterMs: 60_000 });
   */
  sweep(options: SweepOptions = {}): StoreSweepResult {
    const staleAfterMs = positiveOption('staleAfterMs', options.staleAfterMs, this.#staleAfterMs, { unit: 'milliseconds' });
    const now = options.now ?? this.#now();
    if (!Number.isFinite(now)) throw new InvalidArgumentError('now', now, 'epoch milliseconds');
    return sweepStale(this.#connection(), now - staleAfterMs);
  }

  /**
   * A span exporter writing into this store's file (same pricing and normalization).
   *
   * @example
   * const exporter = store.createExporter();
   * const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
   */
  createExporter(options: Omit<SqliteSpanExporterOptions, 'path'> = {}): SqliteSpanExporter {
    return new SqliteSpanExporter({
      busyTimeoutMs: this.#busyTimeoutMs,
      staleAfterMs: this.#staleAfterMs,
      now: this.#now,
      normalizeModel: this.#normalizeModel,
      ...(this.#pricing === undefined ? {} : { pricing: this.#pricing }),
      sweepOnOpen: false,
      ...options,
      path: this.path,
    });
  }

  /**
   * A number that changes whenever another connection (this process's exporter, a collector,
   * another application) has committed to the file since the last call: SQLite's
   * `PRAGMA data_version`. A viewer polls it to learn, cheaply, that its queries would now see
   * something new.
   *
   * @example
   * let seen = store.dataVersion();
   * setInterval(() => { if (store.dataVersion() !== seen) { seen = store.dataVersion(); refresh(); } }, 250);
   */
  dataVersion(): number {
    return Number(this.#connection().pragma('data_version', { simple: true }));
  }

  /**
   * Runs SQLite's `PRAGMA integrity_check`: `['ok']` for a sound file, else the problems found.
   *
   * @example
   * if (store.integrityCheck()[0] !== 'ok') console.error('store file is damaged');
   */
  integrityCheck(): string[] {
    return (this.#statement('PRAGMA integrity_check').pluck().all()).map(String);
  }

  /** Closes the connection; later queries throw `ShutDownError`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }







  #connection(): SqliteDatabase {
    if (this.#closed) throw new ShutDownError(`SqliteStore ${this.path}`);
    return this.#db;
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#connection().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all(sql: string, params: SqlParams | readonly unknown[]): Row[] {
    const statement = this.#statement(sql);
    return (Array.isArray(params) ? statement.all(...(params as unknown[])) : statement.all(params)) as Row[];
  }

  #get(sql: string, params: SqlParams | readonly unknown[]): Row | undefined {
    const statement = this.#statement(sql);
    return (Array.isArray(params) ? statement.get(...(params as unknown[])) : statement.get(params)) as Row | undefined;
  }

}




/**
 * Opens (creating and migrating when needed) a store file and, by default, finalizes rows left
 * in progress by a process that died. Throws `StoreSchemaError` for a file written by a newer
 * runtrace.
 *
 * @example
 * const store = openStore({ path: '.runtrace/runtrace.db' });
 * console.log(store.openSweep.runs, 'runs were left in progress by a crashed process');
 */
export function openStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
