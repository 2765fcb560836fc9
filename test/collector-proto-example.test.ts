// opentelemetry-proto's `examples/trace.json`, written here from its facts (upper-case hex ids,
// nanosecond times as JSON numbers, a server span with a parent, a scope with a version and an
// attribute): decoded exactly, received by the collector and stored as the span it is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SpanKind } from '@opentelemetry/api';
import { decodeOtlpJson } from '@runtrace/collector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const EXAMPLE = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
      scopeSpans: [
        {
          scope: { name: 'my.library', version: '1.0.0', attributes: [{ key: 'my.scope.attribute', value: { stringValue: 'some scope attribute' } }] },
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'EEE19B7EC3C1B174',
              parentSpanId: 'EEE19B7EC3C1B173',
              name: "I'm a server span",
              // Numbers, as the example writes them (exact as doubles: multiples of 1,024).
              startTimeUnixNano: 1544712660000000000,
              endTimeUnixNano: 1544712661000000000,
              kind: 2,
              attributes: [{ key: 'my.span.attr', value: { stringValue: 'some value' } }],
            },
          ],
        },
      ],
    },
  ],
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-proto-example-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("opentelemetry-proto's examples/trace.json", () => {
  it('decodes field for field', () => {
    const decoded = decodeOtlpJson(JSON.stringify(EXAMPLE));
    if (!decoded.ok) throw decoded.error;
    expect(decoded.rejectedSpans).toBe(0);
    const [span] = decoded.spans;
    expect(span!.spanContext()).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' });
    expect(span!.parentSpanContext?.spanId).toBe('eee19b7ec3c1b173');
    expect(span!.name).toBe("I'm a server span");
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.startTime).toEqual([1544712660, 0]);
    expect(span!.endTime).toEqual([1544712661, 0]);
    expect(span!.attributes).toEqual({ 'my.span.attr': 'some value' });
    expect(span!.instrumentationScope).toEqual({ name: 'my.library', version: '1.0.0' });
    expect(span!.resource.attributes['service.name']).toBe('my.service');
  });

  it('is received by the collector and stored as a span of its trace', async () => {
    const path = join(dir, 'example.db');
    const collector = await startStoreCollector(path, { port: 0 });
    try {
      const response = await fetch(collector.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(EXAMPLE) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
      // The same span id in another trace is another span (spans are keyed by trace and span id).
      const otherTrace = JSON.parse(JSON.stringify(EXAMPLE).replace('5B8EFFF798038103D269B633813FC60C', '0AF7651916CD43DD8448EB211C80319C')) as unknown;
      expect((await fetch(collector.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otherTrace) })).status).toBe(200);
    } finally {
      await collector.close();
    }
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      expect(db.prepare('SELECT trace_id FROM spans ORDER BY trace_id').all()).toEqual([{ trace_id: '0af7651916cd43dd8448eb211c80319c' }, { trace_id: '5b8efff798038103d269b633813fc60c' }]);
      const row = db.prepare("SELECT span_id, trace_id, parent_span_id, name, span_kind, start_ms, end_ms, scope, attributes FROM spans WHERE trace_id = '5b8efff798038103d269b633813fc60c'").get();
      expect(row).toEqual({
        span_id: 'eee19b7ec3c1b174',
        trace_id: '5b8efff798038103d269b633813fc60c',
        parent_span_id: 'eee19b7ec3c1b173',
        name: "I'm a server span",
        span_kind: SpanKind.SERVER,
        start_ms: 1544712660000,
        end_ms: 1544712661000,
        scope: 'my.library',
        attributes: JSON.stringify({ 'my.span.attr': 'some value' }),
      });
    } finally {
      db.close();
    }
  });
});
