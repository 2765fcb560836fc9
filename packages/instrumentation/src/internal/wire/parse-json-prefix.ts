// Reads as much as possible of a JSON document that may be cut short (a body captured up to a byte cap).

/** What {@link parseJsonPrefix} read. */
export interface JsonPrefix {
  /** The document, or its complete leading part; `undefined` when nothing could be read. */
  readonly value: unknown;
  /** The text was exactly one complete JSON document. */
  readonly complete: boolean;
}

/** Deeper nesting than this is treated as the end of the input (no stack overflow on hostile bodies). */
const MAX_DEPTH = 200;
const MISSING = Symbol('missing');

/**
 * Parses JSON text that may be only the start of a document. Objects and arrays that were cut
 * keep their complete members; a cut string, number or literal is dropped, as is everything
 * after a syntax error. Never throws.
 *
 * @example
 * parseJsonPrefix('{"model":"gpt-4o","messages":[{"role":"user","content":"Hel');
 * // { value: { model: 'gpt-4o', messages: [{ role: 'user' }] }, complete: false }
 */
export function parseJsonPrefix(text: string): JsonPrefix {
  try {
    return { value: JSON.parse(text) as unknown, complete: true };
  } catch {
    // Not one whole document: read what is there.
  }
  const value = new PrefixParser(text).document();
  return { value: value === MISSING ? undefined : value, complete: false };
}

class PrefixParser {
  readonly #text: string;
  #position = 0;
  #stopped = false;

  constructor(text: string) {
    this.#text = text;
  }

  document(): unknown {
    return this.#value(0);
  }

  #skipWhitespace(): void {
    const text = this.#text;
    let position = this.#position;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
      position += 1;
    }
    this.#position = position;
  }

  #stop(): typeof MISSING {
    this.#stopped = true;
    return MISSING;
  }

  #value(depth: number): unknown {
    this.#skipWhitespace();
    if (this.#position >= this.#text.length || depth > MAX_DEPTH) return this.#stop();
    const code = this.#text.charCodeAt(this.#position);
    if (code === 0x7b) return this.#object(depth);
    if (code === 0x5b) return this.#array(depth);
    if (code === 0x22) return this.#string();
    return this.#scalar();
  }

  #object(depth: number): unknown {
    this.#position += 1;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.#skipWhitespace();
      const code = this.#text.charCodeAt(this.#position);
      if (code === 0x7d) {
        this.#position += 1;
        return out;
      }
      if (code !== 0x22) {
        this.#stop();
        return out;
      }
      const key = this.#string();
      if (key === MISSING || typeof key !== 'string') return out;
      this.#skipWhitespace();
      if (this.#text.charCodeAt(this.#position) !== 0x3a) {
        this.#stop();
        return out;
      }
      this.#position += 1;
      const member = this.#value(depth + 1);
      // defineProperty: a "__proto__" key is data, as in JSON.parse.
      if (member !== MISSING) Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
      if (this.#stopped) return out;
      this.#skipWhitespace();
      const next = this.#text.charCodeAt(this.#position);
      if (next === 0x2c) {
        this.#position += 1;
      } else if (next !== 0x7d) {
        this.#stop();
        return out;
      }
    }
  }

  #array(depth: number): unknown {
    this.#position += 1;
    const out: unknown[] = [];
    this.#skipWhitespace();
    if (this.#text.charCodeAt(this.#position) === 0x5d) {
      this.#position += 1;
      return out;
    }
    for (;;) {
      const item = this.#value(depth + 1);
      if (item !== MISSING) out.push(item);
      if (this.#stopped) return out;
      this.#skipWhitespace();
      const next = this.#text.charCodeAt(this.#position);
      if (next === 0x5d) {
        this.#position += 1;
        return out;
      }
      if (next !== 0x2c) {
        this.#stop();
        return out;
      }
      this.#position += 1;
    }
  }

  #string(): unknown {
    const text = this.#text;
    const start = this.#position;
    let position = start + 1;
    for (;;) {
      const quote = text.indexOf('"', position);
      if (quote < 0) return this.#stop();
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
      position = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    this.#position = position;
    return this.#parse(text.slice(start, position));
  }

  #scalar(): unknown {
    const text = this.#text;
    const start = this.#position;
    let position = start;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      // Numbers and literals are made of these characters only.
      const scalarCharacter =
        (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || code === 0x2d || code === 0x2b || code === 0x2e || code === 0x45;
      if (!scalarCharacter) break;
      position += 1;
    }
    // At the end of the input a number or literal may be cut ("12" of "125", "tr" of "true").
    if (position >= text.length || position === start) return this.#stop();
    this.#position = position;
    return this.#parse(text.slice(start, position));
  }

  #parse(token: string): unknown {
    try {
      return JSON.parse(token) as unknown;
    } catch {
      return this.#stop();
    }
  }
}
