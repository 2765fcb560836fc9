// The store's run queries — list, detail, one run's figures, overview — written once for both
// backends (see query-steps.ts).
import { InvalidArgumentError } from '@runtrace/core';
import type { ListRunsOptions, Overview, OverviewOptions, RunAnalytics, RunDetail, RunLookupOptions, RunPage, RunSummary, StoredResource } from '../query-types.js';
import { figuresOf, runFiguresOf } from './analytics-queries.js';
import { all, first } from './query-steps.js';
import type { QueryContext, QuerySteps } from './query-steps.js';
import { numberOrZero, parseObject, toAttempt, toEvent, toGenericSpan, toOtel, toRunSummary, toStep, toStoredResource, toToolCall } from './row-mappers.js';
import type { Row, StepProblems } from './row-mappers.js';
import { encodeCursor, listPlan, timeRange, whereRuns } from './run-filters.js';
import type { SqlParams } from './run-filters.js';

// A run is named by its trace and its id (an id is only unique within its trace).
const STEPS_OF_RUN = 'SELECT * FROM steps WHERE trace_id = ? AND run_id = ? ORDER BY number IS NULL, number, start_ms, step_id';
const ATTEMPTS_OF_RUN = 'SELECT * FROM attempts WHERE trace_id = ? AND run_id = ? ORDER BY start_ms, attempt_id';
const TOOL_CALLS_OF_RUN = 'SELECT * FROM tool_calls WHERE trace_id = ? AND run_id = ? ORDER BY start_ms, span_id';
/** The run a run id names: the newest, should several traces reuse the id. */
const RUN_BY_ID = 'SELECT * FROM runs WHERE run_id = ? ORDER BY start_ms DESC LIMIT 1';
const RUN_BY_KEY = 'SELECT * FROM runs WHERE trace_id = ? AND run_id = ?';

/** A page of runs (see `SqliteStore.listRuns`). */
export function* listRunsOf(options: ListRunsOptions, context: QueryContext): QuerySteps<RunPage> {
  const plan = listPlan(options);
  const where = whereRuns(options, { time: 'overlap', normalizeModel: context.normalizeModel, dialect: context.dialect });
  const params: SqlParams = { ...where.params, limit: plan.limit + 1 };
  const compare = plan.direction === 'desc' ? '<' : '>';
  let keyset = '';
  if (plan.cursor !== undefined) {
    params.c_value = plan.cursor.value;
    params.c_run = plan.cursor.runId;
    keyset = ` AND (${plan.expression} ${compare} @c_value OR (${plan.expression} = @c_value AND run_id ${compare} @c_run))`;
  }
  const order = plan.direction === 'desc' ? 'DESC' : 'ASC';
  const sorted = `ORDER BY ${plan.expression} ${order}, run_id ${order}`;
  // SQLite keeps no index per figure (schema 5: one on a random figure costs every write a random
  // index page): the page is picked in the narrow runs_figures index when it covers the filter
  // (a scan of that index, not of the rows), then only its rows are read.
  const sql =
    plan.sort !== 'start' && context.dialect.name === 'sqlite'
      ? `SELECT *, ${plan.expression} AS sort_value FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE ${where.sql}${keyset} ${sorted} LIMIT @limit) ${sorted}`
      : `SELECT *, ${plan.expression} AS sort_value FROM runs WHERE ${where.sql}${keyset} ${sorted} LIMIT @limit`;
  const rows = yield* all(sql, params);
  const page = rows.slice(0, plan.limit);
  const last = page.at(-1);
  return {
    runs: yield* summariesOf(page, context),
    nextCursor: rows.length > plan.limit && last !== undefined ? encodeCursor(plan.sort, plan.direction, numberOrZero(last.sort_value), String(last.run_id)) : null,
  };
}

/**
 * The runs of `rows` as summaries. A run without a summary on its span (a run made of other
 * instrumentations' spans, or one still open) gets its failed and interrupted steps counted
 * from its step rows — in one query for these rows, not per run of a whole filter (as a column
 * of the sorted query would cost).
 */
