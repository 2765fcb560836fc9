import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, InvalidArgumentError, RuntraceAttributes, ShutDownError, StoreWriteError } from '@runtrace/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, fixtureSpans, runSpan } from './__fixtures__/spans.js';
import { SqliteSpanExporter } from './sqlite-span-exporter.js';
import { openStore } from './sqlite-store.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtrace-exporter-'));
  path = join(dir, 'runtrace.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function exportAll(exporter: SqliteSpanExporter, spans: ReadableSpan[]): Promise<ExportResult[]> {
  // Collects every callback invocation, to check there is exactly one.
  return new Promise((resolve) => {
    const results: ExportResult[] = [];
    exporter.export(spans, (result) => {
      results.push(result);
      setImmediate(() => resolve(results));
    });
  });
}

describe('SqliteSpanExporter', () => {
  it('calls the result callback exactly once per export, after the rows are committed', async () => {
    const exporter = new SqliteSpanExporter({ path });
    const results = await exportAll(exporter, fixtureSpans());
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(5);
    db.close();
    expect(exporter.stats()).toMatchObject({ writtenSpans: fixtureSpans().length, queuedSpans: 0, droppedSpans: 0, failedSpans: 0 });
    await exporter.shutdown();
  });

  it('makes forceFlush wait for pending writes and handles concurrent exports', async () => {
    const exporter = new SqliteSpanExporter({ path, maxBatchSpans: 3 });
    const codes: number[] = [];
    const spans = Array.from({ length: 20 }, (_, index) =>
      runSpan({ id: (0x1000 + index).toString(16).padStart(16, '0'), trace: (index + 1).toString(16).padStart(32, '0'), startMs: T0 + index, endMs: T0 + index + 1, status: 'completed' }),
    );
    for (let index = 0; index < spans.length; index += 4) exporter.export(spans.slice(index, index + 4), (result) => codes.push(result.code));
    await exporter.forceFlush();
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    const store = openStore({ path });
    expect(store.overview().runs).toBe(20);
    store.close();
    await exporter.shutdown();
  });

  it('writes a large export handed to the writer in parts, and calls back once after all of them', async () => {
    const exporter = new SqliteSpanExporter({ path, maxBatchSpans: 100 });
    const spans = Array.from({ length: 450 }, (_, index) =>
      runSpan({ id: (0x2000 + index).toString(16).padStart(16, '0'), trace: (index + 1).toString(16).padStart(32, '0'), startMs: T0 + index, endMs: T0 + index + 1, status: 'completed' }),
    );
    const results = await exportAll(exporter, spans);
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(exporter.stats()).toMatchObject({ writtenSpans: 450, queuedSpans: 0 });
    const store = openStore({ path });
    expect(store.overview().runs).toBe(450);
    store.close();
    await exporter.shutdown();
  });

  it('fails an export whose span cannot be converted, once, and counts it', async () => {
    const exporter = new SqliteSpanExporter({ path });
    const good = Array.from({ length: 100 }, (_, index) =>
      runSpan({ id: (0x3000 + index).toString(16).padStart(16, '0'), trace: (index + 1).toString(16).padStart(32, '0'), startMs: T0 + index, endMs: T0 + index + 1, status: 'completed' }),
    );
    const broken = { ...good[0]!, spanContext: () => { throw new Error('no context'); } } as ReadableSpan;
    const results = await exportAll(exporter, [...good, broken]);
    expect(results).toHaveLength(1);
    expect(results[0]!.code).toBe(ExportResultCode.FAILED);
    expect(results[0]!.error).toBeInstanceOf(StoreWriteError);
    await exporter.forceFlush();
    const stats = exporter.stats();
    expect(stats.writtenSpans + stats.failedSpans).toBe(101);
    expect(stats.failedSpans).toBeGreaterThan(0);
    expect(stats.queuedSpans).toBe(0);
    // The exporter keeps working.
    expect((await exportAll(exporter, fixtureSpans()))[0]!.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
  });

  it('fails exports after shutdown with ShutDownError, and shuts down once', async () => {
    const exporter = new SqliteSpanExporter({ path });
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

  it('applies back-pressure with counted drops when the queue is full', async () => {
    const exporter = new SqliteSpanExporter({ path, maxQueueSpans: 5 });
    const spans = fixtureSpans();
    const results = await Promise.all([exportAll(exporter, spans.slice(0, 4)), exportAll(exporter, spans.slice(4, 8))]);
    expect(results[0]).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(results[1][0]!.code).toBe(ExportResultCode.FAILED);
    expect(results[1][0]!.error).toBeInstanceOf(StoreWriteError);
    expect(exporter.stats().droppedSpans).toBe(4);
    await exporter.shutdown();
  });

  it('reports a write failure as FAILED with a StoreWriteError', async () => {
    const exporter = new SqliteSpanExporter({ path, busyTimeoutMs: 1 });
    const blocker = new Database(path);
    blocker.exec('BEGIN EXCLUSIVE');
    const [result] = await exportAll(exporter, fixtureSpans());
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(result!.code).toBe(ExportResultCode.FAILED);
    expect(result!.error).toBeInstanceOf(StoreWriteError);
    expect(exporter.stats().failedSpans).toBe(fixtureSpans().length);
    // The writer recovers once the lock is gone.
    expect((await exportAll(exporter, fixtureSpans()))[0]!.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
  });

  it('accepts spans from the real SDK, keeping foreign spans generically by trace', async () => {
    const exporter = new SqliteSpanExporter({ path });
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('test');
    const run = tracer.startSpan('invoke_agent chat_turn', { attributes: { [RuntraceAttributes.SPAN_KIND]: 'run', [RuntraceAttributes.STATUS]: 'in_progress', [GenAiAttributes.CONVERSATION_ID]: 'sdk' } });
    const runId = run.spanContext().spanId;
    run.setAttribute(RuntraceAttributes.RUN_ID, runId);
    exporter.recordInProgress(run as unknown as ReadableSpan);
    await exporter.forceFlush();
    const store = openStore({ path });
    expect(store.getRun(runId)!.run.status).toBe('in_progress');
    const foreign = tracer.startSpan('SELECT users', {}, trace.setSpan(context.active(), run));
    foreign.end();
    run.setAttribute(RuntraceAttributes.STATUS, 'completed');
    run.end();
    await provider.forceFlush();
    await exporter.forceFlush();
    const detail = store.getRun(runId)!;
    expect(detail.run).toMatchObject({ status: 'completed', conversationId: 'sdk' });
    expect(detail.spans.map((span) => [span.name, span.parentSpanId, span.scope])).toEqual([['SELECT users', runId, 'test']]);
    store.close();
    await provider.shutdown();
  });

  it('validates its options', () => {
    expect(() => new SqliteSpanExporter({ path: '' })).toThrow(InvalidArgumentError);
    expect(() => new SqliteSpanExporter({ path, maxQueueSpans: -1 })).toThrow(/maxQueueSpans/);
  });
});
