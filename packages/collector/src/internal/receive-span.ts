// Validates what a decoder read for one span and builds it: the part both OTLP decoders share.
import type { Attributes, HrTime, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import { ReceivedSpan, hrTimeBefore, otlpKindToSpanKind, otlpStatusCode, type ReceivedSpanFields, type RejectionLog } from './received-span.js';

/** Bits 8 and 9 of OTLP span flags say whether the parent context was remote. */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;
/** Spans without flags were exported, hence sampled. */
const DEFAULT_TRACE_FLAGS = 1;

/** One span as a decoder read it, before validation. */
export interface DecodedSpan extends Omit<ReceivedSpanFields, 'kind' | 'spanContext' | 'parentSpanContext'> {
  /** Lower-case hex; '' when missing, malformed or all zeros. */
  readonly traceId: string;
  /** Lower-case hex; '' when missing, malformed or all zeros. */
  readonly spanId: string;
  /** Lower-case hex; '' for a root span. */
  readonly parentSpanId: string;
  /** False when the parent span id was present but malformed. */
  readonly parentOk: boolean;
  readonly traceState: string;
  /** OTLP span flags; -1 when the field was absent. */
  readonly flags: number;
  /** OTLP SpanKind (0 unspecified … 5 consumer). */
  readonly kind: number;
  /** False when the start time was absent or zero (`startTime` is then [0, 0]). */
  readonly hasStart: boolean;
  /** False when the end time was absent or zero (`endTime` is then [0, 0]). */
  readonly hasEnd: boolean;
}

/** One link as a decoder read it, before validation. */
export interface DecodedLink {
  /** Lower-case hex; '' when missing, malformed or all zeros. */
  readonly traceId: string;
  /** Lower-case hex; '' when missing, malformed or all zeros. */
  readonly spanId: string;
  readonly traceState: string;
  /** OTLP span flags; -1 when the field was absent. */
  readonly flags: number;
  readonly attributes: Attributes | undefined;
  readonly droppedAttributesCount: number;
}

/**
 * The span, or `undefined` when it must be rejected (the reason is added to `rejections`).
 * Spans must start at or after `earliestStart` and end at or before `latestEnd`.
 */
export function receiveSpan(decoded: DecodedSpan, rejections: RejectionLog, earliestStart: HrTime, latestEnd: HrTime): ReceivedSpan | undefined {
  const { traceId, spanId, parentSpanId, flags } = decoded;
  const rejection = spanRejection(decoded, earliestStart, latestEnd);
  if (rejection !== undefined) {
    rejections.add(rejection);
    return undefined;
  }
  const traceFlags = traceFlagsOf(flags);
  const spanContext: SpanContext = { traceId, spanId, traceFlags };
  if (decoded.traceState !== '') spanContext.traceState = new TraceState(decoded.traceState);
  let parentSpanContext: SpanContext | undefined;
  if (parentSpanId !== '') {
    parentSpanContext = { traceId, spanId: parentSpanId, traceFlags, isRemote: flags !== -1 && (flags & FLAG_HAS_IS_REMOTE) !== 0 && (flags & FLAG_IS_REMOTE) !== 0 };
  }
  return new ReceivedSpan({
    name: decoded.name,
    kind: otlpKindToSpanKind(decoded.kind),
    spanContext,
    parentSpanContext,
    startTime: decoded.startTime,
    endTime: decoded.endTime,
    status: decoded.status,
    attributes: decoded.attributes,
    links: decoded.links,
    events: decoded.events,
    resource: decoded.resource,
    instrumentationScope: decoded.instrumentationScope,
    droppedAttributesCount: decoded.droppedAttributesCount,
    droppedEventsCount: decoded.droppedEventsCount,
    droppedLinksCount: decoded.droppedLinksCount,
  });
}

/**
 * The reason a span must be rejected, or undefined when it may be stored. Implausible times are
 * rejected rather than clamped: a span from 1970 or from next year would stretch every
 * time-range query over the store (activity by day, overview periods) across decades.
 */
function spanRejection(decoded: DecodedSpan, earliestStart: HrTime, latestEnd: HrTime): string | undefined {
  if (decoded.traceId === '') return 'invalid trace id (must be 16 bytes, not all zero)';
  if (decoded.spanId === '') return 'invalid span id (must be 8 bytes, not all zero)';
  if (!decoded.parentOk) return 'invalid parent span id (must be empty or 8 bytes)';
  // A missing time is rejected the same way at either end, not taken as 1970.
  if (!decoded.hasStart) return 'span has no start time';
  if (!decoded.hasEnd) return 'span has no end time';
  if (hrTimeBefore(decoded.endTime, decoded.startTime)) return 'span ends before it starts';
  if (hrTimeBefore(decoded.startTime, earliestStart)) return `implausible start time (before ${hrTimeToIso(earliestStart)})`;
  if (hrTimeBefore(latestEnd, decoded.endTime)) return 'implausible end time (too far in the future)';
  return undefined;
}

function hrTimeToIso(time: HrTime): string {
  return new Date(time[0] * 1000 + Math.floor(time[1] / 1_000_000)).toISOString();
}

/** The link, or `undefined` when its ids are invalid: it is then dropped and counted. */
export function receiveLink(decoded: DecodedLink): Link | undefined {
  const { traceId, spanId, flags } = decoded;
  if (traceId === '' || spanId === '') return undefined;
  const context: SpanContext = { traceId, spanId, traceFlags: traceFlagsOf(flags) };
  if (decoded.traceState !== '') context.traceState = new TraceState(decoded.traceState);
  if (flags !== -1 && (flags & FLAG_HAS_IS_REMOTE) !== 0) context.isRemote = (flags & FLAG_IS_REMOTE) !== 0;
  const link: Link = { context, droppedAttributesCount: decoded.droppedAttributesCount };
  if (decoded.attributes !== undefined) link.attributes = decoded.attributes;
  return link;
}

/** An InstrumentationScope with only the parts that were given ('' means absent). */
export function receiveScope(name: string, version: string, schemaUrl: string): InstrumentationScope {
  if (version === '' && schemaUrl === '') return { name };
  if (schemaUrl === '') return { name, version };
  if (version === '') return { name, schemaUrl };
  return { name, version, schemaUrl };
}

/** A span status from its OTLP code (unknown codes read as UNSET) and message ('' means none). */
export function receiveStatus(code: number, message: string): SpanStatus {
  const status: SpanStatus = { code: otlpStatusCode(code) };
  if (message !== '') status.message = message;
  return status;
}

function traceFlagsOf(flags: number): number {
  return flags === -1 ? DEFAULT_TRACE_FLAGS : flags & 0xff;
}
