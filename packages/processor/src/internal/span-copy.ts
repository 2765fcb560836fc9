// Plain-object copies of ReadableSpans: for ingest (redacted on a copy), content views and live snapshots.
import type { Attributes, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/** A ReadableSpan whose parts the processor may rewrite without touching the original. */
export interface SpanCopy extends ReadableSpan {
  name: string;
  status: SpanStatus;
  attributes: Attributes;
  events: TimedEvent[];
  links: Link[];
}

/**
 * Copies a span, marked `ended` as given. The attributes record (which redaction and summaries
 * rewrite in place) and the event and link arrays (a live span's grow) are new containers; the
 * events, links and status themselves are shared, as they are only ever replaced, never
 * mutated. The resource and scope are shared.
 */
export function copySpan(span: ReadableSpan, ended: boolean): SpanCopy {
  const spanContext: SpanContext = span.spanContext();
  return spanWith(span, {
    spanContext: () => spanContext,
    status: span.status,
    attributes: { ...span.attributes },
    links: [...span.links],
    events: [...span.events],
    ended,
  });
}

/** A view of `span` with a different attribute set and events; everything else is shared. */
export function viewWithAttributes(span: ReadableSpan, attributes: Attributes, events: TimedEvent[]): ReadableSpan {
  return spanWith(span, {
    spanContext: () => span.spanContext(),
    status: span.status,
    attributes,
    links: span.links,
    events,
    ended: span.ended,
  });
}

/** The parts a copy or a view replaces; the rest is taken from the span as it is. */
type ReplacedParts = Pick<SpanCopy, 'spanContext' | 'status' | 'attributes' | 'links' | 'events' | 'ended'>;

function spanWith(span: ReadableSpan, parts: ReplacedParts): SpanCopy {
  const result: SpanCopy = {
    name: span.name,
    kind: span.kind,
    spanContext: parts.spanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: parts.status,
    attributes: parts.attributes,
    links: parts.links,
    events: parts.events,
    duration: span.duration,
    ended: parts.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
  if (span.parentSpanContext !== undefined) {
    (result as { parentSpanContext?: SpanContext }).parentSpanContext = span.parentSpanContext;
  }
  return result;
}
