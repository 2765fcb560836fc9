import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Readable } from 'node:stream';
import { defaultRedactor } from '@runtrace/core';
import { isMarkedRedacted } from '@runtrace/core/internal';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOtelHarness, parentId, spanId } from './__fixtures__/otel-harness.js';
import type { OtelHarness } from './__fixtures__/otel-harness.js';
import { installFetchInstrumentation } from './install-fetch-instrumentation.js';
import { Recorder } from './recorder.js';
import { createRecordingInterceptor } from './recording-interceptor.js';

const API_KEY = 'sk-proj-PLANTEDsecretKEY0123456789abcdef';
const QUERY_SECRET = 'planted-query-secret-4242';
const BODY_SECRET = 'planted-body-secret-9191';
const RESPONSE_SECRET = 'planted-response-secret-7777';

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

function client(options: { maxRetries?: number; defaultQuery?: Record<string, string> } = {}): OpenAI {
  return new OpenAI({ apiKey: API_KEY, baseURL: server.baseURL, maxRetries: options.maxRetries ?? 2, ...(options.defaultQuery === undefined ? {} : { defaultQuery: options.defaultQuery }) });
}

const messages = [{ role: 'user' as const, content: 'hello' }];

function attempts(): ReturnType<OtelHarness['spans']> {
  return otel.kind('attempt').sort((a, b) => (a.attributes['runtrace.attempt.number'] as number) - (b.attributes['runtrace.attempt.number'] as number));
}

