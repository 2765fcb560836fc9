import { describe, expect, it } from 'vitest';
import { utf8 } from './__fixtures__/wire-harness.js';
import { ByteAccumulator } from './byte-accumulator.js';

describe('ByteAccumulator', () => {
  it('collects copies of the chunks, growing as needed', () => {
    const accumulator = new ByteAccumulator(100_000);
    const chunk = new Uint8Array(3000);
    for (let round = 0; round < 10; round += 1) {
      chunk.fill(round);
      expect(accumulator.append(chunk)).toBe(true);
    }
    expect(accumulator.length).toBe(30_000);
    const bytes = accumulator.bytes();
    expect([bytes[0], bytes[2999], bytes[3000], bytes[29_999]]).toEqual([0, 0, 1, 9]);
  });

  it('keeps what fits in the limit and reports the rest dropped', () => {
    const accumulator = new ByteAccumulator(8);
    expect(accumulator.append(utf8('{"a":'))).toBe(true);
    expect(accumulator.append(utf8('1234}'))).toBe(false);
    expect(new TextDecoder().decode(accumulator.bytes())).toBe('{"a":123');
    expect(accumulator.append(utf8('x'))).toBe(false);
    accumulator.clear();
    expect(accumulator.length).toBe(0);
    expect(accumulator.append(utf8('new'))).toBe(true);
    expect(new TextDecoder().decode(accumulator.bytes())).toBe('new');
  });
});
