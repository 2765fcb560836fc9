import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, InvalidArgumentError, RuntraceAttributes, ShutDownError, StoreWriteError, defaultPricingTable } from '@runtrace/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, fixtureSpans, runSpan } from './__fixtures__/spans.js';
import { spanToOp } from './internal/span-rows.js';
import { encodeOps } from './internal/ops-codec.js';
import { SqliteSpanExporter } from './sqlite-span-exporter.js';
import { openStore } from './open-store.js';

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

function manyRuns(firstId: number, count: number, label?: string): ReadableSpan[] {
  return Array.from({ length: count }, (_, index) => {
    const span = runSpan({ id: (firstId + index).toString(16).padStart(16, '0'), trace: (firstId + index + 1).toString(16).padStart(32, '0'), startMs: T0 + index, endMs: T0 + index + 1, status: 'completed' });
    return label === undefined ? span : { ...span, attributes: { ...span.attributes, [RuntraceAttributes.RUN_LABEL]: `${label}${index}` } };
  });
}

function countRows(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
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

  it('spills to the spool file instead of dropping when more waits than memory may hold, and writes it all', async () => {
    const exporter = new SqliteSpanExporter({ path, maxQueueSpans: 5 });
    const spans = manyRuns(0x4000, 400);
    // Exports of 40 spans while the first ones are still being written: most go through the spool.
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => exportAll(exporter, spans.slice(index * 40, index * 40 + 40))));
    expect(results.flat().map((result) => result.code)).toEqual(Array.from({ length: 10 }, () => ExportResultCode.SUCCESS));
    const stats = exporter.stats();
    expect(stats.spooledSpans).toBeGreaterThan(0);
    expect(stats).toMatchObject({ writtenSpans: 400, droppedSpans: 0, failedSpans: 0, queuedSpans: 0 });
    expect(countRows(path, 'runs')).toBe(400);
    await exporter.shutdown();
    // The spool file is gone once everything in it was written.
    expect(readdirSync(dir).filter((name) => name.includes('-spool-'))).toEqual([]);
  });

  it('drops, counted as queue-full and told to onWriteError, only when the spool is turned off', async () => {
    const losses: [string, number][] = [];
    const exporter = new SqliteSpanExporter({ path, maxQueueSpans: 5, spool: false, onWriteError: (_error, count, cause) => losses.push([cause, count]) });
    const spans = fixtureSpans();
    const results = await Promise.all([exportAll(exporter, spans.slice(0, 4)), exportAll(exporter, spans.slice(4, 8))]);
    expect(results[0]).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(results[1][0]!.code).toBe(ExportResultCode.FAILED);
    expect(results[1][0]!.error).toBeInstanceOf(StoreWriteError);
    const stats = exporter.stats();
    expect(stats.droppedSpans).toBeGreaterThan(0);
    expect(stats.writtenSpans + stats.droppedSpans).toBe(8);
    expect(stats.lostByCause['queue-full']).toBe(stats.droppedSpans);
    expect(losses).toEqual([['queue-full', stats.droppedSpans]]);
    await exporter.shutdown();
  });

  it('counts writes refused by a full database as disk-full, tells onWriteError, and never throws', async () => {
    const losses: [string, number, string][] = [];
    const exporter = new SqliteSpanExporter({ path, maxDatabaseBytes: 200 * 1024, onWriteError: (error, count, cause) => losses.push([cause, count, error.message]) });
    // Each run carries ~2 KB of attributes: far more than 200 KB in all.
    const spans = manyRuns(0x5000, 1_000, 'x'.repeat(2_000));
    for (const span of spans) exporter.write(span);
    await exporter.forceFlush();
    const stats = exporter.stats();
    expect(stats.failedSpans).toBeGreaterThan(0);
    expect(stats.writtenSpans + stats.failedSpans).toBe(1_000);
    expect(stats.lostByCause['disk-full']).toBe(stats.failedSpans);
    expect(losses.every(([cause, , message]) => cause === 'disk-full' && /full/.test(message))).toBe(true);
    expect(losses.reduce((sum, [, count]) => sum + count, 0)).toBe(stats.failedSpans);
    expect(countRows(path, 'runs')).toBe(stats.writtenSpans);
    await exporter.shutdown();
  });

  it('replays the spool file a dead process left behind when the next exporter opens the store', async () => {
    // A process that spooled rows and died before its writer read them: its pid is gone.
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    const first = new SqliteSpanExporter({ path });
    await first.shutdown();
    const ops = manyRuns(0x6000, 30).map((span) => spanToOp(span, false, { pricing: defaultPricingTable, normalizeModel: (model) => model, now: Date.now })!);
    const encoded = new Uint8Array(encodeOps(ops));
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(encoded.byteLength, 0);
    frame.writeUInt32LE(1, 4);
    // A second frame cut short by the crash is ignored.
    writeFileSync(`${path}-spool-${deadPid}-1`, Buffer.concat([frame, encoded, frame.subarray(0, 6)]));
    const second = new SqliteSpanExporter({ path });
    expect(second.stats().replayedSpans).toBe(30);
    expect(countRows(path, 'runs')).toBe(30);
    expect(readdirSync(dir).filter((name) => name.includes('-spool-'))).toEqual([]);
    await second.shutdown();
  });

  it('write() batches spans over the flush window; forceFlush writes them at once', async () => {
    const exporter = new SqliteSpanExporter({ path, flushIntervalMs: 60_000 });
    for (const span of manyRuns(0x7000, 25)) exporter.write(span);
    expect(exporter.stats().queuedSpans).toBe(25);
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ writtenSpans: 25, queuedSpans: 0 });
    expect(countRows(path, 'runs')).toBe(25);
    await exporter.shutdown();
  });

  it('writes an in-progress row only for work still open after the delay, and never after its final row', async () => {
    const exporter = new SqliteSpanExporter({ path, inProgressDelayMs: 50 });
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
    const store = openStore({ path });
    expect(store.getRun('a00000000000000a')!.run.status).toBe('completed');
    expect(store.getRun('b00000000000000b')!.run.status).toBe('in_progress');
    exporter.write(runSpan({ id: 'b00000000000000b', trace: 'b'.padStart(32, '0'), startMs: T0, endMs: T0 + 500, status: 'completed' }));
    // A late refresh after the final row is ignored.
    exporter.watchInProgress('b00000000000000b', () => slow, true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await exporter.forceFlush();
    expect(store.getRun('b00000000000000b')!.run.status).toBe('completed');
    expect(exporter.stats().inProgressRows).toBe(1);
    store.close();
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
