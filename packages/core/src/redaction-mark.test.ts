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
});
