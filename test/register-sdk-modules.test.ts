// What `node --import runtrace/register` loads: for traces alone, the trace SDK and not OpenTelemetry's
// NodeSDK (with its metrics, logs, every OTLP exporter and gRPC); NodeSDK once the environment asks
// for more than traces. Either way the run lands in the store, and spans carry the same detected resource.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNode } from './__fixtures__/run-node.js';

const hooks = fileURLToPath(new URL('./__fixtures__/loaded-modules-hooks.mjs', import.meta.url));
const app = fileURLToPath(new URL('./__fixtures__/loaded-modules-app.mjs', import.meta.url));

interface Loaded {
  readonly modules: number;
  readonly packages: readonly string[];
  readonly resource: readonly string[];
  readonly fields: readonly string[];
}

async function runApp(env: Record<string, string>): Promise<Loaded> {
  const exit = await runNode(['--import', hooks, '--import', 'runtrace/register', app], { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', RUNTRACE_LOG: '', ...env });
  if (exit.code !== 0) throw new Error(`the app exited with ${String(exit.code)}: ${exit.stderr}`);
  return JSON.parse(exit.stdout.trim().split('\n').at(-1)!) as Loaded;
}

describe('register() and the OpenTelemetry SDK it loads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-sdk-modules-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const storedRuns = (path: string): number => {
    const store = openStore({ path });
    try {
      return store.listRuns().runs.length;
    } finally {
      store.close();
    }
  };

  it('for traces alone, loads the trace SDK and not NodeSDK, and records the run', async () => {
    const db = join(dir, 'traces.db');
    const loaded = await runApp({ RUNTRACE_DB: db, OTEL_METRICS_EXPORTER: '', OTEL_LOGS_EXPORTER: '', OTEL_PROPAGATORS: '' });
    expect(loaded.packages).toContain('@opentelemetry/sdk-trace');
    expect(loaded.packages).toContain('@opentelemetry/context-async-hooks');
    for (const heavy of ['@opentelemetry/sdk-node', '@opentelemetry/sdk-metrics', '@opentelemetry/sdk-logs', '@grpc/grpc-js']) expect(loaded.packages).not.toContain(heavy);
    expect(loaded.fields).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(storedRuns(db)).toBe(1);
  });

  it('loads NodeSDK when the environment asks for more than traces, with the same resource', async () => {
    const lean = await runApp({ RUNTRACE_DB: join(dir, 'lean.db'), OTEL_PROPAGATORS: '' });
    const db = join(dir, 'b3.db');
    const full = await runApp({ RUNTRACE_DB: db, OTEL_PROPAGATORS: 'tracecontext,b3' });
    expect(full.packages).toContain('@opentelemetry/sdk-node');
    expect(full.packages).toContain('@opentelemetry/propagator-b3');
    expect(full.fields).toEqual(expect.arrayContaining(['traceparent', 'b3']));
    expect(full.modules).toBeGreaterThan(lean.modules + 100);
    // The same detected resource either way (service, process, host, OS and SDK attributes).
    expect(lean.resource).toEqual(full.resource);
    expect(lean.resource).toEqual(expect.arrayContaining(['service.name', 'service.instance.id', 'process.pid', 'host.name', 'os.type', 'telemetry.sdk.name']));
    expect(storedRuns(db)).toBe(1);
  });
});
