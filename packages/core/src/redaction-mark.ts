// Marks attribute values that runtrace's instrumentation already redacted, so the processor's
// safety-net pass can skip them when it would apply the very same redactor again.

const MARK = Symbol.for('runtrace.redacted-values');

interface Mark {
  readonly redactor: object;
  readonly values: Map<string, string>;
}

type Marked = Record<symbol, Mark | undefined>;

/**
 * Notes that `value`, set on `span` under `key`, is the output of `redactor`. Only an exact
 * later match counts: a value the application overwrote is redacted again.
 *
 * @example
 * span.setAttribute('runtrace.attempt.request.headers', json);
 * markRedacted(span, redactor, 'runtrace.attempt.request.headers', json);
 */
export function markRedacted(span: object, redactor: object, key: string, value: string): void {
  const target = span as Marked;
  let mark = target[MARK];
  if (mark === undefined || mark.redactor !== redactor) {
    mark = { redactor, values: new Map() };
    target[MARK] = mark;
  }
  mark.values.set(key, value);
}

/**
 * Whether `value` under `key` on `span` is known to be `redactor`'s output (redacting it again
 * with the same redactor would change nothing).
 *
 * @example
 * if (!isMarkedRedacted(span, redactor, key, value)) value = redactor.redactAttribute(key, value).value;
 */
export function isMarkedRedacted(span: object, redactor: object, key: string, value: unknown): boolean {
  const mark = (span as Marked)[MARK];
  return mark !== undefined && mark.redactor === redactor && typeof value === 'string' && mark.values.get(key) === value;
}
