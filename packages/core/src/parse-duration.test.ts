import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.js';

describe('parseDuration', () => {
  it('reads every unit, in any case, with or without a space', () => {
    expect(['500ms', '90s', '15m', '24h', '30d', '2w', '1.5S', '2 H'].map((text) => parseDuration(text))).toEqual([500, 90_000, 900_000, 86_400_000, 2_592_000_000, 1_209_600_000, 1_500, 7_200_000]);
  });

  it('takes a bare number only when told what it counts', () => {
    expect(parseDuration('2500')).toBeUndefined();
    expect(parseDuration('2500', { bareUnit: 'ms' })).toBe(2500);
    expect(parseDuration('3', { bareUnit: 's' })).toBe(3000);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', 'soon', '-5m', '5 minutes', '1m30s', 'm', '5y']) expect(parseDuration(text, { bareUnit: 'ms' })).toBeUndefined();
  });
});
