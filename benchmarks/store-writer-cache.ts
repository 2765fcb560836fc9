// What the store writer's page cache buys: the same rows written with the store's SpanWriter into
// one file per cache size, side by side (internal/side-by-side-writes.ts), so the files grow alike
// and the machine's noise hits each size alike. It prints the write time per span and each file's
// size. The writer thread uses `WRITER_CACHE_KIB` (2,000); better-sqlite3's build default is 16,000.
// Run: bash scripts/pnpm.sh run build && node benchmarks/store-writer-cache.ts [--runs 60000] [--sizes 16000,4000,2000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '@runtrace/store';
import { SpanWriter } from '../packages/store/dist/internal/span-writer.js';
import { WRITER_CACHE_KIB, openDatabase } from '../packages/store/dist/internal/sqlite-connection.js';
import { toWriteOp } from './internal/ceiling-writer.ts';
import { makeRun } from './internal/ingest-spans.ts';
import { writeSideBySide } from './internal/side-by-side-writes.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '60000' },
    sizes: { type: 'string', default: `16000,4000,${WRITER_CACHE_KIB}` },
  },
});
const RUNS = Number(args.runs);
const BATCH_RUNS = 250;
if (!Number.isSafeInteger(RUNS) || RUNS < BATCH_RUNS) throw new Error(`--runs: an integer of at least ${BATCH_RUNS}, not ${args.runs}`);
const sizes = args.sizes.split(',').map(Number);
for (const size of sizes) if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`--sizes: cache sizes in KiB, not ${args.sizes}`);

const dir = mkdtempSync(join(tmpdir(), 'runtrace-writer-cache-'));
try {
  const writers = sizes.map((size, index) => {
    const path = join(dir, `cache-${index}.db`);
    openStore({ path }).close(); // the store's schema and indexes
    return { size, path, writer: new SpanWriter(openDatabase(path, { cacheKiB: size })), ms: 0, lateMs: 0 };
  });
  const batches = Math.floor(RUNS / BATCH_RUNS);
  const spans = writeSideBySide(writers, batches, (batch) => {
    const ops = [];
    for (let run = batch * BATCH_RUNS; run < (batch + 1) * BATCH_RUNS; run++) for (const span of makeRun(run)) ops.push(toWriteOp(span));
    return ops;
  });
  console.log(`store-writer-cache: ${spans} spans (${batches} transactions of ${BATCH_RUNS} runs) into ${writers.length} files side by side; node ${process.version}`);
  for (const entry of writers) {
    const late = (entry.lateMs * 1000) / (spans / 2);
    console.log(
      `  cache ${String(entry.size).padStart(6)} KiB: ${((entry.ms * 1000) / spans).toFixed(1)} µs per span (second half ${late.toFixed(1)}), file ${(statSync(entry.path).size / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  for (const entry of writers) entry.writer.database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
