// A small deterministic random number generator, so property tests and benchmarks see the same data every run.

/**
 * Returns a function that yields numbers in [0, 1), the same sequence for the same seed
 * (mulberry32: 32 bits of state, fast, good enough for test data; not for cryptography).
 *
 * @param seed - Any number; it is reduced to an unsigned 32-bit integer.
 * @example
 * const random = createSeededRandom(42);
 * const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
 * pick(['gpt-4o', 'gpt-4o-mini']); // the same choice on every run
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
