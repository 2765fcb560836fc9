// Checks JSON syntax a slice at a time and records where large values end, so the decoder can
// read the document without building it and skip any large value in one jump.
import { MalformedPayloadError } from './malformed-payload-error.js';

/** Strings, objects and arrays at least this long (in bytes) have their end recorded. */
export const LARGE_VALUE_BYTES = 4096;

/** The body is not JSON. */
export class JsonSyntaxError extends MalformedPayloadError {}

// Scanner states.
/** A value must follow (document start, after ':' or after ',' in an array). */
const VALUE = 0;
/** After '[': a value or ']'. */
const VALUE_OR_CLOSE = 1;
/** After '{': a key or '}'. */
const KEY_OR_CLOSE = 2;
/** After ',' in an object: a key. */
const KEY = 3;
const COLON_NEXT = 4;
/** After a value inside a container: ',' or the container's close. */
const AFTER_VALUE = 5;
/** The top-level value is complete: only whitespace may follow. */
const DONE = 6;

const OBJECT = 0;
const ARRAY = 1;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** Escapes allowed after a backslash, besides `u`. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const LITERALS: Readonly<Record<number, Uint8Array>> = {
  0x74: new TextEncoder().encode('true'),
  0x66: new TextEncoder().encode('false'),
  0x6e: new TextEncoder().encode('null'),
};

/**
 * Validates one JSON document (RFC 8259) held in `bytes` from `start`, whose UTF-8 has already
 * been checked. Work is done in calls to {@link JsonScanner.scan}, each covering about as many
 * bytes as asked; tokens are never split, so a call may go past its share by one token.
 */
export class JsonScanner {
  /** Start offset → end offset (exclusive) of every string, object and array of at least LARGE_VALUE_BYTES. */
  readonly ends = new Map<number, number>();
  readonly #bytes: Uint8Array;
  readonly #maxNesting: number;
  #pos: number;
  #state = VALUE;
  #depth = 0;
  #kinds = new Uint8Array(16);
  #starts = new Int32Array(16);

  constructor(bytes: Uint8Array, start: number, maxNesting: number) {
    this.#bytes = bytes;
    this.#pos = start;
    this.#maxNesting = maxNesting;
  }

  /** Scans about `budget` more bytes; true once the whole document is checked. Throws JsonSyntaxError. */
  scan(budget: number): boolean {
    const bytes = this.#bytes;
    const stop = Math.min(bytes.length, this.#pos + budget);
    let pos = this.#pos;
    while (pos < stop) {
      const c = bytes[pos]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        pos++;
        continue;
      }
      switch (this.#state) {
        case VALUE_OR_CLOSE:
          if (c === CLOSE_BRACKET) {
            pos = this.#close(pos, ARRAY);
            break;
          }
          pos = this.#value(pos, c);
          break;
        case VALUE:
          pos = this.#value(pos, c);
          break;
        case KEY_OR_CLOSE:
          if (c === CLOSE_BRACE) {
            pos = this.#close(pos, OBJECT);
            break;
          }
          pos = this.#key(pos, c);
          break;
        case KEY:
          pos = this.#key(pos, c);
          break;
        case COLON_NEXT:
          if (c !== COLON) this.#fail(pos, "expected ':'");
          pos++;
          this.#state = VALUE;
          break;
        case AFTER_VALUE: {
          const kind = this.#kinds[this.#depth - 1];
          if (c === COMMA) {
            pos++;
            this.#state = kind === OBJECT ? KEY : VALUE;
          } else if (c === CLOSE_BRACE && kind === OBJECT) pos = this.#close(pos, OBJECT);
          else if (c === CLOSE_BRACKET && kind === ARRAY) pos = this.#close(pos, ARRAY);
          else this.#fail(pos, kind === OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
          break;
        }
        case DONE:
          this.#fail(pos, 'unexpected data after the JSON value');
      }
    }
    this.#pos = pos;
    if (pos < bytes.length) return false;
    if (this.#state !== DONE) this.#fail(pos, 'unexpected end of input');
    return true;
  }

  #fail(pos: number, message: string): never {
    throw new JsonSyntaxError(`not JSON (${message} at byte ${pos})`);
  }

