import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { closedPortUrl, startMockOtlpBackend } from '@runtrace/testkit';
import { createRuntrace } from './create-runtrace.js';
import type { RuntracePipeline } from './create-runtrace.js';

// A test-only self-signed certificate for 127.0.0.1.
const certificatePath = fileURLToPath(new URL('./__fixtures__/local-tls-cert.pem', import.meta.url));
const keyPath = fileURLToPath(new URL('./__fixtures__/local-tls-key.pem', import.meta.url));

/** Records `count` runs through a provider holding only runtrace's processor. */
async function recordRuns(runtrace: RuntracePipeline, count: number): Promise<TracerProvider> {
  const provider = new TracerProvider({ spanProcessors: [runtrace.processor] });
  trace.setGlobalTracerProvider(provider);
  for (let index = 0; index < count; index++) await runtrace.recorder.run({ kind: 'chat_turn', label: `run ${index}` }, () => index);
  return provider;
}

describe('createRuntrace', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-create-'));
  });
  afterEach(async () => {
    trace.disable();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a bad option once and uses its default; strict throws it', async () => {
    const lines: string[] = [];
    const runtrace = createRuntrace({ store: false, env: {}, contentPolicy: 'everything' as 'full', staleAfterMs: -1, diagnosticSink: (line) => lines.push(line) });
    expect(runtrace.recorder.contentPolicy).toBe('metadata');
    expect(lines).toEqual([
      'runtrace: invalid staleAfterMs: -1 (a positive number of milliseconds); using 300000 ms instead: fix the staleAfterMs option',
      'runtrace: invalid contentPolicy: "everything" (none, metadata, full); using metadata instead: fix the contentPolicy option',
    ]);
    await runtrace.shutdown();
    expect(() => createRuntrace({ store: false, env: {}, contentPolicy: 'everything' as 'full', strict: true })).toThrow(InvalidArgumentError);
  });

  it('turns OTLP off with one line when its endpoint is unusable, and the store still records', async () => {
    const lines: string[] = [];
    const path = join(dir, 'runs.db');
    const runtrace = createRuntrace({ store: path, env: {}, otlp: { endpoint: 'collector:4318' }, diagnosticSink: (line) => lines.push(line) });
    expect(runtrace.otlp).toBeUndefined();
    expect(lines).toEqual(['runtrace: invalid otlp.endpoint: "collector:4318" (an http:// or https:// URL): OTLP export is off until the otlp option is fixed']);
    const provider = await recordRuns(runtrace, 2);
    await provider.shutdown();
    await runtrace.shutdown();
    const store = openStore({ path, sweepOnOpen: false });
    try {
      expect(store.listRuns().runs).toHaveLength(2);
    } finally {
      store.close();
    }
  });

  it('reports environment problems unless RUNTRACE_LOG=silent (or quiet), and counts them either way', async () => {
    const loud: string[] = [];
    const first = createRuntrace({ store: false, env: { RUNTRACE_CONTENT: 'everything' }, diagnosticSink: (line) => loud.push(line) });
    expect(loud).toEqual(['runtrace: RUNTRACE_CONTENT: expected none, metadata or full, got "everything"; using metadata instead: fix or unset RUNTRACE_CONTENT']);
    expect(first.recorder.contentPolicy).toBe('metadata');
    const silent: string[] = [];
    const second = createRuntrace({ store: false, env: { RUNTRACE_CONTENT: 'everything', RUNTRACE_LOG: 'silent' }, diagnosticSink: (line) => silent.push(line) });
    const third = createRuntrace({ store: false, env: { RUNTRACE_CONTENT: 'everything' }, quiet: true, diagnosticSink: (line) => silent.push(line) });
    expect(silent).toEqual([]);
    expect(second.stats().reports).toEqual({ causes: { 'config:RUNTRACE_CONTENT': 1 }, lines: 0, suppressed: 1 });
    await Promise.all([first.shutdown(), second.shutdown(), third.shutdown()]);
  });

  it('gathers processor, store, OTLP and report counters in stats()', async () => {
    const backend = await startMockOtlpBackend({ status: 200 });
    try {
      const runtrace = createRuntrace({ store: join(dir, 'runs.db'), env: {}, otlp: { endpoint: backend.url } });
      const provider = await recordRuns(runtrace, 2);
      await runtrace.forceFlush();
      const stats = runtrace.stats();
      expect(stats.processor.destinations.map((destination) => destination.name)).toEqual(['store', 'otlp']);
      expect(stats.store).toMatchObject({ failedSpans: 0, droppedSpans: 0 });
      expect(stats.store?.writtenSpans).toBeGreaterThanOrEqual(2);
      expect(stats.otlp).toEqual({ endpoint: backend.url, exportedSpans: 2, failedSpans: 0, droppedSpans: 0, queuedSpans: 0 });
      expect(stats.reports).toEqual({ causes: {}, lines: 0, suppressed: 0 });
      await provider.shutdown();
      await runtrace.shutdown();
    } finally {
      await backend.close();
    }
  });

  it('bounds shutdown by shutdownTimeoutMs when OTLP is down, and still flushes the store completely', async () => {
    const lines: string[] = [];
    const path = join(dir, 'runs.db');
    const url = await closedPortUrl();
    const runtrace = createRuntrace({ store: path, env: {}, otlp: { endpoint: url }, shutdownTimeoutMs: 300, diagnosticSink: (line) => lines.push(line) });
    await recordRuns(runtrace, 5);
    const started = Date.now();
    await runtrace.shutdown();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(lines).toEqual([
      `runtrace: 5 spans did not reach OTLP at ${url} within the 300 ms shutdown timeout (last error: connection refused (ECONNREFUSED)); the local store has them: check that the endpoint is up, or raise RUNTRACE_SHUTDOWN_TIMEOUT (shutdownTimeoutMs)`,
    ]);
    expect(runtrace.stats().otlp).toMatchObject({ exportedSpans: 0, failedSpans: 5, queuedSpans: 0 });
    expect(existsSync(path)).toBe(true);
    const store = openStore({ path, sweepOnOpen: false });
    try {
      expect(store.listRuns({ limit: 100 }).runs.map((run) => run.status)).toEqual(Array(5).fill('completed'));
    } finally {
      store.close();
    }
  });

  it('trusts the roots in OTEL_EXPORTER_OTLP_CERTIFICATE, as the SDK exporter did, and says when that file cannot be read', async () => {
    const server = createHttpsServer({ cert: readFileSync(certificatePath), key: readFileSync(keyPath) }, (request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    try {
      const trusted = createRuntrace({ store: false, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_CERTIFICATE: certificatePath } });
      await recordRuns(trusted, 1);
      await trusted.forceFlush();
      expect(trusted.stats().otlp).toMatchObject({ exportedSpans: 1, failedSpans: 0 });
      await trusted.shutdown();
      trace.disable();

      const lines: string[] = [];
      const untrusted = createRuntrace({ store: false, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'missing.pem') }, diagnosticSink: (line) => lines.push(line) });
      await recordRuns(untrusted, 1);
      await untrusted.forceFlush();
      expect(untrusted.stats().otlp).toMatchObject({ exportedSpans: 0, failedSpans: 1 });
      await untrusted.shutdown();
      expect(lines[0]).toBe(`runtrace: OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read ${join(dir, 'missing.pem')} (ENOENT); sending without it: fix or unset OTEL_EXPORTER_OTLP_CERTIFICATE`);
      expect(lines[1]).toContain('the TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
