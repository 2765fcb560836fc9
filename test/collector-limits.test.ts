// End to end through the built collector into a real SQLite store: implausible span times are
// rejected with OTLP partial success and never reach the store's analytics; span limits hold.
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { startStoreCollector } from './__fixtures__/store-collector.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'runtrace-collector-limits-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const DAY_MS = 86_400_000;

function nanos(ms: number): string {
  return `${BigInt(ms) * 1_000_000n}`;
}

/** A completed run span as runtrace records it. */
function runSpan(runId: string, startMs: number, endMs: number, extraAttributes: unknown[] = []): unknown {
  return {
    traceId: `${runId}${runId}`,
    spanId: runId,
    name: 'invoke_agent chat_turn',
    startTimeUnixNano: nanos(startMs),
    endTimeUnixNano: nanos(endMs),
    attributes: [
      { key: RuntraceAttributes.SPAN_KIND, value: { stringValue: SpanKinds.RUN } },
      { key: RuntraceAttributes.STATUS, value: { stringValue: 'completed' } },
      { key: RuntraceAttributes.RUN_ID, value: { stringValue: runId } },
      ...extraAttributes,
    ],
  };
}

function post(url: string, spans: unknown[]): Promise<{ status: number; body: unknown; ms: number }> {
  const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as unknown, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('collector limits end to end', () => {
  it('rejects spans from 1970 or far in the future, so analytics over the default range stay within the real runs', async () => {
    const path = join(directory, 'times.db');
    const collector = await startStoreCollector(path, { port: 0 });
    const now = Date.now();
    try {
      const reply = await post(collector.url!, [
        runSpan('0000000000000e01', 1, 1_000), // 1970, a millisecond after the epoch
        runSpan('0000000000000e02', now - 1_000, now + 400 * DAY_MS), // ends next year
        runSpan('0000000000000e03', now - 60_000, now - 1_000),
      ]);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        partialSuccess: {
          rejectedSpans: '2',
          errorMessage: expect.stringMatching(/^2 spans rejected: implausible start time \(before 2000-01-01T00:00:00\.000Z\); implausible end time/) as unknown,
        },
      });
      expect(collector.stats()).toMatchObject({ acceptedSpans: 1, rejectedSpans: 2 });
    } finally {
      await collector.close();
    }
    const store = openStore({ path });
    try {
      expect(store.getRun('0000000000000e01')).toBeUndefined();
      expect(store.getRun('0000000000000e02')).toBeUndefined();
      expect(store.getRun('0000000000000e03')).toBeDefined();
      const analytics = store.analytics();
      expect(analytics.totalRuns).toBe(1);
      expect(analytics.activityByDay.length).toBeGreaterThanOrEqual(1);
      expect(analytics.activityByDay.length).toBeLessThanOrEqual(2); // the run may straddle midnight UTC
    } finally {
      store.close();
    }
  });

  it('stores a span with 300,000 attributes promptly, keeping 128 and counting the rest', async () => {
    const path = join(directory, 'wide.db');
    const collector = await startStoreCollector(path, { port: 0 });
    const now = Date.now();
    try {
      const wide = Array.from({ length: 300_000 }, (_, i) => ({ key: `a${i}`, value: { intValue: String(i) } }));
      const reply = await post(collector.url!, [runSpan('0000000000000e04', now - 2_000, now - 1_000, wide)]);
      expect(reply.status).toBe(200);
      expect(reply.ms).toBeLessThan(5_000); // loose: the old path built and stored every attribute
      expect(collector.stats()).toMatchObject({ acceptedSpans: 1, droppedAttributes: 300_003 - 128 });
    } finally {
      await collector.close();
    }
    const store = openStore({ path });
    try {
      expect(store.getRun('0000000000000e04')).toMatchObject({ run: { status: 'completed' } });
    } finally {
      store.close();
    }
  });
});
