// A map that forgets its oldest entries beyond a fixed size, for caches that must stay bounded.

/**
 * A two-generation map: new keys go into the young generation; when it reaches half the
 * capacity the old generation is dropped and the young one becomes old. So at most `capacity`
 * entries are kept, and the most recent `capacity / 2` are always kept, at O(1) per operation
 * (no per-eviction scan).
 */
export class BoundedMap<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #generationSize: number;

  constructor(capacity: number) {
    this.#generationSize = Math.max(1, Math.floor(capacity / 2));
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(key: K): V | undefined {
    return this.#young.has(key) ? this.#young.get(key) : this.#old.get(key);
  }

  has(key: K): boolean {
    return this.#young.has(key) || this.#old.has(key);
  }

  set(key: K, value: V): void {
    this.#old.delete(key);
    if (!this.#young.has(key) && this.#young.size >= this.#generationSize) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }

  delete(key: K): boolean {
    const young = this.#young.delete(key);
    return this.#old.delete(key) || young;
  }
}
