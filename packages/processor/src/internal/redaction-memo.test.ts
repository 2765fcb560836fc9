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
});
