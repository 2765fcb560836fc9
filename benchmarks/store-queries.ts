// Query latency of the store on 100,000 runs / 1,000,000 spans: listRuns (first page of 50),
// getRun and overview, each next to the raw SQL it is built on, and the targets.
// The dataset is generated once with direct inserts and cached in the temp directory.
// Run: bash scripts/pnpm.sh exec tsc -b packages/store && bash scripts/pnpm.sh exec node benchmarks/store-queries.ts
import { performance } from 'node:perf_hooks';
import { openStore } from '@runtrace/store';
import { Database } from './internal/baseline-sqlite.ts';
import { END, PATH, ensureDataset } from './internal/query-dataset.ts';

function time(repetitions: number, fn: (index: number) => unknown): number {
  fn(0); // warm the page cache and statement cache
  const samples: number[] = [];
  for (let index = 1; index <= repetitions; index++) {
    const started = performance.now();
    fn(index);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

ensureDataset();

const store = openStore({ path: PATH, sweepOnOpen: false });
const raw = new Database(PATH, { readonly: true });
const counts = raw.prepare('SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM runs) + (SELECT count(*) FROM steps) + (SELECT count(*) FROM attempts) + (SELECT count(*) FROM tool_calls) + (SELECT count(*) FROM spans) AS spans').get() as { runs: number; spans: number };
const ids = (raw.prepare('SELECT run_id FROM runs ORDER BY run_id').pluck().all() as string[]);
const pick = (index: number): string => ids[(index * 7919) % ids.length]!;
const month = { from: END - 30 * 86_400_000, to: END };

const rows: [string, number, number, string][] = [];
const add = (label: string, median: number, baseline: number, target: string): void => {
  rows.push([label, median, baseline, target]);
};

const rawList = raw.prepare('SELECT * FROM runs ORDER BY start_ms DESC, run_id DESC LIMIT 51');
add('listRuns() first page of 50', time(30, () => store.listRuns({ limit: 50 })), time(30, () => rawList.all()), '< 50 ms');
const rawConversation = raw.prepare('SELECT * FROM runs WHERE conversation_id = ? ORDER BY start_ms DESC, run_id DESC LIMIT 51');
add('listRuns({ conversationId })', time(30, (i) => store.listRuns({ conversationId: `conv-${i * 13}` })), time(30, (i) => rawConversation.all(`conv-${i * 13}`)), '—');
// Sorted by a figure, the store picks the page's rows first, then reads them (schema 5 has no index per figure).
const byCost = (filter: string): string =>
  `SELECT * FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE ${filter} ORDER BY coalesce(cost_usd, -1) DESC, run_id DESC LIMIT 51) ORDER BY coalesce(cost_usd, -1) DESC, run_id DESC`;
const rawErrorsByCost = raw.prepare(byCost("status = 'error'"));
add("listRuns({ status: 'error', sort: 'cost' })", time(20, () => store.listRuns({ status: 'error', sort: 'cost' })), time(20, () => rawErrorsByCost.all()), '—');
// A filter runs_figures does not cover (kind): the sorted page comes from a scan of the runs.
const rawKindByCost = raw.prepare(byCost("kind = 'title_generation'"));
add("listRuns({ kind, sort: 'cost' })", time(20, () => store.listRuns({ kind: 'title_generation', sort: 'cost' })), time(20, () => rawKindByCost.all()), '—');
const page1 = store.listRuns({ sort: 'tokens' });
add("listRuns({ sort: 'tokens', cursor }) page 2", time(20, () => store.listRuns({ sort: 'tokens', cursor: page1.nextCursor! })), 0, '—');
// The same lookups the store makes: the run by id, then its rows by (trace, run).
const rawRun = raw.prepare('SELECT * FROM runs WHERE run_id = ? ORDER BY start_ms DESC LIMIT 1');
const rawSteps = raw.prepare('SELECT * FROM steps WHERE trace_id = ? AND run_id = ? ORDER BY number');
const rawAttempts = raw.prepare('SELECT * FROM attempts WHERE trace_id = ? AND run_id = ? ORDER BY start_ms');
const rawTools = raw.prepare('SELECT * FROM tool_calls WHERE trace_id = ? AND run_id = ? ORDER BY start_ms');
const rawSpans = raw.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ms');
add('getRun(id)', time(100, (i) => store.getRun(pick(i))), time(100, (i) => {
  const run = rawRun.get(pick(i)) as { trace_id: string };
  rawSteps.all(run.trace_id, pick(i));
  rawAttempts.all(run.trace_id, pick(i));
  rawTools.all(run.trace_id, pick(i));
  rawSpans.all(run.trace_id);
}), '< 50 ms');
add('runAnalytics(id)', time(100, (i) => store.runAnalytics(pick(i))), 0, '—');
const rawTotals = raw.prepare('SELECT count(*), total(input_tokens), total(output_tokens), total(cost_usd), total(duration_ms) FROM runs');
add('overview() over all 100,000 runs', time(7, () => store.overview()), time(7, () => rawTotals.all()), '< 250 ms');
const rawMonth = raw.prepare('SELECT count(*), total(input_tokens), total(output_tokens), total(cost_usd), total(duration_ms) FROM runs WHERE start_ms >= ? AND start_ms < ?');
add('overview({ last 30 days }) with previous period', time(7, () => store.overview(month)), time(7, () => {
  rawMonth.all(month.from, month.to);
  rawMonth.all(month.from - 30 * 86_400_000, month.from);
}), '< 250 ms');
add('analytics({ last 30 days })', time(5, () => store.analytics(month)), 0, '—');

console.log(`store queries on ${counts.runs} runs / ${counts.spans} spans (${PATH}), median latency`);
console.log(`${'query'.padEnd(50)} ${'store'.padStart(9)} ${'raw SQL'.padStart(9)}  target`);
for (const [label, median, baseline, target] of rows) {
  console.log(`${label.padEnd(50)} ${median.toFixed(2).padStart(6)} ms ${baseline === 0 ? '        —' : `${baseline.toFixed(2).padStart(6)} ms`}  ${target}`);
}
store.close();
raw.close();