function* summariesOf(rows: readonly Row[], context: QueryContext): QuerySteps<RunSummary[]> {
  const open = rows.filter((row) => row.has_summary === 0);
  const counted = new Map<string, StepProblems>();
  const key = (row: Row): string => `${String(row.trace_id)}/${String(row.run_id)}`;
  if (open.length > 0) {
    const { countIf } = context.dialect;
    const found = yield* all(
      `SELECT trace_id, run_id, ${countIf("status = 'error'")} AS failed, ${countIf("status = 'interrupted'")} AS interrupted
        FROM steps WHERE (trace_id, run_id) IN (VALUES ${open.map(() => '(?, ?)').join(', ')}) GROUP BY trace_id, run_id`,
      open.flatMap((row) => [String(row.trace_id), String(row.run_id)]),
    );
    for (const row of found) counted.set(key(row), { failedStepCount: numberOrZero(row.failed), interruptedStepCount: numberOrZero(row.interrupted) });
  }
  return rows.map((row) => toRunSummary(row, counted.get(key(row))));
}

/** The run row a lookup names (see `SqliteStore.getRun`). */
function* runRowOf(runId: string, options: RunLookupOptions): QuerySteps<Row | undefined> {
  if (typeof runId !== 'string' || runId === '') throw new InvalidArgumentError('runId', runId, 'a run id');
  const traceId = options.traceId;
  if (traceId !== undefined && (typeof traceId !== 'string' || traceId === '')) throw new InvalidArgumentError('traceId', traceId, 'a trace id');
  return traceId === undefined ? yield* first(RUN_BY_ID, [runId]) : yield* first(RUN_BY_KEY, [traceId, runId]);
}

/** The stored resources of these ids, by id. */
function* resourcesOf(ids: readonly (string | null)[]): QuerySteps<Record<string, StoredResource>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  const found: Record<string, StoredResource> = {};
  if (wanted.length === 0) return found;
  for (const row of yield* all(`SELECT * FROM resources WHERE resource_id IN (${wanted.map(() => '?').join(', ')})`, wanted)) {
    const resource = toStoredResource(row);
    found[resource.resourceId] = resource;
  }
  return found;
}

/** One run with everything recorded under it (see `SqliteStore.getRun`). */
export function* runDetailOf(runId: string, options: RunLookupOptions, context: QueryContext): QuerySteps<RunDetail | undefined> {
  const row = yield* runRowOf(runId, options);
  if (row === undefined) return undefined;
  const key = [String(row.trace_id), String(row.run_id)];
  const [run] = (yield* summariesOf([row], context)) as [RunSummary];
  const steps = (yield* all(STEPS_OF_RUN, key)).map(toStep);
  const reasons = run.costUnknown ? steps.flatMap((step) => (step.costUnknownReason === null ? [] : [step.costUnknownReason])) : [];
  const attempts = (yield* all(ATTEMPTS_OF_RUN, key)).map(toAttempt);
  const toolCalls = (yield* all(TOOL_CALLS_OF_RUN, key)).map(toToolCall);
  const spans = (yield* all('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ms, span_id', [key[0]])).map(toGenericSpan);
  const resourceId = typeof row.resource_id === 'string' ? row.resource_id : null;
  const resources = yield* resourcesOf([resourceId, ...[steps, attempts, toolCalls, spans].flatMap((rows) => rows.map((found) => found.resourceId))]);
  const events = (yield* all('SELECT * FROM events WHERE trace_id = ? AND run_id = ? ORDER BY time_ms, span_id, seq', key)).map(toEvent);
  const childRuns = yield* summariesOf(yield* all('SELECT * FROM runs WHERE trace_id = ? AND parent_run_id = ? ORDER BY start_ms, run_id', key), context);
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
    events,
    spans,
    childRuns,
  };
}

/** One run's figures (see `SqliteStore.runAnalytics`). */
export function* runAnalyticsOf(runId: string, options: RunLookupOptions): QuerySteps<RunAnalytics | undefined> {
  const row = yield* runRowOf(runId, options);
  if (row === undefined) return undefined;
  const key = [String(row.trace_id), String(row.run_id)];
  const steps = (yield* all(STEPS_OF_RUN, key)).map(toStep);
  const attempts = (yield* all(ATTEMPTS_OF_RUN, key)).map(toAttempt);
  const tools = (yield* all(TOOL_CALLS_OF_RUN, key)).map(toToolCall);
  return runFiguresOf(runId, steps, attempts, tools);
}

/** The overview of a period and of the one of equal length before it (see `SqliteStore.overview`). */
export function* overviewOf(options: OverviewOptions, context: QueryContext): QuerySteps<Overview> {
  const range = timeRange(options);
  const current = yield* figuresOf(options, range, context);
  if (range.from === undefined || range.to === undefined) return { ...current, previousPeriod: null };
  const length = range.to - range.from;
  return { ...current, previousPeriod: yield* figuresOf(options, { from: range.from - length, to: range.from }, context) };
}
