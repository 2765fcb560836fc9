// Remembers the redaction of recent long attribute values, so a value seen twice is scanned once.
import { Redactor } from '@runtrace/core';
import type { AttributeRedaction, AttributeRedactor } from '../run-span-processor-options.js';

/** Values shorter than this are redacted every time: cheap to scan, and they would churn the memo. */
export const MEMO_MIN_CHARS = 512;
/** Attribute keys whose last clean short value the memo keeps (see {@link RedactionMemo.unchanged}). */
const CLEAN_KEYS = 1_024;
/** Slots of the memo: a value is remembered in the slot its fingerprint picks. A power of two. */
const MEMO_SLOTS = 256;
/** Most characters of values (inputs and outputs) remembered in total. */
const MEMO_MAX_CHARS = 2_000_000;

/**
 * Characters of a value read into its fingerprint from each end. None from between: a long value
 * that is not in the processor's cache costs a cache miss for each place read in it (eight more
 * places cost about 0.25 µs per span in `benchmarks/processor.ts`, near its noise), and a value
 * that shares its ends and length with another costs only a comparison, which stops at their
 * first difference.
 */
const FINGERPRINT_EDGE = 16;

interface MemoEntry {
  readonly print: number;
  readonly key: string;
  readonly value: string;
  readonly result: AttributeRedaction;
  readonly chars: number;
}

/**
 * A number equal values always share, read from the characters at a value's two ends and its
 * length. The memo is keyed by it rather than by the value: V8 hashes a string from every
 * character (about 2 ns each) the first time it is used as a key, which for a fresh 10 KB value
 * costs about as much as redacting it. Different values may share a fingerprint; the memo
 * compares the whole value before it trusts an entry.
 */
export function fingerprint(value: string): number {
  const length = value.length;
  let hash = Math.imul(length, 0x9e3779b1);
  const edge = Math.min(FINGERPRINT_EDGE, length);
  for (let index = 0; index < edge; index++) {
    hash = mix(mix(hash, value.charCodeAt(index)), value.charCodeAt(length - 1 - index));
  }
  return hash;
}

function mix(hash: number, code: number): number {
  const mixed = Math.imul(hash ^ code, 0x85ebca6b);
  return mixed ^ (mixed >>> 13);
}

/**
 * A bounded memo of `redactAttribute(key, value)` for long values. It is only used with a
 * redactor whose result depends on nothing but `(key, value)` (the core `Redactor`: its rules are
 * fixed at construction), so a hit returns exactly what a new scan would. It saves the second
 * scan of a value that a live snapshot already redacted and that has not changed before the span
 * ends, and the scans of values that repeat from span to span (tool definitions, system
 * instructions, a history re-sent unchanged).
 *
 * Keyed by the value's {@link fingerprint}: a miss costs 32 character reads, a hit one
 * comparison of the whole value (a pointer compare when it is the same string object). The
 * fingerprint picks one slot; a new value replaces what its slot held. No list of recent use is
 * kept: for values that never repeat (a history that grows every step) the memo costs little more
 * than the fingerprint.
 */
export class RedactionMemo implements AttributeRedactor {
  readonly #slots: (MemoEntry | undefined)[] = new Array<MemoEntry | undefined>(MEMO_SLOTS).fill(undefined);
  #size = 0;
  #chars = 0;
  /** The next slot emptied when the characters remembered pass {@link MEMO_MAX_CHARS}. */
  #sweep = 0;
  hits = 0;

  /** The redactor's `redactAttribute` is the core one, whose cheap check `unchanged` may stand in for it. */
  readonly #checkable: boolean;
  /** The last short value found unchanged under each key (never a value the redactor would change). */
  readonly #clean = new Map<string, string>();

  constructor(readonly redactor: Redactor) {
    this.#checkable = redactor.redactAttribute === Redactor.prototype.redactAttribute;
  }

  /**
   * Whether the redactor returns `value` unchanged by its cheap check alone (nothing allocated);
   * always `false` for a subclass with a `redactAttribute` of its own, and for values long enough
   * to be remembered: a remembered one is found at the cost of a comparison, cheaper than the
   * check's scan (`redactAttribute` still runs the check first on a value it has not seen).
   */
  unchanged(key: string, value: string): boolean {
    if (!this.#checkable || value.length >= MEMO_MIN_CHARS) return false;
    // Most short values repeat from span to span under their key (kinds, statuses, models,
    // addresses): one equal to the key's last clean value needs no check.
    if (this.#clean.get(key) === value) return true;
    if (!this.redactor.attributeUnchanged(key, value)) return false;
    // Bounded: spans with ever new keys make the memory start over.
    if (this.#clean.size >= CLEAN_KEYS && !this.#clean.has(key)) this.#clean.clear();
    this.#clean.set(key, value);
    return true;
  }

  redactAttribute(key: string, value: string): AttributeRedaction {
    if (value.length < MEMO_MIN_CHARS) return this.redactor.redactAttribute(key, value);
    const print = fingerprint(value);
    const slot = print & (MEMO_SLOTS - 1);
    const found = this.#slots[slot];
    if (found !== undefined && found.print === print && found.key === key && found.value === value) {
      this.hits += 1;
      return found.result;
    }
    const result = this.redactor.redactAttribute(key, value);
    const chars = value.length + (result.value === value ? 0 : result.value.length);
    if (chars > MEMO_MAX_CHARS) return result;
    if (found !== undefined) this.#forget(slot, found);
    this.#slots[slot] = { print, key, value, result, chars };
    this.#size += 1;
    this.#chars += chars;
    // Slots after this one are emptied in turn until the characters fit (never this one: it
    // fits alone).
    while (this.#chars > MEMO_MAX_CHARS) {
      this.#sweep = (this.#sweep + 1) & (MEMO_SLOTS - 1);
      const entry = this.#slots[this.#sweep];
      if (entry !== undefined && this.#sweep !== slot) this.#forget(this.#sweep, entry);
    }
    return result;
  }

  get size(): number {
    return this.#size;
  }

  get chars(): number {
    return this.#chars;
  }

  #forget(slot: number, entry: MemoEntry): void {
    this.#slots[slot] = undefined;
    this.#size -= 1;
    this.#chars -= entry.chars;
  }
}
