import { describe, expect, it } from 'vitest';
import { closestIds, editDistance } from './closest-ids.js';

describe('closestIds', () => {
  const ids = ['c063140c97b2c0c2', '3e01d508c1fe7185', '5c8c12a6dbc3657a', 'c0631400aaaaaaaa'];

  it('ranks shared prefixes first, then small edit distances', () => {
    expect(closestIds('c063140c97b2c0c3', ids)).toEqual(['c063140c97b2c0c2', 'c0631400aaaaaaaa']);
    expect(closestIds('3e01d508c1fe7186', ids)[0]).toBe('3e01d508c1fe7185');
    expect(closestIds('5c8c12a6dbc3657', ids)[0]).toBe('5c8c12a6dbc3657a');
  });

  it('suggests nothing for an unrelated id', () => {
    expect(closestIds('ffffffffffffffff', ids)).toEqual([]);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
