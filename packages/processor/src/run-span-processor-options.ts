// Options of RunSpanProcessor and the small interfaces it accepts (clock, timers, redactor, pricing).
import type { CostResult, TokenUsage } from '@runtrace/core';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/** A source of wall-clock time in epoch milliseconds. */
export interface Clock {
  /** The current time, in milliseconds since the Unix epoch. */
  now(): number;
}

/** Timer functions used for the periodic stale sweep; injectable so tests never wait. */
export interface Timers {
  /** Starts a repeating timer. When the returned handle has `unref()`, it is called. */
  setInterval(callback: () => void, intervalMs: number): unknown;
  /** Stops a timer returned by {@link Timers.setInterval}. */
  clearInterval(handle: unknown): void;
}

/** The outcome of redacting one value, as returned by `@runtrace/core`'s `Redactor`. */
export interface AttributeRedaction {
  /** The value with every secret replaced by `[REDACTED]`. */
  readonly value: string;
  /** How many values were masked. */
  readonly maskedCount: number;
  /** Names of the rules that matched, when the redactor reports them. */
  readonly rules?: readonly string[];
}

/**
 * What the processor needs from a redactor: `@runtrace/core`'s `Redactor` and `defaultRedactor`
 * satisfy it.
 */
export interface AttributeRedactor {
  /** Redacts one string attribute value, choosing rules by the attribute key and the content. */
  redactAttribute(key: string, value: string): AttributeRedaction;
}

/** What the processor needs from a pricing table: `@runtrace/core`'s `PricingTable` satisfies it. */
export interface CostCalculator {
  /** The cost of `usage` on `model` (optionally disambiguated by provider). */
  cost(model: string, usage: TokenUsage, provider?: string): CostResult;
}

/**
 * What a destination receives.
 * - `full`: every attribute, after redaction.
 * - `metadata`: no message text, request or response bodies, tool arguments or results, stream
 *   text, run labels or tool definitions; the view carries `runtrace.content.policy = metadata`.
 */
export type DestinationContent = 'full' | 'metadata';

/**
 * Which runs a destination receives, decided when a run ends.
 * - `all`: every run (its spans are forwarded as soon as they end, nothing is held).
 * - `errors-only`: only runs that ended in error or contain a failed step or tool, with all
 *   their spans.
 * - `{ ratio }`: every failed run plus this fraction (0..1) of the successful ones, chosen by
 *   trace id so every span of a trace gets the same decision.
 */
export type DestinationSampling = 'all' | 'errors-only' | { readonly ratio: number };

/** The kind of backend behind a destination; it selects the default content view. */
export type DestinationKind = 'otlp' | 'store' | 'other';

/** One downstream span processor that RunSpanProcessor feeds. */
export interface DestinationOptions {
  /**
   * The wrapped processor, for example `new BatchSpanProcessor({ exporter })` for an OTLP
   * exporter or `new SimpleSpanProcessor({ exporter: sqliteExporter })` for the local store. It receives
   * ended, redacted spans through `onEnd` only (never `onStart`/`onEnding`), and is flushed and
   * shut down by RunSpanProcessor.
   */
  readonly processor: SpanProcessor;
  /**
   * What kind of backend this is; it selects the default `content`, and an `'otlp'` destination
   * gets attempt headers as `http.request.header.*` / `http.response.header.*`. Default `'other'`.
   */
  readonly kind?: DestinationKind;
  /** Content view. Default `'metadata'` when `kind` is `'otlp'`, otherwise `'full'`. */
  readonly content?: DestinationContent;
  /** Run-level sampling. Default `'all'`. */
  readonly sampling?: DestinationSampling;
  /** A name for statistics and error reports. Default `destination-<index>`. */
  readonly name?: string;
  /**
   * The exporter behind a batching `processor`. The SDK's `BatchSpanProcessor.forceFlush()` sends
   * what is buffered but does not wait for an export its timer already started; with the
   * exporter given here, `forceFlush()` also waits for the exporter's own `forceFlush()` (the OTLP
   * exporters wait for every request in flight). Default: none.
   */
  readonly exporter?: Pick<SpanExporter, 'forceFlush'>;
}

/** Where an internal failure happened, passed to {@link RunSpanProcessorOptions.onError}. */
export type ProcessorErrorContext =
  | 'onStart'
  | 'onEnding'
  | 'onEnd'
  | 'write'
  | 'sweep'
  | 'ingest'
  | 'listener'
  | 'destination'
  | 'flush'
  | 'shutdown';

/** Options of {@link RunSpanProcessor}. */
export interface RunSpanProcessorOptions {
  /** Downstream processors that receive the ended spans. Default: none. */
  readonly destinations?: readonly DestinationOptions[];
  /**
   * Idle time in milliseconds after which an in-flight run is ended as interrupted with
   * `runtrace.stale = true`. Must be > 0. Default 300,000 (5 minutes).
   */
  readonly staleAfter?: number;
  /**
   * Milliseconds between automatic stale sweeps, or `false` for none (call `sweep()` yourself).
   * Default: half of `staleAfter`, at most 30,000, following `setStaleAfter()`.
   */
  readonly sweepInterval?: number | false;
  /** Wall clock in epoch milliseconds for activity, staleness and sweep end times. Default `Date`. */
  readonly clock?: Clock;
  /** Timer functions for the periodic sweep. Default the global `setInterval`/`clearInterval`. */
  readonly timers?: Timers;
  /**
   * Most runtrace spans (runs, steps, attempts, tools) tracked in flight at once. A span that
   * starts while the registry is full is not tracked: it is still redacted, finalized and
   * forwarded when it ends, but gets no activity tracking, stale sweep or summary contribution;
   * it is counted in `stats().untracked`. Default 50,000.
   */
  readonly maxInFlight?: number;
  /**
   * Most ended spans held in memory while their run is still in flight, for destinations whose
   * sampling is not `'all'`. At the cap the run holding the oldest spans is released early and
   * kept in full (fail open), counted in `stats().forcedReleases`. Default 20,000.
   */
  readonly maxHeldSpans?: number;
  /**
   * Redactor applied in `onEnding` to every span. Default `@runtrace/core`'s `defaultRedactor`.
   * With a core `Redactor`, the redaction of recent long values is remembered (its result depends
   * only on the key and value), so an unchanged value is not scanned twice.
   */
  readonly redactor?: AttributeRedactor;
  /**
   * Pricing for `runtrace.summary.cost_usd`, or `false` to write no cost.
   * Default `@runtrace/core`'s `defaultPricingTable`.
   */
  readonly pricing?: CostCalculator | false;
  /**
   * Called with every internal failure (a throwing destination, a failed sweep, …). It must not
   * throw; if it does, the error is dropped. Default: `diag.error` from `@opentelemetry/api`.
   */
  readonly onError?: (error: unknown, context: ProcessorErrorContext) => void;
}
