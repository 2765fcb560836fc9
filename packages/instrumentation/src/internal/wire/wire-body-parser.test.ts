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

  it('tells whether a document body was one complete JSON document, past its size bound too', () => {
    const judged = (body: Uint8Array, contentType = 'application/json', chunk = 65_536): [boolean, boolean | undefined] => {
      const parser = chat.createResponseParser(contentType, { maxTextBytes: 1000 });
      for (let start = 0; start < body.length; start += chunk) parser.push(body.subarray(start, start + chunk));
      parser.end();
      return [parser.readsDocument, parser.documentComplete()];
    };
    expect(judged(completion, 'application/json', 7)).toEqual([true, true]);
    expect(judged(utf8('{"choices": ['))).toEqual([true, false]);
    expect(judged(utf8('{"a": 1} {"b": 2}'))).toEqual([true, false]);
    expect(judged(utf8(' \n '))).toEqual([true, false]);
    expect(judged(utf8('\uFEFF \n'))).toEqual([true, false]);
    expect(judged(new Uint8Array())).toEqual([true, false]);
    // JSON.parse refuses it, but its structure is whole: judged by structure, as any JSON body is.
    expect(judged(utf8('{"a": tru}'))).toEqual([true, true]);
    // Bytes that are not UTF-8 inside a string do not make a document incomplete.
    expect(judged(Uint8Array.of(...utf8('{"a": "'), 0xff, 0xfe, ...utf8('"}')))).toEqual([true, true]);
    // Over max(8 × maxTextBytes, 4 MiB) the parser keeps a prefix and follows the rest by structure.
    const big = utf8(JSON.stringify({ id: 'c', choices: [{ message: { content: 'y"\\'.repeat(1_000_000) } }] }));
    expect(big.length).toBeGreaterThan(4 * 1_048_576);
    expect(judged(big)).toEqual([true, true]);
    expect(judged(big.subarray(0, big.length - 2))).toEqual([true, false]);
    expect(judged(Buffer.concat([big, utf8(' x')]))).toEqual([true, false]);
    // Streams are no documents.
    expect(judged(stream, 'text/event-stream')).toEqual([false, undefined]);
    const streamedArray = formatOf('gemini', true).createResponseParser('application/json', { maxTextBytes: 1000 });
    streamedArray.push(utf8('[{"candidates": []}]'));
    streamedArray.end();
    expect([streamedArray.readsDocument, streamedArray.documentComplete()]).toEqual([false, undefined]);
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

  it('parses event data that starts with whitespace before its object, and reads [DONE] with spaces around it as the end', () => {
    const body = utf8(
      'data:  \t{"id":"c2","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n' +
        'data: not json\n\n' +
        'data:  [DONE] \n\n',
    );
    expect(whole(chat, 'text/event-stream', body)).toMatchObject({ id: 'c2', model: 'gpt-4o', content: [{ type: 'text', text: 'Hi' }], finished: true });
  });

  it('reports an empty body as nothing learned', () => {
    expect(whole(chat, 'application/json', new Uint8Array())).toEqual({ finished: false, usageReported: false });
    expect(whole(chat, 'text/event-stream', new Uint8Array())).toEqual({ finished: false, usageReported: false });
  });
});
