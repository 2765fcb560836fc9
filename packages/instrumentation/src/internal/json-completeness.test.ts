import { describe, expect, it } from 'vitest';
import { JsonCompleteness } from './json-completeness.js';

function check(...chunks: string[]): boolean {
  const json = new JsonCompleteness();
  for (const chunk of chunks) json.feed(Buffer.from(chunk));
  return json.complete();
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
});
