import { describe, expect, it } from 'vitest';
import { BoundedText } from './bounded-text.js';

describe('BoundedText', () => {
  it('keeps text within the budget unchanged', () => {
    const text = new BoundedText({ remaining: 100 });
    text.append('Hello, ');
    text.append('world');
    expect(text.toString()).toBe('Hello, world');
    expect(text.truncated).toBe(false);
  });

  it('stops at the budget, keeps the prefix and records the full size', () => {
    const text = new BoundedText({ remaining: 5 });
    text.append('Hello, ');
    text.append('world');
    expect(text.toString()).toBe('Hello…[truncated, 12 bytes]');
    expect(text.truncated).toBe(true);
  });

  it('never splits a character when cutting', () => {
    const text = new BoundedText({ remaining: 5 });
    text.append('ab👋cd');
    expect(text.toString()).toBe('ab…[truncated, 8 bytes]');
  });

  it('shares the budget between the texts given it', () => {
    const budget = { remaining: 8 };
    const first = new BoundedText(budget);
    const second = new BoundedText(budget);
    first.append('12345');
    second.append('abcdef');
    expect(first.toString()).toBe('12345');
    expect(second.toString()).toBe('abc…[truncated, 6 bytes]');
    expect(budget.remaining).toBe(0);
  });
});
