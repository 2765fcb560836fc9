import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { randomBytes, randomPieces, utf8 } from './__fixtures__/wire-harness.js';
import { SseDecoder } from './sse-decoder.js';
import type { SseEvent } from './sse-decoder.js';

function decode(pieces: readonly (string | Uint8Array)[], maxEventLength?: number): { events: SseEvent[]; skipped: number } {
  const events: SseEvent[] = [];
  const decoder = new SseDecoder(maxEventLength === undefined ? { onEvent: (event) => events.push(event) } : { onEvent: (event) => events.push(event), maxEventLength });
  for (const piece of pieces) decoder.push(typeof piece === 'string' ? utf8(piece) : piece);
  decoder.end();
  return { events, skipped: decoder.skippedEvents };
}

describe('SseDecoder', () => {
  it('reads event, data and id fields; data lines join with a newline; the type defaults to message', () => {
    const { events } = decode(['event: message_start\ndata: {"a":1}\n\nid: 7\ndata: line one\ndata:line two\n\n']);
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: 'message', data: 'line one\nline two', id: '7' },
    ]);
  });

  it('accepts CRLF, LF and CR line ends, mixed', () => {
    const { events } = decode(['data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\n\n']);
    expect(events.map((event) => event.data)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('does not read a CRLF split across chunks as two line ends', () => {
    const { events } = decode(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(events).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('ignores comments, unknown fields and retry, and strips only one leading space', () => {
    const { events } = decode([': keep-alive\nretry: 3000\nfoo: bar\ndata:  two spaces\n\n']);
    expect(events).toEqual([{ event: 'message', data: ' two spaces' }]);
  });

  it('dispatches nothing for an event without data, and discards an event the stream cut', () => {
    const { events } = decode(['event: ping\n\ndata: complete\n\ndata: {"cut": tr']);
    expect(events).toEqual([{ event: 'message', data: 'complete' }]);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = utf8('data: ☀️ é 👋\n\n');
    for (let offset = 0; offset <= bytes.length; offset += 1) {
      const { events } = decode([bytes.subarray(0, offset), bytes.subarray(offset)]);
      expect(events).toEqual([{ event: 'message', data: '☀️ é 👋' }]);
    }
  });

  it('skips an event larger than the bound without buffering it, and goes on with the next', () => {
    const huge = 'x'.repeat(500);
    const { events, skipped } = decode([`data: small\n\ndata: ${huge.slice(0, 200)}`, `${huge.slice(200)}\ndata: more\n\n`, 'data: after\n\n'], 100);
    expect(events.map((event) => event.data)).toEqual(['small', 'after']);
    expect(skipped).toBe(1);
  });

  it('bounds an event made of many small data lines', () => {
    const lines = Array.from({ length: 50 }, () => 'data: 0123456789\n').join('');
    const { events, skipped } = decode([`${lines}\ndata: ok\n\n`], 200);
    expect(events.map((event) => event.data)).toEqual(['ok']);
    expect(skipped).toBe(1);
  });

  it('reads a line the same whether it arrives whole or in pieces, for every field form', () => {
    // Field names that only start like known ones, a field without a colon, an empty value,
    // two leading spaces, an id holding NUL (ignored), CR, LF and CRLF line ends, and a comment.
    const stream =
      'event: first\r\ndata\ndata:\ndatax: no\neventx: no\nid: 1\0\nid: 9\r\n\r\n' +
      ': note\rdat: no\rdata:  two\r\rid\nevent\ndata: last\n\n';
    // The last event id carries over to later events; a bare `id` line empties it.
    const expected = [
      { event: 'first', data: '\n', id: '9' },
      { event: 'message', data: ' two', id: '9' },
      { event: 'message', data: 'last', id: '' },
    ];
    expect(decode([stream]).events).toEqual(expected);
    const bytes = utf8(stream);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      for (let second = cut + 1; second < bytes.length; second += 7) {
        const { events } = decode([bytes.subarray(0, cut), bytes.subarray(cut, second), bytes.subarray(second)]);
        expect(events, `cut at ${cut} and ${second}`).toEqual(expected);
      }
    }
  });

  it('never throws and dispatches only complete events, for random bytes in random pieces', () => {
    const random = createSeededRandom(11);
    for (let round = 0; round < 300; round += 1) {
      const bytes = randomBytes(random, Math.floor(random() * 400));
      const whole = decode([bytes], 64);
      const pieces = decode(randomPieces(bytes, random), 64);
      expect(pieces).toEqual(whole);
      for (const event of whole.events) expect(event.data.length).toBeLessThanOrEqual(64);
    }
  });
});
