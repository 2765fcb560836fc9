// The local store's query side: list, detail, overview, analytics, deletes, retention and sweeps.

import { statSync } from 'node:fs';
import { ALL_STATUSES, DEFAULT_STALE_AFTER_MS, InvalidArgumentError, ShutDownError, normalizeModel } from '@runtrace/core';
import type Database from 'better-sqlite3';
import type {
  Analytics,
  AnalyticsOptions,
  Bucket,
  DayActivity,
  DeleteAfterMessageOptions,
  DeleteConversationOptions,
  DeleteResult,
  ListRunsOptions,
  ModelCost,
  ModelPerformance,
  Overview,
  OverviewFigures,
  OverviewOptions,
  ProviderBreakdown,
  ServiceBreakdown,
  RetentionOptions,
  RetentionResult,
  RunAnalytics,
  RunDetail,
  RunFilters,
  RunLookupOptions,
  RunPage,
  RunSummary,
  StoredResource,
  StorePricing,
  StoreSweepResult,
  SweepOptions,
  ToolMetric,
} from './query-types.js';
import { openDatabaseFile, requireFilePath } from './internal/open-database-file.js';
import { encodeCursor, listPlan, requireText, timeRange, toEpochMs, whereRuns } from './internal/run-filters.js';
import type { SqlParams } from './internal/run-filters.js';
import { numberOrNull, numberOrZero, parseObject, toAttempt, toEvent, toGenericSpan, toOtel, toRunSummary, toStep, toStoredResource, toToolCall } from './internal/row-mappers.js';
import type { Row, StepProblems } from './internal/row-mappers.js';
import { NO_SWEEP, sweepStale } from './internal/sweep-stale.js';
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

const STATUS_COUNTS = ALL_STATUSES.map((status) => `${countIf(`status = '${status}'`)} AS s_${status}`).join(', ');
const EMPTY_DELETE: DeleteResult = { runs: 0, steps: 0, attempts: 0, toolCalls: 0, events: 0, spans: 0 };
const DAY_MS = 86_400_000;

const DURATION_BUCKETS: readonly (readonly [string, number, number | null])[] = [
  ['<1m', 0, 60_000],
  ['1–5m', 60_000, 300_000],
  ['5–15m', 300_000, 900_000],
  ['15–30m', 900_000, 1_800_000],
  ['30–60m', 1_800_000, 3_600_000],
  ['>1h', 3_600_000, null],
];

const COST_BUCKETS: readonly (readonly [string, number, number | null])[] = [
  ['<$0.01', 0, 0.01],
  ['$0.01–0.10', 0.01, 0.1],
  ['$0.10–0.50', 0.1, 0.5],
  ['$0.50–1.00', 0.5, 1],
  ['$1.00–5.00', 1, 5],
  ['>$5.00', 5, null],
];

// The statements getRun and runAnalytics share (one prepared statement each).
// A run is named by its trace and its id (an id is only unique within its trace).
const STEPS_OF_RUN = 'SELECT * FROM steps WHERE trace_id = ? AND run_id = ? ORDER BY number IS NULL, number, start_ms, step_id';
const ATTEMPTS_OF_RUN = 'SELECT * FROM attempts WHERE trace_id = ? AND run_id = ? ORDER BY start_ms, attempt_id';
const TOOL_CALLS_OF_RUN = 'SELECT * FROM tool_calls WHERE trace_id = ? AND run_id = ? ORDER BY start_ms, span_id';
/** The run a run id names: the newest, should several traces reuse the id. */
const RUN_BY_ID = 'SELECT * FROM runs WHERE run_id = ? ORDER BY start_ms DESC LIMIT 1';
const RUN_BY_KEY = 'SELECT * FROM runs WHERE trace_id = ? AND run_id = ?';

/** SQL counting the rows of a group for which `condition` holds (0, not NULL, for none). */
function countIf(condition: string): string {
  return `coalesce(sum(${condition}), 0)`;
}

