import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { truncateBytes, utf8Prefix } from './truncate-bytes.js';

describe('truncateBytes', () => {
  it('keeps text within the limit unchanged', () => {
    expect(truncateBytes('héllo', 6)).toBe('héllo');
    expect(truncateBytes('x', Number.POSITIVE_INFINITY)).toBe('x');
  });

  it('cuts to the byte budget, marker included, recording the original size', () => {
    const out = truncateBytes('x'.repeat(100), 40);
    expect(out).toBe(`${'x'.repeat(40 - Buffer.byteLength('…[truncated, 100 bytes]'))}…[truncated, 100 bytes]`);
    expect(Buffer.byteLength(out)).toBe(40);
    expect(truncateBytes('x'.repeat(100), 40, { originalBytes: 5000 })).toContain('[truncated, 5000 bytes]');
  });

  it('marks text that is already an incomplete prefix even when it fits', () => {
    expect(truncateBytes('{"a":1,', 100, { incomplete: true, originalBytes: 70_000 })).toBe('{"a":1,…[truncated, 70000 bytes]');
    const out = truncateBytes('x'.repeat(100), 40, { incomplete: true, originalBytes: 70_000 });
    expect(Buffer.byteLength(out)).toBe(40);
    expect(out.endsWith('…[truncated, 70000 bytes]')).toBe(true);
    expect(truncateBytes('', Number.POSITIVE_INFINITY, { incomplete: true, originalBytes: 5 })).toBe('…[truncated, 5 bytes]');
  });

  it('cuts on a character boundary for every budget', () => {
    const text = 'aé日😀'.repeat(30);
    for (let maxBytes = 30; maxBytes < 60; maxBytes++) {
      const out = truncateBytes(text, maxBytes);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(maxBytes);
      expect(Buffer.from(out).toString('utf8')).toBe(out);
      expect(out).not.toContain('\uFFFD');
      expect(text.startsWith(out.slice(0, out.indexOf('…[truncated')))).toBe(true);
    }
  });

  it('never splits a grapheme cluster (ZWJ sequence, flag) at the cut', () => {
    const family = '👨\u200D👩\u200D👧\u200D👦'; // 25 bytes
    const text = `ab${family}cd🇫🇷🇩🇪`.repeat(4);
    const clusters = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map(({ segment }) => segment);
    for (let maxBytes = 30; maxBytes < 100; maxBytes++) {
      const out = truncateBytes(text, maxBytes);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(maxBytes);
      const kept = out.slice(0, out.indexOf('…[truncated'));
      let joined = '';
      for (const cluster of clusters) {
        if (joined.length >= kept.length) break;
        joined += cluster;
      }
      expect(joined).toBe(kept);
    }
    // 'ab' + 👨 + ZWJ would fit in 9 bytes of budget: the family is dropped whole.
    const marker = '…[truncated, 49 bytes]';
    expect(truncateBytes(`ab${family}${'c'.repeat(22)}`, 9 + Buffer.byteLength(marker))).toBe(`ab${marker}`);
  });

  it('returns a bare prefix when the budget cannot hold the marker', () => {
    expect(truncateBytes('abcdefghij'.repeat(5), 4)).toBe('abcd');
    expect(truncateBytes('😀😀', 5)).toBe('😀');
  });

  it('rejects a bad limit', () => {
    expect(() => truncateBytes('x', -2)).toThrow(InvalidArgumentError);
    expect(() => truncateBytes('x', Number.NaN)).toThrow(/maxBytes/);
  });
});

describe('utf8Prefix', () => {
  it('agrees with Buffer on byte lengths, lone surrogates included', () => {
    const text = 'a\uD800b😀c';
    for (let maxBytes = 0; maxBytes <= Buffer.byteLength(text); maxBytes++) {
      const prefix = utf8Prefix(text, maxBytes);
      expect(Buffer.byteLength(prefix)).toBeLessThanOrEqual(maxBytes);
    }
    expect(utf8Prefix(text, 100)).toBe(text);
  });
});
