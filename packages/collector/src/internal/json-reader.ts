// Reads a JSON document that JsonScanner has validated, token by token, building only what the
// caller asks for; large values are skipped in one jump through the scanner's index.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;
/** Short ASCII strings are built from their bytes directly; longer or non-ASCII ones through the UTF-8 decoder. */
const SHORT_ASCII_MAX = 48;
/**
 * Recently read short ASCII strings, by a hash of their bytes. Keys and many values repeat in
 * every span ("key", "value", "stringValue", status words, model names); handing back the same
 * string spares building it again and gives objects the same property names.
 */
const STRING_CACHE_SIZE = 1024;
const stringCache: (string | undefined)[] = new Array<string | undefined>(STRING_CACHE_SIZE);

function sameAscii(bytes: Uint8Array, start: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The kind of the next value, from its first byte. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * A cursor over a valid JSON document. Methods that read a value expect the cursor at it (after
 * whitespace) and leave it after it; the caller checks kinds with {@link JsonReader.kind} first.
 */
export class JsonReader {
  readonly #bytes: Buffer;
  readonly #ends: ReadonlyMap<number, number>;
  pos: number;

  constructor(bytes: Buffer, start: number, ends: ReadonlyMap<number, number>) {
    this.#bytes = bytes;
    this.#ends = ends;
    this.pos = start;
  }

  #skipWhitespace(): number {
    const bytes = this.#bytes;
    let pos = this.pos;
    while (isWhitespace(bytes[pos]!)) pos++;
    this.pos = pos;
    return bytes[pos]!;
  }

  /** The kind of the value at the cursor. */
  kind(): JsonKind {
    const c = this.#skipWhitespace();
    if (c === OPEN_BRACE) return 'object';
    if (c === OPEN_BRACKET) return 'array';
    if (c === QUOTE) return 'string';
    if (c === 0x74 || c === 0x66) return 'boolean';
    if (c === 0x6e) return 'null';
    return 'number';
  }

  /** Enters the object at the cursor; returns its start, for {@link JsonReader.skipRest}. */
  enterObject(): number {
    const start = this.pos;
    this.pos++;
    return start;
  }

  /** The next key of the current object (the cursor is then at its value), or undefined after its '}'. */
  nextKey(): string | undefined {
    let c = this.#skipWhitespace();
    if (c === COMMA) {
      this.pos++;
      c = this.#skipWhitespace();
    }
    if (c === CLOSE_BRACE) {
      this.pos++;
      return undefined;
    }
    const key = this.readString();
    this.#skipWhitespace();
    this.pos++; // ':'
    this.#skipWhitespace();
    return key;
  }

  /** Enters the array at the cursor; returns its start, for {@link JsonReader.skipRest}. */
  enterArray(): number {
    const start = this.pos;
    this.pos++;
    return start;
  }

  /** True when the current array has another element (the cursor is then at it); false after its ']'. */
  nextElement(): boolean {
    let c = this.#skipWhitespace();
    if (c === COMMA) {
      this.pos++;
      c = this.#skipWhitespace();
    }
    if (c === CLOSE_BRACKET) {
      this.pos++;
      return false;
    }
    return true;
  }

  readString(): string {
    const bytes = this.#bytes;
    const start = this.pos;
    // Most strings are short: scan them here; longer ones may be in the scanner's index.
    const shortEnd = start + 1 + SHORT_ASCII_MAX;
    let pos = start + 1;
    let ascii = true;
    let hash = 0;
    for (;;) {
      const c = bytes[pos]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || pos >= shortEnd) return this.#readLongString(start);
      if (c >= 0x80) ascii = false;
      hash = (hash * 31 + c) | 0;
      pos++;
    }
    this.pos = pos + 1;
    if (!ascii) return bytes.toString('utf8', start + 1, pos);
    const length = pos - start - 1;
    const slot = hash & (STRING_CACHE_SIZE - 1);
    const cached = stringCache[slot];
    if (cached !== undefined && cached.length === length && sameAscii(bytes, start + 1, cached)) return cached;
    const text = bytes.toString('latin1', start + 1, pos);
    stringCache[slot] = text;
    return text;
  }

  /** A string that is long or has escapes. */
  #readLongString(start: number): string {
    const bytes = this.#bytes;
    let end = this.#ends.get(start);
    if (end === undefined) {
      this.pos = start;
      this.#skipString();
      end = this.pos;
    }
    this.pos = end;
    return bytes.subarray(start, end).includes(BACKSLASH) ? (JSON.parse(bytes.toString('utf8', start, end)) as string) : bytes.toString('utf8', start + 1, end - 1);
  }

  /**
   * A number. An integer written with digits only (and perhaps a leading minus) is returned as
   * its text when it would not be exact as a double, so 64-bit values and nanosecond times keep
   * every digit.
   */
  readNumber(): number | string {
    const bytes = this.#bytes;
    const start = this.pos;
    let pos = start;
    let digitsOnly = true;
    let value = 0;
    const negative = bytes[pos] === 0x2d;
    if (negative) pos++;
    for (;;) {
      const c = bytes[pos];
      if (c === undefined) break;
      if (c >= ZERO && c <= NINE) value = value * 10 + (c - ZERO);
      else if (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) digitsOnly = false;
      else break;
      pos++;
    }
    this.pos = pos;
    const digits = pos - start - (negative ? 1 : 0);
    if (digitsOnly && digits <= 15) return negative ? -value : value;
    const text = bytes.toString('latin1', start, pos);
    return digitsOnly && digits > 0 ? text : Number(text);
  }

  readBoolean(): boolean {
    const value = this.#bytes[this.pos] === 0x74;
    this.pos += value ? 4 : 5;
    return value;
  }

  readNull(): void {
    this.pos += 4;
  }

  /** Skips the value at the cursor. */
  skipValue(): void {
    const start = this.pos;
    const knownEnd = this.#ends.get(start);
    if (knownEnd !== undefined) {
      this.pos = knownEnd;
      return;
    }
    const c = this.#bytes[start]!;
    if (c === QUOTE) this.#skipString();
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#skipContainer(1, start + 1);
    else this.#skipScalar();
  }

  /** Moves past the end of the container that opened at `start`, wherever the cursor is inside it. */
  skipRest(start: number): void {
    const knownEnd = this.#ends.get(start);
    if (knownEnd !== undefined) this.pos = knownEnd;
    else this.#skipContainer(1, this.pos);
  }

  /** Small containers only: large ones, and large strings inside them, are found in the index. */
  #skipContainer(depth: number, from: number): void {
    const bytes = this.#bytes;
    let pos = from;
    while (depth > 0) {
      const c = bytes[pos]!;
      if (c === QUOTE) {
        this.pos = pos;
        this.#skipString();
        pos = this.pos;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
      pos++;
    }
    this.pos = pos;
  }

  #skipString(): void {
    const bytes = this.#bytes;
    const knownEnd = this.#ends.get(this.pos);
    if (knownEnd !== undefined) {
      this.pos = knownEnd;
      return;
    }
    let pos = this.pos + 1;
    for (;;) {
      const c = bytes[pos]!;
      if (c === QUOTE) break;
      pos += c === BACKSLASH ? 2 : 1;
    }
    this.pos = pos + 1;
  }

  #skipScalar(): void {
    const bytes = this.#bytes;
    let pos = this.pos;
    for (;;) {
      const c = bytes[pos];
      if (c === undefined || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isWhitespace(c)) break;
      pos++;
    }
    this.pos = pos;
  }
}
