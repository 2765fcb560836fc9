// Decodes an OTLP ExportTraceServiceRequest (protobuf) into ReadableSpans, strictly and without throwing.
import type { Attributes, HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtobufReader, WireError, WireType } from './internal/protobuf-reader.js';
import { receiveLink, receiveScope, receiveSpan, receiveStatus } from './internal/receive-span.js';
import { RejectionLog, idToHex, nanosToHrTime, setOwn } from './internal/received-span.js';
import { DEFAULT_MAX_DEPTH, decodeFailure, type OtlpDecodeOptions, type OtlpDecodeResult } from './otlp-decode-result.js';

/** The content type this decoder reads. */
export const OTLP_PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

const ZERO_TIME: HrTime = [0, 0];

/**
 * Decodes an OTLP/HTTP protobuf trace export request (`ExportTraceServiceRequest`).
 *
 * Malformed input (truncated fields, wrong wire types for known fields, over-long varints,
 * invalid UTF-8, nesting deeper than `maxDepth`) fails the whole payload; spans that decode
 * but cannot be stored (invalid ids, no end time) are rejected one by one and counted.
 *
 * @example
 * const result = decodeOtlpProtobuf(body);
 * if (result.ok) processor.ingest(result.spans);
 * else response.writeHead(400).end(result.error.message);
 */
export function decodeOtlpProtobuf(body: Uint8Array, options: OtlpDecodeOptions = {}): OtlpDecodeResult {
  const decoder = new TraceRequestDecoder(body, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    decoder.decodeRequest();
  } catch (error: unknown) {
    return decodeFailure(OTLP_PROTOBUF_CONTENT_TYPE, error, error instanceof WireError);
  }
  return { ok: true, spans: decoder.spans, rejectedSpans: decoder.rejections.count, errorMessage: decoder.rejections.summary() };
}

class TraceRequestDecoder {
  readonly spans: ReadableSpan[] = [];
  readonly rejections = new RejectionLog();
  private readonly reader: ProtobufReader;
  private readonly maxDepth: number;

  constructor(body: Uint8Array, maxDepth: number) {
    this.reader = new ProtobufReader(body);
    this.maxDepth = maxDepth;
  }

  decodeRequest(): void {
    const r = this.reader;
    while (!r.atEnd()) {
      r.readTag();
      if (r.field === 1) {
        r.expect(WireType.LENGTH_DELIMITED, 'resource_spans');
        this.decodeResourceSpans();
      } else r.skip();
    }
  }

