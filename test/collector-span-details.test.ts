// What OTLP says of a span beyond its attributes — its instrumentation scope, trace state, links
// and dropped counts — received by the collector, kept by the store, returned by getRun and shown
// by `runtrace show`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const run = promisify(execFile);
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'packages/cli/bin/runtrace.js');

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const RUN = 'b7ad6b7169203331';
const STEP = 'b7ad6b7169203332';
const OTHER = 'b7ad6b7169203333';
const LINKED_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINKED_SPAN = '00f067aa0ba902b7';
const nanos = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;

function body(): string {
  const start = Date.now() - 10_000;
  const attributes = (values: Record<string, string>): unknown[] => Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attributes({ 'service.name': 'batcher' }) },
        scopeSpans: [
          {
            scope: { name: 'my.lib', version: '2.0.0' },
            spans: [
              {
                traceId: TRACE,
                spanId: RUN,
                traceState: 'vendor=abc',
                name: 'invoke_agent',
                kind: 1,
                startTimeUnixNano: nanos(start),
                endTimeUnixNano: nanos(start + 100),
                attributes: attributes({ 'runtrace.span.kind': 'run', 'runtrace.run.id': RUN, 'runtrace.run.kind': 'batch_turn', 'runtrace.status': 'completed' }),
                links: [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, attributes: attributes({ 'link.kind': 'batch item' }) }],
                droppedAttributesCount: 3,
                droppedEventsCount: 1,
                droppedLinksCount: 2,
              },
              {
                traceId: TRACE,
                spanId: STEP,
                parentSpanId: RUN,
                name: 'chat gpt-4o-mini',
                kind: 3,
                startTimeUnixNano: nanos(start + 10),
                endTimeUnixNano: nanos(start + 90),
                attributes: attributes({ 'runtrace.span.kind': 'step', 'runtrace.run.id': RUN, 'runtrace.status': 'completed', 'gen_ai.request.model': 'gpt-4o-mini' }),
              },
              {
                traceId: TRACE,
                spanId: OTHER,
                parentSpanId: RUN,
                name: 'db.query',
                kind: 3,
                startTimeUnixNano: nanos(start + 20),
                endTimeUnixNano: nanos(start + 30),
                links: [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceState: 'other=1' }],
              },
            ],
          },
        ],
      },
    ],
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-span-details-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scope, trace state, links and dropped counts through the collector', () => {
  it('are kept by the store, returned by getRun and shown by runtrace show', async () => {
    const db = join(dir, 'details.db');
    const collector = await startStoreCollector(db, { port: 0 });
    try {
      const response = await fetch(collector.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
      expect(response.status).toBe(200);
    } finally {
      await collector.close();
    }
    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      const detail = store.getRun(RUN)!;
      expect(detail.otel).toEqual({
        scope: { name: 'my.lib', version: '2.0.0' },
        traceState: 'vendor=abc',
        links: [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, attributes: { 'link.kind': 'batch item' } }],
        dropped: { attributes: 3, events: 1, links: 2 },
      });
      expect(detail.steps[0]!.otel).toEqual({ scope: { name: 'my.lib', version: '2.0.0' }, traceState: null, links: [], dropped: { attributes: 0, events: 0, links: 0 } });
      expect(detail.spans.map((span) => [span.name, span.otel.links])).toEqual([['db.query', [{ traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceState: 'other=1' }]]]);
    } finally {
      store.close();
    }
    const show = (await run(process.execPath, [cli, 'show', RUN, '--db', db], { env: { ...process.env, NO_COLOR: '1' } })).stdout;
    expect(show).toContain(`links        run → ${LINKED_TRACE}/${LINKED_SPAN} · db.query → ${LINKED_TRACE}/${LINKED_SPAN}`);
  });
});
