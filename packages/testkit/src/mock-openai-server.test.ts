import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockOpenAIServer } from './mock-openai-server.js';
import type { MockOpenAIServer } from './mock-openai-server.js';

let server: MockOpenAIServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function post(target: MockOpenAIServer, body: unknown): Promise<Response> {
  return fetch(`${target.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
  });
}

function dataFrames(text: string): string[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

describe('startMockOpenAIServer', () => {
  it('listens on 127.0.0.1 with a /v1 base URL and records requests', async () => {
    server = await startMockOpenAIServer();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.baseURL).toBe(`${server.url}/v1`);
    const response = await post(server, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    const document = (await response.json()) as { object: string; model: string; choices: { message: { content: string } }[] };
    expect(document.object).toBe('chat.completion');
    expect(document.model).toBe('gpt-4o');
    expect(document.choices[0]?.message.content).toBe('Hello from the mock server.');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer sk-test');
    expect(server.requests[0]?.json).toMatchObject({ model: 'gpt-4o' });
  });

  it('follows the script, then the fallback', async () => {
    server = await startMockOpenAIServer({
      script: [{ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }],
      fallback: { reply: 'done' },
    });
    const first = await post(server, { model: 'm', messages: [] });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('0');
    expect(await first.json()).toMatchObject({ error: { type: 'rate_limit_exceeded' } });
    expect((await post(server, { model: 'm', messages: [] })).status).toBe(500);
    const third = (await (await post(server, { model: 'm', messages: [] })).json()) as { choices: { message: { content: string } }[] };
    expect(third.choices[0]?.message.content).toBe('done');
  });

  it('streams server-sent events with usage when include_usage is set', async () => {
    server = await startMockOpenAIServer({ script: [{ reply: 'one two three' }] });
    const response = await post(server, {
      model: 'm',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const frames = dataFrames(await response.text());
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame) as Record<string, unknown>);
    const text = chunks
      .map((chunk) => (chunk['choices'] as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('one two three');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 3 } });
    expect(chunks.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
  });

  it('streams tool calls', async () => {
    server = await startMockOpenAIServer({ script: [{ toolCalls: [{ id: 'call_a', name: 'weather', arguments: '{"city":"Oslo"}' }] }] });
    const frames = dataFrames(await (await post(server, { model: 'm', messages: [], stream: true })).text());
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] });
    expect(chunks.some((chunk) => JSON.stringify(chunk).includes('"name":"weather"'))).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    const json = await (await post(server, { model: 'm', messages: [] })).json();
    expect(json).toMatchObject({ choices: [{ message: { content: 'Hello from the mock server.' } }] });
  });

  it('cuts a stream after N chunks by destroying the socket', async () => {
    server = await startMockOpenAIServer({ script: [{ reply: 'a b c d e', cutAfterChunks: 2 }] });
    const response = await post(server, { model: 'm', messages: [], stream: true });
    await expect(response.text()).rejects.toThrow();
  });

  it('holds a stream at a chunk until the test releases it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: number[] = [];
    server = await startMockOpenAIServer({
      script: [
        {
          reply: 'a b',
          beforeChunk: async (index) => {
            seen.push(index);
            if (index === 1) await gate;
          },
        },
      ],
    });
    const response = await post(server, { model: 'm', messages: [], stream: true });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
    expect(seen).toEqual([0, 1]);
    release();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('[DONE]');
  });

  it('answers 404 for unknown routes and serves a raw body when asked', async () => {
    server = await startMockOpenAIServer({ script: [{}, { body: '{"truncated":', contentType: 'application/json' }] });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect(await (await post(server, {})).text()).toBe('{"truncated":');
  });

  it('keeps idle connections open for keepAliveTimeoutMs, and says so in its Keep-Alive header', async () => {
    server = await startMockOpenAIServer();
    expect((await post(server, {})).headers.get('keep-alive')).toBe('timeout=5');
    await server.close();
    server = await startMockOpenAIServer({ keepAliveTimeoutMs: 600_000 });
    expect((await post(server, {})).headers.get('keep-alive')).toBe('timeout=600');
  });
});

describe('startMockOpenAIServer: the Responses API', () => {
  function client(target: MockOpenAIServer, maxRetries = 0): OpenAI {
    return new OpenAI({ apiKey: 'sk-test', baseURL: target.baseURL, maxRetries });
  }

  function postResponses(target: MockOpenAIServer, body: unknown): Promise<Response> {
    return fetch(`${target.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify(body),
    });
  }

  /** `[event name, data]` of each server-sent event. */
  function namedEvents(text: string): [string, Record<string, unknown>][] {
    return text
      .split('\n\n')
      .filter((frame) => frame !== '')
      .map((frame) => {
        const [eventLine, dataLine, ...rest] = frame.split('\n');
        expect(rest).toEqual([]);
        expect(eventLine).toMatch(/^event: /);
        expect(dataLine).toMatch(/^data: /);
        return [eventLine!.slice('event: '.length), JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown>];
      });
  }

  it('answers a non-streamed Response the real client reads: output, usage, status, echoed request fields', async () => {
    server = await startMockOpenAIServer({
      script: [{ model: 'gpt-4.1-2025-04-14', reply: 'Hello there.', usage: { promptTokens: 2048, cachedTokens: 1536, completionTokens: 300, reasoningTokens: 100 } }],
    });
    const response = await client(server).responses.create({ model: 'gpt-4.1', instructions: 'Be brief.', input: 'hello', max_output_tokens: 500, temperature: 0.5 });
    expect(response).toMatchObject({
      id: 'resp_mock_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-4.1-2025-04-14',
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: 500,
      temperature: 0.5,
      output: [{ id: 'msg_mock_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there.', annotations: [] }] }],
      usage: { input_tokens: 2048, input_tokens_details: { cached_tokens: 1536 }, output_tokens: 300, output_tokens_details: { reasoning_tokens: 100 }, total_tokens: 2348 },
    });
    expect(response.output_text).toBe('Hello there.');
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/responses', json: { model: 'gpt-4.1', input: 'hello' } });
  });

  it('streams the named events in the API order, each with its sequence_number, and no [DONE]', async () => {
    server = await startMockOpenAIServer({ script: [{ reply: 'one two', toolCalls: [{ id: 'call_w', name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 40, completionTokens: 9 } }] });
    const response = await postResponses(server, { model: 'gpt-4.1-mini', input: 'hi', stream: true });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).not.toContain('[DONE]');
    const events = namedEvents(text);
    expect(events.map(([name]) => name)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map(([, data]) => [data['type'], data['sequence_number']])).toEqual(events.map(([name], index) => [name, index]));
    expect(events[0]![1]).toMatchObject({ response: { id: 'resp_mock_1', status: 'in_progress', model: 'gpt-4.1-mini', output: [], usage: null } });
    expect(events[4]![1]).toMatchObject({ item_id: 'msg_mock_1', output_index: 0, content_index: 0, delta: 'one ' });
    expect(events[9]![1]).toMatchObject({ output_index: 1, item: { id: 'fc_mock_1_1', type: 'function_call', status: 'in_progress', call_id: 'call_w', name: 'weather', arguments: '' } });
    expect(events[12]![1]).toMatchObject({ item_id: 'fc_mock_1_1', output_index: 1, arguments: '{"city":"Oslo"}' });
    expect(events.at(-1)![1]).toMatchObject({
      response: {
        status: 'completed',
        output: [{ type: 'message' }, { type: 'function_call', status: 'completed', call_id: 'call_w', arguments: '{"city":"Oslo"}' }],
        usage: { input_tokens: 40, input_tokens_details: { cached_tokens: 0 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 49 },
      },
    });
  });

  it('passes the real client’s stream validation: responses.stream and create({ stream: true })', async () => {
    server = await startMockOpenAIServer({
      script: [
        { reply: 'It is cold.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } },
        { chunks: ['a', 'b', 'c'] },
      ],
    });
    const stream = client(server).responses.stream({ model: 'gpt-4.1', input: 'weather?' });
    const argumentSnapshots: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentSnapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('It is cold.');
    expect(final.output[1]).toMatchObject({ type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' });
    expect(argumentSnapshots).toEqual(['{"city"', '{"city":"Oslo"}']);
    expect(final.usage).toMatchObject({ input_tokens: 100, output_tokens: 20, total_tokens: 120 });

    const raw = await client(server).responses.create({ model: 'gpt-4.1', input: 'abc', stream: true });
    let text = '';
    const types: string[] = [];
    for await (const event of raw) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('abc');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('ends a max-tokens stop with response.incomplete and incomplete_details.reason', async () => {
    server = await startMockOpenAIServer({ script: [{ reply: 'cut short', finishReason: 'length' }, { reply: 'cut short', finishReason: 'length', usage: { completionTokens: 16 } }] });
    const events = namedEvents(await (await postResponses(server, { model: 'm', input: 'x', stream: true })).text());
    expect(events.at(-1)).toEqual(['response.incomplete', expect.objectContaining({ response: expect.objectContaining({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }) })]);
    const final = await client(server).responses.create({ model: 'm', input: 'x', max_output_tokens: 16 });
    expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ status: 'incomplete' }], usage: { output_tokens: 16 } });
  });

  it('answers without usage when the scenario says usage: null', async () => {
    server = await startMockOpenAIServer({ fallback: { usage: null } });
    const document = await client(server).responses.create({ model: 'm', input: 'x' });
    expect(document.status).toBe('completed');
    expect('usage' in document).toBe(false);
    const final = await client(server).responses.stream({ model: 'm', input: 'x' }).finalResponse();
    expect(final.output_text).toBe('Hello from the mock server.');
    expect(final.usage).toBeUndefined();
    // The chat endpoint too: no usage in the document, no usage chunk even when asked.
    expect(await (await post(server, { model: 'm', messages: [] })).json()).not.toHaveProperty('usage');
    const frames = dataFrames(await (await post(server, { model: 'm', messages: [], stream: true, stream_options: { include_usage: true } })).text());
    expect(frames.filter((frame) => frame.includes('"usage"'))).toEqual([]);
  });

  it('answers errors as OpenAI error documents with their status; the client retries a 429', async () => {
    server = await startMockOpenAIServer({
      script: [
        { status: 400, error: { message: 'Invalid model', type: 'invalid_request_error', code: 'model_not_found' } },
        { status: 429, headers: { 'retry-after-ms': '5' } },
        { reply: 'after the retry' },
      ],
    });
    const refused = await client(server).responses.create({ model: 'nope', input: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'model_not_found', message: expect.stringContaining('Invalid model') });
    const retried = await client(server, 1).responses.create({ model: 'm', input: 'x' });
    expect(retried.output_text).toBe('after the retry');
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/responses', '/v1/responses', '/v1/responses']);
  });

  it('cuts a stream after N events: the client sees the body break off before response.completed', async () => {
    server = await startMockOpenAIServer({ script: [{ reply: 'a b c d e', cutAfterChunks: 4 }] });
    const seen: string[] = [];
    const read = async (): Promise<void> => {
      const stream = await client(server!).responses.create({ model: 'm', input: 'x', stream: true });
      for await (const event of stream) seen.push(event.type);
    };
    await expect(read()).rejects.toThrow();
    expect(seen).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  });
});
