import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { positiveOption } from './option-checks.js';

describe('positiveOption', () => {
  it('gives the default for an absent option and the value for a valid one', () => {
    expect(positiveOption('limit', undefined, 7)).toBe(7);
    expect(positiveOption('limit', 2.5, 7)).toBe(2.5);
    expect(positiveOption('limit', 0, 7, { integer: true, allowZero: true })).toBe(0);
  });

  it('names the option and what it wants when the value is wrong', () => {
    const message = (value: number, kind = {}): string => {
      try {
        positiveOption('options.limit', value, 1, kind);
      } catch (error: unknown) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message(0)).toMatch(/options\.limit.*a positive number/);
    expect(message(-1, { allowZero: true })).toMatch(/a number of 0 or more/);
    expect(message(1.5, { integer: true })).toMatch(/a positive integer/);
    expect(message(Number.NaN, { unit: 'milliseconds' })).toMatch(/a positive number of milliseconds/);
    expect(message(Number.POSITIVE_INFINITY)).toMatch(/a positive number/);
    expect(message(-2, { integer: true, allowZero: true })).toMatch(/an integer of 0 or more/);
  });
});
