// Ingest throughput of SqliteSpanExporter (realistic run/step/attempt spans, ~1 KB of attributes
// each; exports of 512 spans, one or up to 8 at a time) next to its ceiling, measured in the same
// rounds: the same ReadableSpans converted to row values and written with the store's upserts
// (INSERT … ON CONFLICT … DO UPDATE … WHERE status = 'in_progress', plus the run re-aggregation)
// into the same schema, synchronously on the main thread, one transaction per 2,000 spans (the
// exporter's largest: its writer joins waiting exports up to its maxBatchSpans) — everything the
// exporter must do, timed, minus its queue and worker hop. The exporter converts on the calling
// thread while its worker writes, so it could beat this ceiling by the share of conversion at most
// (printed); a figure beyond that would mean the ceiling is wrong.
// Run: bash scripts/pnpm.sh run build && node benchmarks/store-ingest.ts
// Target: at least 60% of the ceiling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteSpanExporter, openStore } from '@runtrace/store';
import { Database } from './internal/baseline-sqlite.ts';
import { CeilingWriter, toWriteOp } from './internal/ceiling-writer.ts';
import { makeRun } from './internal/ingest-spans.ts';

type ReadableSpan = Parameters<SqliteSpanExporter['export']>[0][number];

const RUNS = 5_000;
const ROUNDS = 9;
const BATCH = 512;
/**
 * The most spans the exporter's writer puts in one transaction (its `maxBatchSpans`, passed
 * explicitly below): with several exports in flight it joins waiting ones up to this, and larger
 * transactions are faster, so the ceiling commits this many at a time too.
 */
const TRANSACTION_SPANS = 2_000;

// The ceiling: the same spans converted to rows and upserted with the store's own statements, one
// transaction per TRANSACTION_SPANS, synchronously on this thread — the exporter's work without its
// queue and worker hop, so an upper bound for a synchronous writer that does that work (see CeilingWriter).
function ceilingInsert(path: string, spans: readonly ReadableSpan[]): number {
  openStore({ path }).close(); // same schema and indexes
  const writer = new CeilingWriter(path); // the store's writer connection's settings
  const started = performance.now();
  for (let next = 0; next < spans.length; next += TRANSACTION_SPANS) writer.write(spans.slice(next, next + TRANSACTION_SPANS));
  const elapsed = performance.now() - started;
  writer.close();
  checkRows(path, spans.length);
  return elapsed;
}

// The conversion half of the ceiling alone: the part an exporter that writes on a worker thread
// can overlap with writing, which is how it may beat a synchronous ceiling in a round.
function convertOnly(spans: readonly ReadableSpan[]): number {
  const started = performance.now();
  let cells = 0;
  for (const span of spans) cells += toWriteOp(span).values.length;
  const elapsed = performance.now() - started;
  if (cells === 0) throw new Error('nothing converted');
  return elapsed;
}

// Both sides must have written every row, or the comparison means nothing.
function checkRows(path: string, expected: number): void {
  const db = new Database(path, { readonly: true });
  const count = (table: string): number => Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  const written = count('runs') + count('steps') + count('attempts');
  db.close();
  if (written !== expected) throw new Error(`${path}: ${written} rows written, ${expected} expected`);
}

async function exporterInsert(path: string, spans: readonly ReadableSpan[], inFlight: number): Promise<number> {
  const exporter = new SqliteSpanExporter({ path, maxQueueSpans: 50_000, maxBatchSpans: TRANSACTION_SPANS });
  await exporter.forceFlush();
  const started = performance.now();
  let next = 0;
  let failed = 0;
  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = (): void => {
      while (running < inFlight && next < spans.length) {
        const batch = spans.slice(next, next + BATCH);
        next += BATCH;
        running++;
        exporter.export(batch, (result) => {
          if (result.error !== undefined) failed++; // this exporter always says why it failed
          running--;
          if (next >= spans.length && running === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const elapsed = performance.now() - started;
  await exporter.shutdown();
  if (failed > 0) throw new Error(`${failed} exports failed`);
  checkRows(path, spans.length);
  return elapsed;
}

const spans: ReadableSpan[] = [];
for (let n = 0; n < RUNS; n++) spans.push(...makeRun(n));
const attributeBytes = spans.reduce((sum, s) => sum + JSON.stringify(s.attributes).length, 0) / spans.length;

const dir = mkdtempSync(join(tmpdir(), 'runtrace-bench-ingest-'));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ceiling: number[] = [];
const converting: number[] = [];
const sequential: number[] = [];
const pipelined: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Odd rounds run the sides in reverse order, so a steady drift favours neither.
    const sides = [
      () => ceiling.push(ceilingInsert(join(dir, `ceiling-${round}.db`), spans)),
      () => converting.push(convertOnly(spans)),
      async () => sequential.push(await exporterInsert(join(dir, `seq-${round}.db`), spans, 1)),
      async () => pipelined.push(await exporterInsert(join(dir, `pipe-${round}.db`), spans, 8)),
    ];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Shared machines change speed from one second to the next, so each round measures the ceiling
// and the exporter back to back, and the share of the ceiling is the median of those paired ratios
// (its range over the rounds is printed too).
const rate = (ms: number): number => spans.length / (ms / 1000);
const share = (runs: number[]): string => {
  const ratios = runs.map((ms, round) => (ceiling[round]! / ms) * 100);
  return `${median(ratios).toFixed(0).padStart(4)}% of ceiling (rounds ${Math.min(...ratios).toFixed(0)}–${Math.max(...ratios).toFixed(0)}%)`;
};
const line = (label: string, runs: number[], ratio: string): string => `${label.padEnd(58)} ${rate(median(runs)).toFixed(0).padStart(8)} spans/s  ${ratio}`;
console.log(`store ingest: ${RUNS} runs, ${spans.length} spans (run + 3 steps + 3 attempts), ~${attributeBytes.toFixed(0)} B attributes/span, ${ROUNDS} rounds, medians`);
console.log(line(`ceiling: convert + upsert on this thread, ${TRANSACTION_SPANS} per transaction`, ceiling, ' 100%'));
const convertShare = converting.map((ms, round) => (ms / ceiling[round]!) * 100);
console.log(`${'  of which converting spans to rows'.padEnd(58)} ${rate(median(converting)).toFixed(0).padStart(8)} spans/s  ${median(convertShare).toFixed(0).padStart(4)}% of the ceiling's time (rounds ${Math.min(...convertShare).toFixed(0)}–${Math.max(...convertShare).toFixed(0)}%)`);
console.log(line(`SqliteSpanExporter, one export of ${BATCH} at a time`, sequential, share(sequential)));
console.log(line(`SqliteSpanExporter, up to 8 exports of ${BATCH} in flight`, pipelined, share(pipelined)));
// Converting runs on the calling thread while the worker writes, so an exporter could beat this
// synchronous ceiling by at most the share of conversion; beyond that the ceiling would be wrong.
console.log(`target: at least 60% of the ceiling (a worker-thread exporter on two free cores could reach at most ${(100 / (1 - median(convertShare) / 100)).toFixed(0)}% by overlapping conversion with writing)`);
