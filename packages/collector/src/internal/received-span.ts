// The ReadableSpan built from an OTLP span, plus the conversions both decoders share.
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/** Everything a decoder collects for one span. */
export interface ReceivedSpanFields {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: SpanContext;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** An ended span received over OTLP. */
export class ReceivedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  readonly #context: SpanContext;

  constructor(fields: ReceivedSpanFields) {
    this.name = fields.name;
    this.kind = fields.kind;
    this.#context = fields.spanContext;
    if (fields.parentSpanContext !== undefined) this.parentSpanContext = fields.parentSpanContext;
    this.startTime = fields.startTime;
    this.endTime = fields.endTime;
    this.duration = hrTimeDifference(fields.startTime, fields.endTime);
    this.status = fields.status;
    this.attributes = fields.attributes;
    this.links = fields.links;
    this.events = fields.events;
    this.resource = fields.resource;
    this.instrumentationScope = fields.instrumentationScope;
    this.droppedAttributesCount = fields.droppedAttributesCount;
    this.droppedEventsCount = fields.droppedEventsCount;
    this.droppedLinksCount = fields.droppedLinksCount;
  }

  spanContext(): SpanContext {
    return this.#context;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of an id; '' when the id is all zeros (invalid in OTLP). */
export function idToHex(bytes: Uint8Array): string {
  let nonZero = 0;
  let hex = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    nonZero |= b;
    hex += HEX[b]!;
  }
  return nonZero === 0 ? '' : hex;
}

const HEX_ID = /^[0-9a-fA-F]*$/;
const ZERO_ID = /^0*$/;

/** Validates a hex id of `length` bytes from OTLP JSON; returns lower case, '' when all zeros, undefined when malformed. */
export function normalizeHexId(text: string, length: number): string | undefined {
  if (text.length !== length * 2 || !HEX_ID.test(text)) return undefined;
  return ZERO_ID.test(text) ? '' : text.toLowerCase();
}

const SECONDS_PER_2_32_NS = 4;
const REMAINDER_2_32_NS = 294_967_296; // 2^32 mod 1e9
const SECONDS_PER_2_48_NS = 281_474; // floor(2^48 / 1e9)
const REMAINDER_2_48_NS = 976_710_656; // 2^48 mod 1e9
const NS_PER_SECOND = 1_000_000_000;

/** Unix nanoseconds given as two 32-bit halves, exactly, as [seconds, nanoseconds]. */
export function nanosToHrTime(lo: number, hi: number): HrTime {
  // hi * 2^32 = hiHigh * 2^48 + hiLow * 2^32, each split into whole seconds and a small remainder.
  const hiHigh = Math.floor(hi / 65_536);
  const hiLow = hi % 65_536;
  const remainder = hiHigh * REMAINDER_2_48_NS + hiLow * REMAINDER_2_32_NS + lo;
  const carry = Math.floor(remainder / NS_PER_SECOND);
  return [hiHigh * SECONDS_PER_2_48_NS + hiLow * SECONDS_PER_2_32_NS + carry, remainder - carry * NS_PER_SECOND];
}

const DECIMAL = /^\d{1,20}$/;

/** Unix nanoseconds from OTLP JSON (a decimal string or a number); undefined when malformed. */
export function jsonNanosToHrTime(value: unknown): HrTime | undefined {
  if (typeof value === 'string') {
    if (!DECIMAL.test(value)) return undefined;
    if (value.length <= 9) return [0, Number(value)];
    const seconds = Number(value.slice(0, -9));
    if (seconds > 18_446_744_073) return undefined;
    return [seconds, Number(value.slice(-9))];
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && Number.isInteger(value)) {
    const seconds = Math.floor(value / NS_PER_SECOND);
    return [seconds, Math.max(0, Math.min(NS_PER_SECOND - 1, value - seconds * NS_PER_SECOND))];
  }
  return undefined;
}

/** end - start; negative differences are kept (the decoders reject spans that end before they start). */
function hrTimeDifference(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += NS_PER_SECOND;
  }
  return [seconds, nanos];
}

/** True when a is strictly before b. */
export function hrTimeBefore(a: HrTime, b: HrTime): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** Sets an own property even for keys like `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** OTLP SpanKind (0 unspecified, 1 internal … 5 consumer) to the API's SpanKind (0 internal … 4 consumer). */
export function otlpKindToSpanKind(kind: number): SpanKind {
  return kind >= 2 && kind <= 5 ? kind - 1 : 0;
}

/** OTLP status code; unknown codes read as UNSET. */
export function otlpStatusCode(code: number): 0 | 1 | 2 {
  return code === 1 || code === 2 ? code : 0;
}

/** Collects rejection messages for the partial-success answer, keeping only the first few. */
export class RejectionLog {
  count = 0;
  readonly messages: string[] = [];
  static readonly #MAX_MESSAGES = 5;

  add(message: string): void {
    this.count++;
    if (this.messages.length < RejectionLog.#MAX_MESSAGES && !this.messages.includes(message)) this.messages.push(message);
  }

  summary(): string {
    if (this.count === 0) return '';
    return `${this.count} span${this.count === 1 ? '' : 's'} rejected: ${this.messages.join('; ')}`;
  }
}
