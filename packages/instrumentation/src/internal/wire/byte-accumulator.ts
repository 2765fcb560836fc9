// Collects bytes into one buffer that doubles as needed, up to a limit: one allocation per doubling, not one per chunk.

const INITIAL_SIZE = 4096;
/** After `clear()`, a buffer grown past this is released rather than kept for the next use. */
const RETAINED_SIZE = 65_536;

/**
 * Bytes appended up to `limit`; what does not fit is dropped and reported. Chunks are copied
 * (the caller may reuse its buffer), and however small they are, memory stays within twice the limit.
 *
 * @example
 * const accumulator = new ByteAccumulator(8);
 * accumulator.append(new TextEncoder().encode('{"a":')); // true
 * accumulator.append(new TextEncoder().encode('1234}')); // false: only '123' fit
 * new TextDecoder().decode(accumulator.bytes()); // '{"a":123'
 */
export class ByteAccumulator {
  readonly #limit: number;
  #buffer: Uint8Array;
  #length = 0;

  constructor(limit: number) {
    this.#limit = limit;
    this.#buffer = new Uint8Array(Math.min(INITIAL_SIZE, limit));
  }

  get length(): number {
    return this.#length;
  }

  /** Appends what fits; returns `false` when some bytes did not. */
  append(chunk: Uint8Array): boolean {
    const room = this.#limit - this.#length;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length > 0) {
      const needed = this.#length + kept.length;
      if (needed > this.#buffer.length) {
        let size = Math.max(this.#buffer.length, 1);
        while (size < needed) size *= 2;
        const grown = new Uint8Array(Math.min(size, this.#limit));
        grown.set(this.#buffer.subarray(0, this.#length));
        this.#buffer = grown;
      }
      this.#buffer.set(kept, this.#length);
      this.#length = needed;
    }
    return kept.length === chunk.length;
  }

  /** The bytes so far (a view, valid until the next append or clear). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  clear(): void {
    this.#length = 0;
    if (this.#buffer.length > RETAINED_SIZE) this.#buffer = new Uint8Array(Math.min(INITIAL_SIZE, this.#limit));
  }
}