interface ModelGroup {
  readonly model: string;
  readonly provider: string | null;
}

/** The model and provider of a row grouped by `normalized_model, provider`. */
function modelGroup(row: Row): ModelGroup {
  return { model: typeof row.model === 'string' ? row.model : 'unknown', provider: typeof row.provider === 'string' ? row.provider : null };
}

function compareModelGroups(a: ModelGroup, b: ModelGroup): number {
  return compareText(a.model, b.model) || compareText(a.provider ?? '', b.provider ?? '');
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function bucketSql(column: string, buckets: typeof DURATION_BUCKETS, prefix: string, condition = ''): string {
  return buckets
    .map(([, min, max], index) => `${countIf(`${condition}${column} >= ${min}${max === null ? '' : ` AND ${column} < ${max}`}`)} AS ${prefix}${index}`)
    .join(', ');
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
  /** What the sweep on open finalized (zeros when it did not run). */
  readonly openSweep: StoreSweepResult;

  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #staleAfterMs: number;
  readonly #busyTimeoutMs: number;
  readonly #normalizeModel: (model: string) => string;
  readonly #pricing: StorePricing | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidArgumentError('options.path', options.path, 'a non-empty file path');
    }
    this.path = requireFilePath(options.path);
    this.#now = options.now ?? Date.now;
    this.#staleAfterMs = positive('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS);
    this.#busyTimeoutMs = positive('options.busyTimeoutMs', options.busyTimeoutMs, 5_000);
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
    const current = this.#figures(options, range);
    if (range.from === undefined || range.to === undefined) return { ...current, previousPeriod: null };
    const length = range.to - range.from;
    return { ...current, previousPeriod: this.#figures(options, { from: range.from - length, to: range.from }) };
  }

  /**
   * Analytics across the runs that started in a period: activity by day (every day present),
   * duration and cost buckets (always all six), model performance, providers and top tools.
   *
   * @example
   * const { activityByDay, costBuckets, topTools } = store.analytics({ from: Date.parse('2026-01-01'), to: Date.parse('2026-02-01') });
   */
  analytics(options: AnalyticsOptions = {}): Analytics {
    const range = timeRange(options);
    const topToolsLimit = options.topToolsLimit ?? 10;
    if (!Number.isSafeInteger(topToolsLimit) || topToolsLimit < 1 || topToolsLimit > 1000) {
      throw new InvalidArgumentError('topToolsLimit', topToolsLimit, 'an integer from 1 to 1000');
    }
    const where = whereRuns(options, { time: 'start', normalizeModel: this.#normalizeModel, range });
    const totals =
      this.#get(
        `SELECT count(*) AS runs, avg(cost_usd) AS avg_cost, avg(duration_ms) AS avg_duration,
           min(start_ms) AS first_ms, max(start_ms) AS last_ms, ${countIf('cost_unknown')} AS cost_unknown,
           ${bucketSql('duration_ms', DURATION_BUCKETS, 'b')}, ${bucketSql('cost_usd', COST_BUCKETS, 'c', 'cost_unknown = 0 AND ')}
         FROM runs WHERE ${where.sql}`,
        where.params,
      ) ?? {};
    const buckets = (definitions: typeof DURATION_BUCKETS, prefix: string): Bucket[] =>
      definitions.map(([label, min, max], index) => ({ label, min, max, count: numberOrZero(totals[`${prefix}${index}`]) }));

    const days = new Map<string, DayActivity>();
    for (const row of this.#all(
      `SELECT date(start_ms / 1000, 'unixepoch') AS day, count(*) AS runs, ${countIf("status = 'error'")} AS errors,
         total(total_tokens) AS tokens, total(cost_usd) AS cost
       FROM runs WHERE ${where.sql} GROUP BY day`,
      where.params,
    )) {
      days.set(String(row.day), { date: String(row.day), runs: numberOrZero(row.runs), errors: numberOrZero(row.errors), totalTokens: numberOrZero(row.tokens), costUsd: numberOrZero(row.cost) });
    }
    const activityByDay: DayActivity[] = [];
    const firstMs = range.from ?? numberOrNull(totals.first_ms);
    const lastMs = range.to !== undefined ? range.to - 1 : numberOrNull(totals.last_ms);
    if (firstMs !== null && lastMs !== null) {
      for (let day = Date.parse(dayOf(firstMs)); day <= lastMs; day += DAY_MS) {
        const date = dayOf(day);
        activityByDay.push(days.get(date) ?? { date, runs: 0, errors: 0, totalTokens: 0, costUsd: 0 });
      }
    }

    const groups = this.#all(
      `SELECT normalized_model AS model, provider, count(*) AS runs,
         ${countIf("status = 'completed'")} AS completed, ${countIf("status != 'in_progress'")} AS finished,
         count(cost_usd) AS priced, total(cost_usd) AS total_cost, count(duration_ms) AS timed, total(duration_ms) AS total_duration,
         total(total_tokens) AS tokens
       FROM runs WHERE ${where.sql} GROUP BY normalized_model, provider`,
      where.params,
    );
    const modelPerformance: ModelPerformance[] = groups
      .map((row) => ({
        ...modelGroup(row),
        runs: numberOrZero(row.runs),
        completed: numberOrZero(row.completed),
        successRate: numberOrZero(row.finished) === 0 ? null : numberOrZero(row.completed) / numberOrZero(row.finished),
        averageCostUsd: numberOrZero(row.priced) === 0 ? null : numberOrZero(row.total_cost) / numberOrZero(row.priced),
        totalCostUsd: numberOrZero(row.total_cost),
        averageDurationMs: numberOrZero(row.timed) === 0 ? null : numberOrZero(row.total_duration) / numberOrZero(row.timed),
        averageTokens: numberOrZero(row.tokens) / Math.max(1, numberOrZero(row.runs)),
      }))
      .sort((a, b) => b.runs - a.runs || compareModelGroups(a, b));

    const providers = new Map<string, { provider: string; runs: number; totalTokens: number; costUsd: number }>();
    for (const row of groups) {
      const name = typeof row.provider === 'string' ? row.provider : 'unknown';
      const entry = providers.get(name) ?? { provider: name, runs: 0, totalTokens: 0, costUsd: 0 };
      entry.runs += numberOrZero(row.runs);
      entry.totalTokens += numberOrZero(row.tokens);
      entry.costUsd += numberOrZero(row.total_cost);
      providers.set(name, entry);
    }
    const providerBreakdown: ProviderBreakdown[] = [...providers.values()].sort((a, b) => b.runs - a.runs || compareText(a.provider, b.provider));

    const serviceBreakdown: ServiceBreakdown[] = this.#all(
      `SELECT coalesce(service_name, 'unknown') AS service, count(*) AS runs, ${countIf("status = 'error'")} AS errors,
         total(total_tokens) AS tokens, total(cost_usd) AS cost, max(start_ms) AS last_run
       FROM runs WHERE ${where.sql} GROUP BY 1 ORDER BY runs DESC, service`,
      where.params,
    ).map((row) => ({
      service: String(row.service),
      runs: numberOrZero(row.runs),
      errors: numberOrZero(row.errors),
      totalTokens: numberOrZero(row.tokens),
      costUsd: numberOrZero(row.cost),
      lastRunMs: numberOrZero(row.last_run),
    }));

    const toolWhere = whereRuns(options, { time: 'start', alias: 'r', normalizeModel: this.#normalizeModel, range });
    const topTools: ToolMetric[] = this.#all(
      `SELECT coalesce(t.name, 'unknown') AS name, count(*) AS calls, ${countIf("t.status = 'error'")} AS errors, avg(t.duration_ms) AS avg_duration
       FROM tool_calls t JOIN runs r ON r.trace_id = t.trace_id AND r.run_id = t.run_id WHERE ${toolWhere.sql}
       GROUP BY 1 ORDER BY calls DESC, name LIMIT @tool_limit`,
      { ...toolWhere.params, tool_limit: topToolsLimit },
    ).map((row) => ({ name: String(row.name), calls: numberOrZero(row.calls), errors: numberOrZero(row.errors), averageDurationMs: numberOrNull(row.avg_duration) }));

    return {
      from: range.from ?? null,
      to: range.to ?? null,
      totalRuns: numberOrZero(totals.runs),
      averageCostUsd: numberOrNull(totals.avg_cost),
      averageDurationMs: numberOrNull(totals.avg_duration),
      activityByDay,
      durationBuckets: buckets(DURATION_BUCKETS, 'b'),
      costBuckets: buckets(COST_BUCKETS, 'c'),
      costUnknownRuns: numberOrZero(totals.cost_unknown),
      modelPerformance,
      providerBreakdown,
      serviceBreakdown,
      topTools,
    };
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

    const attemptsByStep = new Map<string, number>();
    for (const attempt of attempts) {
      const key = attempt.stepId ?? '';
      attemptsByStep.set(key, (attemptsByStep.get(key) ?? 0) + 1);
    }
    let retries = 0;
    for (const total of attemptsByStep.values()) retries += Math.max(0, total - 1);

    const finishedSteps = steps.filter((step) => step.durationMs !== null);
    const stepTime = finishedSteps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
    const outputTokens = finishedSteps.reduce((sum, step) => sum + step.outputTokens, 0);

    const intervals = [...steps, ...tools]
      .filter((item) => item.endTimeMs !== null)
      .map((item) => [item.startTimeMs, item.endTimeMs ?? item.startTimeMs] as const)
      .sort((a, b) => a[0] - b[0]);
    let longestPauseMs = 0;
    let reached: number | undefined;
    for (const [start, end] of intervals) {
      if (reached !== undefined && start > reached) longestPauseMs = Math.max(longestPauseMs, start - reached);
      reached = reached === undefined ? end : Math.max(reached, end);
    }

    const toolFrequency: Record<string, number> = {};
    for (const tool of tools) {
      const name = tool.name ?? 'unknown';
      toolFrequency[name] = (toolFrequency[name] ?? 0) + 1;
    }
    return {
      runId,
      steps: steps.length,
      attempts: attempts.length,
      retries,
      timeToFirstTokenMs: steps.find((step) => step.timeToFirstChunkMs !== null)?.timeToFirstChunkMs ?? null,
      tokensPerSecond: stepTime > 0 ? outputTokens / (stepTime / 1000) : null,
      longestPauseMs,
      averageStepDurationMs: finishedSteps.length === 0 ? null : stepTime / finishedSteps.length,
      toolCalls: tools.length,
      uniqueTools: Object.keys(toolFrequency).length,
      toolErrors: tools.filter((tool) => tool.status === 'error').length,
      toolFrequency,
    };
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
    return this.#deleteRuns('(conversation_id = @conversation OR root_conversation_id = @conversation) AND start_ms < @before', {
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
    return this.#deleteRuns(
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
    if (options.maxAgeMs === undefined && options.maxBytes === undefined) {
      throw new InvalidArgumentError('options', options, 'maxAgeMs, maxBytes or both');
    }
    if (options.maxAgeMs !== undefined && (!Number.isFinite(options.maxAgeMs) || options.maxAgeMs < 0)) {
      throw new InvalidArgumentError('maxAgeMs', options.maxAgeMs, 'a non-negative number of milliseconds');
    }
    if (options.maxBytes !== undefined && (!Number.isFinite(options.maxBytes) || options.maxBytes <= 0)) {
      throw new InvalidArgumentError('maxBytes', options.maxBytes, 'a positive number of bytes');
    }
    const bytesBefore = this.#fileBytes();
    let total: DeleteResult = EMPTY_DELETE;
    if (options.maxAgeMs !== undefined) {
      const now = options.now ?? this.#now();
      const cutoff = now - options.maxAgeMs;
      total = add(total, this.#deleteRuns('start_ms < @cutoff', { cutoff }));
      const orphans = this.#run('DELETE FROM spans WHERE start_ms < @cutoff AND trace_id NOT IN (SELECT trace_id FROM runs)', { cutoff });
      total = add(total, { ...EMPTY_DELETE, spans: orphans });
    }
    if (options.maxBytes !== undefined) {
      const maxBytes = options.maxBytes;
      for (;;) {
        this.#reclaim();
        if (this.#usedBytes() <= maxBytes) break;
        const runs = numberOrZero(this.#get('SELECT count(*) AS n FROM runs', [])?.n);
        if (runs > 0) {
          const chunk = Math.max(1, Math.ceil(runs / 10));
          total = add(total, this.#deleteRuns('rowid IN (SELECT rowid FROM runs ORDER BY start_ms, run_id LIMIT @chunk)', { chunk }));
          continue;
        }
        const spans = this.#run('DELETE FROM spans WHERE rowid IN (SELECT rowid FROM spans ORDER BY start_ms LIMIT 1000)', {});
        if (spans === 0) break;
        total = add(total, { ...EMPTY_DELETE, spans });
      }
    }
    // A resource no span names any more goes too (one per process or host a collector heard from).
    if (total.runs + total.spans > 0) {
      const used = ['runs', 'steps', 'attempts', 'tool_calls', 'spans'].map((table) => `SELECT resource_id FROM ${table} WHERE resource_id IS NOT NULL`).join(' UNION ');
      this.#run(`DELETE FROM resources WHERE resource_id NOT IN (${used})`, {});
    }
    this.#reclaim();
    return { ...total, bytesBefore, bytesAfter: this.#fileBytes() };
  }

  /**
   * Finalizes as interrupted every in-progress row with no activity for `staleAfterMs`
   * (children of a finalized run too) and returns the counts.
   *
   * @example
   * const counts = store.sweep({ staleAfterMs: 60_000 });
   */
  sweep(options: SweepOptions = {}): StoreSweepResult {
    const staleAfterMs = positive('staleAfterMs', options.staleAfterMs, this.#staleAfterMs);
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

  #figures(filters: RunFilters, range: { from: number | undefined; to: number | undefined }): OverviewFigures {
    const where = whereRuns(filters, { time: 'start', normalizeModel: this.#normalizeModel, range });
    // One scan grouped by model; the totals are the sums of the groups.
    const groups = this.#all(
      `SELECT normalized_model AS model, provider, count(*) AS runs, total(input_tokens) AS input, total(output_tokens) AS output,
         total(reasoning_tokens) AS reasoning, total(cache_read_tokens) AS cache_read, total(cache_creation_tokens) AS cache_creation,
         total(total_tokens) AS tokens, count(cost_usd) AS priced, total(cost_usd) AS cost, ${countIf('cost_unknown')} AS cost_unknown,
         total(duration_ms) AS duration, total(tool_call_count) AS tools, ${STATUS_COUNTS}
       FROM runs WHERE ${where.sql} GROUP BY normalized_model, provider`,
      where.params,
    );
    const sum = (key: string): number => groups.reduce((total, group) => total + numberOrZero(group[key]), 0);
    const costByModel: ModelCost[] = groups
      .map((group) => ({
        ...modelGroup(group),
        runs: numberOrZero(group.runs),
        inputTokens: numberOrZero(group.input),
        outputTokens: numberOrZero(group.output),
        costUsd: numberOrZero(group.priced) === 0 ? null : numberOrZero(group.cost),
        costUnknownRuns: numberOrZero(group.cost_unknown),
      }))
      .sort((a, b) => (b.costUsd ?? -1) - (a.costUsd ?? -1) || compareModelGroups(a, b));
    const completed = sum('s_completed');
    const finished = completed + sum('s_interrupted') + sum('s_error');
    return {
      from: range.from ?? null,
      to: range.to ?? null,
      runs: sum('runs'),
      inputTokens: sum('input'),
      outputTokens: sum('output'),
      reasoningTokens: sum('reasoning'),
      cacheReadTokens: sum('cache_read'),
      cacheCreationTokens: sum('cache_creation'),
      totalTokens: sum('tokens'),
      costUsd: sum('cost'),
      costUnknownRuns: sum('cost_unknown'),
      durationMs: sum('duration'),
      toolCalls: sum('tools'),
      byStatus: { in_progress: sum('s_in_progress'), completed, interrupted: sum('s_interrupted'), error: sum('s_error') },
      successRate: finished === 0 ? null : completed / finished,
      costByModel,
    };
  }

  #deleteRuns(condition: string, params: SqlParams): DeleteResult {
    const db = this.#connection();
    return db.transaction((): DeleteResult => {
      db.exec('CREATE TEMP TABLE IF NOT EXISTS doomed_runs_v3 (trace_id TEXT NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (trace_id, run_id))');
      db.exec('DELETE FROM doomed_runs_v3');
      const runs = db.prepare(`INSERT INTO doomed_runs_v3 SELECT trace_id, run_id FROM runs WHERE ${condition}`).run(params).changes;
      if (runs === 0) return EMPTY_DELETE;
      const inDoomed = '(trace_id, run_id) IN (SELECT trace_id, run_id FROM doomed_runs_v3)';
      const result: DeleteResult = {
        runs,
        events: db.prepare(`DELETE FROM events WHERE ${inDoomed}`).run().changes,
        steps: db.prepare(`DELETE FROM steps WHERE ${inDoomed}`).run().changes,
        attempts: db.prepare(`DELETE FROM attempts WHERE ${inDoomed}`).run().changes,
        toolCalls: db.prepare(`DELETE FROM tool_calls WHERE ${inDoomed}`).run().changes,
        spans: 0,
      };
      db.prepare(`DELETE FROM runs WHERE ${inDoomed}`).run();
      // Generic spans go with their trace once no run of that trace is left.
      const spans = db
        .prepare(
          `DELETE FROM spans WHERE trace_id IN (SELECT DISTINCT trace_id FROM doomed_runs_v3)
             AND trace_id NOT IN (SELECT trace_id FROM runs WHERE trace_id IN (SELECT trace_id FROM doomed_runs_v3))`,
        )
        .run().changes;
      db.exec('DELETE FROM doomed_runs_v3');
      return { ...result, spans };
    }).immediate();
  }

  #usedBytes(): number {
    const pageSize = numberOrZero(this.#connection().pragma('page_size', { simple: true }));
    const pages = numberOrZero(this.#connection().pragma('page_count', { simple: true }));
    const free = numberOrZero(this.#connection().pragma('freelist_count', { simple: true }));
    return (pages - free) * pageSize;
  }

  #reclaim(): void {
    this.#connection().pragma('incremental_vacuum');
    this.#connection().pragma('wal_checkpoint(TRUNCATE)');
  }

  #fileBytes(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
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

  #run(sql: string, params: SqlParams): number {
    return this.#statement(sql).run(params).changes;
  }
}

function positive(parameter: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(parameter, value, 'a positive number of milliseconds');
  return value;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function add(a: DeleteResult, b: DeleteResult): DeleteResult {
  return {
    runs: a.runs + b.runs,
    steps: a.steps + b.steps,
    attempts: a.attempts + b.attempts,
    toolCalls: a.toolCalls + b.toolCalls,
    events: a.events + b.events,
    spans: a.spans + b.spans,
  };
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
