// OTEL_TRACES_SAMPLER and the local store: by default the sampler decides what is exported and the
// sampled flag other services see, while the local store keeps every run; `storeSampling:
// 'sampler'` makes the store follow it too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceFlags, trace } from '@opentelemetry/api';
import { decodeOtlpProtobuf } from '@runtrace/collector';
import { openStore } from '@runtrace/store';
import { startMockOtlpBackend } from '@runtrace/testkit';
import type { MockOtlpBackend } from '@runtrace/testkit';
import { register } from 'runtrace';
import type { RegisterOptions } from 'runtrace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let backend: MockOtlpBackend;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-sampling-'));
  backend = await startMockOtlpBackend({ status: 200 });
});
afterEach(async () => {
  trace.disable();
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  readonly storedRuns: number;
  readonly exportedRuns: number;
  /** The sampled flag of each run's span, as propagated to other services. */
  readonly sampledFlags: boolean[];
  readonly lines: string[];
}

async function recordRuns(count: number, options: Partial<RegisterOptions>, env: Record<string, string>): Promise<Outcome> {
  const path = join(dir, `runs-${Math.random().toString(36).slice(2)}.db`);
  const lines: string[] = [];
  const runtrace = register({ store: path, otlp: { endpoint: backend.url }, env, diagnosticSink: (line) => lines.push(line), ...options });
  const sampledFlags: boolean[] = [];
  for (let index = 0; index < count; index++) {
    await runtrace.recorder.run({ kind: 'chat_turn' }, () => {
      const active = trace.getActiveSpan();
      sampledFlags.push(active !== undefined && (active.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0);
    });
  }
  await runtrace.shutdown();
  trace.disable();
  const exportedRuns = backend.received
    .splice(0)
    .flatMap((body) => {
      const decoded = decodeOtlpProtobuf(body);
      if (!decoded.ok) throw new Error(`the OTLP export does not decode: ${decoded.reason}`);
      return decoded.spans;
    })
    .filter((span) => span.attributes['runtrace.span.kind'] === 'run').length;
  const store = openStore({ path, sweepOnOpen: false });
  try {
    return { storedRuns: store.listRuns({ limit: 1000 }).runs.length, exportedRuns, sampledFlags, lines };
  } finally {
    store.close();
  }
}

describe('sampling and the local store', () => {
  it('OTEL_TRACES_SAMPLER=always_off: nothing exported and the unsampled flag propagated, yet the local store keeps every run', async () => {
    const outcome = await recordRuns(3, {}, { OTEL_TRACES_SAMPLER: 'always_off' });
    expect(outcome).toEqual({ storedRuns: 3, exportedRuns: 0, sampledFlags: [false, false, false], lines: [] });
  });

  it("storeSampling: 'sampler' (or RUNTRACE_STORE_SAMPLING=sampler): the store follows the sampler too", async () => {
    expect(await recordRuns(3, { storeSampling: 'sampler' }, { OTEL_TRACES_SAMPLER: 'always_off' })).toMatchObject({ storedRuns: 0, exportedRuns: 0 });
    expect(await recordRuns(3, {}, { OTEL_TRACES_SAMPLER: 'always_off', RUNTRACE_STORE_SAMPLING: 'sampler' })).toMatchObject({ storedRuns: 0, exportedRuns: 0 });
  });

  it('traceidratio 0.5: about half exported (those sampled), all of them stored', async () => {
    const outcome = await recordRuns(40, {}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    const sampled = outcome.sampledFlags.filter(Boolean).length;
    expect(outcome.storedRuns).toBe(40);
    expect(outcome.exportedRuns).toBe(sampled);
    expect(sampled).toBeGreaterThan(0);
    expect(sampled).toBeLessThan(40);
  });

  it("with env given, its settings alone choose the sampler: the process's OTEL_TRACES_SAMPLER is not read", async () => {
    const before = process.env['OTEL_TRACES_SAMPLER'];
    process.env['OTEL_TRACES_SAMPLER'] = 'always_off';
    try {
      expect(await recordRuns(2, { storeSampling: 'sampler' }, {})).toMatchObject({ storedRuns: 2, exportedRuns: 2, sampledFlags: [true, true] });
    } finally {
      if (before === undefined) delete process.env['OTEL_TRACES_SAMPLER'];
      else process.env['OTEL_TRACES_SAMPLER'] = before;
    }
  });

  it('with no sampler set, every run is sampled, exported and stored', async () => {
    const outcome = await recordRuns(3, {}, {});
    expect(outcome).toEqual({ storedRuns: 3, exportedRuns: 3, sampledFlags: [true, true, true], lines: [] });
  });
});
