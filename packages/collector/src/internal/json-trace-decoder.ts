// Decodes an OTLP/JSON ExportTraceServiceRequest step by step, under the decode limits, without
// building the JSON document: what a limit leaves out is skipped, never materialized.
import { isUtf8 } from 'node:buffer';
import type { HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { TimedEvent } from '@opentelemetry/sdk-trace';
import { Cost, type DecodeContext, type DecodeSteps, type LimitedAttributes } from './decode-context.js';
import { JsonAttributeDecoder } from './json-attributes.js';
import { JsonFields, JsonShapeError } from './json-fields.js';
import { JsonReader } from './json-reader.js';
import { JsonScanner } from './json-scanner.js';
import { MalformedPayloadError } from './malformed-payload-error.js';
import { receiveLink, receiveScope, receiveStatus } from './receive-span.js';
import { normalizeHexId } from './received-span.js';

const ZERO_TIME: HrTime = [0, 0];
/** Bytes the syntax check covers between two chances to pause. */
const SCAN_SLICE_BYTES = 64 * 1024;

const SPAN_KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE_NAMES: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/**
 * The steps that decode `body` into `context.spans`: a syntax check in slices (it also indexes
 * where large values end), then a reading pass that yields between spans, attributes, events
 * and links when the context says a pause is due. Throws MalformedPayloadError for input that
 * is not OTLP JSON, DecodeBudgetError past the decoded-size budget.
 */
export function* decodeJsonTraces(body: Uint8Array, context: DecodeContext): DecodeSteps {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!isUtf8(bytes)) throw new MalformedPayloadError('invalid UTF-8');
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  // Room for attribute values nested maxDepth deep (up to four JSON levels each) inside the request's own levels.
  const scanner = new JsonScanner(bytes, start, 16 + 4 * (context.limits.maxDepth + 1));
  while (!scanner.scan(SCAN_SLICE_BYTES)) yield;
  yield* new JsonTraceDecoder(new JsonReader(bytes, start, scanner.ends), context).decodeRequest();
}

class JsonTraceDecoder {
  readonly #fields: JsonFields;
  readonly #attributes: JsonAttributeDecoder;
  readonly #context: DecodeContext;

  constructor(reader: JsonReader, context: DecodeContext) {
    this.#fields = new JsonFields(reader, context);
    this.#attributes = new JsonAttributeDecoder(this.#fields, context);
    this.#context = context;
  }

