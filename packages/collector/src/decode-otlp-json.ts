// Decodes an OTLP/JSON ExportTraceServiceRequest into ReadableSpans, strictly and without throwing.
import type { Attributes, HrTime, Link } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { OtlpDecodeError } from '@runtrace/core';
import { receiveLink, receiveScope, receiveSpan, receiveStatus } from './internal/receive-span.js';
import { RejectionLog, jsonNanosToHrTime, normalizeHexId, setOwn } from './internal/received-span.js';
import { DEFAULT_MAX_DEPTH, decodeFailure, type OtlpDecodeOptions, type OtlpDecodeResult } from './otlp-decode-result.js';

/** The content type this decoder reads. */
export const OTLP_JSON_CONTENT_TYPE = 'application/json';

const ZERO_TIME: HrTime = [0, 0];
const utf8 = new TextDecoder('utf-8', { fatal: true });

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

/** A payload that does not follow the OTLP JSON rules. */
class JsonShapeError extends Error {}

/**
 * Decodes an OTLP/HTTP JSON trace export request, following the OTLP JSON rules:
 * lowerCamelCase keys (unknown keys are ignored), trace and span ids as hex, 64-bit integers
 * as decimal strings or numbers, enums as integers (their names are accepted too), bytes as
 * base64.
 *
 * @example
 * const result = decodeOtlpJson(body);
 * if (result.ok) console.log(`${result.spans.length} spans, ${result.rejectedSpans} rejected`);
 */
export function decodeOtlpJson(body: Uint8Array | string, options: OtlpDecodeOptions = {}): OtlpDecodeResult {
  let document: unknown;
  try {
    document = JSON.parse(typeof body === 'string' ? body : utf8.decode(body));
  } catch (error: unknown) {
    const message = error instanceof TypeError ? 'invalid UTF-8' : `not JSON (${error instanceof Error ? error.message : String(error)})`;
    return { ok: false, error: new OtlpDecodeError(OTLP_JSON_CONTENT_TYPE, message, { cause: error }) };
  }
  const decoder = new JsonTraceDecoder(options.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    decoder.decodeRequest(document);
  } catch (error: unknown) {
    return decodeFailure(OTLP_JSON_CONTENT_TYPE, error, error instanceof JsonShapeError);
  }
  return { ok: true, spans: decoder.spans, rejectedSpans: decoder.rejections.count, errorMessage: decoder.rejections.summary() };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional message field: absent or null reads as empty. */
function objectField(parent: JsonObject, key: string, where: string): JsonObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new JsonShapeError(`${where}.${key} must be an object`);
  return value;
}

function arrayField(parent: JsonObject, key: string, where: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new JsonShapeError(`${where}.${key} must be an array`);
  return value;
}

function stringField(parent: JsonObject, key: string, where: string): string {
  const value = parent[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new JsonShapeError(`${where}.${key} must be a string`);
  return value;
}

/** uint32 and int32 fields: a JSON number or a decimal string. */
function integerField(parent: JsonObject, key: string, where: string): number {
  const value = parent[key];
  if (value === undefined || value === null) return 0;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw new JsonShapeError(`${where}.${key} must be an integer`);
  return number;
}

function enumField(parent: JsonObject, key: string, names: Readonly<Record<string, number>>, where: string): number {
  const value = parent[key];
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value]!;
  return integerField(parent, key, where);
}

function timeField(parent: JsonObject, key: string, where: string): HrTime | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  const time = jsonNanosToHrTime(value);
  if (time === undefined) throw new JsonShapeError(`${where}.${key} must be unsigned nanoseconds (a decimal string or an integer)`);
  return time;
}

class JsonTraceDecoder {
  readonly spans: ReadableSpan[] = [];
  readonly rejections = new RejectionLog();
  private readonly maxDepth: number;

  constructor(maxDepth: number) {
    this.maxDepth = maxDepth;
  }

  decodeRequest(document: unknown): void {
    if (!isObject(document)) throw new JsonShapeError('the request must be a JSON object');
    const resourceSpans = arrayField(document, 'resourceSpans', 'request');
    for (let i = 0; i < resourceSpans.length; i++) {
      const where = `resourceSpans[${i}]`;
      const entry = resourceSpans[i];
      if (!isObject(entry)) throw new JsonShapeError(`${where} must be an object`);
      this.decodeResourceSpans(entry, where);
    }
  }

