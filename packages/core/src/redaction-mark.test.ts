import { describe, expect, it } from 'vitest';
import { isMarkedRedacted, markRedacted } from './redaction-mark.js';
import { Redactor, defaultRedactor } from './redactor.js';

describe('markRedacted / isMarkedRedacted', () => {
  it('recognises exactly the marked value, for the redactor that produced it', () => {
    const span = {};
    markRedacted(span, defaultRedactor, 'runtrace.attempt.request.headers', '{"authorization":"[REDACTED]"}');
    expect(isMarkedRedacted(span, defaultRedactor, 'runtrace.attempt.request.headers', '{"authorization":"[REDACTED]"}')).toBe(true);
    // Overwritten by the application afterwards: not known redacted.
    expect(isMarkedRedacted(span, defaultRedactor, 'runtrace.attempt.request.headers', '{"authorization":"Bearer x"}')).toBe(false);
    // Another key, another redactor, another span: not known.
    expect(isMarkedRedacted(span, defaultRedactor, 'other', '{"authorization":"[REDACTED]"}')).toBe(false);
    expect(isMarkedRedacted(span, new Redactor(), 'runtrace.attempt.request.headers', '{"authorization":"[REDACTED]"}')).toBe(false);
    expect(isMarkedRedacted({}, defaultRedactor, 'runtrace.attempt.request.headers', '{"authorization":"[REDACTED]"}')).toBe(false);
  });

  it('keeps one value per key, the latest, and never takes a value for a key', () => {
    const span = {};
    markRedacted(span, defaultRedactor, 'a', 'b');
    markRedacted(span, defaultRedactor, 'b', 'c');
    expect(isMarkedRedacted(span, defaultRedactor, 'a', 'b')).toBe(true);
    expect(isMarkedRedacted(span, defaultRedactor, 'b', 'c')).toBe(true);
    // 'b' is a value under 'a', not a key with the value 'c' after it.
    expect(isMarkedRedacted(span, defaultRedactor, 'b', 'b')).toBe(false);
    markRedacted(span, defaultRedactor, 'a', 'x');
    expect(isMarkedRedacted(span, defaultRedactor, 'a', 'b')).toBe(false);
    expect(isMarkedRedacted(span, defaultRedactor, 'a', 'x')).toBe(true);
    expect(isMarkedRedacted(span, defaultRedactor, 'b', 'c')).toBe(true);
    // Marked by another redactor: the earlier marks no longer count.
    const other = new Redactor();
    markRedacted(span, other, 'a', 'x');
    expect(isMarkedRedacted(span, defaultRedactor, 'a', 'x')).toBe(false);
    expect(isMarkedRedacted(span, other, 'a', 'x')).toBe(true);
    expect(isMarkedRedacted(span, other, 'b', 'c')).toBe(false);
    expect(isMarkedRedacted(span, other, 'a', 1)).toBe(false);
  });
});
