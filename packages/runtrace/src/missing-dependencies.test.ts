// An install that lost a dependency runtrace loads on demand (the OTLP serializers, NodeSDK):
// what still works keeps working, one line says why and what to do, and strict throws instead.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '@runtrace/store';
import { createRuntrace } from './create-runtrace.js';
import { register } from './register.js';

vi.mock('./internal/load-esm.js', () => ({
  loadEsm: (specifier: string) => {
    throw new Error(`Cannot find package '${specifier}'`);
  },
}));

describe('a dependency loaded on demand is missing', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-otlp-setup-'));
  });
  afterEach(async () => {
    trace.disable();
    await rm(dir, { recursive: true, force: true });
  });

  it('OTLP serializers: the store records without OTLP, one line says so; strict throws', async () => {
    const lines: string[] = [];
    const path = join(dir, 'runs.db');
    const otlp = { endpoint: 'http://127.0.0.1:4318/v1/traces' };
    const runtrace = createRuntrace({ store: path, env: {}, otlp, diagnosticSink: (line) => lines.push(line) });
    expect(runtrace.otlp).toBeUndefined();
    expect(lines).toEqual([
      "runtrace: OTLP export is off: it could not be set up (Cannot find package '@opentelemetry/otlp-transformer'): reinstall runtrace's dependencies",
    ]);
    const provider = new TracerProvider({ spanProcessors: [runtrace.processor] });
    trace.setGlobalTracerProvider(provider);
    await runtrace.recorder.run({ kind: 'chat_turn' }, () => 1);
    await provider.shutdown();
    await runtrace.shutdown();
    const store = openStore({ path, sweepOnOpen: false });
    try {
      expect(store.listRuns().runs).toHaveLength(1);
    } finally {
      store.close();
    }
    expect(() => createRuntrace({ store: false, env: {}, otlp, strict: true })).toThrow(/otlp-transformer/);
  });

  it('NodeSDK, asked for by the environment: the app keeps running unrecorded, one line names the setting and the fix', async () => {
    const saved = process.env['OTEL_PROPAGATORS'];
    process.env['OTEL_PROPAGATORS'] = 'tracecontext,b3';
    try {
      const lines: string[] = [];
      const runtrace = register({ store: join(dir, 'runs.db'), otlp: false, fetch: false, env: {}, diagnosticSink: (line) => lines.push(line) });
      expect(runtrace.mode).toBe('disabled');
      expect(lines).toEqual([expect.stringMatching(/OTEL_PROPAGATORS asks for OpenTelemetry's NodeSDK, which could not be loaded \(Cannot find package '@opentelemetry\/sdk-node'\): reinstall runtrace's dependencies/)]);
      expect(await runtrace.recorder.run({ kind: 'chat_turn' }, () => 42)).toBe(42);
      await runtrace.shutdown();
      expect(() => register({ store: false, otlp: false, fetch: false, env: {}, strict: true })).toThrow(/NodeSDK/);
    } finally {
      if (saved === undefined) delete process.env['OTEL_PROPAGATORS'];
      else process.env['OTEL_PROPAGATORS'] = saved;
    }
  });
});
