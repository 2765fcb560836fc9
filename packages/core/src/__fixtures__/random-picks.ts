// Random choices from a seeded source, for the property tests of the redaction internals.

export class RandomPicks {
  constructor(protected readonly random: () => number) {}

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  /** An integer from 0 to `limit` - 1. */
  int(limit: number): number {
    return Math.floor(this.random() * limit);
  }
}
