import { describe, expect, it } from 'vitest';
import { headerRecord } from './header-record.js';

describe('headerRecord', () => {
  it('reads raw header bytes one character per byte, from Buffers and from views into a larger array', () => {
    const backing = new Uint8Array([0x00, 0x58, 0x2d, 0x4e, 0x61, 0x6d, 0x65, 0x63, 0x61, 0x66, 0xe9, 0x00]);
    const name = backing.subarray(1, 7); // 'X-Name'
    const value = backing.subarray(7, 11); // 'caf' + 0xe9
    const record = headerRecord([name, value, Buffer.from('Content-Type'), Buffer.from('application/json'), Buffer.from('x-name'), Buffer.from([0x31])]);
    expect(record).toEqual({ 'x-name': 'café, 1', 'content-type': 'application/json' });
  });

  it('reads pairs, objects with arrays, and iterables', () => {
    expect(headerRecord([['A', '1'], ['a', '2']])).toEqual({ a: '1, 2' });
    expect(headerRecord({ 'Set-Cookie': ['x=1', 'y=2'], 'X-N': 3 })).toEqual({ 'set-cookie': 'x=1, y=2', 'x-n': '3' });
    expect(headerRecord(new Map([['K', 'v']]))).toEqual({ k: 'v' });
    expect(headerRecord(undefined)).toEqual({});
  });
});
