// One side of benchmarks/pipeline-1m.ts in a process of its own (run with --expose-gc):
// `node --expose-gc pipeline-producer.ts <store|nostore> <runs> <time cap in s>`. It registers
// runtrace, produces runs of 10 spans through the recorder as fast as the event loop allows
// (yielding every 64 runs), waits for the pipeline to drain, shuts down, and reports over IPC what
// was offered, what was kept and what memory it took.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { register } from 'runtrace';
import { Database } from './baseline-sqlite.ts';
import type { PipelineReport } from './pipeline-report.ts';

const [side, runsText, capText] = process.argv.slice(2);
const RUNS = Number(runsText);
const CAP_MS = Number(capText) * 1000;
if ((side !== 'store' && side !== 'nostore') || !Number.isSafeInteger(RUNS) || RUNS <= 0 || !(CAP_MS > 0)) {
  throw new Error('usage: pipeline-producer.ts <store|nostore> <runs> <time cap in s>');
}
const gc = (globalThis as { gc?: (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const STEPS = 3;
const TOOLS_PER_STEP = 2;
/** Spans per run: the run, its steps, two tool calls per step. */
const SPANS_PER_RUN = 1 + STEPS + STEPS * TOOLS_PER_STEP;
const YIELD_EVERY = 64;
const MODEL = 'gpt-4o-mini';
const REQUEST = {
  messages: [
    { role: 'system' as const, parts: [{ type: 'text' as const, text: 'You are a careful assistant for a build team.' }] },
    { role: 'user' as const, parts: [{ type: 'text' as const, text: 'Summarize the nightly build log and list the failing tests.' }] },
  ],
};

const directory = mkdtempSync(join(tmpdir(), 'runtrace-bench-pipeline-'));
const storePath = join(directory, 'runtrace.db');
const MIB = 1024 * 1024;

/** Resolves with `undefined` when `promise` does not settle before the deadline. */
async function capped<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - performance.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

try {
  const runtrace = register({ store: side === 'store' ? storePath : false, otlp: false, env: {} });
  const { recorder } = runtrace;

  gc();
  const { rss: startRss, heapUsed: startHeapUsed, heapTotal: startHeapTotal } = process.memoryUsage();
  let peakRss = startRss;
  let peakHeapUsed = startHeapUsed;
  const sample = (): void => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeapUsed = Math.max(peakHeapUsed, heapUsed);
  };
  const sampler = setInterval(sample, 50);

  const started = performance.now();
  const deadline = started + CAP_MS;
  let produced = 0;
  for (let n = 0; n < RUNS && performance.now() < deadline; n++) {
    const run = recorder.startRun({ kind: 'bench', provider: 'openai', model: MODEL, conversationId: `conversation-${n % 1000}` });
    for (let s = 1; s <= STEPS; s++) {
      const step = run.startStep({ operation: 'generate', request: REQUEST });
      step.setResponse({ model: MODEL, finishReason: 'tool_calls', usage: { inputTokens: 1200, outputTokens: 300 } });
      for (let t = 1; t <= TOOLS_PER_STEP; t++) {
        const tool = run.startTool({ name: 'search_logs', callId: `call_${s}_${t}`, arguments: { query: 'FAILED', limit: 20 }, step });
        tool.end({ result: { hits: 3 } });
      }
      step.end();
    }
    run.end();
    produced += 1;
    if (produced % YIELD_EVERY === 0) await yieldToLoop();
  }
  const producedMs = performance.now() - started;

  const drained = (await capped(runtrace.forceFlush().then(() => true), deadline)) === true;
  const drainedMs = performance.now() - started;
  const exporter = runtrace.storeExporter?.stats();
  const processor = runtrace.processor.stats();
  const shutDown = (await capped(runtrace.shutdown().then(() => true), performance.now() + 60_000)) === true;
  clearInterval(sampler);
  sample();

  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(1000); // V8 shrinks its heap on a timer after GCs
  }
  const memory = process.memoryUsage();
  // V8 keeps the 256 KiB pages a shrinking heap frees in a pool, resident, for reuse; only a
  // memory-reducing GC gives them back to the system. This is the GC V8 runs when memory is
  // short (its "last resort" collection), which a script can ask for with --expose-gc.
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  await sleep(1000);
  const afterPressureRss = process.memoryUsage().rss;

  let rows: PipelineReport['rows'];
  if (side === 'store') {
    const db = new Database(storePath, { readonly: true });
    const count = (sql: string): number => Number(db.prepare(sql).pluck().get());
    const table = (name: string): { readonly total: number; readonly inProgress: number } => ({
      total: count(`SELECT count(*) FROM ${name}`),
      inProgress: count(`SELECT count(*) FROM ${name} WHERE status = 'in_progress'`),
    });
    rows = { runs: table('runs'), steps: table('steps'), tools: table('tool_calls') };
    db.close();
  }

  const report: PipelineReport = {
    side,
    runs: produced,
    spansPerRun: SPANS_PER_RUN,
    expected: { runs: produced, steps: produced * STEPS, tools: produced * STEPS * TOOLS_PER_STEP },
    producedMs,
    drained,
    drainedMs,
    shutDown,
    startRssMiB: startRss / MIB,
    startHeapUsedMiB: startHeapUsed / MIB,
    startHeapTotalMiB: startHeapTotal / MIB,
    peakRssMiB: peakRss / MIB,
    peakHeapUsedMiB: peakHeapUsed / MIB,
    afterRssMiB: memory.rss / MIB,
    afterHeapUsedMiB: memory.heapUsed / MIB,
    afterHeapTotalMiB: memory.heapTotal / MIB,
    afterExternalMiB: memory.external / MIB,
    afterPressureRssMiB: afterPressureRss / MIB,
    ...(exporter === undefined ? {} : { exporter }),
    processor: { untracked: processor.untracked, internalErrors: processor.internalErrors, interruptedAtShutdown: processor.interruptedAtShutdown.runs },
    ...(rows === undefined ? {} : { rows }),
  };
  process.send?.(report, undefined, {}, () => process.exit(0));
} finally {
  rmSync(directory, { recursive: true, force: true });
}
