// Validates OtlpDecodeOptions once and fills in their defaults.
import { InvalidArgumentError } from '@runtrace/core';
import type { OtlpDecodeOptions } from '../otlp-decode-result.js';

/** OtlpDecodeOptions with every default applied. */
export interface DecodeLimits {
  readonly maxDepth: number;
  readonly maxValueElements: number;
  readonly attributeValueLengthLimit: number;
  readonly attributeCountLimit: number;
  readonly eventCountLimit: number;
  readonly linkCountLimit: number;
  readonly attributePerEventCountLimit: number;
  readonly attributePerLinkCountLimit: number;
  readonly maxExpansion: number;
  readonly earliestStartMs: number;
  readonly maxFutureMs: number;
  readonly clock: { now(): number };
}

// OpenTelemetry's SpanLimits defaults.
const OTEL_COUNT_LIMIT = 128;
const DAY_MS = 86_400_000;

function countLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 0)) return value;
  throw new InvalidArgumentError(`decode.${name}`, value, 'an integer ≥ 0, or Infinity');
}

/** Throws InvalidArgumentError for options that make no sense. */
export function resolveDecodeLimits(options: OtlpDecodeOptions = {}): DecodeLimits {
  const maxDepth = options.maxDepth ?? 32;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) throw new InvalidArgumentError('decode.maxDepth', maxDepth, 'a positive integer');
  const attributeValueLengthLimit = options.attributeValueLengthLimit ?? Number.POSITIVE_INFINITY;
  if (!(attributeValueLengthLimit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(attributeValueLengthLimit) && attributeValueLengthLimit >= 0))) {
    throw new InvalidArgumentError('decode.attributeValueLengthLimit', attributeValueLengthLimit, 'an integer ≥ 0, or Infinity');
  }
  const maxExpansion = options.maxExpansion ?? 16;
  if (typeof maxExpansion !== 'number' || Number.isNaN(maxExpansion) || maxExpansion < 1) {
    throw new InvalidArgumentError('decode.maxExpansion', maxExpansion, 'a number ≥ 1, or Infinity');
  }
  const earliestStartMs = options.earliestStartMs ?? Date.UTC(2000, 0, 1);
  if (!Number.isFinite(earliestStartMs)) throw new InvalidArgumentError('decode.earliestStartMs', earliestStartMs, 'a finite number of milliseconds since the epoch');
  const maxFutureMs = options.maxFutureMs ?? DAY_MS;
  if (typeof maxFutureMs !== 'number' || Number.isNaN(maxFutureMs) || maxFutureMs < 0) {
    throw new InvalidArgumentError('decode.maxFutureMs', maxFutureMs, 'a number of milliseconds ≥ 0, or Infinity');
  }
  const clock = options.clock ?? Date;
  if (typeof clock?.now !== 'function') throw new InvalidArgumentError('decode.clock', clock, 'an object with now()');
  return {
    maxDepth,
    maxValueElements: countLimit('maxValueElements', options.maxValueElements, 10_000),
    attributeValueLengthLimit,
    attributeCountLimit: countLimit('attributeCountLimit', options.attributeCountLimit, OTEL_COUNT_LIMIT),
    eventCountLimit: countLimit('eventCountLimit', options.eventCountLimit, OTEL_COUNT_LIMIT),
    linkCountLimit: countLimit('linkCountLimit', options.linkCountLimit, OTEL_COUNT_LIMIT),
    attributePerEventCountLimit: countLimit('attributePerEventCountLimit', options.attributePerEventCountLimit, OTEL_COUNT_LIMIT),
    attributePerLinkCountLimit: countLimit('attributePerLinkCountLimit', options.attributePerLinkCountLimit, OTEL_COUNT_LIMIT),
    maxExpansion,
    earliestStartMs,
    maxFutureMs,
    clock,
  };
}
