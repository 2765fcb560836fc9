// int64 attribute values beyond 2^53 through the collector: received as OTLP/JSON (as digits
// and as a number) and as protobuf, stored, queried and forwarded without losing a digit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const RUN_ID = 'eee19b7ec3c1b174';
const STEP_ID = 'eee19b7ec3c1b175';
const T0 = 1_763_700_000_000;
const nanos = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;

/** An OTLP/JSON request with a runtrace run and step; the step's int64 values written by hand (JSON.stringify cannot). */
function requestBody(): string {
  const marker = '{"key":"marker","value":{"stringValue":"x"}}';
  const span = (spanId: string, parent: string | undefined, kind: string, extra: object[]): object => ({
    traceId: TRACE_ID,
    spanId,
    ...(parent === undefined ? {} : { parentSpanId: parent }),
    name: kind === 'run' ? 'invoke_agent' : 'chat gpt-4o-mini',
    kind: kind === 'run' ? 1 : 3,
    startTimeUnixNano: nanos(T0),
    endTimeUnixNano: nanos(T0 + 100),
    attributes: [
      { key: 'runtrace.span.kind', value: { stringValue: kind } },
      { key: 'runtrace.run.id', value: { stringValue: RUN_ID } },
      { key: 'runtrace.status', value: { stringValue: 'completed' } },
      ...extra,
    ],
  });
  const text = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'int64-test' } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans: [span(RUN_ID, undefined, 'run', [{ key: 'runtrace.run.kind', value: { stringValue: 'chat_turn' } }]), span(STEP_ID, RUN_ID, 'step', [{ key: 'marker', value: { stringValue: 'x' } }])] }],
      },
    ],
  });
  return text.replace(marker, '{"key":"app.big_string","value":{"intValue":"9007199254740993"}},{"key":"app.big_number","value":{"intValue":9223372036854775807}},{"key":"app.min","value":{"intValue":"-9223372036854775808"}},{"key":"app.small","value":{"intValue":7}}');
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-int64-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function stepAttributes(path: string): Record<string, unknown> {
  const store = openStore({ path, sweepOnOpen: false });
  try {
    return { ...store.getRun(RUN_ID)?.steps[0]?.attributes };
  } finally {
    store.close();
  }
}

describe('int64 through the collector', () => {
  it('stores, queries and forwards values beyond 2^53 exactly (as decimal strings), and small ones as numbers', async () => {
    const upstreamPath = join(dir, 'upstream.db');
    const localPath = join(dir, 'local.db');
    const upstream = await startStoreCollector(upstreamPath, { port: 0 });
    const local = await startStoreCollector(localPath, { port: 0, forward: { endpoint: upstream.url!, content: 'full', scheduledDelayMillis: 10 } });
    try {
      const response = await fetch(local.url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: requestBody() });
      expect(response.status).toBe(200);
      await local.close();
      await upstream.close();
    } catch (error) {
      await local.close();
      await upstream.close();
      throw error;
    }
    const expected = { 'app.big_string': '9007199254740993', 'app.big_number': '9223372036854775807', 'app.min': '-9223372036854775808', 'app.small': 7 };
    expect(stepAttributes(localPath)).toMatchObject(expected);
    // The forwarded copy went out as OTLP/protobuf from the local collector: the same values upstream.
    expect(stepAttributes(upstreamPath)).toMatchObject(expected);
  });
});
