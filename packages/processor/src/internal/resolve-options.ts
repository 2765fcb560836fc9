// Checks RunSpanProcessor's options and fills in their defaults, once, when the processor is built.
import { DEFAULT_STALE_AFTER_MS, defaultPricingTable, defaultRedactor, InvalidArgumentError, Redactor } from '@runtrace/core';
import type {
  AttributeRedactor,
  Clock,
  CostCalculator,
  DestinationOptions,
  ProcessorErrorContext,
  RunSpanProcessorOptions,
  Timers,
} from '../run-span-processor-options.js';
import { RedactionMemo } from './redaction-memo.js';
import type { ResolvedDestination } from './router.js';

const DEFAULT_MAX_IN_FLIGHT = 50_000;
const DEFAULT_MAX_HELD_SPANS = 20_000;

const defaultTimers: Timers = {
  setInterval: (callback, intervalMs) => setInterval(callback, intervalMs),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** {@link RunSpanProcessorOptions} checked, with every default applied. */
export interface ResolvedOptions {
  readonly staleAfter: number;
  readonly maxInFlight: number;
  readonly maxHeldSpans: number;
  /** `undefined` when not given: the sweep interval then follows `staleAfter`. */
  readonly sweepInterval: number | false | undefined;
  readonly clock: Clock;
  readonly timers: Timers;
  /** The redactor to apply (memoized when that cannot change its results). */
  readonly redactor: AttributeRedactor;
  /** The redactor as given (before memoization), to recognise values the instrumentation redacted with it. */
  readonly knownRedactor: object;
  /** `undefined` when `pricing: false`: no cost is written. */
  readonly pricing: CostCalculator | undefined;
  readonly onError: ((error: unknown, context: ProcessorErrorContext) => void) | undefined;
  readonly destinations: readonly ResolvedDestination[];
}

export function validateStaleAfter(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError('staleAfter', value, 'a finite number of milliseconds greater than 0');
  }
  return value;
}

function validatePositiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(name, value, 'a positive integer');
  }
  return value;
}

function validateSweepInterval(value: unknown): number | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError('sweepInterval', value, 'a number of milliseconds greater than 0, or false');
  }
  return value;
}

function resolveDestination(options: DestinationOptions, index: number): ResolvedDestination {
  const name = options.name ?? `destination-${index}`;
  if (typeof options.processor?.onEnd !== 'function') {
    throw new InvalidArgumentError(`destinations[${index}].processor`, options.processor, 'a SpanProcessor');
  }
  const sampling = options.sampling ?? 'all';
  if (typeof sampling === 'object') {
    if (typeof sampling.ratio !== 'number' || !(sampling.ratio >= 0 && sampling.ratio <= 1)) {
      throw new InvalidArgumentError(`destinations[${index}].sampling.ratio`, sampling.ratio, 'a number from 0 to 1');
    }
  } else if (sampling !== 'all' && sampling !== 'errors-only') {
    throw new InvalidArgumentError(`destinations[${index}].sampling`, sampling, "'all', 'errors-only' or { ratio }");
  }
  const content = options.content ?? (options.kind === 'otlp' ? 'metadata' : 'full');
  if (content !== 'full' && content !== 'metadata') {
    throw new InvalidArgumentError(`destinations[${index}].content`, content, "'full' or 'metadata'");
  }
  return { name, processor: options.processor, exporter: options.exporter, content, standardHeaders: options.kind === 'otlp', sampling, delivered: 0, sampledOut: 0 };
}

/** Checks every option (throwing `InvalidArgumentError` for the first bad one, in a fixed order) and applies the defaults. */
export function resolveOptions(options: RunSpanProcessorOptions): ResolvedOptions {
  const staleAfter = validateStaleAfter(options.staleAfter ?? DEFAULT_STALE_AFTER_MS);
  const maxInFlight = validatePositiveInteger('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT);
  const maxHeldSpans = validatePositiveInteger('maxHeldSpans', options.maxHeldSpans, DEFAULT_MAX_HELD_SPANS);
  const sweepInterval = validateSweepInterval(options.sweepInterval);
  const redactor = options.redactor ?? defaultRedactor;
  return {
    staleAfter,
    maxInFlight,
    maxHeldSpans,
    sweepInterval,
    clock: options.clock ?? Date,
    timers: options.timers ?? defaultTimers,
    // The core Redactor's result depends only on (key, value), so long values may be memoized;
    // any other redactor is asked every time.
    redactor: redactor instanceof Redactor ? new RedactionMemo(redactor) : redactor,
    knownRedactor: redactor,
    pricing: options.pricing === false ? undefined : (options.pricing ?? defaultPricingTable),
    onError: options.onError,
    destinations: (options.destinations ?? []).map(resolveDestination),
  };
}