describe('attempts through the global fetch (real openai client)', () => {
  it('records a JSON round trip inside a step as an attempt span', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all' });
    const completion = await recorder.run({ kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini' }, (run) =>
      run.step({ operation: 'generate' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages })),
    );
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock server.');
    const step = otel.one('chat gpt-4o-mini');
    const [attempt] = attempts();
    expect(attempts()).toHaveLength(1);
    expect(attempt!.name).toBe('POST');
    expect(attempt!.kind).toBe(SpanKind.CLIENT);
    expect(parentId(attempt!)).toBe(spanId(step));
    const port = Number(new URL(server.url).port);
    expect(attempt!.attributes).toMatchObject({
      'runtrace.span.kind': 'attempt',
      'runtrace.status': 'completed',
      'runtrace.run.id': step.attributes['runtrace.run.id'],
      'runtrace.step.id': spanId(step),
      'runtrace.attempt.number': 1,
      'http.request.method': 'POST',
      'url.full': `${server.baseURL}/chat/completions`,
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 200,
      'runtrace.attempt.retry_classification': 'none',
    });
    // The first send is not a resend: no http.request.resend_count.
    expect(attempt!.attributes['http.request.resend_count']).toBeUndefined();
    const requestHeaders = JSON.parse(attempt!.attributes['runtrace.attempt.request_headers'] as string) as Record<string, string>;
    expect(requestHeaders['authorization']).toBe('[REDACTED]');
    expect(requestHeaders['x-stainless-retry-count']).toBe('0');
    expect(JSON.parse(attempt!.attributes['runtrace.attempt.request_body'] as string)).toMatchObject({ model: 'gpt-4o-mini', messages });
    expect(JSON.parse(attempt!.attributes['runtrace.attempt.response_body'] as string)).toMatchObject({ object: 'chat.completion' });
    expect(attempt!.attributes['runtrace.attempt.response_body_size']).toBeGreaterThan(100);
    expect(attempt!.attributes['runtrace.attempt.request_body_size']).toBe(Buffer.byteLength(server.requests[0]!.body));
    // What the recorder redacted itself is marked so, for the processor not to scan it again.
    for (const key of ['url.full', 'runtrace.attempt.request_headers', 'runtrace.attempt.response_headers', 'runtrace.attempt.request_body', 'runtrace.attempt.response_body']) {
      expect({ key, marked: isMarkedRedacted(attempt!, defaultRedactor, key, attempt!.attributes[key]) }).toEqual({ key, marked: true });
    }
  });

  it("full content keeps the bodies only where they are all there is: a failed attempt's, a request that is not a model call; a read model call keeps its messages instead", async () => {
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '5' }, error: { message: 'Slow down.', type: 'rate_limit', code: 'rate_limited' } }, { reply: 'after retry' });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    await recorder.run({ kind: 'chat_turn' }, (run) =>
      run.step({ operation: 'generate' }, async () => {
        await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
        // Not a model call runtrace reads: its bodies are all there is of it.
        await (await fetch(`${server.url}/v1/models`)).text();
      }),
    );
    const [rateLimited, answered, other] = attempts();
    expect(attempts()).toHaveLength(3);
    expect(rateLimited!.attributes['http.response.status_code']).toBe(429);
    expect(JSON.parse(rateLimited!.attributes['runtrace.attempt.request_body'] as string)).toMatchObject({ model: 'gpt-4o-mini', messages });
    expect(String(rateLimited!.attributes['runtrace.attempt.response_body'])).toContain('Slow down.');
    expect(answered!.attributes['http.response.status_code']).toBe(200);
    expect(answered!.attributes['runtrace.attempt.request_body']).toBeUndefined();
    expect(answered!.attributes['runtrace.attempt.response_body']).toBeUndefined();
    expect(answered!.attributes['runtrace.attempt.response_body_size']).toBeGreaterThan(100);
    expect(other!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
    expect(String(other!.attributes['runtrace.attempt.response_body'])).toContain('"object":"list"');
    // The call's content is on its step, read from the same bytes.
    const step = otel.kind('step')[0]!;
    expect(String(step.attributes['gen_ai.input.messages'])).toContain('hello');
    expect(String(step.attributes['gen_ai.output.messages'])).toContain('after retry');
  });

  it('records a 429 with retry-after then a success as attempts 1 and 2 of one step', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '5' } }, { reply: 'after retry' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'retry' }, (run) =>
      run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages })),
    );
    const step = otel.one('chat gpt-4o-mini');
    const [first, second] = attempts();
    expect(attempts()).toHaveLength(2);
    expect(parentId(first!)).toBe(spanId(step));
    expect(parentId(second!)).toBe(spanId(step));
    expect(first!.attributes).toMatchObject({
      'runtrace.attempt.number': 1,
      'runtrace.status': 'error',
      'error.type': '429',
      'http.response.status_code': 429,
      'runtrace.attempt.retry_classification': 'rate_limited',
      'runtrace.attempt.retry_delay_ms': 5,
    });
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(second!.attributes).toMatchObject({
      'runtrace.attempt.number': 2,
      'runtrace.status': 'completed',
      'http.response.status_code': 200,
      'http.request.resend_count': 1,
    });
    expect(step.attributes['runtrace.status']).toBe('completed');
    expect(step.events.filter((event) => event.name === 'runtrace.retry')).toHaveLength(1);
    expect(server.requests.map((received) => received.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
  });

  it('records a 500 then a success with the server_error classification', async () => {
    server.enqueue({ status: 500, headers: { 'retry-after-ms': '5' } }, {});
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'retry' }, (run) =>
      run.step({ operation: 'generate', model: 'm' }, () => client().chat.completions.create({ model: 'm', messages })),
    );
    const [first, second] = attempts();
    expect(first!.attributes).toMatchObject({ 'runtrace.attempt.retry_classification': 'server_error', 'runtrace.status': 'error', 'error.type': '500' });
    expect(second!.attributes).toMatchObject({ 'runtrace.attempt.number': 2, 'runtrace.status': 'completed' });
  });

  it('records a streamed response: first chunk, counts, usage and a completed close', async () => {
    server.enqueue({ reply: 'one two three', usage: { promptTokens: 7, completionTokens: 3, cachedTokens: 2 } });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all' });
    let text = '';
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      const stream = await run.step({ operation: 'stream', model: 'gpt-4o-mini' }, async (step) =>
        step.wrapStream(
          await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } }),
        ),
      );
      expect(typeof stream.controller.abort).toBe('function');
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    expect(text).toBe('one two three');
    const step = otel.one('chat gpt-4o-mini');
    expect(step.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.stream.chunk_count': 6,
      'runtrace.stream.text_length': 13,
      'runtrace.stream.text': 'one two three',
      'runtrace.stream.close_kind': 'completed',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': 'chatcmpl-mock-1',
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.cache_read.input_tokens': 2,
    });
    expect(step.attributes['runtrace.step.time_to_first_chunk_ms']).toBeGreaterThanOrEqual(0);
    expect(step.events.map((event) => event.name)).toContain('runtrace.first_chunk');
    const close = step.events.find((event) => event.name === 'runtrace.stream.close');
    expect(close?.attributes).toMatchObject({ 'runtrace.stream.close.kind': 'completed', 'runtrace.stream.close.event_count': 6, 'runtrace.stream.close.bytes': 13 });
    const [attempt] = attempts();
    expect(attempt!.attributes['runtrace.status']).toBe('completed');
    expect(attempt!.attributes['runtrace.attempt.response_body'] as string).toContain('data: [DONE]');
    expect(otel.run('chat_turn').attributes['runtrace.status']).toBe('completed');
  });

  it('records a wrapped OpenAI stream read through toReadableStream()', async () => {
    server.enqueue({ reply: 'piped to the browser' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    let body = '';
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      const stream = await run.step({ operation: 'stream', model: 'm' }, async (step) =>
        step.wrapStream(await client().chat.completions.create({ model: 'm', messages, stream: true })),
      );
      body = await new Response(stream.toReadableStream()).text();
    });
    const lines = body.trim().split('\n').map((line) => JSON.parse(line) as { object: string });
    expect(lines.every((line) => line.object === 'chat.completion.chunk')).toBe(true);
    const step = otel.one('chat m');
    expect(step.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.stream.close_kind': 'completed',
      'runtrace.stream.chunk_count': lines.length,
      'runtrace.stream.text_length': 'piped to the browser'.length,
    });
  });

  it('records a wrapped OpenAI stream cancelled through toReadableStream() as client-abort', async () => {
    server.enqueue({ reply: 'a long reply the browser stops reading', chunkDelayMs: 2 });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      const stream = await run.step({ operation: 'stream', model: 'm' }, async (step) =>
        step.wrapStream(await client().chat.completions.create({ model: 'm', messages, stream: true })),
      );
      const reader = stream.toReadableStream().getReader();
      await reader.read();
      await reader.cancel('tab closed');
    });
    const step = otel.one('chat m');
    expect(step.attributes).toMatchObject({ 'runtrace.status': 'interrupted', 'runtrace.stream.close_kind': 'client-abort' });
  });

  it('records the first branch of tee() on a wrapped OpenAI stream', async () => {
    server.enqueue({ reply: 'one reply two readers' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const texts = ['', ''];
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      const stream = await run.step({ operation: 'stream', model: 'm' }, async (step) =>
        step.wrapStream(await client().chat.completions.create({ model: 'm', messages, stream: true })),
      );
      const [left, right] = stream.tee();
      expect(typeof left.controller.abort).toBe('function');
      await Promise.all(
        [left, right].map(async (branch, index) => {
          for await (const chunk of branch) texts[index] += chunk.choices[0]?.delta.content ?? '';
        }),
      );
    });
    expect(texts).toEqual(['one reply two readers', 'one reply two readers']);
    expect(otel.one('chat m').attributes).toMatchObject({ 'runtrace.status': 'completed', 'runtrace.stream.text_length': 21 });
  });

  it('records a stream read through the original object after it was wrapped', async () => {
    server.enqueue({ reply: 'original reference' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    let text = '';
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      const step = run.startStep({ operation: 'stream', model: 'm' });
      const stream = await step.with(() => client().chat.completions.create({ model: 'm', messages, stream: true }));
      step.wrapStream(stream);
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    expect(text).toBe('original reference');
    expect(otel.one('chat m').attributes).toMatchObject({ 'runtrace.status': 'completed', 'runtrace.stream.close_kind': 'completed' });
  });

  it('records a stream cut by the server as upstream-premature', async () => {
    server.enqueue({ reply: 'a b c d e f', cutAfterChunks: 3 });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const received: string[] = [];
    await expect(
      recorder.run({ kind: 'cut' }, async (run) => {
        const stream = await run.step({ operation: 'stream', model: 'm' }, async (step) =>
          step.wrapStream(await client({ maxRetries: 0 }).chat.completions.create({ model: 'm', messages, stream: true })),
        );
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      }),
    ).rejects.toThrow();
    expect(received.length).toBeLessThanOrEqual(3);
    const step = otel.one('chat m');
    expect(step.attributes['runtrace.status']).toBe('error');
    expect(step.attributes['runtrace.stream.close_kind']).toBe('upstream-premature');
    const close = step.events.find((event) => event.name === 'runtrace.stream.close');
    expect(close?.attributes?.['runtrace.stream.close.kind']).toBe('upstream-premature');
    expect(close?.attributes?.['runtrace.stream.close.event_count']).toBe(received.length);
    await vi.waitFor(() => expect(attempts()).toHaveLength(1));
    expect(attempts()[0]!.attributes).toMatchObject({ 'runtrace.status': 'error', 'runtrace.attempt.retry_classification': 'network' });
    expect(attempts()[0]!.attributes['runtrace.attempt.error']).toBeTypeOf('string');
    expect(otel.run('cut').attributes['runtrace.status']).toBe('error');
  });

  it('records a consumer that breaks out early as interrupted, and ends the spans', async () => {
    server.enqueue({ reply: 'many words in this slow reply that goes on', chunkDelayMs: 5 });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'early' }, async (run) => {
      const stream = await run.step({ operation: 'stream', model: 'm' }, async (step) =>
        step.wrapStream(await client().chat.completions.create({ model: 'm', messages, stream: true })),
      );
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content !== '') break;
      }
    });
    const step = otel.one('chat m');
    expect(step.ended).toBe(true);
    expect(step.attributes['runtrace.status']).toBe('interrupted');
    expect(step.attributes['runtrace.stream.close_kind']).toBe('client-abort');
    expect(step.status.code).toBe(SpanStatusCode.UNSET);
    await vi.waitFor(() => expect(attempts()).toHaveLength(1));
    expect(attempts()[0]!.attributes['runtrace.status']).toBe('interrupted');
    // The run's own callback completed; the interrupted step is visible on the step.
    expect(otel.run('early').attributes['runtrace.status']).toBe('completed');
  });

  it('never lets a planted secret into any span', async () => {
    server.enqueue({ body: JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], access_token: RESPONSE_SECRET }) });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all' });
    await recorder.run({ kind: 'secrets', label: `my key is ${API_KEY}` }, (run) =>
      run.step({ operation: 'generate', model: 'm', request: { messages: [{ role: 'user', parts: [{ type: 'text', text: `use ${API_KEY}` }] }] } }, () =>
        client({ defaultQuery: { api_key: QUERY_SECRET } }).chat.completions.create({
          model: 'm',
          messages,
          client_secret: BODY_SECRET,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming),
      ),
    );
    expect(server.requests[0]!.body).toContain(BODY_SECRET);
    expect(server.requests[0]!.path).toContain(QUERY_SECRET);
    const exported = JSON.stringify(otel.spans().map((span) => ({ attributes: span.attributes, events: span.events, status: span.status, name: span.name })));
    for (const secret of [API_KEY, QUERY_SECRET, BODY_SECRET, RESPONSE_SECRET]) expect(exported).not.toContain(secret);
    expect(attempts()[0]!.attributes['url.full']).toContain('api_key=');
    expect(attempts()[0]!.attributes['runtrace.redaction.masked_count']).toBeGreaterThanOrEqual(3);
  });

  it('passes requests outside a run through untouched; a model call in a run gets a step of its own', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await client().chat.completions.create({ model: 'm', messages });
    await fetch(`${server.url}/v1/models`);
    expect(otel.spans()).toHaveLength(0);
    await recorder.run({ kind: 'no-step' }, async () => {
      await fetch(`${server.url}/v1/models`);
      await client().chat.completions.create({ model: 'm', messages });
    });
    await recorder.run({ kind: 'tool' }, (run) => run.tool({ name: 'fetcher' }, () => client().chat.completions.create({ model: 'm', messages })));
    expect(server.requests).toHaveLength(5);
    // The model calls only: the GET inside the run is not a model call.
    expect(attempts()).toHaveLength(2);
    const steps = otel.kind('step');
    expect(steps.map((step) => [step.name, step.attributes['runtrace.step.implicit']])).toEqual([
      ['chat m', true],
      ['chat m', true],
    ]);
    expect(steps.map((step) => parentId(step))).toEqual([spanId(otel.run('no-step')), spanId(otel.run('tool'))]);
  });
});

