// Decodes an OTLP ExportTraceServiceRequest (protobuf) step by step, under the decode limits.
import type { Attributes, HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { TimedEvent } from '@opentelemetry/sdk-trace';
import { Cost, LimitedAttributes, type DecodeContext, type DecodeSteps } from './decode-context.js';
import { ProtobufAttributeDecoder } from './protobuf-attributes.js';
import { ProtobufReader, WireType } from './protobuf-reader.js';
import { receiveLink, receiveScope, receiveStatus } from './receive-span.js';
import { idToHex, nanosToHrTime } from './received-span.js';

const ZERO_TIME: HrTime = [0, 0];

/**
 * The steps that decode `body` into `context.spans`. They yield between spans, attributes,
 * events and links when the context says a pause is due; each step between two pauses decodes
 * at most one attribute value, which `maxValueElements` bounds. Throws WireError for malformed
 * input and DecodeBudgetError past the decoded-size budget.
 */
export function decodeProtobufTraces(body: Uint8Array, context: DecodeContext): DecodeSteps {
  return new ProtobufTraceDecoder(body, context).decodeRequest();
}

class ProtobufTraceDecoder {
  readonly #reader: ProtobufReader;
  readonly #attributes: ProtobufAttributeDecoder;
  readonly #context: DecodeContext;

  constructor(body: Uint8Array, context: DecodeContext) {
    this.#reader = new ProtobufReader(body);
    this.#attributes = new ProtobufAttributeDecoder(this.#reader, context);
    this.#context = context;
  }

  *decodeRequest(): DecodeSteps {
    const r = this.#reader;
    while (!r.atEnd()) {
      r.readTag();
      if (r.field === 1) {
        r.expect(WireType.LENGTH_DELIMITED, 'resource_spans');
        yield* this.#decodeResourceSpans();
      } else r.skip();
    }
  }

  #due(): boolean {
    return this.#context.due(this.#reader.pos);
  }

  /** A first pass records where the resource and scope spans are, so the resource is read before its spans whatever the field order. */
  *#decodeResourceSpans(): DecodeSteps {
    const r = this.#reader;
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
    const attributes = new LimitedAttributes(this.#context.limits.attributeCountLimit, this.#context);
    if (resourceStart >= 0) {
      const previous = this.#enterRange(resourceStart, resourceEnd);
      yield* this.#decodeResource(attributes);
      r.popLimit(previous);
    }
    this.#context.charge(Cost.RESOURCE);
    const resource = resourceFromAttributes(attributes.values, schemaUrl === '' ? undefined : { schemaUrl });
    for (let i = 0; i < scopeRanges.length; i += 2) {
      const previous = this.#enterRange(scopeRanges[i]!, scopeRanges[i + 1]!);
      yield* this.#decodeScopeSpans(resource);
      r.popLimit(previous);
    }
    r.pos = end;
  }

  /** Moves to a field recorded in a first pass; returns the limit to restore. */
  #enterRange(start: number, end: number): number {
    this.#reader.pos = start;
    return this.#reader.pushLimit(end);
  }

  *#decodeResource(attributes: LimitedAttributes): DecodeSteps {
    const r = this.#reader;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'resource attribute');
          this.#attributes.decodeAttribute(attributes);
          if (this.#due()) yield;
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

  *#decodeScopeSpans(resource: Resource): DecodeSteps {
    const r = this.#reader;
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
      const previous = this.#enterRange(scopeStart, scopeEnd);
      scope = yield* this.#decodeScope(schemaUrl);
      r.popLimit(previous);
    } else if (schemaUrl !== '') scope = { name: '', schemaUrl };
    for (let i = 0; i < spanRanges.length; i += 2) {
      const previous = this.#enterRange(spanRanges[i]!, spanRanges[i + 1]!);
      yield* this.#decodeSpan(resource, scope);
      r.popLimit(previous);
      if (this.#due()) yield;
    }
    r.pos = end;
  }

  *#decodeScope(schemaUrl: string): Generator<void, InstrumentationScope, void> {
    const r = this.#reader;
    let name = '';
    let version = '';
    // Scope attributes are validated but InstrumentationScope has nowhere to keep them.
    const ignored = new LimitedAttributes(this.#context.limits.attributeCountLimit, this.#context);
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
          r.expect(WireType.LENGTH_DELIMITED, 'scope attribute');
          this.#attributes.decodeAttribute(ignored);
          if (this.#due()) yield;
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

  *#decodeSpan(resource: Resource, scope: InstrumentationScope): DecodeSteps {
    const r = this.#reader;
    const context = this.#context;
    const limits = context.limits;
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
    let hasStart = false;
    let hasEnd = false;
    const attributes = new LimitedAttributes(limits.attributeCountLimit, context);
    let sentDroppedAttributes = 0;
    const events: TimedEvent[] = [];
    let sentDroppedEvents = 0;
    let droppedEvents = 0;
    const links: Link[] = [];
    let droppedLinks = 0;
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
          context.chargeString(name);
          break;
        case 6:
          r.expect(WireType.VARINT, 'kind');
          kind = r.readInt32();
          break;
        case 7:
          r.expect(WireType.FIXED64, 'start_time_unix_nano');
          r.readFixed64();
          hasStart = r.lo !== 0 || r.hi !== 0;
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
          this.#attributes.decodeAttribute(attributes);
          if (this.#due()) yield;
          break;
        case 10:
          r.expect(WireType.VARINT, 'dropped_attributes_count');
          sentDroppedAttributes = r.readUint32();
          break;
        case 11:
          r.expect(WireType.LENGTH_DELIMITED, 'event');
          if (events.length < limits.eventCountLimit) events.push(yield* this.#decodeEvent());
          else {
            r.skip();
            droppedEvents++;
            context.droppedEvents++;
          }
          if (this.#due()) yield;
          break;
        case 12:
          r.expect(WireType.VARINT, 'dropped_events_count');
          sentDroppedEvents = r.readUint32();
          break;
        case 13: {
          r.expect(WireType.LENGTH_DELIMITED, 'link');
          const link = links.length < limits.linkCountLimit ? yield* this.#decodeLink() : this.#skipped();
          if (link === undefined) {
            droppedLinks++;
            context.droppedLinks++;
          } else links.push(link);
          if (this.#due()) yield;
          break;
        }
        case 14:
          r.expect(WireType.VARINT, 'dropped_links_count');
          droppedLinks += r.readUint32();
          break;
        case 15:
          r.expect(WireType.LENGTH_DELIMITED, 'status');
          status = this.#decodeStatus();
          break;
        case 16:
          r.expect(WireType.FIXED32, 'flags');
          flags = r.readFixed32();
          break;
        default:
          r.skip();
      }
    }
    context.addSpan({
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
      hasStart,
      hasEnd,
      status,
      attributes: attributes.values,
      links,
      events,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: sentDroppedAttributes + attributes.dropped,
      droppedEventsCount: sentDroppedEvents + droppedEvents,
      droppedLinksCount: droppedLinks,
    });
  }

  /** Skips a field left out over a limit. */
  #skipped(): undefined {
    this.#reader.skip();
    return undefined;
  }

  *#decodeEvent(): Generator<void, TimedEvent, void> {
    const r = this.#reader;
    const outer = r.pushLimit(r.readLengthEnd());
    this.#context.charge(Cost.EVENT);
    let time = ZERO_TIME;
    let name = '';
    let attributes: LimitedAttributes | undefined;
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
          this.#context.chargeString(name);
          break;
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'event attribute');
          attributes ??= new LimitedAttributes(this.#context.limits.attributePerEventCountLimit, this.#context);
          this.#attributes.decodeAttribute(attributes);
          if (this.#due()) yield;
          break;
        case 4:
          r.expect(WireType.VARINT, 'event dropped_attributes_count');
          droppedAttributesCount = r.readUint32();
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    const event: TimedEvent = { time, name, droppedAttributesCount: droppedAttributesCount + (attributes?.dropped ?? 0) };
    if (attributes !== undefined) event.attributes = attributes.values;
    return event;
  }

  /** undefined when the link's ids are invalid: it is dropped and counted. */
  *#decodeLink(): Generator<void, Link | undefined, void> {
    const r = this.#reader;
    const outer = r.pushLimit(r.readLengthEnd());
    this.#context.charge(Cost.LINK);
    let traceId = '';
    let spanId = '';
    let traceState = '';
    let flags = -1;
    let attributes: LimitedAttributes | undefined;
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
        case 4:
          r.expect(WireType.LENGTH_DELIMITED, 'link attribute');
          attributes ??= new LimitedAttributes(this.#context.limits.attributePerLinkCountLimit, this.#context);
          this.#attributes.decodeAttribute(attributes);
          if (this.#due()) yield;
          break;
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
    const linkAttributes: Attributes | undefined = attributes?.values;
    return receiveLink({ traceId, spanId, traceState, flags, attributes: linkAttributes, droppedAttributesCount: droppedAttributesCount + (attributes?.dropped ?? 0) });
  }

  #decodeStatus(): SpanStatus {
    const r = this.#reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let message = '';
    let code = 0;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'status message');
          message = r.readString();
          this.#context.chargeString(message);
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
}
