// Redaction as the processor applies it: to a live span as it ends and to copies (ingested spans,
// live snapshots), counting the spans and values masked.
import type { Attributes, Link } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import type { AttributeRedactor } from '../run-span-processor-options.js';
import type { RedactionOutcome } from './redaction.js';
import { recordMasking, redactSpanParts } from './redaction.js';
import type { SpanCopy } from './span-copy.js';
import { copySpan } from './span-copy.js';

export class SpanRedaction {
  readonly #redactor: AttributeRedactor;
  /** The redactor as given (before memoization), to recognise values the instrumentation redacted with it. */
  readonly #knownRedactor: object;
  /** Spans on which at least one value was masked. */
  redactedSpans = 0;
  /** Values masked in total. */
  maskedValues = 0;

  constructor(redactor: AttributeRedactor, knownRedactor: object) {
    this.#redactor = redactor;
    this.#knownRedactor = knownRedactor;
  }

  /** Redacts a span as it ends (in `onEnding`, where the processor's own writes pass the write-once guard). */
  redactLive(span: Span): void {
    const outcome = redactSpanParts(span, this.#redactor, span, this.#knownRedactor);
    if (outcome.name !== undefined) span.updateName(outcome.name);
    if (outcome.status !== undefined) span.setStatus(outcome.status);
    if (outcome.events !== undefined) span.events.splice(0, span.events.length, ...outcome.events);
    // The links array may be the application's own; replace it rather than edit it.
    if (outcome.links !== undefined) (span as unknown as { links: Link[] }).links = outcome.links;
    this.#count(span.attributes, outcome);
  }

  /** Redacts a copy in place; `counted` adds it to the stats (not for live snapshots, counted when the span ends). */
  redactCopy(copy: SpanCopy, counted: boolean): void {
    const outcome = redactSpanParts(copy, this.#redactor);
    if (outcome.name !== undefined) copy.name = outcome.name;
    if (outcome.status !== undefined) copy.status = outcome.status;
    if (outcome.events !== undefined) copy.events = outcome.events;
    if (outcome.links !== undefined) copy.links = outcome.links;
    if (counted) this.#count(copy.attributes, outcome);
    else recordMasking(copy.attributes, outcome);
  }

  /** A redacted copy of an in-flight span, for live events. */
  snapshot(span: ReadableSpan): ReadableSpan {
    const copy = copySpan(span, false);
    this.redactCopy(copy, false);
    return copy;
  }

  #count(attributes: Attributes, outcome: RedactionOutcome): void {
    if (outcome.maskedCount <= 0) return;
    recordMasking(attributes, outcome);
    this.redactedSpans += 1;
    this.maskedValues += outcome.maskedCount;
  }
}
