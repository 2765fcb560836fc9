// The one place where span contents go through the redactor: attributes, name, status message, events, links.
import type { Attributes, Link, SpanStatus } from '@opentelemetry/api';
import type { TimedEvent } from '@opentelemetry/sdk-trace';
import { REDACTED, RuntraceAttributes } from '@runtrace/core';
import { isMarkedRedacted } from '@runtrace/core/internal';
import type { AttributeRedactor } from '../run-span-processor-options.js';
import { RedactionMemo } from './redaction-memo.js';

/** Pseudo attribute keys under which the span name and status message are redacted (free text rules). */
const NAME_KEY = 'span.name';
const STATUS_MESSAGE_KEY = 'span.status.message';
/** Nesting depth of attribute values that is redacted rule by rule. */
const MAX_DEPTH = 8;

/** The parts of a span that redaction reads; `attributes` is rewritten in place. */
export interface RedactionTarget {
  readonly name: string;
  readonly attributes: Attributes;
  readonly status: SpanStatus;
  readonly events: readonly TimedEvent[];
  readonly links: readonly Link[];
}

/** What changed; parts other than attributes are returned as replacements for the caller to apply. */
export interface RedactionOutcome {
  readonly maskedCount: number;
  readonly rules: ReadonlySet<string> | undefined;
  readonly name?: string;
  readonly status?: SpanStatus;
  readonly events?: TimedEvent[];
  readonly links?: Link[];
}

class Tally {
  maskedCount = 0;
  rules: Set<string> | undefined;

  constructor(readonly redactor: AttributeRedactor) {}

  text(key: string, value: string): string {
    // Most values need no redaction: the core redactor says so without building a result.
    if (this.redactor instanceof RedactionMemo && this.redactor.unchanged(key, value)) return value;
    const result = this.redactor.redactAttribute(key, value);
    if (result.maskedCount > 0) {
      this.maskedCount += result.maskedCount;
      if (result.rules !== undefined && result.rules.length > 0) {
        this.rules ??= new Set();
        for (const rule of result.rules) this.rules.add(rule);
      }
    }
    return result.value;
  }

  /**
   * Returns the redacted value, or `undefined` when it is unchanged. Attribute values may be
   * strings, arrays or (with API 1.10's AnyValue) nested maps; every string inside is redacted,
   * nested map entries under `<key>.<entry>`. Beyond {@link MAX_DEPTH} strings are masked whole.
   */
  value(key: string, value: unknown, depth = 0): unknown {
    if (typeof value === 'string') {
      if (depth > MAX_DEPTH) return this.maskWhole(value);
      const redacted = this.text(key, value);
      return redacted === value ? undefined : redacted;
    }
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return undefined;
    if (Array.isArray(value)) {
      // A loop, not forEach with an arrow: a closure here would make every call allocate a context, strings included.
      let items: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const redacted = this.value(key, value[index], depth + 1);
        if (redacted === undefined) continue;
        items ??= [...(value as unknown[])];
        items[index] = redacted;
      }
      return items;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [entryKey, entryValue] of Object.entries(value)) {
      const redacted = this.value(`${key}.${entryKey}`, entryValue, depth + 1);
      if (redacted === undefined) continue;
      copy ??= { ...(value as Record<string, unknown>) };
      copy[entryKey] = redacted;
    }
    return copy;
  }

  maskWhole(value: string): string | undefined {
    if (value === '' || value === REDACTED) return undefined;
    this.maskedCount += 1;
    return REDACTED;
  }

  /**
   * Redacts a record in place; returns whether anything changed. Values marked on `knownSpan` as
   * `knownRedactor`'s output already are skipped (redacting them again changes nothing).
   */
  attributesInPlace(attributes: Attributes, knownSpan?: object, knownRedactor?: object): boolean {
    let changed = false;
    for (const key of Object.keys(attributes)) {
      if (knownSpan !== undefined && knownRedactor !== undefined && isMarkedRedacted(knownSpan, knownRedactor, key, attributes[key])) continue;
      const redacted = this.value(key, attributes[key]);
      if (redacted !== undefined) {
        attributes[key] = redacted;
        changed = true;
      }
    }
    return changed;
  }

  /** A redacted copy of a record, or `undefined` when nothing changed. */
  attributesCopy(attributes: Attributes | undefined): Attributes | undefined {
    if (attributes === undefined) return undefined;
    let copy: Attributes | undefined;
    for (const key of Object.keys(attributes)) {
      const redacted = this.value(key, attributes[key]);
      if (redacted !== undefined) {
        copy ??= { ...attributes };
        copy[key] = redacted;
      }
    }
    return copy;
  }
}

