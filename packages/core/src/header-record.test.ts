import { describe, expect, it } from 'vitest';
import { decodeHeaderBytes, headerRecord, isNormalizedHeaderRecord } from './header-record.js';
import { defaultRedactor } from './redactor.js';

describe('headerRecord', () => {
  it('reads raw header bytes that are not UTF-8 one character per byte, from Buffers and from views into a larger array', () => {
    const backing = new Uint8Array([0x00, 0x58, 0x2d, 0x4e, 0x61, 0x6d, 0x65, 0x63, 0x61, 0x66, 0xe9, 0x00]);
    const name = backing.subarray(1, 7); // 'X-Name'
    const value = backing.subarray(7, 11); // 'caf' + 0xe9
    const record = headerRecord([name, value, Buffer.from('Content-Type'), Buffer.from('application/json'), Buffer.from('x-name'), Buffer.from([0x31])]);
    expect(record).toEqual({ 'x-name': 'café, 1', 'content-type': 'application/json' });
  });

  it('marks its records as normalized, and the redactor copies such a record instead of reading it again', () => {
    const record = headerRecord(['Accept', 'a', 'Authorization', 'Bearer sk-proj-' + 'Ab1'.repeat(16), '__proto__', 'p']);
    expect(isNormalizedHeaderRecord(record)).toBe(true);
    expect(isNormalizedHeaderRecord({ accept: 'a' })).toBe(false);
    expect(isNormalizedHeaderRecord(null)).toBe(false);
    expect(Object.keys(record)).toEqual(['accept', 'authorization', '__proto__']);
    expect(JSON.stringify(record)).toBe(`{"accept":"a","authorization":"Bearer sk-proj-${'Ab1'.repeat(16)}","__proto__":"p"}`);
    const redacted = defaultRedactor.redactHeaders(record);
    // A plain object of its own: the record handed in is left as it was.
    expect(Object.getPrototypeOf(redacted.value)).toBe(Object.prototype);
    expect(redacted.value).not.toBe(record);
    expect(JSON.stringify(redacted.value)).toBe('{"accept":"a","authorization":"[REDACTED]","__proto__":"p"}');
    expect(redacted.maskedCount).toBe(1);
    expect(record['authorization']).toContain('Ab1Ab1');
  });

  it('reads pairs, objects with arrays, and iterables', () => {
    expect(headerRecord([['A', '1'], ['a', '2']])).toEqual({ a: '1, 2' });
    expect(headerRecord({ 'Set-Cookie': ['x=1', 'y=2'], 'X-N': 3 })).toEqual({ 'set-cookie': 'x=1, y=2', 'x-n': '3' });
    expect(headerRecord(new Map([['K', 'v']]))).toEqual({ k: 'v' });
    expect(headerRecord(undefined)).toEqual({});
  });

  it('reads UTF-8 header bytes as UTF-8, and the redactor reads them the same way', () => {
    const title = Buffer.from('Café ☕ 東京', 'utf8');
    expect(decodeHeaderBytes(title)).toBe('Café ☕ 東京');
    expect(decodeHeaderBytes(Uint8Array.of(0x43, 0xe9))).toBe('Cé');
    expect(decodeHeaderBytes(Buffer.from('plain ascii'))).toBe('plain ascii');
    const raw = [Buffer.from('X-Title'), title, Buffer.from('Authorization'), Buffer.from('Bearer sk-proj-' + 'Ab1'.repeat(16))];
    expect(headerRecord(raw)['x-title']).toBe('Café ☕ 東京');
    const redacted = defaultRedactor.redactHeaders(raw).value;
    expect(redacted['x-title']).toBe('Café ☕ 東京');
    expect(redacted['authorization']).not.toContain('Ab1Ab1');
  });

  it('keeps every set-cookie of a fetch Headers', () => {
    const headers = new Headers([['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['X-Id', '7']]);
    expect(headerRecord(headers)).toEqual({ 'set-cookie': 'a=1, b=2', 'x-id': '7' });
  });
});
