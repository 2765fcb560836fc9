import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../__fixtures__/otel-harness.js';
import type { OtelHarness } from '../__fixtures__/otel-harness.js';
import { installFetchInstrumentation } from '../install-fetch-instrumentation.js';
import { Recorder } from '../recorder.js';

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

function client(baseURL = server.baseURL): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 2 });
}

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'hello' },
];

function step(): ReturnType<OtelHarness['spans']>[number] {
  const steps = otel.kind('step');
  expect(steps).toHaveLength(1);
  return steps[0]!;
}

describe('a step filled from the wire, with no response set by the code', () => {
  it('non-streamed: model, provider, options, usage, finish reason, id and the span name', async () => {
    server.enqueue({ usage: { promptTokens: 21, completionTokens: 7, cachedTokens: 5 } });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'metadata' });
    await recorder.run({ kind: 'chat_turn' }, (run) =>
      run.step({ operation: 'generate' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.2, max_tokens: 64 })),
    );
    const span = step();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': '127.0.0.1',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.id': 'chatcmpl-mock-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.cache_read.input_tokens': 5,
    });
    // Metadata policy: messages are read from the wire only under `full`.
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
    // Usage is the step's alone: the attempt does not carry it (no double counting in roll-ups).
    expect(otel.kind('attempt')[0]!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('streamed: usage from the final usage-only chunk, and the time to the first chunk', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    let text = '';
    await recorder.run({ kind: 'chat_turn' }, (run) =>
      run.step({ operation: 'stream' }, async () => {
        const stream = await client().chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      }),
    );
    expect(text).toBe('Hello from the mock server.');
    const span = step();
    expect(span.name).toBe('chat gpt-4o');
    expect(span.attributes).toMatchObject({
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(span.attributes['runtrace.step.time_to_first_chunk_ms']).toEqual(expect.any(Number));
    expect(span.events.filter((event) => event.name === 'runtrace.first_chunk')).toHaveLength(1);
    const output = JSON.parse(span.attributes['gen_ai.output.messages'] as string) as { parts: { type: string; content?: string }[] }[];
    expect(output[0]!.parts).toEqual([expect.objectContaining({ type: 'text', content: 'Hello from the mock server.' })]);
  });

  it('a stream without usage leaves the tokens unknown, never 0', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'metadata' });
    await recorder.run({ kind: 'chat_turn' }, (run) =>
      run.step({ operation: 'stream' }, async () => {
        const stream = await client().chat.completions.create({ model: 'gpt-4o', messages, stream: true });
        for await (const _chunk of stream) {
          // read to the end
        }
      }),
    );
    const span = step();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('a 429 then a 200: usage once, from the answered attempt', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '5' } }, { usage: { promptTokens: 30, completionTokens: 3 } });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'chat_turn' }, (run) => run.step({ operation: 'generate' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages })));
    expect(otel.kind('attempt')).toHaveLength(2);
    expect(step().attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 3 });
  });

  it('two answered calls in one step add up', async () => {
    server.enqueue({ usage: { promptTokens: 30, completionTokens: 3 } }, { usage: { promptTokens: 40, completionTokens: 4 } });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'chat_turn' }, (run) =>
      run.step({ operation: 'generate' }, async () => {
        await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
        await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
      }),
    );
    expect(step().attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 70, 'gen_ai.usage.output_tokens': 7 });
  });

  it("the code's own values win, key by key", async () => {
    server.enqueue({ usage: { promptTokens: 30, completionTokens: 3 } });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'chat_turn', provider: 'openai' }, (run) =>
      run.step({ operation: 'generate', model: 'my-alias' }, async (handle) => {
        await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
        handle.setResponse({ usage: { inputTokens: 31 } });
      }),
    );
    const span = step();
    expect(span.name).toBe('chat my-alias');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'my-alias',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 31,
      'gen_ai.usage.output_tokens': 3,
    });
  });

  it('reads a gzip-compressed answer', async () => {
    const document = {
      id: 'chatcmpl-gz',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'zipped' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
    };
    const gz: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(gzipSync(JSON.stringify(document)));
      });
    });
    await new Promise<void>((resolve) => gz.listen(0, '127.0.0.1', resolve));
    try {
      const recorder = new Recorder({ tracerProvider: otel.provider });
      const completion = await recorder.run({ kind: 'chat_turn' }, (run) =>
        run.step({ operation: 'generate' }, () => client(`http://127.0.0.1:${(gz.address() as AddressInfo).port}/v1`).chat.completions.create({ model: 'gpt-4o-mini', messages })),
      );
      expect(completion.choices[0]?.message.content).toBe('zipped');
      expect(step().attributes).toMatchObject({
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': 'chatcmpl-gz',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 2,
      });
    } finally {
      await new Promise<void>((resolve) => gz.close(() => resolve()));
    }
  });
});

describe("the SDK's own errors, classified by what they mean", () => {
  it("the openai client's timeout is a timeout; the caller's abort is an interruption", async () => {
    server.enqueue({ headersDelayMs: 2_000 }, { headersDelayMs: 2_000 });
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const slow = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, timeout: 50 });
    await expect(
      recorder.run({ kind: 'timeout' }, (run) => run.step({ operation: 'generate' }, () => slow.chat.completions.create({ model: 'gpt-4o-mini', messages }))),
    ).rejects.toThrow(/timed out/i);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      recorder.run({ kind: 'abort' }, (run) =>
        run.step({ operation: 'generate' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal: controller.signal })),
      ),
    ).rejects.toThrow();
    const [timedOut, aborted] = otel.kind('step').sort((a, b) => (a.startTime[0] - b.startTime[0]) * 1e9 + (a.startTime[1] - b.startTime[1]));
    expect(timedOut!.attributes).toMatchObject({ 'runtrace.status': 'error', 'error.type': 'timeout' });
    expect(aborted!.attributes['runtrace.status']).toBe('interrupted');
  });
});
