import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { Limits } from './limits.js';
import { truncateText } from './truncate-text.js';

describe('truncateText', () => {
  it('keeps text within the limit unchanged', () => {
    expect(truncateText('hello', 5)).toBe('hello');
    expect(truncateText('', 0)).toBe('');
  });

  it('counts the ellipsis inside the limit', () => {
    expect(truncateText('hello world', 6)).toBe('hello…');
    expect([...truncateText('x'.repeat(20_000), Limits.MESSAGE_TEXT_CHARS)]).toHaveLength(10_000);
    expect(truncateText('hello', 1)).toBe('…');
    expect(truncateText('hello', 0)).toBe('');
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    expect(truncateText('😀😀😀', 3)).toBe('😀😀😀');
    expect(truncateText('😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncateText('a😀b😀c', 4)).toBe('a😀b…');
    for (let limit = 1; limit < 12; limit++) {
      const out = truncateText('😀x😀y😀z😀w😀v😀u', limit);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out)).toBe(false);
      expect([...out].length).toBeLessThanOrEqual(limit);
    }
  });

  it('never splits a grapheme cluster: ZWJ emoji sequences, flags, combining marks', () => {
    const family = '👨\u200D👩\u200D👧\u200D👦';
    // The cut would fall after 👨 + ZWJ: the whole family goes.
    expect(truncateText(`ab${family}cd`, 5)).toBe('ab…');
    // The cut would fall between the two regional indicators of 🇩🇪.
    expect(truncateText('ab🇫🇷🇩🇪cd', 6)).toBe('ab🇫🇷…');
    expect(truncateText('ab🇫🇷🇩🇪cd', 4)).toBe('ab…');
    expect(truncateText('cafe\u0301 ok', 5)).toBe('caf…');
    for (const text of [`${family}x${family}y🇯🇵🇫🇷z`, 'e\u0301'.repeat(10), '👍🏽👍🏽👍🏽']) {
      const clusters = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map(({ segment }) => segment);
      for (let limit = 1; limit < [...text].length; limit++) {
        const out = truncateText(text, limit);
        expect([...out].length).toBeLessThanOrEqual(limit);
        const kept = out.slice(0, -1);
        // The kept part is a whole number of clusters.
        let joined = '';
        for (const cluster of clusters) {
          if (joined.length >= kept.length) break;
          joined += cluster;
        }
        expect(joined).toBe(kept);
      }
    }
  });

  it('cuts a cluster longer than the window it looks at by code point', () => {
    const stacked = `a${'\u0301'.repeat(200)}`;
    const out = truncateText(stacked, 150);
    expect([...out]).toHaveLength(150);
    expect(out.endsWith('…')).toBe(true);
  });

  it('rejects a negative or fractional limit', () => {
    expect(() => truncateText('x', -1)).toThrow(InvalidArgumentError);
    expect(() => truncateText('x', 1.5)).toThrow(/maxChars/);
  });
});
