// RunSpanProcessor between the Recorder and two destinations (the SQLite store in full, an
// errors-only metadata destination), through the built packages, with an injected clock.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import type { RecorderClock } from '@runtrace/instrumentation';
import { createRecordingInterceptor, Recorder } from '@runtrace/instrumentation';
import { RunSpanProcessor } from '@runtrace/processor';
import type { RunSummary } from '@runtrace/store';
import { openStore, SqliteSpanExporter } from '@runtrace/store';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const STALE_AFTER = 60_000;
const OPENAI_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD';

describe('RunSpanProcessor with the store and an errors-only metadata destination', () => {
  let dir: string;
  let server: Server;
  let exported: ReadableSpan[];
  let processor: RunSpanProcessor;
  let runs: RunSummary[];
  let storeBytes: string;
  let sweepCounts: ReturnType<RunSpanProcessor['sweep']>;
  const ids = { failing: '', succeeding: '', abandoned: '', failingTrace: '' };
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-processor-'));
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'chatcmpl-1', choices: [{ message: { role: 'assistant', content: 'Hi' } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    let now = Date.UTC(2026, 0, 5, 12, 0, 0);
    const clock = { now: () => now };
    const recorderClock: RecorderClock = { now: () => now, setInterval: () => () => undefined };
    context.setGlobalContextManager(contextManager.enable());

    const store = new SqliteSpanExporter({ path: join(dir, 'runtrace.db'), sweepOnOpen: false, now: () => now });
    const memory = new InMemorySpanExporter();
    processor = new RunSpanProcessor({
      staleAfter: STALE_AFTER,
      sweepInterval: false,
      clock,
      destinations: [
        { processor: new SimpleSpanProcessor({ exporter: store }), kind: 'store', name: 'store' },
        {
          processor: new SimpleSpanProcessor({ exporter: memory }),
          kind: 'otlp',
          content: 'metadata',
          sampling: 'errors-only',
          name: 'memory',
        },
      ],
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('test');
    const recorder = new Recorder({ tracerProvider: provider, contentPolicy: 'full', clock: recorderClock, staleAfterMs: STALE_AFTER });
    const dispatcher = new Agent().compose(createRecordingInterceptor());
    const usage = { inputTokens: 100, outputTokens: 20, reasoningTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
    const messages = (text: string) => [{ role: 'user' as const, parts: [{ type: 'text' as const, text }] }];

    // 1. Fails in its second step; a hand-made span from another library sits under the step.
    await expect(
      recorder.run(
        { kind: 'chat_turn', conversationId: 'c-fail', provider: 'openai', model: 'gpt-4o-mini', label: 'Please fail' },
        async (run) => {
          ids.failing = run.id;
          await run.step(
            { operation: 'generate', model: 'gpt-4o-mini', provider: 'openai', request: { messages: messages(`key ${OPENAI_KEY}`) } },
            (step) => {
              step.setResponse({ content: [{ type: 'text', text: 'ok' }], finishReason: 'stop', model: 'gpt-4o-mini', usage });
            },
          );
          await run.step({ operation: 'generate', model: 'gpt-4o-mini', provider: 'openai', request: { messages: messages('again') } }, () => {
            const other = tracer.startSpan('db query', { attributes: { 'db.system.name': 'sqlite' } });
            ids.failingTrace = other.spanContext().traceId;
            other.end();
            throw new Error('model refused');
          });
        },
      ),
    ).rejects.toThrow('model refused');

    // 2. Succeeds: one step with a real HTTP round trip (an attempt) and a tool call.
    await recorder.run(
      { kind: 'chat_turn', conversationId: 'c-ok', provider: 'openai', model: 'gpt-4o-mini', label: 'Say hi' },
      async (run) => {
        ids.succeeding = run.id;
        await run.step({ operation: 'generate', model: 'gpt-4o-mini', provider: 'openai', request: { messages: messages('Say hi') } }, async (step) => {
          const response = await request(`${origin}/v1/chat/completions?api_key=${OPENAI_KEY}`, {
            dispatcher,
            method: 'POST',
            headers: { authorization: `Bearer ${OPENAI_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-4o-mini' }),
          });
          await response.body.text();
          step.setResponse({ content: [{ type: 'text', text: 'Hi' }], finishReason: 'stop', model: 'gpt-4o-mini', usage });
        });
        await run.tool({ name: 'weather', callId: 'call_1', arguments: { city: 'Oslo' } }, () => ({ temperature: 3 }));
      },
    );

    // 3. Abandoned: a stream step that nobody reads, then silence until the sweep.
    const abandoned = recorder.startRun({ kind: 'chat_turn', conversationId: 'c-gone', provider: 'openai', model: 'gpt-4o-mini', label: 'Stream me' });
    ids.abandoned = abandoned.id;
    const step = abandoned.startStep({ operation: 'stream', model: 'gpt-4o-mini', provider: 'openai' });
    const neverRead: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: false, value: 'never read' }) }),
    };
    step.wrapStream(neverRead);
    now += STALE_AFTER + 1_000;
    sweepCounts = processor.sweep();

    await provider.forceFlush();
    // Taken before shutdown: InMemorySpanExporter forgets its spans when it is shut down.
    exported = memory.getFinishedSpans().slice();
    await dispatcher.close();
    await provider.shutdown();
    const reader = openStore({ path: join(dir, 'runtrace.db'), sweepOnOpen: false });
    try {
      runs = reader.listRuns({ sort: 'start', direction: 'asc' }).runs.slice();
    } finally {
      reader.close();
    }
    const files = (await readdir(dir)).filter((name) => name.startsWith('runtrace.db'));
    storeBytes = (await Promise.all(files.map((name) => readFile(join(dir, name), 'latin1')))).join('');
  });

  afterAll(async () => {
    context.disable();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const byId = (id: string): RunSummary => {
    const run = runs.find((entry) => entry.runId === id);
    if (run === undefined) throw new Error(`run ${id} is not in the store`);
    return run;
  };

  it('sweeps the abandoned run with its step', () => {
    expect(sweepCounts).toEqual({ runs: 1, steps: 1, attempts: 0, tools: 0 });
  });

  it('stores all three runs with their statuses, summaries and stale flag', () => {
    expect(runs.map((run) => run.runId).sort()).toEqual([ids.failing, ids.succeeding, ids.abandoned].sort());

    const failing = byId(ids.failing);
    expect(failing).toMatchObject({ status: 'error', hasError: true, stale: false, stepCount: 2, label: 'Please fail' });
    expect(failing.inputTokens).toBe(100);
    expect(failing.outputTokens).toBe(20);

    const succeeding = byId(ids.succeeding);
    expect(succeeding).toMatchObject({
      status: 'completed',
      hasError: false,
      stale: false,
      stepCount: 1,
      toolCallCount: 1,
      endpoint: 'POST /v1/chat/completions',
      costUnknown: false,
      label: 'Say hi',
    });
    expect(succeeding.inputTokens).toBe(100);
    expect(succeeding.costUsd).toBeGreaterThan(0);

    const abandoned = byId(ids.abandoned);
    expect(abandoned).toMatchObject({ status: 'interrupted', stale: true, hasError: false, stepCount: 1 });
    // Ended at its last activity (its start), not at the sweep.
    expect(abandoned.endTimeMs).toBe(abandoned.startTimeMs);
  });

  it('keeps the key out of every byte of the store', () => {
    expect(storeBytes.length).toBeGreaterThan(0);
    expect(storeBytes).toContain('Please fail');
    expect(storeBytes).not.toContain(OPENAI_KEY);
  });

  it('sends only the failing run, metadata only, to the errors-only destination', () => {
    const spans = exported;
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([ids.failingTrace]));
    const kinds = spans.map((span) => span.attributes[RuntraceAttributes.SPAN_KIND] ?? span.name).sort();
    expect(kinds).toEqual(['db query', 'run', 'step', 'step']);
    for (const span of spans) {
      expect(span.attributes[RuntraceAttributes.CONTENT_POLICY]).toBe('metadata');
      expect(span.attributes[GenAiAttributes.INPUT_MESSAGES]).toBeUndefined();
      expect(span.attributes[GenAiAttributes.OUTPUT_MESSAGES]).toBeUndefined();
      expect(span.attributes[RuntraceAttributes.RUN_LABEL]).toBeUndefined();
      expect(span.attributes[RuntraceAttributes.SUMMARY_FIRST_MESSAGE]).toBeUndefined();
      expect(JSON.stringify(span.attributes)).not.toContain(OPENAI_KEY);
    }
    const run = spans.find((span) => span.attributes[RuntraceAttributes.SPAN_KIND] === 'run');
    expect(run?.attributes[RuntraceAttributes.SUMMARY_HAS_ERROR]).toBe(true);
    expect(run?.attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(2);
  });

  it('counts what each destination got', () => {
    const [store, metadata] = processor.stats().destinations;
    // 3 runs + 4 steps + 1 attempt + 1 tool + 1 other span.
    expect(store).toEqual({ name: 'store', delivered: 10, sampledOut: 0 });
    expect(metadata).toEqual({ name: 'memory', delivered: 4, sampledOut: 6 });
  });
});
