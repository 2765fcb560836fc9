import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { fixtureBytes, mutateJson } from './__fixtures__/wire-harness.js';
import { parseJsonPrefix } from './parse-json-prefix.js';

describe('parseJsonPrefix', () => {
  it('returns a whole document as JSON.parse does, marked complete', () => {
    expect(parseJsonPrefix(' {"a": [1, "x", null, true]} ')).toEqual({ value: { a: [1, 'x', null, true] }, complete: true });
  });

  it('keeps the complete members of a cut document and drops the cut value', () => {
    expect(parseJsonPrefix('{"model":"gpt-4o","messages":[{"role":"user","content":"Hel')).toEqual({
      value: { model: 'gpt-4o', messages: [{ role: 'user' }] },
      complete: false,
    });
    expect(parseJsonPrefix('{"max_tokens": 12').value).toEqual({});
    expect(parseJsonPrefix('{"stream": tr').value).toEqual({});
    expect(parseJsonPrefix('{"a": "x\\"').value).toEqual({});
    expect(parseJsonPrefix('[1, 2, {"b": [3').value).toEqual([1, 2, { b: [] }]);
  });

  it('stops at a syntax error, keeping what came before', () => {
    expect(parseJsonPrefix('{"a": 1, "b": oops, "c": 3}')).toEqual({ value: { a: 1 }, complete: false });
    expect(parseJsonPrefix('not json')).toEqual({ value: undefined, complete: false });
    expect(parseJsonPrefix('')).toEqual({ value: undefined, complete: false });
  });

  it('keeps a "__proto__" key as data', () => {
    const value = parseJsonPrefix('{"__proto__": {"polluted": true}, "a": 1').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('survives hostile nesting', () => {
    expect(parseJsonPrefix('['.repeat(100_000)).complete).toBe(false);
  });

  it('never throws, and every prefix of a real body reads as a prefix of the body', () => {
    const text = new TextDecoder().decode(fixtureBytes('anthropic-messages-request.json')).trimEnd();
    const full = JSON.parse(text) as { model: string };
    for (let end = 0; end < text.length; end += 1) {
      const { value, complete } = parseJsonPrefix(text.slice(0, end));
      expect(complete).toBe(false);
      // The first member is complete as soon as its value is.
      if (end > text.indexOf(full.model) + full.model.length + 1) expect(value).toMatchObject({ model: full.model });
    }
    const random = createSeededRandom(3);
    for (let round = 0; round < 200; round += 1) {
      const mutated = JSON.stringify(mutateJson(full, random));
      const cut = mutated.slice(0, Math.floor(random() * mutated.length));
      expect(() => parseJsonPrefix(cut)).not.toThrow();
    }
  });
});
