// What both OTLP decoders share while decoding one request: limits, the decoded-size budget,
// counts of what was dropped, the accepted spans, and when to pause.
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { BudgetLease } from './byte-budget.js';
import type { DecodeLimits } from './decode-limits.js';
import { receiveSpan, type DecodedSpan } from './receive-span.js';
import { RejectionLog, setOwn } from './received-span.js';

/**
 * Decoding would build more than allowed: `'request'` past the payload's own allowance
 * (`maxExpansion`), `'collector'` past what the collector lets all requests hold together.
 */
export class DecodeBudgetError extends Error {
  readonly kind: 'request' | 'collector';

  constructor(kind: 'request' | 'collector', message: string) {
    super(message);
    this.name = 'DecodeBudgetError';
    this.kind = kind;
  }
}

/** A decoder's steps: it yields where it may pause, and only when {@link DecodeContext.due} says so. */
export type DecodeSteps = Generator<void, void, void>;

/**
 * Rough heap sizes, in bytes, of what decoding builds. They only need to be of the right order:
 * they bound memory, they do not measure it.
 */
export const Cost = {
  SPAN: 640,
  RESOURCE: 256,
  EVENT: 160,
  LINK: 192,
  /** A property of an attributes object or key-value list. */
  PROPERTY: 32,
  /** An array, or a key-value list's object, before its elements. */
  CONTAINER: 64,
  /** A slot in an array plus a number, boolean or null. */
  ELEMENT: 16,
  /** A string, plus its length. */
  STRING: 24,
  /** A Uint8Array, plus its length. */
  BYTES: 128,
} as const;

/** Decoded bytes reserved from the shared budget at a time, so most charges touch only local counters. */
const RESERVE_STEP = 64 * 1024;
/** A payload may always decode to this much, however small it is. */
const MIN_ALLOWANCE = 64 * 1024;
/** Work (bytes read plus bytes built) between two checks of the clock in sliced decoding. */
const WORK_PER_CHECK = 64 * 1024;
const NS_PER_MS = 1_000_000;

function msToHrTime(ms: number): HrTime {
  if (!Number.isFinite(ms)) return [ms, 0];
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * NS_PER_MS)];
}

/** One request's decoding state, shared by the protobuf and JSON decoders. */
export class DecodeContext {
  readonly limits: DecodeLimits;
  readonly spans: ReadableSpan[] = [];
  readonly rejections = new RejectionLog();
  droppedAttributes = 0;
  droppedEvents = 0;
  droppedLinks = 0;
  truncatedValues = 0;
  /** Plausible span times, fixed when decoding starts. */
  readonly earliestStart: HrTime;
  readonly latestEnd: HrTime;
  readonly #allowance: number;
  readonly #lease: BudgetLease | undefined;
  #decoded = 0;
  #reserved = 0;
  #work = 0;
  #lastPosition = 0;
  #nextCheck: number;
  /** Elements the attribute value being decoded may still take, and whether it lost some. */
  #cells = 0;
  #valueTruncated = false;

  /**
   * @param bodyBytes the payload's size, which sets its decoded-size allowance
   * @param lease the collector's shared decoded-size budget, when there is one
   * @param sliced whether a driver will pause the decoder (otherwise it never yields)
   */
  constructor(limits: DecodeLimits, bodyBytes: number, lease: BudgetLease | undefined, sliced: boolean) {
    this.limits = limits;
    this.#allowance = Math.max(MIN_ALLOWANCE, limits.maxExpansion * bodyBytes);
    this.#lease = lease;
    this.#nextCheck = sliced ? WORK_PER_CHECK : Number.POSITIVE_INFINITY;
    this.earliestStart = msToHrTime(limits.earliestStartMs);
    this.latestEnd = msToHrTime(limits.clock.now() + limits.maxFutureMs);
  }

  /** Estimated bytes built so far. */
  get decodedBytes(): number {
    return this.#decoded;
  }

