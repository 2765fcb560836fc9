// End to end through the built collector: a flood of multi-MB JSON bodies of huge arrays must
// not take the process's memory, nor hold up small requests, which keep being answered and stored.
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { hugeArrayOtlpJson } from '@runtrace/testkit';
import { startStoreCollector } from './__fixtures__/store-collector.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'runtrace-collector-flood-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const FLOOD_BODIES = 4;
const FLOOD_ELEMENTS = 2_700_000; // about 8 MB of `{},` per body
const START_MS = Date.now() - 60 * 60 * 1000;

function nanos(ms: number): string {
  return `${ms}000000`;
}

/** A small valid request: one run span with its own id. */
function smallBody(i: number): { body: string; runId: string } {
  const runId = (0x1000_0000 + i).toString(16).padStart(16, '0');
  const attributes = [
    { key: RuntraceAttributes.SPAN_KIND, value: { stringValue: SpanKinds.RUN } },
    { key: RuntraceAttributes.STATUS, value: { stringValue: 'completed' } },
    { key: RuntraceAttributes.RUN_ID, value: { stringValue: runId } },
  ];
  const span = { traceId: `${runId}${runId}`, spanId: runId, name: `small ${i}`, startTimeUnixNano: nanos(START_MS + i), endTimeUnixNano: nanos(START_MS + i + 5), attributes };
  return { body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), runId };
}

function post(url: string, body: string | Buffer): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('collector under a flood of large bodies', () => {
  it('keeps answering and storing small requests promptly, with bounded memory', async () => {
    const path = join(directory, 'flood.db');
    const collector = await startStoreCollector(path, { port: 0 });
    const url = collector.url!;
    const body = hugeArrayOtlpJson(FLOOD_ELEMENTS, START_MS);
    expect(body.length).toBeGreaterThan(8_000_000);
    const small: { status: number; ms: number; runId: string }[] = [];
    try {
      const warm = smallBody(0);
      expect((await post(url, warm.body)).status).toBe(200);
      small.push({ status: 200, ms: 0, runId: warm.runId });

      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 10);
      let flooding = true;
      const smallRequests = (async () => {
        for (let i = 1; flooding || i < 4; i++) {
          const { body: smallRequest, runId } = smallBody(i);
          small.push({ ...(await post(url, smallRequest)), runId });
        }
      })();
      const flood = await Promise.all(Array.from({ length: FLOOD_BODIES }, () => post(url, body)));
      flooding = false;
      await smallRequests;
      clearInterval(sampler);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

      expect(flood.map((reply) => reply.status)).toEqual(Array.from({ length: FLOOD_BODIES }, () => 200));
      expect(small.every((reply) => reply.status === 200)).toBe(true);
      // Loose bounds: they catch a request stuck behind a decode, or a decoder building millions of objects.
      expect(Math.max(...small.map((reply) => reply.ms))).toBeLessThan(1_000);
      expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
      const stats = collector.stats();
      expect(stats.truncatedValues).toBe(FLOOD_BODIES);
      expect(stats.inFlightBytes).toBe(0);
      expect(stats.inFlightDecodedBytes).toBe(0);
    } finally {
      await collector.close();
    }
    const store = openStore({ path });
    try {
      expect(small.length).toBeGreaterThanOrEqual(4);
      const missing = small.filter((reply) => store.getRun(reply.runId) === undefined).map((reply) => reply.runId);
      expect(missing).toEqual([]);
    } finally {
      store.close();
    }
  });
});
