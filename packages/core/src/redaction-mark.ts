// Marks attribute values that runtrace's instrumentation already redacted, so the processor's
// safety-net pass can skip them when it would apply the very same redactor again.

const MARK = Symbol.for('runtrace.redacted-values');

interface Mark {
  readonly redactor: object;
  /**
   * Keys and values, alternating. A span marks a handful of values, so a scan is as quick as a
   * map's lookup, and the mark, which lives as long as the span, stays small.
   */
  readonly entries: string[];
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
    mark = { redactor, entries: [key, value] };
    target[MARK] = mark;
    return;
  }
  const entries = mark.entries;
  const at = indexOfKey(entries, key);
  if (at === -1) entries.push(key, value);
  else entries[at + 1] = value;
}

/** Where `key` sits in alternating keys and values, or -1. */
function indexOfKey(entries: readonly string[], key: string): number {
  for (let index = 0; index < entries.length; index += 2) {
    if (entries[index] === key) return index;
  }
  return -1;
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
  if (mark === undefined || mark.redactor !== redactor || typeof value !== 'string') return false;
  const at = indexOfKey(mark.entries, key);
  return at !== -1 && mark.entries[at + 1] === value;
}
