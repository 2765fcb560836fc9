import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('never holds more than its capacity and keeps the most recent half', () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i += 1) {
      map.set(i, i * 2);
      expect(map.size).toBeLessThanOrEqual(100);
    }
    for (let i = 10_000 - 50; i < 10_000; i += 1) expect(map.get(i)).toBe(i * 2);
    expect(map.has(0)).toBe(false);
  });

  it('updates, deletes and counts a key once', () => {
    const map = new BoundedMap<string, number>(4);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.set('a', 4);
    expect(map.get('a')).toBe(4);
    expect(map.size).toBe(3);
    expect(map.delete('a')).toBe(true);
    expect(map.has('a')).toBe(false);
    expect(map.delete('a')).toBe(false);
  });
});
