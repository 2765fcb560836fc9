import { GenAiAttributes, Redactor } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { fingerprint, MEMO_MIN_CHARS, RedactionMemo } from './redaction-memo.js';

const SECRET = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh';

class CountingRedactor extends Redactor {
  calls = 0;

  override redactAttribute(key: string, value: string): ReturnType<Redactor['redactAttribute']> {
    this.calls += 1;
    return super.redactAttribute(key, value);
  }
}

function longJson(tag: string): string {
  return JSON.stringify([{ role: 'user', content: `${tag} ${SECRET} ${'x'.repeat(MEMO_MIN_CHARS)}` }]);
}

describe('RedactionMemo', () => {
  it('scans a long value once per key and returns exactly what a scan returns', () => {
    const redactor = new CountingRedactor();
    const memo = new RedactionMemo(redactor);
    const value = longJson('a');
    const first = memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, value);
    const again = memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, `${value}`);
    expect(again).toEqual(first);
    expect(first).toEqual(new Redactor().redactAttribute(GenAiAttributes.INPUT_MESSAGES, value));
    expect(first.value).not.toContain(SECRET);
    expect(first.maskedCount).toBe(1);
    expect(redactor.calls).toBe(1);
    expect(memo.hits).toBe(1);
    // Another key may choose other rules: scanned again.
    memo.redactAttribute('url.full', value);
    expect(redactor.calls).toBe(2);
  });

  it('serves an equal value built anew, and never serves a different value that shares its fingerprint', () => {
    const redactor = new CountingRedactor();
    const memo = new RedactionMemo(redactor);
    const filler = (length: number): string => 'x'.repeat(length);
    const build = (middle: string): string => JSON.stringify([{ role: 'user', content: `${filler(10_000)}${middle}${filler(10_000)}` }]);
    const clean = build(filler(SECRET.length + 2));
    const leaked = build(` ${SECRET} `);
    // The secret stands where the fingerprint reads no character: both values share it.
    expect(leaked.length).toBe(clean.length);
    expect(fingerprint(leaked)).toBe(fingerprint(clean));
    expect(memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, clean).value === clean).toBe(true);
    const second = memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, leaked);
    expect(second.value.includes(SECRET)).toBe(false);
    expect(second.maskedCount).toBe(1);
    expect(redactor.calls).toBe(2);
    // The same text again, as a string of its own (not the same object): served from the memo.
    const rebuilt = build(` ${SECRET} `);
    expect(memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, rebuilt)).toEqual(second);
    expect(redactor.calls).toBe(2);
    expect(memo.hits).toBe(1);
  });

  it('always scans short values', () => {
    const redactor = new CountingRedactor();
    const memo = new RedactionMemo(redactor);
    for (let index = 0; index < 3; index += 1) memo.redactAttribute('http.request.header.authorization', `Bearer ${SECRET}`);
    expect(redactor.calls).toBe(3);
    expect(memo.size).toBe(0);
  });

  it('stays within its entry and character bounds', () => {
    const memo = new RedactionMemo(new Redactor());
    for (let index = 0; index < 1_000; index += 1) memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, longJson(String(index)));
    expect(memo.size).toBeLessThanOrEqual(256);
    const big = `"${'y'.repeat(600_000)}"`;
    for (let index = 0; index < 5; index += 1) memo.redactAttribute(GenAiAttributes.INPUT_MESSAGES, `[${index},${big}]`);
    expect(memo.chars).toBeLessThanOrEqual(2_000_000);
    expect(memo.size).toBeGreaterThan(0);
  });
});

describe('RedactionMemo.unchanged', () => {
  it("answers with the core redactor's cheap check for short values, and never for a subclass's own redactAttribute", () => {
    const memo = new RedactionMemo(new Redactor());
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, 'gpt-4o-mini')).toBe(true);
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, SECRET)).toBe(false);
    expect(memo.unchanged('url.full', 'https://example.test/v1')).toBe(false);
    expect(memo.unchanged('app.payload', '{"a":1}')).toBe(true);
    expect(memo.unchanged('app.payload', '{"password":"x"}')).toBe(false);
    // A value long enough to be remembered is left to the memo, which finds a repeat by one comparison.
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, 'a'.repeat(MEMO_MIN_CHARS))).toBe(false);
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, 'a'.repeat(MEMO_MIN_CHARS - 1))).toBe(true);
    expect(new RedactionMemo(new CountingRedactor()).unchanged(GenAiAttributes.REQUEST_MODEL, 'gpt-4o-mini')).toBe(false);
  });

  it('answers a value equal to the last clean one under its key without a check, and only under that key', () => {
    const redactor = new Redactor();
    const memo = new RedactionMemo(redactor);
    const checks: string[] = [];
    const check = redactor.attributeUnchanged.bind(redactor);
    redactor.attributeUnchanged = (key: string, value: string): boolean => {
      checks.push(key);
      return check(key, value);
    };
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, 'gpt-4o-mini')).toBe(true);
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, `gpt-4o-${'mini'}`)).toBe(true);
    expect(checks).toEqual([GenAiAttributes.REQUEST_MODEL]);
    // The same value under a key whose values are secrets is checked, and masked.
    expect(memo.unchanged('app.password', 'gpt-4o-mini')).toBe(false);
    // A new value under the key is checked: a secret is never taken for the key's clean value.
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, SECRET)).toBe(false);
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, SECRET)).toBe(false);
    // The secret did not take the clean value's place.
    expect(memo.unchanged(GenAiAttributes.REQUEST_MODEL, 'gpt-4o-mini')).toBe(true);
    expect(checks).toEqual([GenAiAttributes.REQUEST_MODEL, 'app.password', GenAiAttributes.REQUEST_MODEL, GenAiAttributes.REQUEST_MODEL]);
  });

  it("agrees with the core redactor's check over many repeated and changing values, past the keys it keeps", () => {
    const memo = new RedactionMemo(new Redactor());
    const plain = new Redactor();
    const values = ['completed', 'gpt-4o-mini', SECRET, `Bearer ${SECRET}`, 'password=hunter22', 'https://u:p@example.test/x?token=abc', '{"a":1}', '{"api_key":"k"}', ''];
    const keys = ['runtrace.status', GenAiAttributes.REQUEST_MODEL, 'url.full', 'app.password', 'app.note', 'http.request.header.authorization'];
    let seed = 11;
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % bound;
    };
    for (let round = 0; round < 3_000; round++) {
      // Ever new keys too, past the number of keys the memo keeps.
      const key = round % 3 === 0 ? `app.field_${round}` : keys[next(keys.length)]!;
      const value = values[next(values.length)]!;
      expect(memo.unchanged(key, value)).toBe(plain.attributeUnchanged(key, value));
    }
  });
});
