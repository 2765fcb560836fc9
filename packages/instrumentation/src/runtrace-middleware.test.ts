import { createOpenAI } from '@ai-sdk/openai';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createManualClock, createOtelHarness, parentId, spanId } from './__fixtures__/otel-harness.js';
import type { OtelHarness } from './__fixtures__/otel-harness.js';
import { installFetchInstrumentation } from './install-fetch-instrumentation.js';
import { Recorder } from './recorder.js';
import { runtraceMiddleware } from './runtrace-middleware.js';

let otel: OtelHarness;
let server: MockOpenAIServer;
let uninstall: () => void;

beforeAll(() => {
  uninstall = installFetchInstrumentation();
});

afterAll(() => {
  uninstall();
});

beforeEach(async () => {
  otel = createOtelHarness();
  server = await startMockOpenAIServer();
});

afterEach(async () => {
  await server.close();
  await otel.close();
});

function model(): ReturnType<typeof wrapLanguageModel> {
  const provider = createOpenAI({ apiKey: 'sk-test-ai-sdk-key-000000', baseURL: server.baseURL });
  return wrapLanguageModel({ model: provider.chat('gpt-4o-mini'), middleware: runtraceMiddleware() });
}

describe('runtraceMiddleware with the real ai package', () => {
  it('records generateText as a generate step with its attempt', async () => {
    server.enqueue({ reply: 'generated answer', usage: { promptTokens: 12, completionTokens: 2 } });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    const result = await recorder.run({ kind: 'chat_turn' }, () => generateText({ model: model(), prompt: 'Say something', temperature: 0.3 }));
    expect(result.text).toBe('generated answer');
    const step = otel.one('chat gpt-4o-mini');
    expect(step.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.step.operation': 'generate',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(JSON.parse(step.attributes['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Say something' }] }]);
    expect(JSON.parse(step.attributes['gen_ai.output.messages'] as string)[0].parts).toEqual([{ type: 'text', content: 'generated answer' }]);
    const attempt = otel.kind('attempt')[0]!;
    expect(parentId(attempt)).toBe(spanId(step));
    expect(attempt.attributes['http.response.status_code']).toBe(200);
  });

  it('records streamText as a stream step that ends when the stream is read', async () => {
    server.enqueue({ reply: 'streamed answer here' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    let text = '';
    await recorder.run({ kind: 'chat_turn' }, async () => {
      const result = streamText({ model: model(), prompt: 'Stream please' });
      for await (const delta of result.textStream) text += delta;
    });
    expect(text).toBe('streamed answer here');
    await vi.waitFor(() => expect(otel.kind('step')).toHaveLength(1));
    const step = otel.one('chat gpt-4o-mini');
    expect(step.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.step.operation': 'stream',
      'runtrace.stream.close_kind': 'completed',
      'runtrace.stream.text_length': 20,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(step.events.map((event) => event.name)).toContain('runtrace.first_chunk');
    expect(otel.kind('attempt')).toHaveLength(1);
  });

  it('records an AI SDK retry of generateText (429, then success) as attempts 1 and 2 of one step', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '5' } }, { reply: 'after the retry' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const result = await recorder.run({ kind: 'chat_turn' }, () => generateText({ model: model(), prompt: 'retry me' }));
    expect(result.text).toBe('after the retry');
    expect(server.requests).toHaveLength(2);
    const step = otel.one('chat gpt-4o-mini');
    expect(step.attributes).toMatchObject({ 'runtrace.status': 'completed', 'runtrace.step.number': 1 });
    expect(step.events.filter((event) => event.name === 'runtrace.retry')).toHaveLength(1);
    const attempts = otel.kind('attempt').sort((a, b) => (a.attributes['runtrace.attempt.number'] as number) - (b.attributes['runtrace.attempt.number'] as number));
    expect(attempts.map((attempt) => [attempt.attributes['runtrace.attempt.number'], attempt.attributes['http.response.status_code'], attempt.attributes['runtrace.status']])).toEqual([
      [1, 429, 'error'],
      [2, 200, 'completed'],
    ]);
    expect(attempts.every((attempt) => parentId(attempt) === spanId(step))).toBe(true);
    expect(attempts[0]!.attributes).toMatchObject({ 'runtrace.attempt.retry_classification': 'rate_limited', 'runtrace.attempt.retry_delay_ms': 5 });
    expect(attempts[0]!.attributes['http.request.resend_count']).toBeUndefined();
    expect(attempts[1]!.attributes['http.request.resend_count']).toBe(1);
  });

  it('records an AI SDK retry of streamText (500, then a stream) as attempts of one stream step', async () => {
    server.enqueue({ status: 500, headers: { 'retry-after-ms': '5' } }, { reply: 'streamed after retry' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    let text = '';
    await recorder.run({ kind: 'chat_turn' }, async () => {
      const result = streamText({ model: model(), prompt: 'stream and retry', temperature: 0 });
      for await (const delta of result.textStream) text += delta;
    });
    expect(text).toBe('streamed after retry');
    await vi.waitFor(() => expect(otel.kind('step')).toHaveLength(1));
    const step = otel.one('chat gpt-4o-mini');
    expect(step.attributes).toMatchObject({ 'runtrace.status': 'completed', 'runtrace.step.operation': 'stream', 'runtrace.stream.close_kind': 'completed' });
    await vi.waitFor(() => expect(otel.kind('attempt')).toHaveLength(2));
    expect(otel.kind('attempt').map((attempt) => attempt.attributes['runtrace.attempt.number']).sort()).toEqual([1, 2]);
    expect(otel.kind('attempt').every((attempt) => parentId(attempt) === spanId(step))).toBe(true);
  });

  it('ends a step whose retries ran out with the last failure, at the time it failed', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '1' } }, { status: 503, headers: { 'retry-after-ms': '1' } });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await expect(recorder.run({ kind: 'chat_turn' }, () => generateText({ model: model(), prompt: 'always failing', maxRetries: 1 }))).rejects.toThrow();
    const step = otel.one('chat gpt-4o-mini');
    expect(step.attributes).toMatchObject({ 'runtrace.status': 'error', 'error.type': 'AI_APICallError' });
    expect(step.status.code).toBe(SpanStatusCode.ERROR);
    const attempts = otel.kind('attempt');
    expect(attempts.map((attempt) => attempt.attributes['http.response.status_code']).sort()).toEqual([429, 503]);
    const endOf = (span: (typeof attempts)[number]): number => span.endTime[0] * 1e9 + span.endTime[1];
    const run = otel.run('chat_turn');
    // The SDK anchors each span on Date.now() (whole milliseconds): ends of different spans compare within 1 ms.
    const anchoring = 1e6;
    expect(endOf(step)).toBeGreaterThanOrEqual(Math.max(...attempts.map(endOf)) - anchoring);
    expect(endOf(step)).toBeLessThanOrEqual(endOf(run) + anchoring);
    expect(run.attributes['runtrace.status']).toBe('error');
  });

  it('finalizes a step waiting for a retry that never comes after one heartbeat interval', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '1' } }, { reply: 'a different question' });
    const clock = createManualClock();
    const recorder = new Recorder({ tracerProvider: otel.provider, heartbeatIntervalMs: 1000, clock });
    const run = recorder.startRun({ kind: 'handle' });
    await expect(run.with(() => generateText({ model: model(), prompt: 'first question', maxRetries: 0 }))).rejects.toThrow();
    expect(otel.kind('step')).toHaveLength(0);
    // A different call is not the retry: it gets a step of its own.
    await run.with(() => generateText({ model: model(), prompt: 'second question', maxRetries: 0 }));
    expect(otel.kind('step').map((step) => [step.attributes['runtrace.step.number'], step.attributes['runtrace.status']])).toEqual([[2, 'completed']]);
    clock.advance(1000);
    expect(otel.kind('step').map((step) => [step.attributes['runtrace.step.number'], step.attributes['runtrace.status']])).toEqual([
      [2, 'completed'],
      [1, 'error'],
    ]);
    run.end();
    expect(otel.run('handle').attributes['runtrace.status']).toBe('completed');
  });

  it('keeps separate calls with equal prompts as separate steps', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'chat_turn' }, async () => {
      await generateText({ model: model(), prompt: 'same prompt' });
      await generateText({ model: model(), prompt: 'same prompt' });
    });
    expect(otel.kind('step').map((step) => step.attributes['runtrace.step.number']).sort()).toEqual([1, 2]);
  });

  it('lets a call made after its run ended through, unrecorded and without throwing', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'ended' });
    run.end();
    const result = await run.with(() => generateText({ model: model(), prompt: 'late call' }));
    expect(result.text).toBe('Hello from the mock server.');
    expect(otel.kind('step')).toHaveLength(0);
  });

  it('passes calls through outside a run', async () => {
    const result = await generateText({ model: model(), prompt: 'no run' });
    expect(result.text).toBe('Hello from the mock server.');
    expect(otel.spans()).toHaveLength(0);
  });
});
