import { afterEach, describe, expect, it } from 'vitest';
import { startMockGeminiServer } from './mock-gemini-server.js';
import type { MockGeminiServer } from './mock-gemini-server.js';

let server: MockGeminiServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });

function post(target: MockGeminiServer, method: string, query = ''): Promise<Response> {
  return fetch(`${target.url}/v1beta/models/gemini-2.5-flash:${method}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test-key' },
    body,
  });
}

interface Chunk {
  candidates?: { content: { parts: Record<string, unknown>[] }; finishReason?: string }[];
  usageMetadata?: Record<string, number>;
  modelVersion: string;
  responseId: string;
}

describe('startMockGeminiServer', () => {
  it('answers generateContent with one GenerateContentResponse and records the request', async () => {
    server = await startMockGeminiServer({
      script: [{ reply: 'Hi', thoughts: ['Hmm.'], functionCalls: [{ name: 'weather', args: { city: 'Oslo' } }], usage: { promptTokens: 20, candidatesTokens: 4, thoughtsTokens: 6, cachedContentTokens: 8 } }],
    });
    const response = await post(server, 'generateContent');
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      candidates: [
        {
          content: { parts: [{ text: 'Hmm.', thought: true }, { text: 'Hi' }, { functionCall: { name: 'weather', args: { city: 'Oslo' } } }], role: 'model' },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 20,
        candidatesTokenCount: 4,
        cachedContentTokenCount: 8,
        thoughtsTokenCount: 6,
        totalTokenCount: 30,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 20 }],
      },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'mock-response-1',
    });
    expect(server.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:generateContent', headers: { 'x-goog-api-key': 'test-key' } });
  });

  it('streams SSE with alt=sse: cumulative usage on every chunk, the finish reason on the last', async () => {
    server = await startMockGeminiServer({ script: [{ chunks: ['a ', 'b ', 'c'], usage: { promptTokens: 100, candidatesTokens: 30 } }] });
    const response = await post(server, 'streamGenerateContent', '?alt=sse');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    const frames = text.split('\r\n\r\n').filter((frame) => frame !== '');
    expect(frames.every((frame) => frame.startsWith('data: '))).toBe(true);
    const chunks = frames.map((frame) => JSON.parse(frame.slice('data: '.length)) as Chunk);
    expect(chunks.map((chunk) => chunk.usageMetadata?.['candidatesTokenCount'])).toEqual([10, 20, 30]);
    expect(chunks.map((chunk) => chunk.usageMetadata?.['promptTokenCount'])).toEqual([100, 100, 100]);
    expect(chunks.map((chunk) => chunk.candidates?.[0]?.finishReason)).toEqual([undefined, undefined, 'STOP']);
    expect(chunks.every((chunk) => chunk.modelVersion === 'gemini-2.5-flash' && chunk.responseId === 'mock-response-1')).toBe(true);
  });

  it('streams one JSON array without alt=sse, element by element', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    server = await startMockGeminiServer({ script: [{ chunks: ['x', 'y'], finishReason: 'MAX_TOKENS', beforeChunk: (index) => (index === 1 ? gate : undefined) }] });
    const response = await post(server, 'streamGenerateContent');
    expect(response.headers.get('content-type')).toContain('application/json');
    const reader = response.body!.getReader();
    // The first element arrives alone while the second is held.
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.startsWith('[{')).toBe(true);
    expect(first).not.toContain(',\r\n');
    release();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    const chunks = JSON.parse(first + rest) as Chunk[];
    expect(chunks.map((chunk) => chunk.candidates?.[0]?.content.parts[0]?.['text'])).toEqual(['x', 'y']);
    expect(chunks[1]?.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(rest).toContain('\n,\r\n');
  });

  it('answers errors as Google error documents, cuts a stream, and can leave usage out', async () => {
    server = await startMockGeminiServer({
      script: [{ status: 429, headers: { 'retry-after': '3' }, error: { message: 'quota' } }, { chunks: ['a', 'b', 'c'], cutAfterChunks: 2 }, { usage: null }],
    });
    const limited = await post(server, 'generateContent');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toEqual({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } });
    const cut = await post(server, 'streamGenerateContent', '?alt=sse');
    await expect(cut.text()).rejects.toThrow();
    const noUsage = (await (await post(server, 'generateContent')).json()) as Chunk;
    expect(noUsage).not.toHaveProperty('usageMetadata');
    expect(noUsage.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('answers 404 for other routes', async () => {
    server = await startMockGeminiServer();
    const response = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:countTokens`, { method: 'POST', body });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});
