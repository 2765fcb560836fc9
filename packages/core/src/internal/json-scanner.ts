// A single-pass JSON scanner that validates a document and rewrites only what must change,
// so documents without secrets (and every number) come back byte-identical.
import { REDACTED } from '../attributes.js';
import type { RuleSet } from './rule-set.js';
import { Tally } from './tally.js';
import { TriggerHits } from './value-patterns.js';

/** Nesting deeper than this is treated as invalid (fail closed) rather than risking the stack. */
const MAX_DEPTH = 1000;
/** JSON documents embedded in JSON strings are redacted too, up to this many levels. */
const MAX_EMBEDDING = 3;

const REDACTED_JSON = JSON.stringify(REDACTED);
// Runs of string characters that need no attention: not a quote, a backslash or a control character.
// eslint-disable-next-line no-control-regex
const STRING_BODY = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** Anything a number may start with: a number cut anywhere, including after `-`, `.` or `e`. */
const NUMBER_PREFIX = /-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]*)?)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
// The characters no JSON string may hold unescaped, U+0000 to U+001F, in two halves: V8 skips
// quickly over one-byte text that holds none of a small class, but not of one this large, and
// not over text with characters past U+00FF (see WIDE).
// eslint-disable-next-line no-control-regex
const CONTROL_LOW = /[\u0000-\u000f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_HIGH = /[\u0010-\u001f]/g;
// Over text held two bytes a character neither half is skipped quickly, and one pass of the
// whole class costs half of two (about 0.3 ns a character).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/g;

/**
 * A character past U+00FF. Found at once in text that has one early, and ruled out at once in
 * text V8 holds one byte per character; over other text it costs a pass.
 */
// eslint-disable-next-line no-control-regex
const WIDE = /[^\u0000-\u00ff]/;

/** Shorter texts are read character by character: the searches that find strings quote to quote would not pay. */
const QUOTE_TO_QUOTE_MIN_CHARS = 2048;

/** Index of the first control character at or after `from`, or -1. */
function nextControl(text: string, from: number, wide: boolean): number {
  if (wide) {
    CONTROL.lastIndex = from;
    return CONTROL.test(text) ? CONTROL.lastIndex - 1 : -1;
  }
  CONTROL_LOW.lastIndex = from;
  const low = CONTROL_LOW.test(text) ? CONTROL_LOW.lastIndex - 1 : -1;
  CONTROL_HIGH.lastIndex = from;
  const high = CONTROL_HIGH.test(text) ? CONTROL_HIGH.lastIndex - 1 : -1;
  return low === -1 ? high : high === -1 ? low : Math.min(low, high);
}

class InvalidJson extends Error {}
const INVALID = new InvalidJson('invalid JSON');
/** Thrown in prefix mode when the text ends where more of a valid document was expected. */
const CUT = new InvalidJson('end of a JSON prefix');

/**
 * Redacts one JSON document. Returns the redacted text, or undefined when the text is not
 * exactly one valid JSON document. Counts go into `tally` only on success.
 */
export function redactJsonText(text: string, rules: RuleSet, tally: Tally, embedding = 0, triggerFrom = 0): string | undefined {
  return scan(new Scanner(text, rules, embedding, false, triggerFrom), tally);
}

/**
 * Redacts the first part of a JSON document cut short at an arbitrary point (a body captured up
 * to a byte cap). Returns undefined when the text is not a valid prefix of a JSON document, that
 * is, when something before the cut is already invalid. Otherwise returns the redacted prefix,
 * which ends at the last complete token: a string, number or literal the cut fell inside is
 * dropped whole (a key format cut in half could not be recognised), and when the cut fell inside
 * the value of a secret key, that value is written as `"[REDACTED]"`. A complete document (with
 * only whitespace after it) comes back whole. Counts go into `tally` only on success.
 */
export function redactJsonPrefix(text: string, rules: RuleSet, tally: Tally): string | undefined {
  return scan(new Scanner(text, rules, 0, true), tally);
}

/** Runs a scanner: its output and counts, or undefined (and no counts) when the text is invalid. */
function scan(scanner: Scanner, tally: Tally): string | undefined {
  try {
    const out = scanner.redact();
    tally.merge(scanner.tally);
    return out;
  } catch (error: unknown) {
    if (error === INVALID || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Whether text starts (after whitespace) like a JSON object or array. */
export function looksLikeJson(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09) continue;
    return char === 0x7b || char === 0x5b;
  }
  return false;
}

/**
 * Redacts a string that was found inside JSON (or a JSON-looking attribute): an embedded JSON
 * document gets the JSON rules, anything else the free-text rules.
 */
export function redactEmbeddedText(text: string, rules: RuleSet, tally: Tally, embedding: number, knownHits?: number): string {
  if (embedding < MAX_EMBEDDING && looksLikeJson(text)) {
    // Most documents hold nothing to mask: one scan says so, without a walk through them.
    const from = rules.jsonChangeFrom(text);
    if (from === -1) return text;
    const out = redactJsonText(text, rules, tally, embedding + 1, from);
    if (out !== undefined) return out;
  }
  return rules.redactText(text, tally, knownHits);
}

class Scanner {
  readonly tally = new Tally();
  #pos = 0;
  #copied = 0;
  readonly #parts: string[] = [];
  /** Positions of trigger matches in the raw text, and the kind of each. */
  readonly #triggers: number[] = [];
  readonly #triggerKinds: number[] = [];
  #triggerIndex = 0;
  #escaped = false;
  /**
   * Whether strings are found quote to quote (see {@link #string}); decided at the first string.
   * Not in short text: the searches would cost more than reading its strings character by
   * character.
   */
  #quoteToQuote: boolean | undefined;
  /**
   * The text holds a character past U+00FF (V8 then holds it two bytes a character): control
   * characters are searched with one character class, not two halves (see CONTROL_LOW), when
   * the filter does not hold the text.
   */
  #wide = false;
  /** Next `\\` at or after a string's opening quote (-1: none left), found lazily. */
  #nextBackslash = -2;
  /** Next control character at or after a string's opening quote (-1: none left), found lazily. */
  #nextControl = -2;
  /** Next `"` at or after the position a string with escapes is read from (-1: none left), found lazily. */
  #nextQuote = -2;
  /** Start of the value under a secret key being scanned (outermost only), or -1. */
  #maskStart = -1;
  #maskRule = '';

  readonly #text: string;
  readonly #rules: RuleSet;
  readonly #embedding: number;
  readonly #prefix: boolean;

  constructor(
    text: string,
    rules: RuleSet,
    embedding: number,
    /** Prefix mode: the end of the text is a cut, not the end of the document. */
    prefix = false,
    /** Where the raw-JSON trigger starts to look: no hit of it comes before (see `RuleSet.jsonChangeFrom`). */
    triggerFrom = 0,
  ) {
    this.#text = text;
    this.#rules = rules;
    this.#embedding = embedding;
    this.#prefix = prefix;
    if (!rules.scanEveryString) rules.rawJsonTriggerHits(text, triggerFrom, this.#triggers, this.#triggerKinds);
  }

  redact(): string {
    return this.#prefix ? this.#runPrefix() : this.#run();
  }

  #run(): string {
    this.#skipWhitespace();
    this.#value(0, false);
    this.#skipWhitespace();
    if (this.#pos !== this.#text.length) throw INVALID;
    if (this.#parts.length === 0) return this.#text;
    this.#parts.push(this.#text.slice(this.#copied));
    return this.#parts.join('');
  }

  /** Prefix mode: the redacted text up to the last complete token. */
  #runPrefix(): string {
    let cut: number;
    try {
      return this.#run();
    } catch (error: unknown) {
      if (error !== CUT) throw error;
      // `pos` is the start of the token the cut fell inside, or the end of the text.
      cut = Math.min(this.#pos, this.#text.length);
    }
    let tail = '';
    if (this.#maskStart >= 0) {
      // Cut inside a secret key's value: whatever of it arrived is masked as one value.
      if (this.#maskStart < this.#text.length) {
        tail = REDACTED_JSON;
        this.tally.add(this.#maskRule);
      }
      cut = this.#maskStart;
    }
    this.#parts.push(this.#text.slice(this.#copied, cut), tail);
    return this.#parts.join('');
  }

  /** The error for an unexpected character at `at`: in prefix mode, the end of the text is a cut. */
  #fail(at: number): InvalidJson {
    return this.#prefix && at >= this.#text.length ? CUT : INVALID;
  }

  #skipWhitespace(): void {
    const text = this.#text;
    let pos = this.#pos;
    for (;;) {
      const char = text.charCodeAt(pos);
      if (char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09) pos++;
      else break;
    }
    this.#pos = pos;
  }

  #value(depth: number, masked: boolean): void {
    const char = this.#text.charCodeAt(this.#pos);
    switch (char) {
      case 0x7b: // {
        this.#object(depth + 1, masked);
        return;
      case 0x5b: // [
        this.#array(depth + 1, masked);
        return;
      case 0x22: // "
        this.#stringValue(masked);
        return;
      case 0x74: // t
        this.#literal('true');
        return;
      case 0x66: // f
        this.#literal('false');
        return;
      case 0x6e: // n
        this.#literal('null');
        return;
      default:
        this.#number();
    }
  }

  #literal(word: string): void {
    if (!this.#text.startsWith(word, this.#pos)) {
      if (this.#prefix && this.#text.length - this.#pos < word.length && word.startsWith(this.#text.slice(this.#pos))) throw CUT;
      throw INVALID;
    }
    this.#pos += word.length;
  }

  #number(): void {
    if (this.#prefix) {
      // A number running to the cut may have had more digits: it is dropped.
      NUMBER_PREFIX.lastIndex = this.#pos;
      NUMBER_PREFIX.test(this.#text);
      if (NUMBER_PREFIX.lastIndex === this.#text.length) throw CUT;
    }
    NUMBER.lastIndex = this.#pos;
    if (!NUMBER.test(this.#text)) throw INVALID;
    this.#pos = NUMBER.lastIndex;
  }

  /** Scans a string token starting at its opening quote; returns the index after the closing quote. */
  #string(): number {
    // Most strings hold neither an escape nor a control character: the closing quote is then
    // the next quote, found by a native search rather than a regular expression run over the
    // content, character by character.
    if (this.#quoteToQuote === undefined) {
      this.#quoteToQuote = this.#text.length >= QUOTE_TO_QUOTE_MIN_CHARS;
      this.#wide = this.#quoteToQuote && WIDE.test(this.#text);
    }
    if (this.#quoteToQuote) {
      const open = this.#pos;
      const close = this.#text.indexOf('"', open + 1);
      if (close !== -1 && this.#plainUpTo(open, close)) {
        this.#escaped = false;
        this.#pos = close + 1;
        return this.#pos;
      }
      return this.#stringEscapeToEscape();
    }
    return this.#stringByCharacter();
  }

  /**
   * {@link #string} of a string with escapes, in text read quote to quote: from escape to escape
   * by native searches for the next backslash, quote and control character (each kept until the
   * scan passes it), rather than a regular expression run from every escape. Source code in a
   * tool result has an escape on every line (`\n`, `\"`).
   */
  #stringEscapeToEscape(): number {
    const text = this.#text;
    let pos = this.#pos + 1;
    this.#escaped = false;
    for (;;) {
      if (this.#nextQuote !== -1 && this.#nextQuote < pos) this.#nextQuote = text.indexOf('"', pos);
      if (this.#nextBackslash !== -1 && this.#nextBackslash < pos) this.#nextBackslash = text.indexOf('\\', pos);
      if (this.#nextControl !== -1 && this.#nextControl < pos) this.#nextControl = this.#rules.controlFrom(text, pos) ?? nextControl(text, pos, this.#wide);
      const end = this.#nextQuote === -1 ? text.length : this.#nextQuote;
      const stop = this.#nextBackslash !== -1 && this.#nextBackslash < end ? this.#nextBackslash : end;
      if (this.#nextControl !== -1 && this.#nextControl < stop) throw this.#fail(this.#nextControl);
      if (stop === text.length) throw this.#fail(stop);
      if (stop === this.#nextQuote) {
        this.#pos = stop + 1;
        return this.#pos;
      }
      this.#escaped = true;
      pos = this.#escapeEnd(stop);
    }
  }

  /** Whether the text between `open` and `close` holds no backslash and no control character. */
  #plainUpTo(open: number, close: number): boolean {
    if (this.#nextBackslash !== -1 && this.#nextBackslash <= open) this.#nextBackslash = this.#text.indexOf('\\', open);
    if (this.#nextBackslash !== -1 && this.#nextBackslash < close) return false;
    if (this.#nextControl !== -1 && this.#nextControl <= open) this.#nextControl = this.#rules.controlFrom(this.#text, open) ?? nextControl(this.#text, open, this.#wide);
    return this.#nextControl === -1 || this.#nextControl > close;
  }

  /** {@link #string} read character by character: for escapes, control characters, a missing closing quote, wide text. */
  #stringByCharacter(): number {
    const text = this.#text;
    let pos = this.#pos + 1;
    this.#escaped = false;
    for (;;) {
      STRING_BODY.lastIndex = pos;
      STRING_BODY.test(text);
      pos = STRING_BODY.lastIndex;
      const char = text.charCodeAt(pos);
      if (char === 0x22) break;
      if (char !== 0x5c) throw this.#fail(pos); // control character or end of text
      this.#escaped = true;
      pos = this.#escapeEnd(pos);
    }
    this.#pos = pos + 1;
    return this.#pos;
  }

  /** The index after the escape whose backslash is at `pos`; throws when it is not a valid one. */
  #escapeEnd(pos: number): number {
    const text = this.#text;
    const next = text.charCodeAt(pos + 1);
    if (next === 0x75) {
      HEX4.lastIndex = pos + 2;
      if (!HEX4.test(text)) {
        if (this.#prefix && text.length - pos < 6 && /^[0-9a-fA-F]*$/.test(text.slice(pos + 2))) throw CUT;
        throw INVALID;
      }
      return pos + 6;
    }
    if (
      next === 0x22 || next === 0x5c || next === 0x2f || next === 0x62 ||
      next === 0x66 || next === 0x6e || next === 0x72 || next === 0x74
    ) {
      return pos + 2;
    }
    throw this.#fail(pos + 1);
  }

  #decode(start: number, end: number): string {
    return this.#escaped ? (JSON.parse(this.#text.slice(start, end)) as string) : this.#text.slice(start + 1, end - 1);
  }

  /**
   * The trigger hits inside [start, end) (0 when none), or ALL when every string must be
   * scanned. Calls come in increasing order of position.
   */
  #triggered(start: number, end: number): number {
    if (this.#rules.scanEveryString) return TriggerHits.ALL;
    const triggers = this.#triggers;
    let index = this.#triggerIndex;
    while (index < triggers.length && (triggers[index] as number) < start) index++;
    this.#triggerIndex = index;
    let hits = 0;
    while (index < triggers.length && (triggers[index] as number) < end) {
      hits |= this.#triggerKinds[index] as number;
      index++;
    }
    return hits;
  }

  #replace(start: number, end: number, replacement: string): void {
    this.#parts.push(this.#text.slice(this.#copied, start), replacement);
    this.#copied = end;
  }

  /** A string in value or key position: pattern-scanned (and embedded JSON redacted) unless masked. */
  #stringValue(masked: boolean): void {
    const start = this.#pos;
    const end = this.#string();
    if (masked) return;
    const hits = this.#triggered(start, end);
    if (hits === 0 && !this.#opensDocument(start + 1, end - 1)) return;
    const decoded = this.#decode(start, end);
    // Raw hits describe the decoded text too, unless a \u escape may have hidden something.
    const knownHits = this.#rules.scanEveryString || (hits & TriggerHits.ESCAPE) !== 0 ? undefined : hits;
    const out = redactEmbeddedText(decoded, this.#rules, this.tally, this.#embedding, knownHits);
    if (out !== decoded) this.#replace(start, end, JSON.stringify(out));
  }

  /**
   * Whether raw string content in [from, end) starts like a JSON object or array once decoded:
   * `{` or `[` after spaces and `\n`, `\r`, `\t` escapes (as {@link looksLikeJson} sees it).
   */
  #opensDocument(from: number, end: number): boolean {
    const text = this.#text;
    for (let pos = from; pos < end; pos++) {
      const char = text.charCodeAt(pos);
      if (char === 0x20) continue;
      if (char === 0x5c) {
        const next = text.charCodeAt(pos + 1);
        if (next !== 0x6e && next !== 0x72 && next !== 0x74) return false;
        pos++;
        continue;
      }
      return char === 0x7b || char === 0x5b;
    }
    return false;
  }

  #object(depth: number, masked: boolean): void {
    if (this.#enter(depth, 0x7d)) return;
    const text = this.#text;
    do {
      if (text.charCodeAt(this.#pos) !== 0x22) throw this.#fail(this.#pos);
      const keyStart = this.#pos;
      const keyEnd = this.#string();
      let rule: string | undefined;
      if (!masked) {
        // A key without escapes is looked up where it stands: the same few keys come back in
        // every document, and building each as a string would cost more than the lookup.
        rule = this.#escaped ? this.#rules.jsonKeyRule(this.#decode(keyStart, keyEnd)) : this.#rules.jsonKeyRuleAt(text, keyStart + 1, keyEnd - 1);
        if (this.#triggered(keyStart, keyEnd) !== 0) {
          // A key is rarely a secret, but a map keyed by tokens would be.
          const key = this.#decode(keyStart, keyEnd);
          const out = this.#rules.redactText(key, this.tally);
          if (out !== key) this.#replace(keyStart, keyEnd, JSON.stringify(out));
        }
      }
      this.#skipWhitespace();
      if (text.charCodeAt(this.#pos) !== 0x3a) throw this.#fail(this.#pos);
      this.#pos++;
      this.#skipWhitespace();
      if (rule === undefined) {
        this.#value(depth, masked);
      } else {
        const valueStart = this.#pos;
        this.#maskStart = valueStart;
        this.#maskRule = rule;
        this.#value(depth, true);
        this.#maskStart = -1;
        this.#maskValue(valueStart, this.#pos, rule);
      }
    } while (this.#next(0x7d));
  }

  #array(depth: number, masked: boolean): void {
    if (this.#enter(depth, 0x5d)) return;
    do {
      this.#value(depth, masked);
    } while (this.#next(0x5d));
  }

  /** Steps past the `{` or `[` at pos; true when the container is empty (and already closed by `close`). */
  #enter(depth: number, close: number): boolean {
    if (depth > MAX_DEPTH) throw INVALID;
    this.#pos++;
    this.#skipWhitespace();
    if (this.#text.charCodeAt(this.#pos) !== close) return false;
    this.#pos++;
    return true;
  }

  /** Steps past the separator after an item: true when a `,` announces another, false at `close`. */
  #next(close: number): boolean {
    this.#skipWhitespace();
    const char = this.#text.charCodeAt(this.#pos);
    this.#pos++;
    if (char === 0x2c) {
      this.#skipWhitespace();
      return true;
    }
    if (char === close) return false;
    throw this.#fail(this.#pos - 1);
  }

  /** Replaces a secret key's whole value; `null`, `""` and an already-masked value stay. */
  #maskValue(start: number, end: number, rule: string): void {
    const length = end - start;
    if (length === 2 && this.#text.charCodeAt(start) === 0x22) return; // ""
    if (length === 4 && this.#text.startsWith('null', start)) return;
    if (length === REDACTED_JSON.length && this.#text.startsWith(REDACTED_JSON, start)) return;
    if (this.#rules.allowedValues.size > 0 && this.#text.charCodeAt(start) === 0x22) {
      const value = JSON.parse(this.#text.slice(start, end)) as string;
      if (this.#rules.isAllowed(value)) return;
    }
    this.#replace(start, end, REDACTED_JSON);
    this.tally.add(rule);
  }
}
