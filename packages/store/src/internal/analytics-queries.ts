// The store's aggregate answers: the overview's figures, analytics (days, buckets, models,
// providers, services, tools) and one run's figures. SQL over the runs table's covering index,
// written once for both backends (see query-steps.ts).
import { ALL_STATUSES, InvalidArgumentError } from '@runtrace/core';
import type { Analytics, AnalyticsOptions, AttemptDetail, Bucket, DayActivity, ModelCost, ModelPerformance, OverviewFigures, ProviderBreakdown, RunAnalytics, RunFilters, ServiceBreakdown, StepDetail, ToolCallDetail, ToolMetric } from '../query-types.js';
import { numberOrNull, numberOrZero } from './row-mappers.js';
import type { Row } from './row-mappers.js';
import { all, first } from './query-steps.js';
import type { QueryContext, QuerySteps, SqlDialect } from './query-steps.js';
import { timeRange, whereRuns } from './run-filters.js';

function statusCounts(dialect: SqlDialect): string {
  return ALL_STATUSES.map((status) => `${dialect.countIf(`status = '${status}'`)} AS s_${status}`).join(', ');
}
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

function bucketSql(dialect: SqlDialect, column: string, buckets: typeof DURATION_BUCKETS, prefix: string, condition = ''): string {
  return buckets
    .map(([, min, max], index) => `${dialect.countIf(`${condition}${column} >= ${min}${max === null ? '' : ` AND ${column} < ${max}`}`)} AS ${prefix}${index}`)
    .join(', ');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Analytics across the runs that started in a period: activity by day (every day present),
 * duration and cost buckets (always all six), model performance, providers, services and top tools.
 */
export function* analyticsOf(options: AnalyticsOptions, context: QueryContext): QuerySteps<Analytics> {
  const { dialect, normalizeModel } = context;
  const range = timeRange(options);
  const topToolsLimit = options.topToolsLimit ?? 10;
  if (!Number.isSafeInteger(topToolsLimit) || topToolsLimit < 1 || topToolsLimit > 1000) {
    throw new InvalidArgumentError('topToolsLimit', topToolsLimit, 'an integer from 1 to 1000');
  }
  const where = whereRuns(options, { time: 'start', normalizeModel: normalizeModel, range, dialect });
  const totals =
    (yield* first(
      `SELECT count(*) AS runs, avg(cost_usd) AS avg_cost, avg(duration_ms) AS avg_duration,
         min(start_ms) AS first_ms, max(start_ms) AS last_ms, ${dialect.countIf('cost_unknown <> 0')} AS cost_unknown,
         ${bucketSql(dialect, 'duration_ms', DURATION_BUCKETS, 'b')}, ${bucketSql(dialect, 'cost_usd', COST_BUCKETS, 'c', 'cost_unknown = 0 AND ')}
       FROM runs WHERE ${where.sql}`,
      where.params,
    )) ?? {};
  const buckets = (definitions: typeof DURATION_BUCKETS, prefix: string): Bucket[] =>
    definitions.map(([label, min, max], index) => ({ label, min, max, count: numberOrZero(totals[`${prefix}${index}`]) }));

  const days = new Map<string, DayActivity>();
  for (const row of yield* all(
    `SELECT ${dialect.day('start_ms')} AS day, count(*) AS runs, ${dialect.countIf("status = 'error'")} AS errors,
       ${dialect.total('total_tokens')} AS tokens, ${dialect.total('cost_usd')} AS cost
     FROM runs WHERE ${where.sql} GROUP BY 1`,
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

  const groups = yield* all(
    `SELECT normalized_model AS model, provider, count(*) AS runs,
       ${dialect.countIf("status = 'completed'")} AS completed, ${dialect.countIf("status != 'in_progress'")} AS finished,
       count(cost_usd) AS priced, ${dialect.total('cost_usd')} AS total_cost, count(duration_ms) AS timed, ${dialect.total('duration_ms')} AS total_duration,
       ${dialect.total('total_tokens')} AS tokens
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

  const serviceBreakdown: ServiceBreakdown[] = (yield* all(
    `SELECT coalesce(service_name, 'unknown') AS service, count(*) AS runs, ${dialect.countIf("status = 'error'")} AS errors,
       ${dialect.total('total_tokens')} AS tokens, ${dialect.total('cost_usd')} AS cost, max(start_ms) AS last_run
     FROM runs WHERE ${where.sql} GROUP BY 1 ORDER BY runs DESC, service`,
    where.params,
  )).map((row) => ({
    service: String(row.service),
    runs: numberOrZero(row.runs),
    errors: numberOrZero(row.errors),
    totalTokens: numberOrZero(row.tokens),
    costUsd: numberOrZero(row.cost),
    lastRunMs: numberOrZero(row.last_run),
  }));

  const toolWhere = whereRuns(options, { time: 'start', alias: 'r', normalizeModel: normalizeModel, range, dialect });
  const topTools: ToolMetric[] = (yield* all(
    `SELECT coalesce(t.name, 'unknown') AS name, count(*) AS calls, ${dialect.countIf("t.status = 'error'")} AS errors, avg(t.duration_ms) AS avg_duration
     FROM tool_calls t JOIN runs r ON r.trace_id = t.trace_id AND r.run_id = t.run_id WHERE ${toolWhere.sql}
     GROUP BY 1 ORDER BY calls DESC, name LIMIT @tool_limit`,
    { ...toolWhere.params, tool_limit: topToolsLimit },
  )).map((row) => ({ name: String(row.name), calls: numberOrZero(row.calls), errors: numberOrZero(row.errors), averageDurationMs: numberOrNull(row.avg_duration) }));

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

/** The overview's figures for the runs that started in a range (or ever). */
export function* figuresOf(filters: RunFilters, range: { from: number | undefined; to: number | undefined }, context: QueryContext): QuerySteps<OverviewFigures> {
  const { dialect } = context;
  const where = whereRuns(filters, { time: 'start', normalizeModel: context.normalizeModel, range, dialect });
  const total = dialect.total;
  // One scan grouped by model; the totals are the sums of the groups.
  const groups = yield* all(
    `SELECT normalized_model AS model, provider, count(*) AS runs, ${total('input_tokens')} AS input, ${total('output_tokens')} AS output,
       ${total('reasoning_tokens')} AS reasoning, ${total('cache_read_tokens')} AS cache_read, ${total('cache_creation_tokens')} AS cache_creation,
       ${total('total_tokens')} AS tokens, count(cost_usd) AS priced, ${total('cost_usd')} AS cost, ${dialect.countIf('cost_unknown <> 0')} AS cost_unknown,
       ${total('duration_ms')} AS duration, ${total('tool_call_count')} AS tools, ${statusCounts(dialect)}
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

/** A run's figures from its steps, attempts and tool calls (see {@link SqliteStore.runAnalytics}). */
export function runFiguresOf(runId: string, steps: readonly StepDetail[], attempts: readonly AttemptDetail[], tools: readonly ToolCallDetail[]): RunAnalytics {
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
