// The PostgreSQL exporter against a real server: spans committed, an outage of the database waited out without loss, an unreachable database never blocking shutdown.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPortUrl } from '@runtrace/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/__fixtures__/postgres-server.js';
import type { PostgresServer } from '../../../test/__fixtures__/postgres-server.js';
import { fixtureSpans, inProgressSpans } from './__fixtures__/spans.js';
import { PostgresSpanExporter } from './postgres-span-exporter.js';
import type { PostgresLossCause } from './postgres-span-exporter.js';

let server: PostgresServer;
let databases = 0;

async function count(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM runtrace_${table}`)).rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('PostgresSpanExporter', () => {
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('makes the tables on first use and answers an export once its spans are committed', async () => {
    const url = await server.createDatabase(`exporter_${++databases}`);
    const exporter = new PostgresSpanExporter({ url });
    const spans = fixtureSpans();
    const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
    expect(result.code).toBe(0);
    expect(await count(url, 'runs')).toBe(5);
    expect(await count(url, 'steps')).toBe(3);
    for (const span of spans) exporter.write(span);
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ writtenSpans: 2 * spans.length, queuedSpans: 0, failedSpans: 0, droppedSpans: 0, outages: 0 });
    await exporter.shutdown();
    expect(exporter.location).not.toContain('runtrace-test');
  });

  it('writes spans handed over while its last batch is being finished (an export from the previous one’s callback, a write before forceFlush)', async () => {
    const url = await server.createDatabase(`exporter_${++databases}`);
    const exporter = new PostgresSpanExporter({ url, flushIntervalMs: 0, spoolDirectory: false });
    const spans = fixtureSpans();
    const answered = await new Promise<number[]>((resolve) => {
      const codes: number[] = [];
      // Each export starts from the previous one's callback, when the pump has just found its queue empty.
      const next = (index: number): void => {
        if (index === spans.length) return resolve(codes);
        exporter.export([spans[index]!], (result) => {
          codes.push(result.code);
          next(index + 1);
        });
      };
      next(0);
    });
    expect(answered).toEqual(spans.map(() => 0));
    await new Promise<void>((resolve) =>
      exporter.export([spans[0]!], () => {
        exporter.write(spans[1]!);
        resolve();
      }),
    );
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ writtenSpans: spans.length + 2, queuedSpans: 0 });
    await exporter.shutdown();
    expect(await count(url, 'runs')).toBe(5);
  });

  it('waits out a restart of the database and loses nothing, telling the outage once', async () => {
    const url = await server.createDatabase(`exporter_${++databases}`);
    const reports: [PostgresLossCause, number][] = [];
    const recovered: number[] = [];
    const exporter = new PostgresSpanExporter({ url, maxRetryDelayMs: 200, onWriteError: (_error, spans, cause) => reports.push([cause, spans]), onRecovered: (ms) => recovered.push(ms) });
    const spans = fixtureSpans();
    for (const span of spans.slice(0, 5)) exporter.write(span);
    await exporter.forceFlush();
    await server.halt();
    try {
      for (const span of spans.slice(5)) exporter.write(span);
      await expect.poll(() => exporter.stats().retries, { timeout: 10_000 }).toBeGreaterThan(2);
      expect(exporter.stats().queuedSpans).toBe(spans.length - 5);
    } finally {
      await server.restart();
    }
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ writtenSpans: spans.length, queuedSpans: 0, failedSpans: 0, droppedSpans: 0, outages: 1 });
    expect(reports).toEqual([['unavailable', spans.length - 5]]);
    expect(recovered).toHaveLength(1);
    expect(await count(url, 'runs')).toBe(5);
    await exporter.shutdown();
  }, 60_000);

  it('sweeps stale in-progress rows once when two hosts sweep at the same moment, and on first connecting', async () => {
    const url = await server.createDatabase(`exporter_${++databases}`);
    // A process that died: its live run and step were written as in-progress rows, months ago.
    const monthsAgo = (): number => Date.UTC(2026, 0, 13, 14);
    const dead = new PostgresSpanExporter({ url, sweepOnConnect: false, now: monthsAgo });
    for (const span of inProgressSpans()) dead.recordInProgress(span);
    await dead.shutdown();
    const statuses = async (): Promise<string[]> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ status: string }>("SELECT status || ':' || stale AS status FROM runtrace_runs UNION ALL SELECT status FROM runtrace_steps")).rows.map((row) => row.status);
      } finally {
        await client.end();
      }
    };
    expect(await statuses()).toEqual(['in_progress:0', 'in_progress']);
    const hosts = [new PostgresSpanExporter({ url, sweepOnConnect: false }), new PostgresSpanExporter({ url, sweepOnConnect: false })];
    const results = await Promise.all(hosts.map((host) => host.sweep()));
    const finalized = results.reduce((sum, result) => sum + (result === undefined ? 0 : result.runs + result.steps), 0);
    expect(finalized).toBe(2);
    expect(results).toContainEqual({ runs: 1, steps: 1, attempts: 0, toolCalls: 0 });
    expect(await statuses()).toEqual(['interrupted:1', 'interrupted']);
    await Promise.all(hosts.map((host) => host.shutdown()));

    // Again, swept by the first exporter that connects.
    const again = await server.createDatabase(`exporter_${++databases}`);
    const before = new PostgresSpanExporter({ url: again, sweepOnConnect: false, now: monthsAgo });
    for (const span of inProgressSpans()) before.recordInProgress(span);
    await before.shutdown();
    const next = new PostgresSpanExporter({ url: again });
    next.write(fixtureSpans()[0]!);
    await next.forceFlush();
    expect(next.stats().sweptRows).toBe(2);
    await next.shutdown();
  });

  it('spills past its memory bound to a spool file during an outage and writes everything, in order, once the database is back', async () => {
    const url = await server.createDatabase(`exporter_${++databases}`);
    const spoolDirectory = mkdtempSync(join(tmpdir(), 'runtrace-pg-spool-'));
    const exporter = new PostgresSpanExporter({ url, spoolDirectory, maxQueueSpans: 3, maxRetryDelayMs: 200 });
    try {
      exporter.write(fixtureSpans()[0]!);
      await exporter.forceFlush();
      await server.halt();
      try {
        // Each span twice, as a live snapshot first, then finished: the order must survive the disk.
        for (const span of inProgressSpans()) exporter.recordInProgress(span);
        for (const span of fixtureSpans()) exporter.write(span);
        await expect.poll(() => exporter.stats().retries, { timeout: 10_000 }).toBeGreaterThan(1);
        expect(exporter.stats().spooledSpans).toBeGreaterThan(0);
        expect(readdirSync(spoolDirectory)).toHaveLength(1);
      } finally {
        await server.restart();
      }
      await exporter.forceFlush();
      expect(exporter.stats()).toMatchObject({ queuedSpans: 0, failedSpans: 0, droppedSpans: 0 });
      expect(await count(url, 'runs')).toBe(6);
      expect(await count(url, 'steps')).toBe(4);
      await exporter.shutdown();
      expect(readdirSync(spoolDirectory)).toEqual([]);
    } finally {
      rmSync(spoolDirectory, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps what shutdown could not write in the spool file, and the next exporter of the database writes it', async () => {
    const url = await server.createDatabase(`exporter_${++databases}`);
    const spoolDirectory = mkdtempSync(join(tmpdir(), 'runtrace-pg-spool-'));
    const reports: string[] = [];
    try {
      const first = new PostgresSpanExporter({ url, spoolDirectory, shutdownTimeoutMs: 300, maxRetryDelayMs: 100, onWriteError: (error, _spans, cause) => reports.push(`${cause}: ${error.message}`) });
      await server.halt();
      try {
        for (const span of fixtureSpans()) first.write(span);
        await first.shutdown();
      } finally {
        await server.restart();
      }
      expect(first.stats()).toMatchObject({ writtenSpans: 0, failedSpans: 0, keptSpans: fixtureSpans().length });
      expect(reports.at(-1)).toMatch(/^gave-up: .* 16 spans wait in .*runtrace|^gave-up: .* 16 spans wait in /);
      expect(reports.at(-1)).not.toContain('runtrace-test');
      expect(readdirSync(spoolDirectory)).toHaveLength(1);

      const next = new PostgresSpanExporter({ url, spoolDirectory });
      next.write(inProgressSpans()[0]!);
      await next.forceFlush();
      expect(next.stats().replayedSpans).toBe(fixtureSpans().length);
      expect(await count(url, 'runs')).toBe(6);
      await next.shutdown();
      expect(readdirSync(spoolDirectory)).toEqual([]);
    } finally {
      rmSync(spoolDirectory, { recursive: true, force: true });
    }
  }, 60_000);

  it('never blocks shutdown past its timeout when the database cannot be reached, and counts what is left', async () => {
    const url = `postgres://runtrace:secret@${new URL(await closedPortUrl()).host}/nowhere`;
    const reports: PostgresLossCause[] = [];
    const exporter = new PostgresSpanExporter({ url, spoolDirectory: false, shutdownTimeoutMs: 300, connectTimeoutMs: 200, maxRetryDelayMs: 100, onWriteError: (_error, _spans, cause) => reports.push(cause) });
    for (const span of fixtureSpans()) exporter.write(span);
    const started = Date.now();
    await exporter.shutdown();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(exporter.stats()).toMatchObject({ writtenSpans: 0, queuedSpans: 0, failedSpans: fixtureSpans().length });
    expect(reports).toContain('unavailable');
    expect(reports.at(-1)).toBe('gave-up');
    exporter.write(fixtureSpans()[0]!);
    expect(exporter.stats().droppedSpans).toBe(1);
  });
});
