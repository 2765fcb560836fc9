import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import {
  damage,
  expectSameAtEverySplit,
  expectWellFormedResponse,
  feed,
  fixtureBytes,
  formatOf,
  mutateJson,
  randomPieces,
  sseEvents,
  sseText,
  utf8,
  whole,
} from './__fixtures__/wire-harness.js';

const SSE = 'text/event-stream; charset=utf-8';
const format = formatOf('openai-chat');
const stream = fixtureBytes('openai-chat-stream.sse');
const toolStream = fixtureBytes('openai-chat-stream-tools.sse');

/** The stream transcript without the events from `index` on. */
function cutBefore(bytes: Uint8Array, index: number): Uint8Array {
  return utf8(sseText(sseEvents(new TextDecoder().decode(bytes)).slice(0, index)));
}

describe('OpenAiChatResponse', () => {
  it('reads a streamed answer the same however the bytes are cut', () => {
    const response = expectSameAtEverySplit(format, SSE, stream);
    expect(response).toEqual({
      finished: true,
      usageReported: true,
      content: [{ type: 'text', text: 'Demain à Paris : 21 °C, ensoleillé ☀️.' }],
      finishReason: 'stop',
      usage: { inputTokens: 1219, outputTokens: 9, reasoningTokens: 0, cacheReadTokens: 1024 },
      model: 'gpt-4o-mini-2024-07-18',
      id: 'chatcmpl-BxQ7r2mZk4Vd9',
    });
    expect(JSON.stringify(response)).not.toContain('fp_34a54ae93c');
  });

  it('takes usage from the usage-only final chunk, past the usage: null chunks', () => {
    const events = sseEvents(new TextDecoder().decode(stream));
    const nullUsage = events.filter(([, data]) => data.includes('"usage":null'));
    expect(nullUsage.length).toBe(events.length - 2);
    const usageChunk = JSON.parse(events.at(-2)![1]) as { choices: unknown[]; usage: unknown };
    expect(usageChunk.choices).toEqual([]);
    // Without the usage-only chunk (no stream_options.include_usage, or cut just before it): finished, but no usage.
    const withoutUsage = whole(format, SSE, cutBefore(stream, events.length - 2));
    expect(withoutUsage.finished).toBe(true);
    expect(withoutUsage.usage).toBeUndefined();
    expect(withoutUsage.usageReported).toBe(false);
  });

  it('reports a stream cut before its finish as not finished, with the text so far', () => {
    const events = sseEvents(new TextDecoder().decode(stream));
    const finishIndex = events.findIndex(([, data]) => data.includes('"finish_reason":"stop"'));
    const cut = whole(format, SSE, cutBefore(stream, finishIndex));
    expect(cut.finished).toBe(false);
    expect(cut.finishReason).toBeUndefined();
    expect(cut.content).toEqual([{ type: 'text', text: 'Demain à Paris : 21 °C, ensoleillé ☀️.' }]);
    // Cut in the middle of an event: that event is not read.
    const midEvent = whole(format, SSE, stream.subarray(0, Buffer.from(stream).indexOf('ensoleill') + 3));
    expect(midEvent.content).toEqual([{ type: 'text', text: 'Demain à Paris : 21 °C,' }]);
    expect(midEvent.finished).toBe(false);
  });

  it('merges tool-call fragments by index, parses their arguments, and reads reasoning tokens', () => {
    const response = expectSameAtEverySplit(format, SSE, toolStream);
    expect(response).toEqual({
      finished: true,
      usageReported: true,
      content: [
        { type: 'tool-call', id: 'call_8fXk2', name: 'get_weather', arguments: { city: 'Paris' } },
        { type: 'tool-call', id: 'call_Q2mz9', name: 'get_time', arguments: { zone: 'Europe/Paris' } },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 310, outputTokens: 214, reasoningTokens: 192, cacheReadTokens: 0 },
      model: 'o4-mini-2025-04-16',
      id: 'chatcmpl-C1tK9pQ',
    });
  });

  it('reports the first content on the push that carried it', () => {
    const events = sseEvents(new TextDecoder().decode(stream)).map(([event, data]) => utf8(sseText([[event, data]])));
    // The role chunk has empty content: the first text is in the second event.
    expect(feed(format, SSE, events).firstContentPushes).toEqual([1]);
  });

  it('reads a non-streamed completion', () => {
    expect(whole(format, 'application/json', fixtureBytes('openai-chat-completion.json'))).toEqual({
      finished: true,
      usageReported: true,
      content: [
        { type: 'text', text: 'Il fera 21 °C à Paris demain.' },
        { type: 'tool-call', id: 'call_Zz1', name: 'book_table', arguments: { restaurant: 'Le Train Bleu', guests: 2 } },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 88, outputTokens: 31, reasoningTokens: 0, cacheReadTokens: 0 },
      model: 'gpt-4o-2024-08-06',
      id: 'chatcmpl-BxQ8a1',
    });
  });

  it('records a refusal as the answer text, with a warning', () => {
    const chunk = (delta: unknown, finish: string | null = null): [undefined, string] => [
      undefined,
      JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }], usage: null }),
    ];
    const body = utf8(sseText([chunk({ role: 'assistant', content: null, refusal: '' }), chunk({ refusal: "I'm sorry, " }), chunk({ refusal: "I can't help with that." }), chunk({}, 'stop')]));
    const response = expectSameAtEverySplit(format, SSE, body);
    expect(response.content).toEqual([{ type: 'text', text: "I'm sorry, I can't help with that." }]);
    expect(response.warnings).toEqual(['refusal']);
    const document = whole(format, 'application/json', utf8(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'No.' }, finish_reason: 'stop' }] })));
    expect(document.content).toEqual([{ type: 'text', text: 'No.' }]);
    expect(document.warnings).toEqual(['refusal']);
  });

  it('reads reasoning deltas of compatible servers (reasoning_content, reasoning)', () => {
    const chunk = (delta: unknown): [undefined, string] => [undefined, JSON.stringify({ id: 'r1', model: 'deepseek-reasoner', choices: [{ index: 0, delta, finish_reason: null }] })];
    const body = utf8(sseText([chunk({ reasoning_content: 'Think ' }), chunk({ reasoning: 'more.' }), chunk({ content: 'Answer.' })]));
    expect(whole(format, SSE, body).content).toEqual([
      { type: 'reasoning', text: 'Think more.' },
      { type: 'text', text: 'Answer.' },
    ]);
  });

  it('reads error bodies and in-stream errors', () => {
    const body = utf8(JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
    expect(whole(format, 'application/json', body)).toEqual({
      finished: false,
      usageReported: false,
      error: { type: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4o' },
    });
    const vllm = utf8(JSON.stringify({ object: 'error', message: 'max_tokens is too large', type: 'BadRequestError', param: null, code: 400 }));
    expect(whole(format, 'application/json', vllm).error).toEqual({ type: 'BadRequestError', message: 'max_tokens is too large' });
    const streamed = new TextDecoder().decode(stream).split('\n\n').slice(0, 3).join('\n\n') + '\n\ndata: {"error":{"message":"The server had an error","type":"server_error"}}\n\n';
    const response = whole(format, SSE, utf8(streamed));
    expect(response.error).toEqual({ type: 'server_error', message: 'The server had an error' });
    expect(response.finished).toBe(false);
  });

  it('reads Groq usage under x_groq', () => {
    const body = utf8(sseText([[undefined, JSON.stringify({ id: 'g1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req_1', usage: { prompt_tokens: 30, completion_tokens: 4 } } })]]));
    expect(whole(format, SSE, body).usage).toEqual({ inputTokens: 30, outputTokens: 4 });
  });

  it('keeps at most maxTextBytes of text and of tool-call arguments, marking the cut', () => {
    const text = whole(format, SSE, stream, 10);
    expect(text.content).toEqual([{ type: 'text', text: 'Demain à …[truncated, 45 bytes]' }]);
    const tools = whole(format, SSE, toolStream, 12);
    expect(tools.content).toEqual([
      { type: 'tool-call', id: 'call_8fXk2', name: 'get_weather', arguments: '{"city": "Pa…[truncated, 17 bytes]' },
      { type: 'tool-call', id: 'call_Q2mz9', name: 'get_time', arguments: '…[truncated, 23 bytes]' },
    ]);
  });

  it('never throws, whatever the body or its cuts', () => {
    const random = createSeededRandom(31);
    const transcripts = [stream, toolStream].map((bytes) => sseEvents(new TextDecoder().decode(bytes)));
    for (let round = 0; round < 300; round += 1) {
      const events = transcripts[round % 2]!.map(([event, data]): [string | undefined, string] => {
        if (data === '[DONE]' || random() < 0.5) return [event, data];
        return [event, JSON.stringify(mutateJson(JSON.parse(data), random)) ?? 'null'];
      });
      let bytes = utf8(sseText(events));
      if (random() < 0.5) bytes = damage(bytes, random);
      const maxTextBytes = Math.floor(random() * 40);
      const contentType = [SSE, SSE, 'application/json', undefined][Math.floor(random() * 4)];
      const response = feed(format, contentType, randomPieces(bytes, random), maxTextBytes).response;
      expectWellFormedResponse(response, maxTextBytes);
    }
  });
});
