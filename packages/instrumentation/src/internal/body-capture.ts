// Keeps the start of an HTTP body, up to a byte cap, while counting all of it.

/** Collects at most `cap` bytes of a body while counting all of them. */
export class BodyCapture {
  readonly #cap: number;
  readonly #parts: Buffer[] = [];
  #kept = 0;
  total = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(chunk: Uint8Array | string): void {
    const room = this.#cap - this.#kept;
    if (typeof chunk !== 'string') {
      this.total += chunk.byteLength;
      // Copy: the caller may reuse its buffer.
      if (room > 0) this.#keep(Buffer.from(chunk.subarray(0, room)));
      return;
    }
    if (room <= 0) {
      this.total += Buffer.byteLength(chunk);
      return;
    }
    const encoded = Buffer.from(chunk);
    this.total += encoded.byteLength;
    // Keep only the capped start, not the whole encoding.
    this.#keep(encoded.byteLength > room ? Buffer.from(encoded.subarray(0, room)) : encoded);
  }

  #keep(part: Buffer): void {
    this.#parts.push(part);
    this.#kept += part.byteLength;
  }

  bytes(): Buffer {
    return this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
  }

  /** Only the start of the body was kept. */
  get truncated(): boolean {
    return this.total > this.#kept;
  }

  /**
   * Options for `redactBody`: the byte cap and, when the body went past it, that the kept bytes
   * are only its start (redacted as a prefix, ending with a marker recording the full size).
   */
  redactOptions(maxBytes: number): { maxBytes: number; truncatedInput?: boolean; originalBytes?: number } {
    return this.total > Math.min(this.#kept, maxBytes) ? { maxBytes, truncatedInput: true, originalBytes: this.total } : { maxBytes };
  }

  /** The kept bytes, at most `maxBytes` of them (more may be kept for reading the wire). */
  prefix(maxBytes: number): Buffer {
    const bytes = this.bytes();
    return bytes.byteLength > maxBytes ? bytes.subarray(0, maxBytes) : bytes;
  }
}