  private decodeResourceSpans(entry: JsonObject, where: string): void {
    const attributes: Attributes = {};
    const resourceJson = objectField(entry, 'resource', where);
    if (resourceJson !== undefined) {
      this.decodeAttributes(resourceJson, attributes, `${where}.resource`);
      integerField(resourceJson, 'droppedAttributesCount', `${where}.resource`);
    }
    const schemaUrl = stringField(entry, 'schemaUrl', where);
    const resource = resourceFromAttributes(attributes, schemaUrl === '' ? undefined : { schemaUrl });
    const scopeSpans = arrayField(entry, 'scopeSpans', where);
    for (let i = 0; i < scopeSpans.length; i++) {
      const scopeWhere = `${where}.scopeSpans[${i}]`;
      const scopeEntry = scopeSpans[i];
      if (!isObject(scopeEntry)) throw new JsonShapeError(`${scopeWhere} must be an object`);
      this.decodeScopeSpans(scopeEntry, resource, scopeWhere);
    }
  }

  private decodeScopeSpans(entry: JsonObject, resource: Resource, where: string): void {
    const schemaUrl = stringField(entry, 'schemaUrl', where);
    const scopeJson = objectField(entry, 'scope', where);
    let name = '';
    let version = '';
    if (scopeJson !== undefined) {
      name = stringField(scopeJson, 'name', `${where}.scope`);
      version = stringField(scopeJson, 'version', `${where}.scope`);
      this.decodeAttributes(scopeJson, {}, `${where}.scope`);
      integerField(scopeJson, 'droppedAttributesCount', `${where}.scope`);
    }
    const scope = receiveScope(name, version, schemaUrl);
    const spans = arrayField(entry, 'spans', where);
    for (let i = 0; i < spans.length; i++) {
      const spanWhere = `${where}.spans[${i}]`;
      const span = spans[i];
      if (!isObject(span)) throw new JsonShapeError(`${spanWhere} must be an object`);
      this.decodeSpan(span, resource, scope, spanWhere);
    }
  }

