import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.js';

describe('retryDelayMs', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('prefers retry-after-ms, then retry-after seconds or date', () => {
    expect(retryDelayMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(retryDelayMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryDelayMs({ 'retry-after': 'Tue, 01 Jan 2030 00:00:05 GMT' }, now)).toBe(5000);
  });

  it('reads the longest x-ratelimit-reset-* and anthropic reset headers', () => {
    expect(retryDelayMs({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }, now)).toBe(360_000);
    expect(retryDelayMs({ 'x-ratelimit-reset-tokens': '20ms' }, now)).toBe(20);
    expect(retryDelayMs({ 'anthropic-ratelimit-requests-reset': '2030-01-01T00:00:03Z' }, now)).toBe(3000);
  });

  it('is undefined without a usable header', () => {
    expect(retryDelayMs({ 'content-type': 'application/json' }, now)).toBeUndefined();
    expect(retryDelayMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});
