import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './create-seeded-random.js';

describe('createSeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const first = createSeededRandom(42);
    const second = createSeededRandom(42);
    const other = createSeededRandom(43);
    const a = Array.from({ length: 100 }, () => first());
    const b = Array.from({ length: 100 }, () => second());
    const c = Array.from({ length: 100 }, () => other());
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('yields the mulberry32 sequence', () => {
    const random = createSeededRandom(1);
    expect([random(), random(), random()].map((value) => value * 4294967296)).toEqual([2_693_262_067, 11_749_833, 2_265_367_787]);
  });

  it('stays in [0, 1) and spreads over the whole range', () => {
    const random = createSeededRandom(0x5eed);
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 10_000; index++) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      buckets[Math.floor(value * 10)]! += 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(800);
  });

  it('reduces any seed to 32 bits', () => {
    expect(createSeededRandom(2 ** 32 + 7)()).toBe(createSeededRandom(7)());
    expect(createSeededRandom(-1)()).toBe(createSeededRandom(0xffffffff)());
  });
});
