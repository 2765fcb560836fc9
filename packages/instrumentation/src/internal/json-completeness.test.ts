import { describe, expect, it } from 'vitest';
import { JsonCompleteness } from './json-completeness.js';

function check(...chunks: string[]): boolean {
  const json = new JsonCompleteness();
  for (const chunk of chunks) json.feed(Buffer.from(chunk));
  return json.complete();
}

/** The byte-at-a-time reading of the same rules: the oracle the fast scanner must agree with. */
function byteByByte(bytes: Uint8Array): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  let closed = false;
  let scalar = false;
  for (const byte of bytes) {
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) {
        inString = false;
        if (depth === 0) closed = true;
      }
      continue;
    }
    const whitespace = byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
    if (closed) {
      if (!whitespace) return false;
      continue;
    }
    if (whitespace) {
      if (scalar && depth === 0) {
        scalar = false;
        closed = true;
      }
      continue;
    }
    started = true;
    if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) depth += 1;
    else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
      if (depth < 0) return false;
      if (depth === 0) closed = true;
    } else if (depth === 0) scalar = true;
  }
  if (!started || inString) return false;
  return closed || (scalar && depth === 0);
}

/** A deterministic pseudo-random sequence (a test must fail the same way twice). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('JsonCompleteness', () => {
  it('accepts one complete document, fed in any pieces', () => {
    expect(check('{"a": [1, {"b": "}"}]}')).toBe(true);
    expect(check('{"a": "x\\"', '}"}\n')).toBe(true);
    expect(check('  42 ')).toBe(true);
    expect(check('"text"')).toBe(true);
  });

  it('rejects truncated, empty, trailing or unbalanced bodies', () => {
    expect(check('{"choices": [')).toBe(false);
    expect(check('')).toBe(false);
    expect(check('{} {}')).toBe(false);
    expect(check('{"a": 1}}')).toBe(false);
    expect(check('"open')).toBe(false);
  });

  it('reads escapes that straddle chunks: a run of backslashes, and the quote after it', () => {
    // `\\` then `"`: the quote ends the string.
    expect(check('{"a": "x\\', '\\"}')).toBe(true);
    expect(check('{"a": "x\\\\', '"}')).toBe(true);
    // `\"` split after the backslash: the quote is content, so the document is still open.
    expect(check('{"a": "x\\', '"}')).toBe(false);
    expect(check('{"a": "x\\', '"', '"}')).toBe(true);
    // Three backslashes before a quote: an escaped backslash, then an escaped quote.
    expect(check('{"a": "\\\\\\"', '"}')).toBe(true);
    expect(check('{"a": "', '\\', '\\', '\\', '"', '"}')).toBe(true);
    // A chunk that is only backslashes, inside a string.
    expect(check('{"a": "', '\\\\', '"}')).toBe(true);
    expect(check('{"a": "', '\\\\\\', '"}')).toBe(false);
  });

  it('agrees with a byte-by-byte reading on random documents cut into random chunks', () => {
    agreesOnRandomDocuments(random(7), 40, 6);
  });

  it('agrees on long strings in large chunks too, where it searches for the closing quote', () => {
    // Escapes after a long run of plain characters, and across chunks.
    expect(check(`{"a": "${'x'.repeat(31)}\\\\"}`)).toBe(true);
    expect(check(`{"a": "${'x'.repeat(31)}\\\\", "b": "${'y'.repeat(100)}\\\\\\\\"}`)).toBe(true);
    expect(check(`{"a": "${'x'.repeat(40)}\\"}`)).toBe(false);
    expect(check(`{"a": "${'x'.repeat(30)}\\`, '"}')).toBe(false);
    expect(check(`{"a": "${'x'.repeat(30)}\\`, '""}')).toBe(true);
    agreesOnRandomDocuments(random(11), 200, 100);
  });
});

/** Random documents (up to `maxLength` characters of a JSON-ish alphabet, and well-formed ones), fed in chunks of up to `maxChunk` bytes. */
function agreesOnRandomDocuments(next: () => number, maxLength: number, maxChunk: number): void {
  const alphabet = ['{', '}', '[', ']', '"', '\\', '\\', '"', ' ', '\n', 'a', '1', ',', ':', 'é'];
  const documents: string[] = [];
  for (let n = 0; n < 3_000; n++) {
    const length = Math.floor(next() * maxLength);
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)]!;
    documents.push(text);
    // Some well-formed ones with escapes in their strings, so `true` answers are common too.
    documents.push(JSON.stringify({ text, list: [text, 1, null], nested: { more: `"${text}\\` } }));
  }
  for (const document of documents) {
    const bytes = Buffer.from(document);
    const json = new JsonCompleteness();
    let at = 0;
    while (at < bytes.length) {
      const size = 1 + Math.floor(next() * maxChunk);
      json.feed(bytes.subarray(at, at + size));
      at += size;
    }
    expect(json.complete(), document).toBe(byteByByte(bytes));
  }
}
