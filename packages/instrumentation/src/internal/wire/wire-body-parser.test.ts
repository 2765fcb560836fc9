import { describe, expect, it } from 'vitest';
import { fixtureBytes, formatOf, utf8, whole } from './__fixtures__/wire-harness.js';

const chat = formatOf('openai-chat');
const stream = fixtureBytes('openai-chat-stream.sse');
const completion = fixtureBytes('openai-chat-completion.json');

describe('WireBodyParser', () => {
  it('sniffs the framing from the first byte when the content type says neither SSE nor JSON', () => {
    const fromSse = whole(chat, 'text/event-stream', stream);
    expect(whole(chat, undefined, stream)).toEqual(fromSse);
    expect(whole(chat, 'text/plain', utf8(`\r\n\n${new TextDecoder().decode(stream)}`))).toEqual(fromSse);
    const fromJson = whole(chat, 'application/json', completion);
    expect(whole(chat, undefined, completion)).toEqual(fromJson);
    const parser = chat.createResponseParser('application/octet-stream', { maxTextBytes: 100 });
    parser.push(utf8('  \n'));
    parser.push(completion);
    expect(parser.end()).toEqual(fromJson);
  });

  it('skips a stream event over max(4 × maxTextBytes, 1 MiB) and reads the rest', () => {
    const huge = `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { content: 'x'.repeat(1_100_000) }, finish_reason: null }] })}\n\n`;
    const small = `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] })}\n\n`;
    const body = utf8(huge + small);
    expect(whole(chat, 'text/event-stream', body, 10)).toMatchObject({ content: [{ type: 'text', text: 'ok' }], finishReason: 'stop' });
    // With a larger text bound the event fits, and its text is kept up to that bound.
    const kept = whole(chat, 'text/event-stream', body, 300_000);
    expect(kept.content).toEqual([{ type: 'text', text: `${'x'.repeat(300_000)}…[truncated, 1100002 bytes]` }]);
  });

  it('reads a non-streamed body over max(8 × maxTextBytes, 4 MiB) as a prefix', () => {
    const document = {
      id: 'chatcmpl-big',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'y'.repeat(5 * 1_048_576) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 1_500_000 },
    };
    const parser = chat.createResponseParser('application/json', { maxTextBytes: 1000 });
    const bytes = utf8(JSON.stringify(document));
    for (let start = 0; start < bytes.length; start += 65_536) parser.push(bytes.subarray(start, start + 65_536));
    // What lies past the bound (the rest of the text, the finish reason, the usage) is not known.
    expect(parser.end()).toEqual({ finished: false, usageReported: false, id: 'chatcmpl-big', model: 'gpt-4o' });
  });

  it('returns the same response from every end() call and ignores pushes after it', () => {
    const parser = chat.createResponseParser('text/event-stream', { maxTextBytes: 1000 });
    parser.push(stream);
    const first = parser.end();
    expect(parser.push(utf8('data: {"choices":[{"index":0,"delta":{"content":"more"}}]}\n\n'))).toBe(false);
    expect(parser.end()).toBe(first);
  });

  it('uses the default text bound when maxTextBytes is not a usable number', () => {
    for (const maxTextBytes of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(whole(chat, 'text/event-stream', stream, maxTextBytes).content).toEqual([{ type: 'text', text: 'Demain à Paris : 21 °C, ensoleillé ☀️.' }]);
    }
  });

  it('reports an empty body as nothing learned', () => {
    expect(whole(chat, 'application/json', new Uint8Array())).toEqual({ finished: false, usageReported: false });
    expect(whole(chat, 'text/event-stream', new Uint8Array())).toEqual({ finished: false, usageReported: false });
  });
});
