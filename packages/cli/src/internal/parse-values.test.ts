import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-errors.js';
import { parseDuration, parseInstant, parseSize, parseStatuses } from './parse-values.js';

describe('flag values', () => {
  it('parses durations, sizes and instants', () => {
    expect(parseDuration('x', '90s')).toBe(90_000);
    expect(parseDuration('x', '30d')).toBe(30 * 86_400_000);
    expect(parseSize('x', '500MB')).toBe(500 * 1024 * 1024);
    expect(parseSize('x', '2gib')).toBe(2 * 1024 ** 3);
    expect(parseInstant('since', '24h', 100 * 3_600_000)).toBe(76 * 3_600_000);
    expect(parseInstant('since', '2026-11-01', 0)).toBe(Date.parse('2026-11-01'));
    expect(parseStatuses('status', 'error,interrupted')).toEqual(['error', 'interrupted']);
  });

  it('rejects what it cannot read with a usage error naming the flag', () => {
    expect(() => parseDuration('older-than', '3 days')).toThrow(UsageError);
    expect(() => parseSize('max-size', '0MB')).toThrow(/--max-size/);
    expect(() => parseInstant('since', 'yesterday', 0)).toThrow(/--since/);
    expect(() => parseStatuses('status', 'done')).toThrow(/in_progress/);
  });
});
