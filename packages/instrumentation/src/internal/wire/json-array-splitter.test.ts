import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { fixtureBytes, randomBytes, randomPieces, utf8 } from './__fixtures__/wire-harness.js';
import { JsonArraySplitter } from './json-array-splitter.js';

function split(pieces: readonly (string | Uint8Array)[], maxElementBytes?: number): { elements: string[]; skipped: number; done: boolean } {
  const elements: string[] = [];
  const splitter = new JsonArraySplitter(
    maxElementBytes === undefined ? { onElement: (text) => elements.push(text) } : { onElement: (text) => elements.push(text), maxElementBytes },
  );
  for (const piece of pieces) splitter.push(typeof piece === 'string' ? utf8(piece) : piece);
  return { elements, skipped: splitter.skippedElements, done: splitter.done };
}

describe('JsonArraySplitter', () => {
  it("hands over each element of Gemini's streamed array as it completes", () => {
    const bytes = fixtureBytes('gemini-stream.json');
    const { elements, done } = split([bytes]);
    expect(elements).toHaveLength(2);
    expect(done).toBe(true);
    const first = JSON.parse(elements[0]!) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(first.candidates[0]!.content.parts[0]!.text).toBe("I'll find");
  });

  it('gives an element before the array ends (no buffering of the whole array)', () => {
    const elements: string[] = [];
    const splitter = new JsonArraySplitter({ onElement: (text) => elements.push(text) });
    splitter.push(utf8('[{"a": "}]"}\n,\r\n{"b"'));
    expect(elements).toEqual(['{"a": "}]"}']);
    splitter.push(utf8(': [1, {"c": "\\"]"}]}\n]'));
    expect(elements).toEqual(['{"a": "}]"}', '{"b": [1, {"c": "\\"]"}]}']);
    expect(splitter.done).toBe(true);
  });

  it('gives the same elements at every split offset and byte by byte', () => {
    const bytes = fixtureBytes('gemini-stream.json');
    const reference = split([bytes]);
    for (let offset = 0; offset <= bytes.length; offset += 1) {
      expect(split([bytes.subarray(0, offset), bytes.subarray(offset)])).toEqual(reference);
    }
    expect(split(Array.from(bytes, (byte) => new Uint8Array([byte])))).toEqual(reference);
  });

  it('reads a top-level object (an error body) as one element, and stops at anything else', () => {
    expect(split(['{"error": {"code": 429}}']).elements).toEqual(['{"error": {"code": 429}}']);
    expect(split(['data: {"a":1}']).elements).toEqual([]);
    expect(split(['[}, {"a":1}]']).elements).toEqual([]);
    expect(split(['[1, "two", {"x":3}]']).elements).toEqual(['1', '"two"', '{"x":3}']);
  });

  it('skips an element over the bound and keeps reading after it', () => {
    const big = JSON.stringify({ text: 'x'.repeat(300) });
    const { elements, skipped } = split([`[{"a":1},${big.slice(0, 100)}`, `${big.slice(100)},{"b":2}]`], 100);
    expect(elements).toEqual(['{"a":1}', '{"b":2}']);
    expect(skipped).toBe(1);
  });

  it('never throws, and gives the same elements however random bytes are cut', () => {
    const random = createSeededRandom(5);
    for (let round = 0; round < 300; round += 1) {
      const bytes = new Uint8Array([0x5b, ...randomBytes(random, Math.floor(random() * 300))]);
      const whole = split([bytes], 80);
      expect(split(randomPieces(bytes, random), 80)).toEqual(whole);
      for (const element of whole.elements) expect(utf8(element).length).toBeLessThanOrEqual(80 * 3);
    }
  });
});
