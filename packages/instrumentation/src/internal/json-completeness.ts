// Checks, in one pass and constant memory, that a streamed body is exactly one complete JSON document.

/** Feeds bytes of a body; `complete()` says whether they formed one whole JSON document. */
export class JsonCompleteness {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #started = false;
  #closed = false;
  #scalar = false;
  #broken = false;

  feed(chunk: Uint8Array): void {
    if (this.#broken) return;
    for (const byte of chunk) {
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === 0x5c) this.#escaped = true;
        else if (byte === 0x22) {
          this.#inString = false;
          if (this.#depth === 0) this.#closed = true;
        }
        continue;
      }
      const whitespace = byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
      if (this.#closed) {
        if (!whitespace) this.#broken = true;
        continue;
      }
      if (whitespace) {
        if (this.#scalar && this.#depth === 0) {
          this.#scalar = false;
          this.#closed = true;
        }
        continue;
      }
      this.#started = true;
      if (byte === 0x22) {
        this.#inString = true;
      } else if (byte === 0x7b || byte === 0x5b) {
        this.#depth += 1;
      } else if (byte === 0x7d || byte === 0x5d) {
        this.#depth -= 1;
        if (this.#depth < 0) this.#broken = true;
        else if (this.#depth === 0) this.#closed = true;
      } else if (this.#depth === 0) {
        this.#scalar = true;
      }
    }
  }

  complete(): boolean {
    if (this.#broken || !this.#started || this.#inString) return false;
    return this.#closed || (this.#scalar && this.#depth === 0);
  }
}
