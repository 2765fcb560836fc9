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
});