describe('createRecordingInterceptor with undici', () => {
  let agent: ReturnType<Agent['compose']>;
  beforeEach(() => {
    agent = new Agent().compose(createRecordingInterceptor());
  });

  async function inStep<T>(recorder: Recorder, fn: () => Promise<T>): Promise<T> {
    return recorder.run({ kind: 'raw' }, (run) => run.step({ operation: 'generate', model: 'm' }, fn));
  }

  it('fails a JSON body that is not one complete document', async () => {
    server.enqueue({ body: '{"choices": [', contentType: 'application/json' });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all' });
    await inStep(recorder, async () => {
      const response = await request(`${server.baseURL}/chat/completions`, { dispatcher: agent, method: 'POST', body: '{}' });
      await response.body.text();
    });
    expect(attempts()[0]!.attributes).toMatchObject({ 'runtrace.status': 'error', 'error.type': 'invalid_json' });
    expect(attempts()[0]!.attributes['runtrace.attempt.response_body']).not.toContain('"choices"');
  });

  it('fails a JSON body that is not one complete document on an endpoint the wire reader does not read', async () => {
    server.enqueue({ body: '{"data": [', contentType: 'application/json' }, { body: '{"data": []}', contentType: 'application/json' });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await inStep(recorder, async () => {
      await (await request(`${server.url}/v1/files`, { dispatcher: agent, method: 'GET' })).body.text();
      await (await request(`${server.url}/v1/files`, { dispatcher: agent, method: 'GET' })).body.text();
    });
    expect(attempts().map((span) => [span.attributes['runtrace.status'], span.attributes['error.type']])).toEqual([
      ['error', 'invalid_json'],
      ['completed', undefined],
    ]);
  });

  it('completes HEAD and 204 responses without a body', async () => {
    server.enqueue({ body: '', status: 200 }, { body: '', status: 204 });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await inStep(recorder, async () => {
      await (await request(`${server.url}/v1/models`, { dispatcher: agent, method: 'HEAD' })).body.text();
      await (await request(`${server.url}/v1/anything`, { dispatcher: agent, method: 'POST', body: 'x' })).body.text();
    });
    expect(attempts().map((span) => [span.name, span.attributes['runtrace.status'], span.attributes['runtrace.attempt.number']])).toEqual([
      ['HEAD', 'completed', 1],
      ['POST', 'completed', 2],
    ]);
  });

  it('records a network error with the network classification', async () => {
    server.enqueue({ dropConnection: true });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await expect(inStep(recorder, () => request(`${server.baseURL}/chat/completions`, { dispatcher: agent, method: 'POST', body: '{}' }))).rejects.toThrow();
    expect(attempts()[0]!.attributes).toMatchObject({ 'runtrace.status': 'error', 'runtrace.attempt.retry_classification': 'network' });
  });

  it('streams a large request body through while keeping at most the byte cap', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all', maxBodyBytes: 1000 });
    const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'y'.repeat(20_000) }] });
    await inStep(recorder, async () => {
      await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } }).then((response) => response.text());
    });
    const attempt = attempts()[0]!;
    expect(attempt.attributes['runtrace.attempt.request_body_size']).toBe(Buffer.byteLength(big));
    // The kept start is redacted as a JSON prefix: the string the cap cut into is dropped whole.
    expect(attempt.attributes['runtrace.attempt.request_body']).toBe(`{"model":"m","messages":[{"role":"user","content":…[truncated, ${Buffer.byteLength(big)} bytes]`);
    expect(server.requests[0]!.body).toBe(big);
  });

  it('records the redacted start of a streamed request body past the cap, masking secrets before and across the cut', async () => {
    const cap = 1000;
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all', maxBodyBytes: cap });
    const head = JSON.stringify({ model: 'm', api_key: BODY_SECRET, messages: [{ role: 'system', content: 'You are helpful.' }] }).slice(0, -2);
    // A user message whose API key straddles the cap, then a long history.
    const filler = 'z'.repeat(cap - Buffer.byteLength(head) - 40);
    const body = `${head},{"role":"user","content":"${filler} my key is ${API_KEY}"}${',{"role":"user","content":"more"}'.repeat(2000)}]}`;
    expect(JSON.parse(body)).toBeTypeOf('object');
    const keyAt = Buffer.byteLength(body.slice(0, body.indexOf(API_KEY)));
    expect(keyAt).toBeLessThan(cap);
    expect(keyAt + API_KEY.length).toBeGreaterThan(cap);
    const bytes = Buffer.from(body);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < bytes.byteLength; offset += 300) chunks.push(bytes.subarray(offset, offset + 300));
    await inStep(recorder, async () => {
      const response = await request(`${server.baseURL}/chat/completions`, {
        dispatcher: agent,
        method: 'POST',
        body: Readable.from(chunks),
        headers: { 'content-type': 'application/json' },
      });
      await response.body.text();
    });
    expect(server.requests[0]!.body).toBe(body);
    const attributes = attempts()[0]!.attributes;
    const recorded = attributes['runtrace.attempt.request_body'] as string;
    expect(recorded).toBe(`{"model":"m","api_key":"[REDACTED]","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":…[truncated, ${Buffer.byteLength(body)} bytes]`);
    expect(Buffer.byteLength(recorded)).toBeLessThanOrEqual(cap);
    expect(recorded).not.toContain(BODY_SECRET);
    expect(recorded).not.toContain(API_KEY.slice(0, 10));
    expect(attributes['runtrace.attempt.request_body_size']).toBe(Buffer.byteLength(body));
    expect(attributes['runtrace.redaction.masked_count']).toBeGreaterThanOrEqual(1);
  });

  it('records the redacted start of a JSON response body past the cap', async () => {
    const reply = JSON.stringify({ id: 'x', object: 'chat.completion', access_token: RESPONSE_SECRET, choices: [{ index: 0, message: { role: 'assistant', content: 'w'.repeat(5000) } }] });
    server.enqueue({ body: reply, contentType: 'application/json' });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', bodies: 'all', maxBodyBytes: 1000 });
    await inStep(recorder, async () => {
      const response = await request(`${server.baseURL}/chat/completions`, { dispatcher: agent, method: 'POST', body: '{}' });
      await response.body.text();
    });
    const attributes = attempts()[0]!.attributes;
    expect(attributes['runtrace.attempt.response_body']).toBe(
      `{"id":"x","object":"chat.completion","access_token":"[REDACTED]","choices":[{"index":0,"message":{"role":"assistant","content":…[truncated, ${Buffer.byteLength(reply)} bytes]`,
    );
    expect(attributes['runtrace.attempt.response_body_size']).toBe(Buffer.byteLength(reply));
    expect(attributes['runtrace.status']).toBe('completed');
  });
});