  /** Counts `bytes` more built; throws DecodeBudgetError past the payload's or the collector's budget. */
  charge(bytes: number): void {
    this.#decoded += bytes;
    if (this.#decoded <= this.#reserved) return;
    if (this.#decoded > this.#allowance) {
      throw new DecodeBudgetError('request', `payload decodes to more than ${this.limits.maxExpansion} times its size`);
    }
    if (this.#lease === undefined) {
      this.#reserved = this.#decoded;
      return;
    }
    const step = Math.min(Math.max(RESERVE_STEP, this.#decoded - this.#reserved), this.#allowance - this.#reserved);
    const taken = this.#lease.take(step);
    if (taken === 'ok') this.#reserved += step;
    else if (taken === 'busy') throw new DecodeBudgetError('collector', 'collector is decoding too much at once; retry later');
    else throw new DecodeBudgetError('request', 'payload decodes to more than the collector lets one request hold');
  }

  /** Counts a string built from the payload. */
  chargeString(text: string): void {
    this.charge(Cost.STRING + text.length);
  }

  /** True when a sliced decoder should yield; `position` is how far it has read. */
  due(position: number): boolean {
    this.#work += Math.abs(position - this.#lastPosition);
    this.#lastPosition = position;
    return this.#work + this.#decoded >= this.#nextCheck;
  }

  /** Called by the driver each time the decoder yielded. */
  resumed(): void {
    this.#nextCheck = this.#work + this.#decoded + WORK_PER_CHECK;
  }

  // ---- attribute values ------------------------------------------------------------------

  /** Starts one attribute value: its element allowance is `maxValueElements`. */
  beginValue(): void {
    this.#cells = this.limits.maxValueElements;
    this.#valueTruncated = false;
  }

  /** Ends the attribute value begun last; counts it when it was cut short. */
  endValue(): void {
    if (this.#valueTruncated) this.truncatedValues++;
  }

  /** Takes one array element or list entry of the current value; false when it must be left out. */
  takeElement(): boolean {
    if (this.#cells <= 0) {
      this.#valueTruncated = true;
      return false;
    }
    this.#cells--;
    this.charge(Cost.ELEMENT);
    return true;
  }

  /** A string attribute value, cut to `attributeValueLengthLimit`. */
  valueString(text: string): string {
    const limit = this.limits.attributeValueLengthLimit;
    const kept = text.length > limit ? text.slice(0, limit) : text;
    if (kept !== text) this.#valueTruncated = true;
    this.chargeString(kept);
    return kept;
  }

  // ---- spans ------------------------------------------------------------------------------

  /** Validates and keeps one span, or counts its rejection. */
  addSpan(decoded: DecodedSpan): void {
    this.charge(Cost.SPAN);
    const span = receiveSpan(decoded, this.rejections, this.earliestStart, this.latestEnd);
    if (span !== undefined) this.spans.push(span);
  }
}

/**
 * Attributes under a count limit, by OpenTelemetry's rule: a new key past the limit is left out
 * and counted; a key already present is still updated.
 */
export class LimitedAttributes {
  readonly values: Attributes = {};
  dropped = 0;
  readonly #limit: number;
  readonly #context: DecodeContext;
  #count = 0;

  constructor(limit: number, context: DecodeContext) {
    this.#limit = limit;
    this.#context = context;
  }

  /** Whether `key` may be set; counts it as dropped when not. */
  admits(key: string): boolean {
    if (this.#count < this.#limit || Object.hasOwn(this.values, key)) return true;
    this.dropped++;
    this.#context.droppedAttributes++;
    return false;
  }

  /** Sets an admitted key; a value that carries nothing is left out. */
  set(key: string, value: unknown): void {
    if (value === undefined) return;
    if (!Object.hasOwn(this.values, key)) {
      this.#count++;
      this.#context.charge(Cost.PROPERTY + Cost.STRING + key.length);
    }
    setOwn(this.values, key, value);
  }
}
