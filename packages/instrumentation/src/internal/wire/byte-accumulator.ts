// Collects bytes up to a limit: each chunk copied once, joined only when read (one chunk is not copied again).

const EMPTY = new Uint8Array(0);
/** More pieces than this are joined, so tiny chunks cannot cost an object each. */
const MAX_PIECES = 64;

/**
 * Bytes appended up to `limit`; what does not fit is dropped and reported. Chunks are copied
 * (the caller may reuse its buffer); a body that arrives in one chunk (the common case) costs
 * one copy of its size, nothing more.
 *
 * @example
 * const accumulator = new ByteAccumulator(8);
 * accumulator.append(new TextEncoder().encode('{"a":')); // true
 * accumulator.append(new TextEncoder().encode('1234}')); // false: only '123' fit
 * new TextDecoder().decode(accumulator.bytes()); // '{"a":123'
 */
export class ByteAccumulator {
  readonly #limit: number;
  #pieces: Uint8Array[] = [];
  #length = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get length(): number {
    return this.#length;
  }

  /** Appends what fits; returns `false` when some bytes did not. */
  append(chunk: Uint8Array): boolean {
    const room = this.#limit - this.#length;
    const kept = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
    if (kept.length > 0) {
      this.#pieces.push(kept.slice());
      this.#length += kept.length;
      if (this.#pieces.length > MAX_PIECES) this.bytes();
    }
    return kept.length === chunk.length;
  }

  /** The bytes so far (valid until the next append or clear). */
  bytes(): Uint8Array {
    const pieces = this.#pieces;
    if (pieces.length === 0) return EMPTY;
    if (pieces.length === 1) return pieces[0]!;
    const joined = new Uint8Array(this.#length);
    let offset = 0;
    for (const piece of pieces) {
      joined.set(piece, offset);
      offset += piece.length;
    }
    this.#pieces = [joined];
    return joined;
  }

  clear(): void {
    this.#pieces = [];
    this.#length = 0;
  }
}
