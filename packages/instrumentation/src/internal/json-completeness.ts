// Checks, in one pass and constant memory, that a streamed body is exactly one complete JSON document.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Feeds bytes of a body; `complete()` says whether they formed one whole JSON document. Inside
 * strings, where most of a model's answer lies, it jumps from quote to quote with the native
 * `indexOf` instead of looking at every byte.
 */
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
    const length = chunk.length;
    let index = 0;
    while (index < length) {
      if (this.#inString) {
        index = this.#skipString(chunk, index);
        continue;
      }
      const byte = chunk[index++]!;
      const whitespace = byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
      if (this.#closed) {
        if (!whitespace) {
          this.#broken = true;
          return;
        }
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
      if (byte === QUOTE) {
        this.#inString = true;
      } else if (byte === 0x7b || byte === 0x5b) {
        this.#depth += 1;
      } else if (byte === 0x7d || byte === 0x5d) {
        this.#depth -= 1;
        if (this.#depth < 0) {
          this.#broken = true;
          return;
        }
        if (this.#depth === 0) this.#closed = true;
      } else if (this.#depth === 0) {
        this.#scalar = true;
      }
    }
  }

  complete(): boolean {
    if (this.#broken || !this.#started || this.#inString) return false;
    return this.#closed || (this.#scalar && this.#depth === 0);
  }

  /**
   * Reads string content from `index`: returns the index past the closing quote (leaving the
   * string), or the chunk's length when the string goes on (noting whether its last byte escapes
   * the next). A quote ends the string when an even number of backslashes precedes it.
   */
  #skipString(chunk: Uint8Array, index: number): number {
    let from = index;
    if (this.#escaped) {
      this.#escaped = false;
      from += 1;
    }
    const length = chunk.length;
    for (;;) {
      const quote = from >= length ? -1 : chunk.indexOf(QUOTE, from);
      if (quote === -1) {
        // The string goes on in the next chunk: escaped when the chunk ends in an odd run of backslashes.
        this.#escaped = backslashesBefore(chunk, length, from) % 2 === 1;
        return length;
      }
      if (backslashesBefore(chunk, quote, from) % 2 === 0) {
        this.#inString = false;
        if (this.#depth === 0) this.#closed = true;
        return quote + 1;
      }
      from = quote + 1;
    }
  }
}

/** How many backslashes come right before `end`, looking no further back than `start`. */
function backslashesBefore(chunk: Uint8Array, end: number, start: number): number {
  let count = 0;
  for (let at = end - 1; at >= start && chunk[at] === BACKSLASH; at--) count += 1;
  return count;
}
