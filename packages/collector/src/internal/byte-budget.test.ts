import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

describe('ByteBudget', () => {
  it('lets large leases fill three quarters and keeps the rest for small ones', () => {
    const budget = new ByteBudget(6400); // small: at most 100 bytes; large: up to 4800 in all
    const first = budget.lease();
    const second = budget.lease();
    expect(first.take(3000)).toBe('ok');
    expect(second.take(1800)).toBe('ok');
    expect(budget.used).toBe(4800);
    const third = budget.lease();
    expect(third.take(200)).toBe('busy');
    expect(third.held).toBe(0);
    // A small request still finds room in the last quarter.
    const small = budget.lease();
    expect(small.take(100)).toBe('ok');
    expect(small.take(1)).toBe('busy'); // past 100 bytes it counts as large, and large ones are full
    expect(budget.used).toBe(4900);
  });

  it('says too-large when one lease alone could never fit, and gives back everything on release', () => {
    const budget = new ByteBudget(6400);
    const lease = budget.lease();
    expect(lease.take(4801)).toBe('too-large');
    expect(lease.take(4000)).toBe('ok');
    expect(lease.take(801)).toBe('too-large');
    expect(lease.take(800)).toBe('ok');
    lease.release();
    lease.release();
    expect(budget.used).toBe(0);
    expect(lease.held).toBe(0);
    expect(budget.lease().take(4800)).toBe('ok');
  });
});
