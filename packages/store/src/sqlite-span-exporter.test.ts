import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError, RuntraceAttributes, StoreWriteError, defaultPricingTable } from '@runtrace/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, fixtureSpans, runSpan } from './__fixtures__/spans.js';
import { spanToOp } from './internal/span-rows.js';
import { encodeOps } from './internal/ops-codec.js';
import { SqliteSpanExporter } from './sqlite-span-exporter.js';

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

describe('SqliteSpanExporter (what only it does; what both exporters do is in span-exporters.test.ts)', () => {
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

  it('write() keeps at most 64 ended spans as they are, then turns them all into rows; one that cannot be converted is counted then', async () => {
    const errors: string[] = [];
    const exporter = new SqliteSpanExporter({ path, flushIntervalMs: 60_000, onWriteError: (error, count, cause) => errors.push(`${cause}:${count}`) });
    /** The spans (by index) whose attributes were read: the ones turned into rows. */
    const read = new Set<number>();
    const counted = (span: ReadableSpan, index: number): ReadableSpan => {
      const { attributes } = span;
      return Object.defineProperty<ReadableSpan>({ ...span }, 'attributes', {
        get() {
          read.add(index);
          return attributes;
        },
      });
    };
    const spans = manyRuns(0x9000, 130).map(counted);
    const broken = { ...manyRuns(0x9900, 1)[0]!, spanContext: () => { throw new Error('no context'); } } as ReadableSpan;
    for (const span of spans.slice(0, 63)) exporter.write(span);
    expect(read.size).toBe(0);
    expect(exporter.stats()).toMatchObject({ queuedSpans: 63, writtenSpans: 0 });
    exporter.write(broken);
    // The 64th span has the 64 converted, the broken one counted as it is.
    expect([...read].sort((a, b) => a - b)).toEqual(Array.from({ length: 63 }, (_, index) => index));
    expect(exporter.stats().lostByCause.conversion).toBe(1);
    expect(errors).toEqual(['conversion:1']);
    for (const span of spans.slice(63)) exporter.write(span);
    // 67 more: 64 of them converted at once, the last 3 still waiting; all 130 queued.
    expect(read.size).toBe(63 + 64);
    expect([127, 128, 129].some((index) => read.has(index))).toBe(false);
    expect(exporter.stats()).toMatchObject({ queuedSpans: 130, writtenSpans: 0 });
    // Shutting down converts and writes what waits.
    await exporter.shutdown();
    expect(exporter.stats()).toMatchObject({ writtenSpans: 130, queuedSpans: 0, failedSpans: 1 });
    expect(countRows(path, 'runs')).toBe(130);
  });

  it('validates its options', () => {
    expect(() => new SqliteSpanExporter({ path: '' })).toThrow(InvalidArgumentError);
    expect(() => new SqliteSpanExporter({ path, maxQueueSpans: -1 })).toThrow(/maxQueueSpans/);
  });
});
