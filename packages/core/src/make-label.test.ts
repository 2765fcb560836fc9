import { describe, expect, it } from 'vitest';
import { makeLabel } from './make-label.js';

describe('makeLabel', () => {
  it('collapses whitespace and trims', () => {
    expect(makeLabel('  Summarize\n\n this\tfile  ')).toBe('Summarize this file');
    expect(makeLabel(' \n ')).toBe('');
  });

  it('keeps 200 characters, ellipsis included', () => {
    const label = makeLabel(`${'word '.repeat(100)}`);
    expect([...label]).toHaveLength(200);
    expect(label.endsWith('…')).toBe(true);
    expect(makeLabel('a'.repeat(200))).toBe('a'.repeat(200));
    expect(makeLabel('abcdef', 4)).toBe('abc…');
  });
});