  #afterValue(): void {
    this.#state = this.#depth === 0 ? DONE : AFTER_VALUE;
  }

  #key(pos: number, c: number): number {
    if (c !== QUOTE) this.#fail(pos, 'expected a string key');
    const end = this.#string(pos);
    this.#state = COLON_NEXT;
    return end;
  }

  #value(pos: number, c: number): number {
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      this.#open(pos, c === OPEN_BRACE ? OBJECT : ARRAY);
      this.#state = c === OPEN_BRACE ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
      return pos + 1;
    }
    let end: number;
    if (c === QUOTE) end = this.#string(pos);
    else if (c === MINUS || isDigit(c)) end = this.#number(pos);
    else if (LITERALS[c] !== undefined) end = this.#literal(pos, LITERALS[c]);
    else this.#fail(pos, 'unexpected character');
    this.#afterValue();
    return end;
  }

  #open(pos: number, kind: number): void {
    const depth = this.#depth;
    if (depth >= this.#maxNesting) this.#fail(pos, `nesting deeper than ${this.#maxNesting} levels`);
    if (depth === this.#kinds.length) {
      const kinds = new Uint8Array(depth * 2);
      kinds.set(this.#kinds);
      this.#kinds = kinds;
      const starts = new Int32Array(depth * 2);
      starts.set(this.#starts);
      this.#starts = starts;
    }
    this.#kinds[depth] = kind;
    this.#starts[depth] = pos;
    this.#depth = depth + 1;
  }

  #close(pos: number, kind: number): number {
    const depth = this.#depth - 1;
    if (depth < 0 || this.#kinds[depth] !== kind) this.#fail(pos, 'unbalanced brackets');
    const start = this.#starts[depth]!;
    this.#depth = depth;
    const end = pos + 1;
    if (end - start >= LARGE_VALUE_BYTES) this.ends.set(start, end);
    this.#afterValue();
    return end;
  }

  /** Returns the offset after the closing quote. */
  #string(start: number): number {
    const bytes = this.#bytes;
    const length = bytes.length;
    let pos = start + 1;
    for (;;) {
      if (pos >= length) this.#fail(start, 'unterminated string');
      const c = bytes[pos]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const next = bytes[pos + 1];
        if (next === 0x75) {
          if (!(isHex(bytes[pos + 2]) && isHex(bytes[pos + 3]) && isHex(bytes[pos + 4]) && isHex(bytes[pos + 5]))) this.#fail(pos, 'invalid \\u escape');
          pos += 6;
        } else if (next !== undefined && SIMPLE_ESCAPES.has(next)) pos += 2;
        else this.#fail(pos, 'invalid escape');
      } else if (c < 0x20) this.#fail(pos, 'control character in string');
      else pos++;
    }
    const end = pos + 1;
    if (end - start >= LARGE_VALUE_BYTES) this.ends.set(start, end);
    return end;
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  #number(start: number): number {
    const bytes = this.#bytes;
    let pos = start;
    if (bytes[pos] === MINUS) pos++;
    if (bytes[pos] === ZERO) pos++;
    else if (isDigit(bytes[pos])) while (isDigit(bytes[pos])) pos++;
    else this.#fail(pos, 'invalid number');
    if (bytes[pos] === DOT) {
      pos++;
      if (!isDigit(bytes[pos])) this.#fail(pos, 'invalid number');
      while (isDigit(bytes[pos])) pos++;
    }
    if (bytes[pos] === 0x65 || bytes[pos] === 0x45) {
      pos++;
      if (bytes[pos] === PLUS || bytes[pos] === MINUS) pos++;
      if (!isDigit(bytes[pos])) this.#fail(pos, 'invalid number');
      while (isDigit(bytes[pos])) pos++;
    }
    return pos;
  }

  #literal(start: number, literal: Uint8Array): number {
    const bytes = this.#bytes;
    for (let i = 0; i < literal.length; i++) {
      if (bytes[start + i] !== literal[i]) this.#fail(start, 'unexpected character');
    }
    return start + literal.length;
  }
}