/**
 * Redacts every string (and string array) attribute in place, and returns redacted replacements
 * for the name, status message, events and links (new objects, so nothing the application
 * handed in is mutated). Attribute values marked on `knownSpan` as `knownRedactor`'s output are
 * skipped. (Two arguments rather than one object: no allocation for every span that ends.)
 */
export function redactSpanParts(
  target: RedactionTarget,
  redactor: AttributeRedactor,
  knownSpan?: object,
  knownRedactor?: object,
): RedactionOutcome {
  const tally = new Tally(redactor);
  tally.attributesInPlace(target.attributes, knownSpan, knownRedactor);

  const name = tally.text(NAME_KEY, target.name);
  let status: SpanStatus | undefined;
  if (typeof target.status.message === 'string' && target.status.message !== '') {
    const message = tally.text(STATUS_MESSAGE_KEY, target.status.message);
    if (message !== target.status.message) status = { ...target.status, message };
  }

  // Loops, not forEach with arrows: a closure would make every span allocate a context.
  let events: TimedEvent[] | undefined;
  const targetEvents = target.events;
  for (let index = 0; index < targetEvents.length; index++) {
    const event = targetEvents[index]!;
    const attributes = tally.attributesCopy(event.attributes);
    if (attributes === undefined) continue;
    events ??= [...targetEvents];
    events[index] = { ...event, attributes };
  }

  let links: Link[] | undefined;
  const targetLinks = target.links;
  for (let index = 0; index < targetLinks.length; index++) {
    const link = targetLinks[index]!;
    const attributes = tally.attributesCopy(link.attributes);
    if (attributes === undefined) continue;
    links ??= [...targetLinks];
    links[index] = { ...link, attributes };
  }

  const outcome: { -readonly [K in keyof RedactionOutcome]: RedactionOutcome[K] } = {
    maskedCount: tally.maskedCount,
    rules: tally.rules,
  };
  if (name !== target.name) outcome.name = name;
  if (status !== undefined) outcome.status = status;
  if (events !== undefined) outcome.events = events;
  if (links !== undefined) outcome.links = links;
  return outcome;
}

/**
 * Records the masked count on the span (added to any count already there, so a second
 * processor or the instrumentation's own redaction is not lost) and the rules that matched.
 */
export function recordMasking(attributes: Attributes, outcome: RedactionOutcome): void {
  if (outcome.maskedCount <= 0) return;
  const previous = attributes[RuntraceAttributes.REDACTION_MASKED_COUNT];
  attributes[RuntraceAttributes.REDACTION_MASKED_COUNT] =
    (typeof previous === 'number' && Number.isFinite(previous) ? previous : 0) + outcome.maskedCount;
  if (outcome.rules !== undefined && outcome.rules.size > 0) {
    const previousRules = attributes[RuntraceAttributes.REDACTION_RULES];
    const rules = new Set<string>(Array.isArray(previousRules) ? previousRules.filter((rule) => typeof rule === 'string') : []);
    for (const rule of outcome.rules) rules.add(rule);
    attributes[RuntraceAttributes.REDACTION_RULES] = [...rules].sort();
  }
}
