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
  StorePricing,
  StoreSweepResult,
  SweepOptions,
} from './query-types.js';
import { openDatabaseFile, requireFilePath } from './internal/open-database-file.js';
import { requireText, toEpochMs } from './internal/run-filters.js';
import type { SqlParams } from './internal/run-filters.js';
import type { Row } from './internal/row-mappers.js';
import { NO_SWEEP, sweepStale } from './internal/sweep-stale.js';
import { applyRetention, deleteRuns } from './internal/retention.js';
import { analyticsOf } from './internal/analytics-queries.js';
import { SQLITE_DIALECT, runSteps } from './internal/query-steps.js';
import type { QueryContext, QuerySteps, SqlRequest } from './internal/query-steps.js';
import { listRunsOf, overviewOf, runAnalyticsOf, runDetailOf } from './internal/run-queries.js';
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
  /** Where the store is, for messages: the file (a PostgresStore's is its URL without the password). */
  readonly location: string;
  /** What the sweep on open finalized (zeros when it did not run). */
  readonly openSweep: StoreSweepResult;

  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #staleAfterMs: number;
  readonly #busyTimeoutMs: number;
  readonly #normalizeModel: (model: string) => string;
  readonly #pricing: StorePricing | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  /** What the shared queries read besides their options. */
  readonly #context: QueryContext;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidArgumentError('options.path', options.path, 'a non-empty file path');
    }
    this.path = requireFilePath(options.path);
    this.location = this.path;
    this.#now = options.now ?? Date.now;
    this.#staleAfterMs = positiveOption('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS, { unit: 'milliseconds' });
    this.#busyTimeoutMs = positiveOption('options.busyTimeoutMs', options.busyTimeoutMs, 5_000, { unit: 'milliseconds' });
    this.#normalizeModel = options.normalizeModel ?? normalizeModel;
    this.#context = { dialect: SQLITE_DIALECT, normalizeModel: this.#normalizeModel };
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
    return this.#run(listRunsOf(options, this.#context));
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
    return this.#run(runDetailOf(runId, options, this.#context));
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
    return this.#run(overviewOf(options, this.#context));
  }

  /**
   * Analytics across the runs that started in a period: activity by day (every day present),
   * duration and cost buckets (always all six), model performance, providers and top tools.
   *
   * @example
   * const { activityByDay, costBuckets, topTools } = store.analytics({ from: Date.parse('2026-01-01'), to: Date.parse('2026-02-01') });
   */
  analytics(options: AnalyticsOptions = {}): Analytics {
    return this.#run(analyticsOf(options, this.#context));
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
    return this.#run(runAnalyticsOf(runId, options));
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

  /** Runs one of the shared queries on this connection's cached statements. */
  #run<T>(steps: QuerySteps<T>): T {
    return runSteps(steps, (request: SqlRequest) => this.#all(request.sql, request.params));
  }

  #all(sql: string, params: SqlParams | readonly unknown[]): Row[] {
    const statement = this.#statement(sql);
    return (Array.isArray(params) ? statement.all(...(params as unknown[])) : statement.all(params)) as Row[];
  }

}
