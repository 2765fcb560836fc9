import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockAnthropicServer } from './mock-anthropic-server.js';
import type { MockAnthropicServer } from './mock-anthropic-server.js';

let server: MockAnthropicServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const params = { model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user' as const, content: 'hi' }] };

function client(target: MockAnthropicServer, maxRetries = 0): Anthropic {
  return new Anthropic({ apiKey: 'sk-ant-test', baseURL: target.baseURL, maxRetries });
}

function events(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [eventLine = '', dataLine = ''] = frame.split('\n');
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown> };
    });
}

describe('startMockAnthropicServer', () => {
  it('answers a Message the SDK reads, with split usage, and records the request', async () => {
    server = await startMockAnthropicServer({ script: [{ reply: 'Hi there', usage: { inputTokens: 12, cacheReadInputTokens: 100, cacheCreationInputTokens: 5, outputTokens: 7 } }] });
    const message = await client(server).messages.create(params);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      id: 'msg_mock_1',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Hi there' }],
      usage: { input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 7 },
    });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages', json: { model: 'claude-sonnet-4-5' } });
    expect(server.requests[0]?.headers['anthropic-version']).toEqual(expect.any(String));
  });

  it('streams events in the API order that the SDK accumulates into the same message', async () => {
    server = await startMockAnthropicServer({
      script: [
        {
          thinking: ['Let me ', 'think.'],
          reply: 'It is sunny.',
          toolUses: [{ id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }],
          usage: { inputTokens: 30, cacheReadInputTokens: 200, outputTokens: 40, initialOutputTokens: 2 },
        },
      ],
    });
    const message = await client(server).messages.stream(params).finalMessage();
    expect(message.content).toMatchObject([
      { type: 'thinking', thinking: 'Let me think.' },
      { type: 'text', text: 'It is sunny.' },
      { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    // message_start's first output count is replaced by message_delta's cumulative one.
    expect(message.usage).toMatchObject({ input_tokens: 30, cache_read_input_tokens: 200, output_tokens: 40 });

    server.enqueue({ reply: 'a b' });
    const raw = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ ...params, stream: true }) });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    const sequence = events(await raw.text());
    expect(sequence.map((item) => item.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(sequence.every((item) => item.data['type'] === item.event)).toBe(true);
    expect(sequence[0]?.data).toMatchObject({ message: { usage: { input_tokens: 10, output_tokens: 1 }, content: [] } });
    expect(sequence.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 10, output_tokens: 2 } });
  });

  it('answers errors as Anthropic error documents with status and headers; the SDK retries a 429', async () => {
    server = await startMockAnthropicServer({ script: [{ status: 429, headers: { 'retry-after': '0', 'retry-after-ms': '1' } }], fallback: { reply: 'done' } });
    const message = await client(server, 1).messages.create(params);
    expect(message.content).toMatchObject([{ type: 'text', text: 'done' }]);
    expect(server.requests.map((request) => request.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
    server.enqueue({ status: 429, headers: { 'retry-after': '7' }, error: { message: 'slow down' } }, { status: 529 });
    const limited = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' }, request_id: 'req_mock_3' });
    await expect(client(server).messages.create(params)).rejects.toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('cuts a stream after N events, and answers without usage when usage is null', async () => {
    server = await startMockAnthropicServer({ script: [{ cutAfterEvents: 3 }, { usage: null }, { usage: null, stream: true }] });
    const cut = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ ...params, stream: true }) });
    await expect(cut.text()).rejects.toThrow();
    const noUsage = (await (await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify(params) })).json()) as Record<string, unknown>;
    expect(noUsage).not.toHaveProperty('usage');
    const streamed = events(await (await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify(params) })).text());
    expect(streamed.some((item) => 'usage' in item.data || 'usage' in ((item.data['message'] as object | undefined) ?? {}))).toBe(false);
    expect(streamed.at(-1)?.event).toBe('message_stop');
  });

  it('answers 404 for other routes', async () => {
    server = await startMockAnthropicServer();
    const response = await fetch(`${server.url}/v1/complete`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
