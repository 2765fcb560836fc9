// Offered load far above the store's write rate, through the built packages: no finished span is
// lost, no completed run is left in progress, and the overflow goes through the spool file.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { Recorder } from '@runtrace/instrumentation';
import { RunSpanProcessor } from '@runtrace/processor';
import { SqliteSpanExporter, StoreSpanProcessor, openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const RUNS = 6_000;
const STEPS = 3;
const TOOLS_PER_STEP = 2;
const SPANS_PER_RUN = 1 + STEPS + STEPS * TOOLS_PER_STEP;

let dir: string;
const contextManager = new AsyncLocalStorageContextManager();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtrace-lossless-'));
  context.setGlobalContextManager(contextManager.enable());
});

afterEach(() => {
  context.disable();
  rmSync(dir, { recursive: true, force: true });
});

interface ReadOnlyDatabase {
  prepare(sql: string): { pluck(): { get(): unknown } };
  close(): void;
}
/** better-sqlite3, the copy the store uses (it is the store's dependency, not the workspace root's). */
const Database = createRequire(import.meta.resolve('@runtrace/store'))('better-sqlite3') as new (path: string, options: { readonly: boolean }) => ReadOnlyDatabase;

function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Produces runs of ten spans without ever yielding to the event loop: the writer cannot be waited for. */
function produce(recorder: Recorder, runs: number): void {
  for (let n = 0; n < runs; n++) {
    const run = recorder.startRun({ kind: 'load', provider: 'openai', model: 'gpt-4o-mini', conversationId: `c-${n % 50}` });
    for (let s = 0; s < STEPS; s++) {
      const step = run.startStep({ operation: 'generate', model: 'gpt-4o-mini' });
      step.setResponse({ model: 'gpt-4o-mini', finishReason: 'tool_calls', usage: { inputTokens: 100, outputTokens: 20 } });
      for (let t = 0; t < TOOLS_PER_STEP; t++) {
        run.startTool({ name: 'search', callId: `call_${s}_${t}`, arguments: { query: 'x'.repeat(200) }, step }).end({ result: { hits: t } });
      }
      step.end();
    }
    run.end();
  }
}

describe('the store under offered load far above its write rate', () => {
  it('writes every finished span and leaves no completed run in progress, spilling to the spool file', async () => {
    const path = join(dir, 'runtrace.db');
    const losses: string[] = [];
    // A small memory bound so most of the burst goes through the spool file.
    const exporter = new SqliteSpanExporter({ path, maxQueueSpans: 200, inProgressDelayMs: 0, onWriteError: (error) => losses.push(error.message) });
    const processor = new RunSpanProcessor({ destinations: [{ processor: new StoreSpanProcessor(exporter), kind: 'store', content: 'full' }] });
    // Every run and step gets an in-progress row at once (delay 0): the worst case for ordering.
    processor.subscribe((event) => {
      if (event.type === 'run-start' || event.type === 'step-start') exporter.watchInProgress(event.spanId, () => event.span);
      else if (event.type === 'run-update') exporter.watchInProgress(event.spanId, () => event.span, true);
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const recorder = new Recorder({ tracerProvider: provider, contentPolicy: 'full' });

    produce(recorder, RUNS);
    const offered = exporter.stats();
    // Nothing could be written yet (the event loop never turned): all of it is waiting.
    expect(offered.writtenSpans).toBe(0);
    expect(offered.queuedSpans).toBeGreaterThanOrEqual(RUNS * SPANS_PER_RUN);
    expect(offered.spooledSpans).toBeGreaterThan(RUNS * SPANS_PER_RUN / 2);

    await provider.shutdown();
    const stats = exporter.stats();
    expect(losses).toEqual([]);
    expect(stats).toMatchObject({ droppedSpans: 0, failedSpans: 0, queuedSpans: 0 });
    expect(stats.writtenSpans).toBe(RUNS * SPANS_PER_RUN + stats.inProgressRows);
    expect(count(path, 'SELECT count(*) FROM runs')).toBe(RUNS);
    expect(count(path, 'SELECT count(*) FROM steps')).toBe(RUNS * STEPS);
    expect(count(path, 'SELECT count(*) FROM tool_calls')).toBe(RUNS * STEPS * TOOLS_PER_STEP);
    expect(count(path, "SELECT count(*) FROM runs WHERE status <> 'completed'")).toBe(0);
    expect(count(path, "SELECT count(*) FROM steps WHERE status <> 'completed'")).toBe(0);
    expect(count(path, 'SELECT count(*) FROM runs WHERE step_count <> 3')).toBe(0);
    // The spool file is gone once drained.
    expect(readdirSync(dir).filter((name) => name.includes('-spool-'))).toEqual([]);
    const store = openStore({ path });
    expect(store.overview().runs).toBe(RUNS);
    store.close();
  });
});