  /** A first pass records where the resource and scope spans are, so the resource is read before its spans whatever the field order. */
  private decodeResourceSpans(): void {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let resourceStart = -1;
    let resourceEnd = -1;
    let schemaUrl = '';
    const scopeRanges: number[] = [];
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'resource');
          resourceEnd = r.readLengthEnd();
          resourceStart = r.pos;
          r.pos = resourceEnd;
          break;
        case 2: {
          r.expect(WireType.LENGTH_DELIMITED, 'scope_spans');
          const end = r.readLengthEnd();
          scopeRanges.push(r.pos, end);
          r.pos = end;
          break;
        }
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'schema_url');
          schemaUrl = r.readString();
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    const end = r.pos;
    const attributes: Attributes = {};
    if (resourceStart >= 0) {
      const previous = this.enterRange(resourceStart, resourceEnd);
      this.decodeResource(attributes);
      r.popLimit(previous);
    }
    const resource = resourceFromAttributes(attributes, schemaUrl === '' ? undefined : { schemaUrl });
    for (let i = 0; i < scopeRanges.length; i += 2) {
      const previous = this.enterRange(scopeRanges[i]!, scopeRanges[i + 1]!);
      this.decodeScopeSpans(resource);
      r.popLimit(previous);
    }
    r.pos = end;
  }

  /** Moves to a field recorded in a first pass; returns the limit to restore. */
  private enterRange(start: number, end: number): number {
    this.reader.pos = start;
    return this.reader.pushLimit(end);
  }

  private decodeResource(attributes: Attributes): void {
    const r = this.reader;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'resource attribute');
          this.decodeKeyValue(attributes, 0);
          break;
        case 2:
          r.expect(WireType.VARINT, 'resource dropped_attributes_count');
          r.readUint32();
          break;
        default:
          r.skip();
      }
    }
  }

  private decodeScopeSpans(resource: Resource): void {
    const r = this.reader;
    let scopeStart = -1;
    let scopeEnd = -1;
    let schemaUrl = '';
    const spanRanges: number[] = [];
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'scope');
          scopeEnd = r.readLengthEnd();
          scopeStart = r.pos;
          r.pos = scopeEnd;
          break;
        case 2: {
          r.expect(WireType.LENGTH_DELIMITED, 'span');
          const end = r.readLengthEnd();
          spanRanges.push(r.pos, end);
          r.pos = end;
          break;
        }
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'scope schema_url');
          schemaUrl = r.readString();
          break;
        default:
          r.skip();
      }
    }
    const end = r.pos;
    let scope: InstrumentationScope = { name: '' };
    if (scopeStart >= 0) {
      const previous = this.enterRange(scopeStart, scopeEnd);
      scope = this.decodeScope(schemaUrl);
      r.popLimit(previous);
    }
    else if (schemaUrl !== '') scope = { name: '', schemaUrl };
    for (let i = 0; i < spanRanges.length; i += 2) {
      const previous = this.enterRange(spanRanges[i]!, spanRanges[i + 1]!);
      this.decodeSpan(resource, scope);
      r.popLimit(previous);
    }
    r.pos = end;
  }

  private decodeScope(schemaUrl: string): InstrumentationScope {
    const r = this.reader;
    let name = '';
    let version = '';
    const ignored: Attributes = {};
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'scope name');
          name = r.readString();
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'scope version');
          version = r.readString();
          break;
        case 3:
          // Scope attributes are validated but InstrumentationScope has nowhere to keep them.
          r.expect(WireType.LENGTH_DELIMITED, 'scope attribute');
          this.decodeKeyValue(ignored, 0);
          break;
        case 4:
          r.expect(WireType.VARINT, 'scope dropped_attributes_count');
          r.readUint32();
          break;
        default:
          r.skip();
      }
    }
    return receiveScope(name, version, schemaUrl);
  }

  private decodeSpan(resource: Resource, scope: InstrumentationScope): void {
    const r = this.reader;
    let traceId = '';
    let spanId = '';
    let parentSpanId = '';
    let parentOk = true;
    let traceState = '';
    let flags = -1;
    let name = '';
    let kind = 0;
    let startTime = ZERO_TIME;
    let endTime = ZERO_TIME;
    let hasEnd = false;
    const attributes: Attributes = {};
    let droppedAttributesCount = 0;
    const events: TimedEvent[] = [];
    let droppedEventsCount = 0;
    const links: Link[] = [];
    let droppedLinksCount = 0;
    let status: SpanStatus = { code: 0 };
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1: {
          r.expect(WireType.LENGTH_DELIMITED, 'trace_id');
          const id = r.readBytesView();
          traceId = id.length === 16 ? idToHex(id) : '';
          break;
        }
        case 2: {
          r.expect(WireType.LENGTH_DELIMITED, 'span_id');
          const id = r.readBytesView();
          spanId = id.length === 8 ? idToHex(id) : '';
          break;
        }
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'trace_state');
          traceState = r.readString();
          break;
        case 4: {
          r.expect(WireType.LENGTH_DELIMITED, 'parent_span_id');
          const id = r.readBytesView();
          parentOk = id.length === 0 || id.length === 8;
          parentSpanId = id.length === 8 ? idToHex(id) : '';
          break;
        }
        case 5:
          r.expect(WireType.LENGTH_DELIMITED, 'name');
          name = r.readString();
          break;
        case 6:
          r.expect(WireType.VARINT, 'kind');
          kind = r.readInt32();
          break;
        case 7:
          r.expect(WireType.FIXED64, 'start_time_unix_nano');
          r.readFixed64();
          startTime = nanosToHrTime(r.lo, r.hi);
          break;
        case 8:
          r.expect(WireType.FIXED64, 'end_time_unix_nano');
          r.readFixed64();
          hasEnd = r.lo !== 0 || r.hi !== 0;
          endTime = nanosToHrTime(r.lo, r.hi);
          break;
        case 9:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute');
          this.decodeKeyValue(attributes, 0);
          break;
        case 10:
          r.expect(WireType.VARINT, 'dropped_attributes_count');
          droppedAttributesCount = r.readUint32();
          break;
        case 11:
          r.expect(WireType.LENGTH_DELIMITED, 'event');
          events.push(this.decodeEvent());
          break;
        case 12:
          r.expect(WireType.VARINT, 'dropped_events_count');
          droppedEventsCount = r.readUint32();
          break;
        case 13:
          r.expect(WireType.LENGTH_DELIMITED, 'link');
          {
            const link = this.decodeLink();
            if (link === undefined) droppedLinksCount++;
            else links.push(link);
          }
          break;
        case 14:
          r.expect(WireType.VARINT, 'dropped_links_count');
          droppedLinksCount += r.readUint32();
          break;
        case 15:
          r.expect(WireType.LENGTH_DELIMITED, 'status');
          status = this.decodeStatus();
          break;
        case 16:
          r.expect(WireType.FIXED32, 'flags');
          flags = r.readFixed32();
          break;
        default:
          r.skip();
      }
    }
    const span = receiveSpan(
      {
        traceId,
        spanId,
        parentSpanId,
        parentOk,
        traceState,
        flags,
        name,
        kind,
        startTime,
        endTime,
        hasEnd,
        status,
        attributes,
        links,
        events,
        resource,
        instrumentationScope: scope,
        droppedAttributesCount,
        droppedEventsCount,
        droppedLinksCount,
      },
      this.rejections,
    );
    if (span !== undefined) this.spans.push(span);
  }

  private decodeEvent(): TimedEvent {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let time = ZERO_TIME;
    let name = '';
    let attributes: Attributes | undefined;
    let droppedAttributesCount = 0;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.FIXED64, 'event time_unix_nano');
          r.readFixed64();
          time = nanosToHrTime(r.lo, r.hi);
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'event name');
          name = r.readString();
          break;
        case 3: {
          r.expect(WireType.LENGTH_DELIMITED, 'event attribute');
          const target = (attributes ??= {});
          this.decodeKeyValue(target, 0);
          break;
        }
        case 4:
          r.expect(WireType.VARINT, 'event dropped_attributes_count');
          droppedAttributesCount = r.readUint32();
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    const event: TimedEvent = { time, name, droppedAttributesCount };
    if (attributes !== undefined) event.attributes = attributes;
    return event;
  }

  /** undefined when the link's ids are invalid: it is dropped and counted. */
  private decodeLink(): Link | undefined {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let traceId = '';
    let spanId = '';
    let traceState = '';
    let flags = -1;
    let attributes: Attributes | undefined;
    let droppedAttributesCount = 0;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1: {
          r.expect(WireType.LENGTH_DELIMITED, 'link trace_id');
          const id = r.readBytesView();
          traceId = id.length === 16 ? idToHex(id) : '';
          break;
        }
        case 2: {
          r.expect(WireType.LENGTH_DELIMITED, 'link span_id');
          const id = r.readBytesView();
          spanId = id.length === 8 ? idToHex(id) : '';
          break;
        }
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'link trace_state');
          traceState = r.readString();
          break;
        case 4: {
          r.expect(WireType.LENGTH_DELIMITED, 'link attribute');
          const target = (attributes ??= {});
          this.decodeKeyValue(target, 0);
          break;
        }
        case 5:
          r.expect(WireType.VARINT, 'link dropped_attributes_count');
          droppedAttributesCount = r.readUint32();
          break;
        case 6:
          r.expect(WireType.FIXED32, 'link flags');
          flags = r.readFixed32();
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    return receiveLink({ traceId, spanId, traceState, flags, attributes, droppedAttributesCount });
  }

  private decodeStatus(): SpanStatus {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let message = '';
    let code = 0;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'status message');
          message = r.readString();
          break;
        case 3:
          r.expect(WireType.VARINT, 'status code');
          code = r.readInt32();
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    return receiveStatus(code, message);
  }

  /** Reads a KeyValue into `target`; values that carry nothing are left out. */
  private decodeKeyValue(target: Record<string, unknown>, depth: number): void {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let key = '';
    let value: unknown;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute key');
          key = r.readString();
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute value');
          value = this.decodeAnyValue(depth);
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    if (value !== undefined) setOwn(target, key, value);
  }

  private decodeAnyValue(depth: number): unknown {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let value: unknown;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'string_value');
          value = r.readString();
          break;
        case 2:
          r.expect(WireType.VARINT, 'bool_value');
          value = r.readBool();
          break;
        case 3:
          r.expect(WireType.VARINT, 'int_value');
          value = r.readInt64();
          break;
        case 4:
          r.expect(WireType.FIXED64, 'double_value');
          value = r.readDouble();
          break;
        case 5: {
          r.expect(WireType.LENGTH_DELIMITED, 'array_value');
          this.checkDepth(depth);
          const values: unknown[] = [];
          this.decodeArray(values, depth + 1);
          value = values;
          break;
        }
        case 6: {
          r.expect(WireType.LENGTH_DELIMITED, 'kvlist_value');
          this.checkDepth(depth);
          const values: Record<string, unknown> = {};
          this.decodeKeyValueList(values, depth + 1);
          value = values;
          break;
        }
        case 7:
          r.expect(WireType.LENGTH_DELIMITED, 'bytes_value');
          value = r.readBytesView().slice();
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    return value;
  }

  private checkDepth(depth: number): void {
    if (depth >= this.maxDepth) throw new WireError(`attribute values nest deeper than ${this.maxDepth} levels`);
  }

  private decodeArray(values: unknown[], depth: number): void {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    while (!r.atEnd()) {
      r.readTag();
      if (r.field === 1) {
        r.expect(WireType.LENGTH_DELIMITED, 'array value');
        values.push(this.decodeAnyValue(depth) ?? null);
      } else r.skip();
    }
    r.popLimit(outer);
  }

  private decodeKeyValueList(values: Record<string, unknown>, depth: number): void {
    const r = this.reader;
    const outer = r.pushLimit(r.readLengthEnd());
    while (!r.atEnd()) {
      r.readTag();
      if (r.field === 1) {
        r.expect(WireType.LENGTH_DELIMITED, 'key-value list entry');
        this.decodeKeyValue(values, depth);
      } else r.skip();
    }
    r.popLimit(outer);
  }
}
