// What both store exporters promise, from one set of tests on both backends: a callback per export
// after the commit, forceFlush, batches in parts, conversion failures, shutdown, the flush window,
// in-progress rows, and spans from the real SDK.
import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, RuntraceAttributes, ShutDownError, StoreWriteError } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { T0, fixtureSpans, runSpan } from './__fixtures__/spans.js';
import { BACKENDS, closeStore, freshStorePerTest } from './__fixtures__/store-backends.js';
import type { TestExporter } from './__fixtures__/store-backends.js';

/** Every callback of one export (there must be exactly one), collected a moment after the first. */
function exportAll(exporter: TestExporter, spans: ReadableSpan[]): Promise<ExportResult[]> {
  return new Promise((resolve) => {
    const results: ExportResult[] = [];
    exporter.export(spans, (result) => {
      results.push(result);
      setTimeout(() => resolve(results), 20);
    });
  });
}

function manyRuns(firstId: number, count: number): ReadableSpan[] {
  return Array.from({ length: count }, (_, index) =>
    runSpan({ id: (firstId + index).toString(16).padStart(16, '0'), trace: (firstId + index + 1).toString(16).padStart(32, '0'), startMs: T0 + index, endMs: T0 + index + 1, status: 'completed' }),
  );
}

describe.each(BACKENDS.map((make) => [make().name, make] as const))('the %s exporter', (_name, make) => {
  const location = freshStorePerTest(make());

  async function runCount(): Promise<number> {
    const store = location().open();
    try {
      return (await store.overview()).runs;
    } finally {
      await closeStore(store);
    }
  }

  it('calls the result callback exactly once per export, after the rows are committed', async () => {
    const exporter = location().exporter();
    const results = await exportAll(exporter, fixtureSpans());
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(await runCount()).toBe(5);
    expect(exporter.stats()).toMatchObject({ writtenSpans: fixtureSpans().length, queuedSpans: 0, droppedSpans: 0, failedSpans: 0 });
    await exporter.shutdown();
  });

  it('makes forceFlush wait for pending writes and handles concurrent exports', async () => {
    const exporter = location().exporter({ maxBatchSpans: 3 });
    const codes: number[] = [];
    const spans = manyRuns(0x1000, 20);
    for (let index = 0; index < spans.length; index += 4) exporter.export(spans.slice(index, index + 4), (result) => codes.push(result.code));
    await exporter.forceFlush();
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    expect(await runCount()).toBe(20);
    await exporter.shutdown();
  });

  it('writes a large export in parts, and calls back once after all of them', async () => {
    const exporter = location().exporter({ maxBatchSpans: 100 });
    const results = await exportAll(exporter, manyRuns(0x2000, 450));
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(exporter.stats()).toMatchObject({ writtenSpans: 450, queuedSpans: 0 });
    expect(await runCount()).toBe(450);
    await exporter.shutdown();
  });

  it('fails an export whose span cannot be converted, once, counts it, and writes the others', async () => {
    const exporter = location().exporter();
    const good = manyRuns(0x3000, 100);
    const broken = { ...good[0]!, spanContext: () => { throw new Error('no context'); } } as ReadableSpan;
    const results = await exportAll(exporter, [...good, broken]);
    expect(results).toHaveLength(1);
    expect(results[0]!.code).toBe(ExportResultCode.FAILED);
    expect(results[0]!.error).toBeInstanceOf(StoreWriteError);
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ writtenSpans: 100, failedSpans: 1, queuedSpans: 0 });
    // The exporter keeps working.
    expect((await exportAll(exporter, fixtureSpans()))[0]!.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
  });

  it('fails exports after shutdown with ShutDownError, and shuts down once', async () => {
    const exporter = location().exporter();
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    const [result, ...more] = await exportAll(exporter, fixtureSpans());
    expect(more).toEqual([]);
    expect(result!.code).toBe(ExportResultCode.FAILED);
    expect(result!.error).toBeInstanceOf(ShutDownError);
    expect(exporter.stats().droppedSpans).toBe(fixtureSpans().length);
    expect(() => exporter.recordInProgress(fixtureSpans()[0]!)).not.toThrow();
  });

  it('write() batches spans over the flush window; forceFlush writes them at once', async () => {
    const exporter = location().exporter({ flushIntervalMs: 60_000 });
    for (const span of manyRuns(0x7000, 25)) exporter.write(span);
    expect(exporter.stats().queuedSpans).toBe(25);
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ writtenSpans: 25, queuedSpans: 0 });
    expect(await runCount()).toBe(25);
    await exporter.shutdown();
  });

  it('writes an in-progress row only for work still open after the delay, and never after its final row', async () => {
    const exporter = location().exporter({ inProgressDelayMs: 50 });
    const quick = runSpan({ id: 'a00000000000000a', trace: 'a'.padStart(32, '0'), startMs: T0, status: 'in_progress' });
    const slow = runSpan({ id: 'b00000000000000b', trace: 'b'.padStart(32, '0'), startMs: T0, status: 'in_progress' });
    let snapshots = 0;
    exporter.watchInProgress('a00000000000000a', () => {
      snapshots += 1;
      return quick;
    });
    exporter.watchInProgress('b00000000000000b', () => slow);
    // The quick run ends before the delay: it costs no snapshot and no in-progress row.
    exporter.write(runSpan({ id: 'a00000000000000a', trace: 'a'.padStart(32, '0'), startMs: T0, endMs: T0 + 5, status: 'completed' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await exporter.forceFlush();
    expect(snapshots).toBe(0);
    expect(exporter.stats().inProgressRows).toBe(1);
    const store = location().open();
    try {
      expect((await store.getRun('a00000000000000a'))!.run.status).toBe('completed');
      expect((await store.getRun('b00000000000000b'))!.run.status).toBe('in_progress');
      exporter.write(runSpan({ id: 'b00000000000000b', trace: 'b'.padStart(32, '0'), startMs: T0, endMs: T0 + 500, status: 'completed' }));
      // A late refresh after the final row is ignored.
      exporter.watchInProgress('b00000000000000b', () => slow, true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await exporter.forceFlush();
      expect((await store.getRun('b00000000000000b'))!.run.status).toBe('completed');
      expect(exporter.stats().inProgressRows).toBe(1);
    } finally {
      await closeStore(store);
      await exporter.shutdown();
    }
  });

  it('accepts spans from the real SDK, keeping foreign spans generically by trace', async () => {
    const exporter = location().exporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('test');
    const run = tracer.startSpan('invoke_agent chat_turn', { attributes: { [RuntraceAttributes.SPAN_KIND]: 'run', [RuntraceAttributes.STATUS]: 'in_progress', [GenAiAttributes.CONVERSATION_ID]: 'sdk' } });
    const runId = run.spanContext().spanId;
    run.setAttribute(RuntraceAttributes.RUN_ID, runId);
    exporter.recordInProgress(run as unknown as ReadableSpan);
    await exporter.forceFlush();
    const store = location().open();
    try {
      expect((await store.getRun(runId))!.run.status).toBe('in_progress');
      const foreign = tracer.startSpan('SELECT users', {}, trace.setSpan(context.active(), run));
      foreign.end();
      run.setAttribute(RuntraceAttributes.STATUS, 'completed');
      run.end();
      await provider.forceFlush();
      await exporter.forceFlush();
      const detail = (await store.getRun(runId))!;
      expect(detail.run).toMatchObject({ status: 'completed', conversationId: 'sdk' });
      expect(detail.spans.map((span) => [span.name, span.parentSpanId, span.scope])).toEqual([['SELECT users', runId, 'test']]);
    } finally {
      await closeStore(store);
      await provider.shutdown();
    }
  });
});
