// What the indexes of runs that schema 5 dropped cost the store's writer: the same runs written
// with the store's SpanWriter into two files side by side (internal/side-by-side-writes.ts): the
// current schema, and the same with schema 4's indexes of runs by duration, tokens, cost and trace.
// The runs are made as an application's are: random span and trace ids, and each run its own
// duration, tokens and cost (benchmarks/internal/ingest-spans.ts). The writer's page cache is the
// writer thread's (`WRITER_CACHE_KIB`). It prints the write time per run over all batches and
// over the second half (when the files have outgrown the cache), and each file's size.
// Run: bash scripts/pnpm.sh run build && node benchmarks/store-run-indexes.ts [--runs 60000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '@runtrace/store';
import { createSeededRandom } from '@runtrace/testkit';
import { SpanWriter } from '../packages/store/dist/internal/span-writer.js';
import { WRITER_CACHE_KIB, openDatabase } from '../packages/store/dist/internal/sqlite-connection.js';
import { toWriteOp } from './internal/ceiling-writer.ts';
import { makeRun } from './internal/ingest-spans.ts';
import { writeSideBySide } from './internal/side-by-side-writes.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '60000' } } });
const RUNS = Number(args.runs);
const BATCH_RUNS = 250;
if (!Number.isSafeInteger(RUNS) || RUNS < 2 * BATCH_RUNS) throw new Error(`--runs: an integer of at least ${2 * BATCH_RUNS}, not ${args.runs}`);

const SCHEMA_4_INDEXES = `
  CREATE INDEX runs_by_duration ON runs (coalesce(duration_ms, -1), run_id);
  CREATE INDEX runs_by_tokens ON runs (total_tokens, run_id);
  CREATE INDEX runs_by_cost ON runs (coalesce(cost_usd, -1), run_id);
  CREATE INDEX runs_by_trace ON runs (trace_id);`;

const dir = mkdtempSync(join(tmpdir(), 'runtrace-run-indexes-'));
try {
  const sides = [
    { name: 'current schema', extra: '' },
    { name: '+ by duration, tokens, cost, trace', extra: SCHEMA_4_INDEXES },
  ].map((side, index) => {
    const path = join(dir, `side-${index}.db`);
    openStore({ path }).close(); // the store's schema and indexes
    const db = openDatabase(path, { cacheKiB: WRITER_CACHE_KIB });
    if (side.extra !== '') db.exec(side.extra);
    return { ...side, path, writer: new SpanWriter(db), ms: 0, lateMs: 0 };
  });
  const random = createSeededRandom(7);
  const batches = Math.floor(RUNS / BATCH_RUNS);
  writeSideBySide(sides, batches, (batch) => {
    const ops = [];
    for (let run = batch * BATCH_RUNS; run < (batch + 1) * BATCH_RUNS; run++) for (const span of makeRun(run, random)) ops.push(toWriteOp(span));
    return ops;
  });
  const runs = batches * BATCH_RUNS;
  console.log(`store-run-indexes: ${runs} runs of 7 spans (${batches} transactions of ${BATCH_RUNS} runs) into 2 files side by side, writer cache ${WRITER_CACHE_KIB} KiB; node ${process.version}`);
  const perRun = (ms: number, count: number): number => (ms * 1000) / count;
  for (const side of sides) {
    console.log(
      `  ${side.name.padEnd(36)} ${perRun(side.ms, runs).toFixed(1).padStart(6)} µs per run (second half ${perRun(side.lateMs, runs / 2).toFixed(1)}), file ${(statSync(side.path).size / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  const [current, indexed] = sides;
  console.log(`  the four indexes cost ${(perRun(indexed!.lateMs - current!.lateMs, runs / 2)).toFixed(1)} µs per run in the second half (×${(indexed!.lateMs / current!.lateMs).toFixed(2)} the write time)`);
  for (const side of sides) side.writer.database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
