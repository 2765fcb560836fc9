import { describe, expect, it } from 'vitest';
import { idToHex, jsonNanosToHrTime, nanosToHrTime, normalizeHexId, otlpKindToSpanKind, RejectionLog } from './received-span.js';

describe('received-span helpers', () => {
  it('splits 64-bit nanoseconds into [seconds, nanoseconds] exactly', () => {
    let seed = 12_345;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    for (let i = 0; i < 2_000; i++) {
      const hi = (next() * 2 + (next() & 1)) >>> 0;
      const lo = (next() * 2 + (next() & 1)) >>> 0;
      const value = (BigInt(hi) << 32n) | BigInt(lo);
      expect(nanosToHrTime(lo, hi)).toEqual([Number(value / 1_000_000_000n), Number(value % 1_000_000_000n)]);
    }
    expect(nanosToHrTime(0xffffffff, 0xffffffff)).toEqual([18_446_744_073, 709_551_615]);
  });

  it('reads JSON nanoseconds from strings and numbers', () => {
    expect(jsonNanosToHrTime('1763700000123456789')).toEqual([1_763_700_000, 123_456_789]);
    expect(jsonNanosToHrTime('42')).toEqual([0, 42]);
    expect(jsonNanosToHrTime(1_500_000_000)).toEqual([1, 500_000_000]);
    expect(jsonNanosToHrTime('-1')).toBeUndefined();
    expect(jsonNanosToHrTime('99999999999999999999')).toBeUndefined();
    expect(jsonNanosToHrTime(1.5)).toBeUndefined();
    expect(jsonNanosToHrTime(true)).toBeUndefined();
  });

  it('formats and validates ids', () => {
    expect(idToHex(Uint8Array.from([0, 0xab, 0x0f]))).toBe('00ab0f');
    expect(idToHex(new Uint8Array(8))).toBe('');
    expect(normalizeHexId('00F067AA0BA902B7', 8)).toBe('00f067aa0ba902b7');
    expect(normalizeHexId('0000000000000000', 8)).toBe('');
    expect(normalizeHexId('00f067aa0ba902b', 8)).toBeUndefined();
    expect(normalizeHexId('00f067aa0ba902bz', 8)).toBeUndefined();
  });

  it('maps OTLP span kinds to API span kinds', () => {
    expect([0, 1, 2, 3, 4, 5, 6, -1].map(otlpKindToSpanKind)).toEqual([0, 0, 1, 2, 3, 4, 0, 0]);
  });

  it('keeps a bounded set of distinct rejection reasons', () => {
    const log = new RejectionLog();
    for (let i = 0; i < 10; i++) log.add(`reason ${i % 7}`);
    log.add('reason 0');
    expect(log.count).toBe(11);
    expect(log.messages).toEqual(['reason 0', 'reason 1', 'reason 2', 'reason 3', 'reason 4']);
    expect(log.summary()).toBe('11 spans rejected: reason 0; reason 1; reason 2; reason 3; reason 4');
  });
});