  *decodeRequest(): DecodeSteps {
    const r = this.#fields.reader;
    if (r.kind() !== 'object') throw new JsonShapeError('the request must be a JSON object');
    r.enterObject();
    let resourceSpansAt = -1;
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      if (key === 'resourceSpans') resourceSpansAt = this.#fields.arrayAt(key);
      else r.skipValue();
    }
    if (resourceSpansAt < 0) return;
    r.pos = resourceSpansAt;
    r.enterArray();
    this.#fields.path.push('resourceSpans');
    for (let i = 0; r.nextElement(); i++) {
      this.#fields.path.push(i);
      if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
      yield* this.#decodeResourceSpans();
      this.#fields.path.pop();
    }
    this.#fields.path.pop();
  }


  // ---- resource, scope, spans -----------------------------------------------------------

  /** The resource and scope are read before the spans, whatever the key order. */
  *#decodeResourceSpans(): DecodeSteps {
    const r = this.#fields.reader;
    const context = this.#context;
    r.enterObject();
    let attributes: LimitedAttributes | undefined;
    let scopeSpansAt = -1;
    let schemaUrl = '';
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      switch (key) {
        case 'resource':
          if (this.#fields.object(key)) {
            this.#fields.path.push(key);
            attributes = yield* this.#decodeResource();
            this.#fields.path.pop();
          }
          break;
        case 'scopeSpans':
          scopeSpansAt = this.#fields.arrayAt(key);
          break;
        case 'schemaUrl':
          schemaUrl = this.#fields.string(key);
          break;
        default:
          r.skipValue();
      }
    }
    const end = r.pos;
    context.charge(Cost.RESOURCE);
    const resource = resourceFromAttributes(attributes?.values ?? {}, schemaUrl === '' ? undefined : { schemaUrl });
    if (scopeSpansAt >= 0) {
      r.pos = scopeSpansAt;
      r.enterArray();
      this.#fields.path.push('scopeSpans');
      for (let i = 0; r.nextElement(); i++) {
        this.#fields.path.push(i);
        if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
        yield* this.#decodeScopeSpans(resource);
        this.#fields.path.pop();
      }
      this.#fields.path.pop();
    }
    r.pos = end;
  }

  *#decodeResource(): Generator<void, LimitedAttributes | undefined, void> {
    const r = this.#fields.reader;
    r.enterObject();
    let attributes: LimitedAttributes | undefined;
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      if (key === 'attributes') attributes = yield* this.#attributes.decodeAttributes(key, this.#context.limits.attributeCountLimit);
      else if (key === 'droppedAttributesCount') this.#fields.integer(key);
      else r.skipValue();
    }
    return attributes;
  }

  *#decodeScopeSpans(resource: Resource): DecodeSteps {
    const r = this.#fields.reader;
    r.enterObject();
    let name = '';
    let version = '';
    let spansAt = -1;
    let schemaUrl = '';
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      switch (key) {
        case 'scope':
          if (this.#fields.object(key)) {
            this.#fields.path.push(key);
            [name, version] = yield* this.#decodeScope();
            this.#fields.path.pop();
          }
          break;
        case 'spans':
          spansAt = this.#fields.arrayAt(key);
          break;
        case 'schemaUrl':
          schemaUrl = this.#fields.string(key);
          break;
        default:
          r.skipValue();
      }
    }
    const end = r.pos;
    const scope = receiveScope(name, version, schemaUrl);
    if (spansAt >= 0) {
      r.pos = spansAt;
      r.enterArray();
      this.#fields.path.push('spans');
      for (let i = 0; r.nextElement(); i++) {
        this.#fields.path.push(i);
        if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
        yield* this.#decodeSpan(resource, scope);
        this.#fields.path.pop();
        if (this.#fields.due()) yield;
      }
      this.#fields.path.pop();
    }
    r.pos = end;
  }

  /** The scope's name and version; its attributes are validated but InstrumentationScope has nowhere to keep them. */
  *#decodeScope(): Generator<void, [string, string], void> {
    const r = this.#fields.reader;
    r.enterObject();
    let name = '';
    let version = '';
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      switch (key) {
        case 'name':
          name = this.#fields.string(key);
          break;
        case 'version':
          version = this.#fields.string(key);
          break;
        case 'attributes':
          yield* this.#attributes.decodeAttributes(key, this.#context.limits.attributeCountLimit);
          break;
        case 'droppedAttributesCount':
          this.#fields.integer(key);
          break;
        default:
          r.skipValue();
      }
    }
    return [name, version];
  }

  *#decodeSpan(resource: Resource, scope: InstrumentationScope): DecodeSteps {
    const r = this.#fields.reader;
    const context = this.#context;
    const limits = context.limits;
    r.enterObject();
    let traceId = '';
    let spanId = '';
    let parentSpanId: string | undefined = '';
    let traceState = '';
    let flags = -1;
    let name = '';
    let kind = 0;
    let startTime: HrTime | undefined;
    let endTime: HrTime | undefined;
    let attributes: LimitedAttributes | undefined;
    let sentDroppedAttributes = 0;
    let events: TimedEvent[] = [];
    let droppedEvents = 0;
    let sentDroppedEvents = 0;
    let links: Link[] = [];
    let droppedLinks = 0;
    let sentDroppedLinks = 0;
    let status: SpanStatus = receiveStatus(0, '');
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      switch (key) {
        case 'traceId':
          traceId = normalizeHexId(this.#fields.string(key), 16) ?? '';
          break;
        case 'spanId':
          spanId = normalizeHexId(this.#fields.string(key), 8) ?? '';
          break;
        case 'parentSpanId': {
          const text = this.#fields.string(key);
          parentSpanId = text === '' ? '' : normalizeHexId(text, 8);
          break;
        }
        case 'traceState':
          traceState = this.#fields.string(key);
          break;
        case 'flags':
          if (r.kind() === 'null') {
            r.readNull();
            flags = -1;
          } else flags = this.#fields.integer(key) >>> 0;
          break;
        case 'name':
          name = this.#fields.string(key);
          context.chargeString(name);
          break;
        case 'kind':
          kind = this.#fields.enum(key, SPAN_KIND_NAMES);
          break;
        case 'startTimeUnixNano':
          startTime = this.#fields.time(key);
          break;
        case 'endTimeUnixNano':
          endTime = this.#fields.time(key);
          break;
        case 'attributes':
          attributes = yield* this.#attributes.decodeAttributes(key, limits.attributeCountLimit);
          break;
        case 'droppedAttributesCount':
          sentDroppedAttributes = this.#fields.integer(key) >>> 0;
          break;
        case 'events':
          [events, droppedEvents] = yield* this.#decodeEvents(key);
          break;
        case 'droppedEventsCount':
          sentDroppedEvents = this.#fields.integer(key) >>> 0;
          break;
        case 'links':
          [links, droppedLinks] = yield* this.#decodeLinks(key);
          break;
        case 'droppedLinksCount':
          sentDroppedLinks = this.#fields.integer(key) >>> 0;
          break;
        case 'status':
          if (this.#fields.object(key)) {
            this.#fields.path.push(key);
            status = this.#decodeStatus();
            this.#fields.path.pop();
          }
          break;
        default:
          r.skipValue();
      }
    }
    context.addSpan({
      traceId,
      spanId,
      parentSpanId: parentSpanId ?? '',
      parentOk: parentSpanId !== undefined,
      traceState,
      flags,
      name,
      kind,
      startTime: startTime ?? ZERO_TIME,
      endTime: endTime ?? ZERO_TIME,
      hasStart: startTime !== undefined && (startTime[0] !== 0 || startTime[1] !== 0),
      hasEnd: endTime !== undefined && (endTime[0] !== 0 || endTime[1] !== 0),
      status,
      attributes: attributes?.values ?? {},
      links,
      events,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: sentDroppedAttributes + (attributes?.dropped ?? 0),
      droppedEventsCount: sentDroppedEvents + droppedEvents,
      droppedLinksCount: sentDroppedLinks + droppedLinks,
    });
  }

  #decodeStatus(): SpanStatus {
    const r = this.#fields.reader;
    r.enterObject();
    let code = 0;
    let message = '';
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      if (key === 'code') code = this.#fields.enum(key, STATUS_CODE_NAMES);
      else if (key === 'message') {
        message = this.#fields.string(key);
        this.#context.chargeString(message);
      } else r.skipValue();
    }
    return receiveStatus(code, message);
  }

  /** The first `eventCountLimit` events, and how many were left out. */
  *#decodeEvents(key: string): Generator<void, [TimedEvent[], number], void> {
    const r = this.#fields.reader;
    const context = this.#context;
    const events: TimedEvent[] = [];
    let dropped = 0;
    if (!this.#fields.array(key)) return [events, dropped];
    r.enterArray();
    this.#fields.path.push(key);
    for (let i = 0; r.nextElement(); i++) {
      if (events.length >= context.limits.eventCountLimit) {
        r.skipValue();
        dropped++;
        context.droppedEvents++;
      } else {
        this.#fields.path.push(i);
        events.push(yield* this.#decodeEvent());
        this.#fields.path.pop();
      }
      if (this.#fields.due()) yield;
    }
    this.#fields.path.pop();
    return [events, dropped];
  }

  *#decodeEvent(): Generator<void, TimedEvent, void> {
    const r = this.#fields.reader;
    if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
    r.enterObject();
    this.#context.charge(Cost.EVENT);
    let time = ZERO_TIME;
    let name = '';
    let sentDropped = 0;
    let attributes: LimitedAttributes | undefined;
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      switch (key) {
        case 'timeUnixNano':
          time = this.#fields.time(key) ?? ZERO_TIME;
          break;
        case 'name':
          name = this.#fields.string(key);
          this.#context.chargeString(name);
          break;
        case 'droppedAttributesCount':
          sentDropped = this.#fields.integer(key) >>> 0;
          break;
        case 'attributes':
          attributes = yield* this.#attributes.decodeAttributes(key, this.#context.limits.attributePerEventCountLimit);
          break;
        default:
          r.skipValue();
      }
    }
    const event: TimedEvent = { time, name, droppedAttributesCount: sentDropped + (attributes?.dropped ?? 0) };
    if (attributes !== undefined) event.attributes = attributes.values;
    return event;
  }

  /** The first `linkCountLimit` links with valid ids, and how many were left out. */
  *#decodeLinks(key: string): Generator<void, [Link[], number], void> {
    const r = this.#fields.reader;
    const context = this.#context;
    const links: Link[] = [];
    let dropped = 0;
    if (!this.#fields.array(key)) return [links, dropped];
    r.enterArray();
    this.#fields.path.push(key);
    for (let i = 0; r.nextElement(); i++) {
      let link: Link | undefined;
      if (links.length >= context.limits.linkCountLimit) r.skipValue();
      else {
        this.#fields.path.push(i);
        link = yield* this.#decodeLink();
        this.#fields.path.pop();
      }
      if (link === undefined) {
        dropped++;
        context.droppedLinks++;
      } else links.push(link);
      if (this.#fields.due()) yield;
    }
    this.#fields.path.pop();
    return [links, dropped];
  }

  /** undefined when the link's ids are invalid: it is dropped and counted. */
  *#decodeLink(): Generator<void, Link | undefined, void> {
    const r = this.#fields.reader;
    if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
    r.enterObject();
    this.#context.charge(Cost.LINK);
    let traceId = '';
    let spanId = '';
    let traceState = '';
    let flags = -1;
    let sentDropped = 0;
    let attributes: LimitedAttributes | undefined;
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      switch (key) {
        case 'traceId':
          traceId = normalizeHexId(this.#fields.string(key), 16) ?? '';
          break;
        case 'spanId':
          spanId = normalizeHexId(this.#fields.string(key), 8) ?? '';
          break;
        case 'traceState':
          traceState = this.#fields.string(key);
          break;
        case 'flags':
          if (r.kind() === 'null') {
            r.readNull();
            flags = -1;
          } else flags = this.#fields.integer(key) >>> 0;
          break;
        case 'droppedAttributesCount':
          sentDropped = this.#fields.integer(key) >>> 0;
          break;
        case 'attributes':
          attributes = yield* this.#attributes.decodeAttributes(key, this.#context.limits.attributePerLinkCountLimit);
          break;
        default:
          r.skipValue();
      }
    }
    return receiveLink({ traceId, spanId, traceState, flags, attributes: attributes?.values, droppedAttributesCount: sentDropped + (attributes?.dropped ?? 0) });
  }
}
