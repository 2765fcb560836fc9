import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import { createRuntrace } from './create-runtrace.js';
import { register } from './register.js';

/** A provider that accepts processors after construction, like the SDK 1.x ones did. */
class ExtensibleProvider {
  readonly #processors: SpanProcessor[] = [];
  readonly #inner: TracerProvider;

  constructor() {
    const processors = this.#processors;
    const fanOut: SpanProcessor = {
      onStart: (span: Span, parent: Context) => processors.forEach((processor) => processor.onStart(span, parent)),
      onEnding: (span: Span) => processors.forEach((processor) => processor.onEnding?.(span)),
      onEnd: (span: ReadableSpan) => processors.forEach((processor) => processor.onEnd(span)),
      forceFlush: async () => {
        await Promise.all(processors.map((processor) => processor.forceFlush()));
      },
      shutdown: async () => {
        await Promise.all(processors.map((processor) => processor.shutdown()));
      },
    };
    this.#inner = new TracerProvider({ spanProcessors: [fanOut] });
  }

  addSpanProcessor(processor: SpanProcessor): void {
    this.#processors.push(processor);
  }

  getTracer(name: string, version?: string) {
    return this.#inner.getTracer(name, version);
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(parts) });
      const json = request.headers['content-type'] === 'application/json';
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('register', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-register-'));
  });
  afterEach(async () => {
    trace.disable();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the SDK, records runs with their fetch attempts into the store, and unregisters on shutdown', async () => {
    const server = await startMockOpenAIServer({ script: [{ status: 500 }, { reply: 'hi' }] });
    const path = join(dir, 'runs.db');
    const lines: string[] = [];
    const runtrace = register({ store: path, otlp: false, contentPolicy: 'full', env: {}, diagnosticSink: (line) => lines.push(line) });
    try {
      expect(runtrace.mode).toBe('started');
      // The same options (or none): the active instance, quietly.
      expect(register()).toBe(runtrace);
      expect(register({ store: path, contentPolicy: 'full' })).toBe(runtrace);
      expect(lines).toEqual([]);
      // Different options would be ignored: said once, clearly; thrown under strict.
      expect(register({ store: join(dir, 'other.db') })).toBe(runtrace);
      expect(lines).toEqual([expect.stringMatching(/^runtrace: register\(\) was called again with different options \(store\) while runtrace is active; .*call shutdown\(\) on it/)]);
      expect(() => register({ store: join(dir, 'other.db'), strict: true })).toThrow(ConfigError);
      await runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'c1', label: 'hello' }, async (run) => {
        await run.step({ operation: 'generate', model: 'gpt-4o-mini' }, async () => {
          const first = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{"model":"gpt-4o-mini","messages":[]}' });
          await first.text();
          const second = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{"model":"gpt-4o-mini","messages":[]}' });
          await second.text();
        });
        await run.tool({ name: 'lookup', callId: 'call_1', arguments: { q: 1 } }, () => 42);
      });
    } finally {
      await runtrace.shutdown();
      await server.close();
    }
    expect(trace.getTracerProvider().getTracer('x').startSpan('probe').isRecording()).toBe(false);
    const store = openStore({ path });
    try {
      const [run] = store.listRuns().runs;
      expect(run).toMatchObject({ kind: 'chat_turn', status: 'completed', conversationId: 'c1', label: 'hello', stepCount: 1, toolCallCount: 1 });
      const detail = store.getRun(run!.runId);
      expect(detail?.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 200]);
      expect(detail?.toolCalls[0]?.name).toBe('lookup');
    } finally {
      store.close();
    }
    const again = register({ store: path, otlp: false, fetch: false, env: {} });
    expect(again).not.toBe(runtrace);
    await again.shutdown();
  });

  it('makes a run visible in the store while it is still in progress', async () => {
    const path = join(dir, 'live.db');
    const runtrace = register({ store: path, otlp: false, fetch: false, env: {} });
    try {
      await runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'live' }, async (run) => {
        await run.step({ operation: 'generate', model: 'gpt-4o-mini' }, async () => {
          // Rows appear once the work has been open for the store's in-progress delay (200 ms).
          const deadline = Date.now() + 5_000;
          let detail = await runtrace.store?.getRun(run.id);
          while (detail?.steps.length !== 1 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 25));
            await runtrace.storeExporter?.forceFlush();
            detail = await runtrace.store?.getRun(run.id);
          }
          expect(detail?.run.status).toBe('in_progress');
          expect(detail?.steps.map((step) => step.status)).toEqual(['in_progress']);
        });
      });
      await runtrace.forceFlush();
      expect((await runtrace.store?.listRuns())?.runs.map((run) => run.status)).toEqual(['completed']);
    } finally {
      await runtrace.shutdown();
    }
  });

  it('exports over OTLP with the endpoint, headers and protocol from the environment', async () => {
    const receiver = await startReceiver();
    try {
      const runtrace = register({
        store: false,
        fetch: false,
        env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      });
      expect(runtrace.store).toBeUndefined();
      await runtrace.recorder.run({ kind: 'chat_turn' }, () => undefined);
      await runtrace.shutdown();
      expect(receiver.received.length).toBeGreaterThan(0);
      const [first] = receiver.received;
      expect(first?.headers.authorization).toBe('Bearer abc');
      expect(first?.headers['content-type']).toBe('application/json');
      expect(first?.body.toString('utf8')).toContain('"stringValue":"chat_turn"');
    } finally {
      await receiver.close();
    }
  });

  it('puts serviceName and resourceAttributes on the resource of the spans it records', async () => {
    const exporter = new InMemorySpanExporter();
    const runtrace = register({
      store: false,
      otlp: false,
      fetch: false,
      env: {},
      serviceName: 'support-bot',
      resourceAttributes: { 'deployment.environment.name': 'staging' },
      destinations: [{ processor: new SimpleSpanProcessor({ exporter }), kind: 'otlp' }],
    });
    try {
      await runtrace.recorder.run({ kind: 'chat_turn' }, () => undefined);
      await runtrace.forceFlush();
      const [span] = exporter.getFinishedSpans();
      expect(span?.resource.attributes).toMatchObject({ 'service.name': 'support-bot', 'deployment.environment.name': 'staging' });
    } finally {
      await runtrace.shutdown();
    }
  });

  it('never starts a second provider next to one it cannot join: records nothing and says what to do in one line', async () => {
    trace.setGlobalTracerProvider(new TracerProvider());
    const path = join(dir, 'runs.db');
    const lines: string[] = [];
    const runtrace = register({ store: path, env: {}, diagnosticSink: (line) => lines.push(line) });
    try {
      expect(runtrace.mode).toBe('disabled');
      expect(await runtrace.recorder.run({ kind: 'chat_turn' }, () => 'the app still runs')).toBe('the app still runs');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('a tracer provider that cannot take more span processors');
      expect(lines[0]).toContain('createRuntrace()');
      expect(runtrace.stats().reports.causes).toEqual({ provider: 1 });
    } finally {
      await runtrace.shutdown();
    }
    expect(existsSync(path)).toBe(false);
  });

  it('under strict, throws the full explanation instead', () => {
    trace.setGlobalTracerProvider(new TracerProvider());
    const path = join(dir, 'runs.db');
    expect(() => register({ store: path, env: {}, strict: true })).toThrow(ConfigError);
    expect(() => register({ store: path, env: {}, strict: true })).toThrow(/const runtrace = createRuntrace\(/);
    expect(() => register({ store: path, env: {}, strict: true })).toThrow(/new TracerProvider\(\{ spanProcessors: \[runtrace\.processor\] \}\)/);
    expect(existsSync(path)).toBe(false);
  });

  it('carries on without a store it cannot open: the recorder works, OTLP still exports, one line says why', async () => {
    const receiver = await startReceiver();
    const path = join(dir, 'notes.db');
    await writeFile(path, 'these are my notes, not a database');
    const lines: string[] = [];
    try {
      const runtrace = register({ store: path, fetch: false, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url }, diagnosticSink: (line) => lines.push(line) });
      expect(runtrace.mode).toBe('started');
      expect(runtrace.store).toBeUndefined();
      expect(await runtrace.recorder.run({ kind: 'chat_turn' }, () => 42)).toBe(42);
      await runtrace.shutdown();
      expect(lines).toEqual([`runtrace: ${path} is not a runtrace database (file is not a database): move it away or pass another store path; runs are not stored locally until then`]);
      expect(receiver.received.length).toBeGreaterThan(0);
      expect(runtrace.stats().otlp).toMatchObject({ exportedSpans: 1, failedSpans: 0, queuedSpans: 0 });
      expect(runtrace.stats().store).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });

  it('records into the store and the application\'s exporter when the application follows that advice', async () => {
    // The application's own setup, which register() refused to join.
    const appExporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: appExporter })] }));
    const path = join(dir, 'runs.db');
    expect(() => register({ store: path, env: {}, strict: true })).toThrow(ConfigError);
    trace.disable();

    // The advice, as the error message spells it (the exporter behind runtrace, runtrace's processor in the provider).
    const runtrace = createRuntrace({ store: path, env: {}, destinations: [{ processor: new SimpleSpanProcessor({ exporter: appExporter }), kind: 'otlp' }] });
    const provider = new TracerProvider({ spanProcessors: [runtrace.processor] });
    trace.setGlobalTracerProvider(provider);
    await runtrace.recorder.run({ kind: 'batch_job', label: 'token sk-live-1234567890abcdefghijklmnop' }, () => undefined);
    await provider.forceFlush();
    const exported = [...appExporter.getFinishedSpans()]; // shutting the exporter down clears it
    await provider.shutdown();
    await runtrace.shutdown();

    const store = openStore({ path });
    try {
      expect(store.listRuns().runs.map((run) => run.kind)).toEqual(['batch_job']);
    } finally {
      store.close();
    }
    expect(exported.map((span) => [span.name, span.attributes['runtrace.run.kind']])).toEqual([['invoke_agent', 'batch_job']]);
    expect(JSON.stringify(exported[0]?.attributes)).not.toContain('sk-live-1234567890abcdefghijklmnop');
  });

  it('joins a provider that accepts span processors', async () => {
    const provider = new ExtensibleProvider();
    trace.setGlobalTracerProvider(provider);
    const path = join(dir, 'runs.db');
    const runtrace = register({ store: path, otlp: false, fetch: false, env: {} });
    expect(runtrace.mode).toBe('joined');
    await runtrace.recorder.run({ kind: 'batch_job' }, () => undefined);
    await runtrace.shutdown();
    await provider.shutdown();
    const store = openStore({ path });
    try {
      expect(store.listRuns().runs.map((run) => run.kind)).toEqual(['batch_job']);
    } finally {
      store.close();
    }
  });
});