  private decodeSpan(json: JsonObject, resource: Resource, scope: InstrumentationScope, where: string): void {
    const traceId = normalizeHexId(stringField(json, 'traceId', where), 16) ?? '';
    const spanId = normalizeHexId(stringField(json, 'spanId', where), 8) ?? '';
    const parentText = stringField(json, 'parentSpanId', where);
    const parentSpanId = parentText === '' ? '' : normalizeHexId(parentText, 8);
    const traceState = stringField(json, 'traceState', where);
    const flagsValue = json['flags'];
    const flags = flagsValue === undefined || flagsValue === null ? -1 : integerField(json, 'flags', where) >>> 0;
    const name = stringField(json, 'name', where);
    const kind = enumField(json, 'kind', SPAN_KIND_NAMES, where);
    const startTime = timeField(json, 'startTimeUnixNano', where) ?? ZERO_TIME;
    const endTime = timeField(json, 'endTimeUnixNano', where);
    const hasEnd = endTime !== undefined && (endTime[0] !== 0 || endTime[1] !== 0);
    const attributes: Attributes = {};
    this.decodeAttributes(json, attributes, where);
    const droppedAttributesCount = integerField(json, 'droppedAttributesCount', where) >>> 0;
    const events = arrayField(json, 'events', where).map((event, i) => this.decodeEvent(event, `${where}.events[${i}]`));
    const droppedEventsCount = integerField(json, 'droppedEventsCount', where) >>> 0;
    let droppedLinksCount = integerField(json, 'droppedLinksCount', where) >>> 0;
    const links: Link[] = [];
    const linksJson = arrayField(json, 'links', where);
    for (let i = 0; i < linksJson.length; i++) {
      const link = this.decodeLink(linksJson[i], `${where}.links[${i}]`);
      if (link === undefined) droppedLinksCount++;
      else links.push(link);
    }
    const statusJson = objectField(json, 'status', where);
    const status =
      statusJson === undefined
        ? receiveStatus(0, '')
        : receiveStatus(enumField(statusJson, 'code', STATUS_CODE_NAMES, `${where}.status`), stringField(statusJson, 'message', `${where}.status`));

    const span = receiveSpan(
      {
        traceId,
        spanId,
        parentSpanId: parentSpanId ?? '',
        parentOk: parentSpanId !== undefined,
        traceState,
        flags,
        name,
        kind,
        startTime,
        endTime: endTime ?? ZERO_TIME,
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

  private decodeEvent(json: unknown, where: string): TimedEvent {
    if (!isObject(json)) throw new JsonShapeError(`${where} must be an object`);
    const event: TimedEvent = {
      time: timeField(json, 'timeUnixNano', where) ?? ZERO_TIME,
      name: stringField(json, 'name', where),
      droppedAttributesCount: integerField(json, 'droppedAttributesCount', where) >>> 0,
    };
    if (json['attributes'] !== undefined && json['attributes'] !== null) {
      const attributes: Attributes = {};
      this.decodeAttributes(json, attributes, where);
      event.attributes = attributes;
    }
    return event;
  }

  /** undefined when the link's ids are invalid: it is dropped and counted. */
  private decodeLink(json: unknown, where: string): Link | undefined {
    if (!isObject(json)) throw new JsonShapeError(`${where} must be an object`);
    const traceId = normalizeHexId(stringField(json, 'traceId', where), 16);
    const spanId = normalizeHexId(stringField(json, 'spanId', where), 8);
    const traceState = stringField(json, 'traceState', where);
    const flagsValue = json['flags'];
    const flags = flagsValue === undefined || flagsValue === null ? -1 : integerField(json, 'flags', where) >>> 0;
    const droppedAttributesCount = integerField(json, 'droppedAttributesCount', where) >>> 0;
    let attributes: Attributes | undefined;
    if (json['attributes'] !== undefined && json['attributes'] !== null) {
      attributes = {};
      this.decodeAttributes(json, attributes, where);
    }
    return receiveLink({ traceId: traceId ?? '', spanId: spanId ?? '', traceState, flags, attributes, droppedAttributesCount });
  }

  /** Reads `parent.attributes` (a KeyValue list) into `target`. */
  private decodeAttributes(parent: JsonObject, target: Record<string, unknown>, where: string): void {
    const list = arrayField(parent, 'attributes', where);
    this.decodeKeyValues(list, target, 0, `${where}.attributes`);
  }

  private decodeKeyValues(list: unknown[], target: Record<string, unknown>, depth: number, where: string): void {
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      if (!isObject(entry)) throw new JsonShapeError(`${where}[${i}] must be an object`);
      const key = stringField(entry, 'key', `${where}[${i}]`);
      const value = this.decodeAnyValue(entry['value'], depth, `${where}[${i}].value`);
      if (value !== undefined) setOwn(target, key, value);
    }
  }

  /** An AnyValue; undefined when it carries no value. */
  private decodeAnyValue(json: unknown, depth: number, where: string): unknown {
    if (json === undefined || json === null) return undefined;
    if (!isObject(json)) throw new JsonShapeError(`${where} must be an object`);
    if ('stringValue' in json) {
      const value = json['stringValue'];
      if (typeof value !== 'string') throw new JsonShapeError(`${where}.stringValue must be a string`);
      return value;
    }
    if ('boolValue' in json) {
      const value = json['boolValue'];
      if (typeof value !== 'boolean') throw new JsonShapeError(`${where}.boolValue must be a boolean`);
      return value;
    }
    if ('intValue' in json) {
      const value = json['intValue'];
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(value);
      throw new JsonShapeError(`${where}.intValue must be an integer or a decimal string`);
    }
    if ('doubleValue' in json) {
      const value = json['doubleValue'];
      if (typeof value === 'number') return value;
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      throw new JsonShapeError(`${where}.doubleValue must be a number`);
    }
    if ('arrayValue' in json) {
      if (depth >= this.maxDepth) throw new JsonShapeError(`attribute values nest deeper than ${this.maxDepth} levels`);
      const arrayJson = objectField(json, 'arrayValue', where);
      const values = arrayJson === undefined ? [] : arrayField(arrayJson, 'values', `${where}.arrayValue`);
      return values.map((item, i) => this.decodeAnyValue(item, depth + 1, `${where}.arrayValue.values[${i}]`) ?? null);
    }
    if ('kvlistValue' in json) {
      if (depth >= this.maxDepth) throw new JsonShapeError(`attribute values nest deeper than ${this.maxDepth} levels`);
      const listJson = objectField(json, 'kvlistValue', where);
      const values: Record<string, unknown> = {};
      if (listJson !== undefined) this.decodeKeyValues(arrayField(listJson, 'values', `${where}.kvlistValue`), values, depth + 1, `${where}.kvlistValue.values`);
      return values;
    }
    if ('bytesValue' in json) {
      const value = json['bytesValue'];
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw new JsonShapeError(`${where}.bytesValue must be base64`);
      return new Uint8Array(Buffer.from(value, 'base64'));
    }
    return undefined;
  }
}
