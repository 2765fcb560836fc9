// Remembers the redaction of recent long attribute values, so a value seen twice is scanned once.
import { Redactor } from '@runtrace/core';
import type { AttributeRedaction, AttributeRedactor } from '../run-span-processor-options.js';

/** Values shorter than this are redacted every time: cheap to scan, and they would churn the memo. */
export const MEMO_MIN_CHARS = 512;
/** Most values remembered. */
const MEMO_MAX_ENTRIES = 256;
/** Most characters of values (inputs and outputs) remembered in total. */
const MEMO_MAX_CHARS = 2_000_000;

interface MemoEntry {
  readonly key: string;
  readonly result: AttributeRedaction;
  readonly chars: number;
}

/**
 * A bounded memo of `redactAttribute(key, value)` for long values. It is only used with a
 * redactor whose result depends on nothing but `(key, value)` (the core `Redactor`: its rules are
 * fixed at construction), so a hit returns exactly what a new scan would. It saves the second
 * scan of a value that a live snapshot already redacted and that has not changed before the span
 * ends, and the scans of values that repeat from span to span (tool definitions, system
 * instructions, a history re-sent unchanged).
 *
 * Keyed by the value string: a repeated lookup of the same string object costs a pointer compare
 * (V8 caches a string's hash on it); an equal string with another identity costs one compare.
 */
export class RedactionMemo implements AttributeRedactor {
  readonly #entries = new Map<string, MemoEntry>();
  #chars = 0;
  hits = 0;

  /** The redactor's `redactAttribute` is the core one, whose cheap check `unchanged` may stand in for it. */
  readonly #checkable: boolean;

  constructor(readonly redactor: Redactor) {
    this.#checkable = redactor.redactAttribute === Redactor.prototype.redactAttribute;
  }

  /**
   * Whether the redactor returns `value` unchanged by its cheap check alone (nothing allocated);
   * always `false` for a subclass with a `redactAttribute` of its own.
   */
  unchanged(key: string, value: string): boolean {
    return this.#checkable && this.redactor.attributeUnchanged(key, value);
  }

  redactAttribute(key: string, value: string): AttributeRedaction {
    if (value.length < MEMO_MIN_CHARS) return this.redactor.redactAttribute(key, value);
    const found = this.#entries.get(value);
    if (found !== undefined && found.key === key) {
      this.hits += 1;
      // Most recently used last, so eviction drops the least recently used.
      this.#entries.delete(value);
      this.#entries.set(value, found);
      return found.result;
    }
    const result = this.redactor.redactAttribute(key, value);
    const chars = value.length + (result.value === value ? 0 : result.value.length);
    if (chars > MEMO_MAX_CHARS) return result;
    if (found !== undefined) this.#forget(value, found);
    this.#entries.set(value, { key, result, chars });
    this.#chars += chars;
    while (this.#entries.size > MEMO_MAX_ENTRIES || this.#chars > MEMO_MAX_CHARS) {
      const oldest = this.#entries.entries().next();
      if (oldest.done === true) break;
      this.#forget(oldest.value[0], oldest.value[1]);
    }
    return result;
  }

  get size(): number {
    return this.#entries.size;
  }

  get chars(): number {
    return this.#chars;
  }

  #forget(value: string, entry: MemoEntry): void {
    this.#entries.delete(value);
    this.#chars -= entry.chars;
  }
}
