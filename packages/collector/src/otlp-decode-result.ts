// The outcome of decoding one OTLP trace export request, and the limits applied while decoding.
import type { OtlpDecodeError } from '@runtrace/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** The payload decoded; some spans may have been rejected (OTLP partial success). */
export interface OtlpDecodeSuccess {
  readonly ok: true;
  /** The accepted spans, in payload order. */
  readonly spans: ReadableSpan[];
  /** How many spans were rejected (invalid ids, no end time, end before start, implausible times). */
  readonly rejectedSpans: number;
  /** Why spans were rejected (the first few distinct reasons); '' when none were. */
  readonly errorMessage: string;
  /**
   * Attributes left out over a count limit (span, event, link, resource and scope attributes);
   * the span's, event's or link's `droppedAttributesCount` includes its own.
   */
  readonly droppedAttributes: number;
  /** Events left out over `eventCountLimit`; each span's `droppedEventsCount` includes them. */
  readonly droppedEvents: number;
  /** Links left out over `linkCountLimit` or for invalid ids; each span's `droppedLinksCount` includes them. */
  readonly droppedLinks: number;
  /** Attribute values cut short: lists over `maxValueElements`, strings over `attributeValueLengthLimit`. */
  readonly truncatedValues: number;
}

/** The payload could not be decoded at all; nothing in it is used. */
export interface OtlpDecodeFailure {
  readonly ok: false;
  /**
   * `'malformed'`: the payload breaks the OTLP encoding rules; `'too-large'`: it would decode to
   * more than `maxExpansion` times its own size.
   */
  readonly reason: 'malformed' | 'too-large';
  readonly error: OtlpDecodeError;
}

/** Decoders never throw on a payload: they return one of these. */
export type OtlpDecodeResult = OtlpDecodeSuccess | OtlpDecodeFailure;

/**
 * Limits applied while decoding. The span limits follow OpenTelemetry's `SpanLimits` (names and
 * defaults): past a count limit the first entries are kept, the rest are left out and counted in
 * the span's `dropped*Count`.
 */
export interface OtlpDecodeOptions {
  /**
   * How deeply attribute values (arrays and key-value lists) may nest before the payload is
   * rejected as undecodable.
   * @default 32
   */
  readonly maxDepth?: number;
  /**
   * Elements one attribute value may hold, nested arrays and key-value lists counted together;
   * the elements past it are left out and the value counts as truncated.
   * @default 10_000
   */
  readonly maxValueElements?: number;
  /**
   * Longest string attribute value (also strings inside arrays and lists), in UTF-16 code units;
   * longer ones are cut.
   * @default Infinity
   */
  readonly attributeValueLengthLimit?: number;
  /** Attributes kept per span (and per resource). @default 128 */
  readonly attributeCountLimit?: number;
  /** Events kept per span. @default 128 */
  readonly eventCountLimit?: number;
  /** Links kept per span. @default 128 */
  readonly linkCountLimit?: number;
  /** Attributes kept per event. @default 128 */
  readonly attributePerEventCountLimit?: number;
  /** Attributes kept per link. @default 128 */
  readonly attributePerLinkCountLimit?: number;
  /**
   * How many times its own size a payload may grow to once decoded (an estimate of the objects
   * built, at least 64 KiB); past it the payload is refused as too large.
   * @default 16
   */
  readonly maxExpansion?: number;
  /**
   * Spans that start before this time (milliseconds since the epoch) are rejected as
   * implausible.
   * @default Date.UTC(2000, 0, 1)
   */
  readonly earliestStartMs?: number;
  /**
   * Spans that end more than this many milliseconds after `clock.now()` are rejected as
   * implausible.
   * @default 86_400_000 (one day)
   */
  readonly maxFutureMs?: number;
  /** The clock the future limit is measured against. @default Date */
  readonly clock?: { now(): number };
}

/** The two OTLP/HTTP encodings; answers use the encoding of the request. */
export type OtlpEncoding = 'protobuf' | 'json';
