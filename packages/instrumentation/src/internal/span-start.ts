// Starts runtrace's own spans without the SDK's per-value copy of the attributes runtrace built itself.
import type { Attributes, Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { RuntraceAttributes } from '@runtrace/core';

/**
 * The attributes span processors get when the span starts (kind and `in_progress` status for any
 * processor, ids for the registry of `RunSpanProcessor`): they go through the SDK like any other library's.
 */
const IDENTITY_KEYS = [
  RuntraceAttributes.SPAN_KIND,
  RuntraceAttributes.STATUS,
  RuntraceAttributes.RUN_ID,
  RuntraceAttributes.STEP_ID,
  RuntraceAttributes.RUN_PARENT_RUN_ID,
] as const;

/** Fewer attributes than any runtrace span can carry: under such a limit the SDK decides what to drop. */
const OWN_ATTRIBUTES_MAX = 128;

/** The parts of the SDK's span that a direct write touches (`@opentelemetry/sdk-trace`'s `SpanImpl`). */
interface SdkSpanRecord {
  readonly attributes: Attributes;
  readonly ended: boolean;
  readonly _spanLimits: { readonly attributeCountLimit?: number; readonly attributeValueLengthLimit?: number };
  _attributesCount: number;
}

/** The SDK span's attribute record, when writing `count` more attributes into it is exactly what `setAttributes` would do. */
function writableRecord(span: Span, count: number): SdkSpanRecord | undefined {
  const candidate = span as Partial<SdkSpanRecord>;
  if (candidate.ended !== false || typeof candidate.attributes !== 'object' || candidate.attributes === null) return undefined;
  // A record the SDK does not let its own code write to either.
  if (!Object.isExtensible(candidate.attributes)) return undefined;
  const limits = candidate._spanLimits;
  if (typeof limits !== 'object' || limits === null || typeof candidate._attributesCount !== 'number') return undefined;
  // A configured value-length limit truncates strings, and a low count limit drops attributes: the SDK does both.
  if ((limits.attributeValueLengthLimit ?? Infinity) !== Infinity) return undefined;
  const countLimit = limits.attributeCountLimit ?? OWN_ATTRIBUTES_MAX;
  if (countLimit < OWN_ATTRIBUTES_MAX || candidate._attributesCount + count > countLimit) return undefined;
  return candidate as SdkSpanRecord;
}

/**
 * Starts a span whose `own` attributes runtrace built itself (strings, numbers, booleans and
 * arrays of them, never shared with the caller). The OpenTelemetry SDK copies and checks every
 * attribute value twice at start, allocating two `WeakSet`s per value, which made a third of
 * everything a traced run allocated and set how much memory a burst of runs took. So only the
 * identifying attributes, and the caller's `extra` attributes (checked as usual; runtrace's win
 * on a clash), go through the SDK; the others are written into the new span's attribute record
 * before anything else sees the span. Span processors see the identifying and extra attributes in
 * `onStart` and every attribute from then on; samplers see the identifying and extra ones. Any
 * other span (another SDK, a configured value-length limit) gets them through `setAttributes`.
 */
export function startOwnSpan(tracer: Tracer, name: string, options: SpanOptions, own: Attributes, extra: Attributes | undefined, parent: Context): Span {
  const initial: Attributes = extra === undefined ? {} : { ...extra };
  for (const key of IDENTITY_KEYS) {
    const value = own[key];
    if (value !== undefined) initial[key] = value;
  }
  const span = tracer.startSpan(name, { ...options, attributes: initial }, parent);
  writeOwn(span, own);
  return span;
}

/** Nothing to write: what {@link setOwnAttributes} hands to the span's own `setAttributes` to announce its write. */
const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Writes attributes runtrace built itself (strings, numbers, booleans and arrays of them, never
 * shared with the caller) onto a span it started and has not ended, as `setAttributes` would.
 * Where the SDK would store them as they are, they are written into the span's attribute record
 * directly, without the SDK's copy and check of every value (a `WeakSet` per value); the span's
 * own `setAttributes` is still called, with no attributes, so that a wrapper a span processor
 * put on it (`RunSpanProcessor` counts each write as the span's activity and refuses writes to
 * an ended span) sees the write. Any other span gets them through `setAttributes`. Never throws.
 */
export function setOwnAttributes(span: Span, own: Attributes): void {
  try {
    // A status goes through the span's methods: a processor may refuse to change a terminal one.
    if (own[RuntraceAttributes.STATUS] !== undefined || writableRecord(span, 0) === undefined) {
      span.setAttributes(own);
      return;
    }
    span.setAttributes(NO_ATTRIBUTES);
    writeOwn(span, own);
  } catch {
    // A span that refuses attributes keeps what it has: recording never throws into the application.
  }
}

/** Writes `own` into the span's record when that is what the SDK would do, else through `setAttributes`. */
function writeOwn(span: Span, own: Attributes): void {
  let count = 0;
  for (const key in own) if (own[key] !== undefined) count += 1;
  const record = writableRecord(span, count);
  if (record === undefined) {
    try {
      span.setAttributes(own);
    } catch {
      // A span that refuses attributes keeps what it has: recording never throws into the application.
    }
    return;
  }
  const attributes = record.attributes as Record<string, unknown>;
  let added = 0;
  for (const key in own) {
    const value = own[key];
    if (value === undefined) continue;
    if (!Object.hasOwn(attributes, key)) added += 1;
    attributes[key] = value;
  }
  record._attributesCount += added;
}
