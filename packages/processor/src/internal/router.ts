// Delivers ended spans to the destinations: per-destination content views and run-level sampling.
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes } from '@runtrace/core';
import type { Clock, DestinationContent, DestinationSampling, ProcessorErrorContext } from '../run-span-processor-options.js';
import type { DestinationStats } from '../run-span-processor-stats.js';
import { BoundedMap } from './bounded-map.js';
import { metadataView } from './content-view.js';
import { withStandardHeaders } from './header-view.js';
import { statusOf } from './run-summary.js';

/** A destination with its defaults applied and its counters. */
export interface ResolvedDestination {
  readonly name: string;
  readonly processor: SpanProcessor;
  /** The exporter behind a batching processor, flushed after it so in-flight exports are awaited. */
  readonly exporter: Pick<SpanExporter, 'forceFlush'> | undefined;
  readonly content: DestinationContent;
  /** Headers as `http.request.header.*` / `http.response.header.*` (an OTLP backend's view). */
  readonly standardHeaders: boolean;
  readonly sampling: DestinationSampling;
  delivered: number;
  sampledOut: number;
}

interface HeldRun {
  readonly spans: ReadableSpan[];
  hasError: boolean;
  lastAddedMs: number;
}

export interface RouterOptions {
  readonly maxHeldSpans: number;
  /** How many run decisions are remembered for spans that arrive after their run ended. */
  readonly decisionMemory: number;
  readonly clock: Clock;
  readonly report: (error: unknown, context: ProcessorErrorContext) => void;
}

/** Whether a span (or, for a run span, the run as a whole) counts as failed. */
function hasError(span: ReadableSpan, isRun: boolean): boolean {
  if (statusOf(span.attributes, span.status.code) === 'error') return true;
  return isRun && span.attributes[RuntraceAttributes.SUMMARY_HAS_ERROR] === true;
}

/** The position of a trace in [0, 1): the low 32 bits of the trace id, as a fraction. */
export function traceIdFraction(traceId: string): number {
  const tail = Number.parseInt(traceId.slice(-8), 16);
  return Number.isFinite(tail) ? tail / 0x1_0000_0000 : 0;
}

function keeps(sampling: DestinationSampling, hasError: boolean, traceId: string): boolean {
  if (sampling === 'all' || hasError) return true;
  if (sampling === 'errors-only') return false;
  return traceIdFraction(traceId) < sampling.ratio;
}

/** Routes spans to destinations, holding a run's spans until its sampling decision is made. */
export class Router {
  readonly destinations: readonly ResolvedDestination[];
  readonly #immediate: readonly ResolvedDestination[];
  readonly #sampled: readonly ResolvedDestination[];
  readonly #held = new Map<string, HeldRun>();
  readonly #decisions: BoundedMap<string, readonly boolean[]>;
  /** The decision of a run released early: kept by every sampled destination. */
  readonly #keepAll: readonly boolean[];
  readonly #maxHeldSpans: number;
  readonly #clock: Clock;
  readonly #report: (error: unknown, context: ProcessorErrorContext) => void;
  #heldSpans = 0;
  forcedReleases = 0;

  constructor(destinations: readonly ResolvedDestination[], options: RouterOptions) {
    this.destinations = destinations;
    this.#immediate = destinations.filter((destination) => destination.sampling === 'all');
    this.#sampled = destinations.filter((destination) => destination.sampling !== 'all');
    this.#keepAll = this.#sampled.map(() => true);
    this.#maxHeldSpans = options.maxHeldSpans;
    this.#decisions = new BoundedMap(options.decisionMemory);
    this.#clock = options.clock;
    this.#report = options.report;
  }

  get heldSpans(): number {
    return this.#heldSpans;
  }

  get heldRuns(): number {
    return this.#held.size;
  }

  /**
   * Routes one ended (and already redacted) span. `runKey` is the run whose decision it follows,
   * when it belongs to one; for a run span (`isRun`, its own id as `runKey`) the decision is made now.
   */
  route(span: ReadableSpan, runKey: string | undefined, isRun: boolean): void {
    if (this.#immediate.length > 0) this.#deliver(span, this.#immediate);
    if (this.#sampled.length === 0) return;
    const traceId = span.spanContext().traceId;
    if (runKey === undefined) {
      this.#decide([span], hasError(span, isRun), traceId);
      return;
    }
    const decided = this.#decisions.get(runKey);
    if (decided !== undefined) {
      // Decided already: the run was released early, or this span arrived after its run ended.
      this.#apply([span], decided);
      return;
    }
    if (isRun) {
      const held = this.#take(runKey);
      const failed = hasError(span, true) || (held?.hasError ?? false);
      const spans = held?.spans ?? [];
      spans.push(span);
      this.#decisions.set(runKey, this.#decide(spans, failed, traceId));
      return;
    }
    const nowMs = this.#clock.now();
    let held = this.#held.get(runKey);
    if (held === undefined) {
      held = { spans: [], hasError: false, lastAddedMs: nowMs };
      this.#held.set(runKey, held);
    }
    held.spans.push(span);
    held.hasError ||= hasError(span, false);
    held.lastAddedMs = nowMs;
    this.#heldSpans += 1;
    while (this.#heldSpans > this.#maxHeldSpans) {
      const oldest = this.#held.keys().next();
      if (oldest.done === true) break;
      this.#release(oldest.value);
    }
  }

  /**
   * Releases (keeps in full) held runs that received nothing for `idleMs` and that
   * `isInFlight` does not claim; returns how many were released.
   */
  releaseIdle(nowMs: number, idleMs: number, isInFlight: (key: string) => boolean): number {
    let released = 0;
    // Deleting the current entry while iterating a Map is safe.
    for (const [key, held] of this.#held) {
      if (nowMs - held.lastAddedMs >= idleMs && !isInFlight(key)) {
        this.#release(key);
        released += 1;
      }
    }
    return released;
  }

  /** Releases (keeps in full) every held run: used at shutdown. */
  releaseAll(): void {
    for (const key of this.#held.keys()) this.#release(key);
  }

  stats(): DestinationStats[] {
    return this.destinations.map(({ name, delivered, sampledOut }) => ({ name, delivered, sampledOut }));
  }

  #take(key: string): HeldRun | undefined {
    const held = this.#held.get(key);
    if (held === undefined) return undefined;
    this.#held.delete(key);
    this.#heldSpans -= held.spans.length;
    return held;
  }

  #release(key: string): void {
    const held = this.#take(key);
    if (held === undefined) return;
    this.forcedReleases += 1;
    this.#decisions.set(key, this.#keepAll);
    this.#apply(held.spans, this.#keepAll);
  }

  #decide(spans: readonly ReadableSpan[], hasError: boolean, traceId: string): boolean[] {
    const decision = this.#sampled.map((destination) => keeps(destination.sampling, hasError, traceId));
    this.#apply(spans, decision);
    return decision;
  }

  #apply(spans: readonly ReadableSpan[], decision: readonly boolean[]): void {
    const kept: ResolvedDestination[] = [];
    this.#sampled.forEach((destination, index) => {
      if (decision[index] === true) kept.push(destination);
      else destination.sampledOut += spans.length;
    });
    if (kept.length === 0) return;
    for (const span of spans) this.#deliver(span, kept);
  }

  #deliver(span: ReadableSpan, destinations: readonly ResolvedDestination[]): void {
    let metadata: ReadableSpan | undefined;
    let standard: ReadableSpan | undefined;
    let standardMetadata: ReadableSpan | undefined;
    for (const destination of destinations) {
      let view = span;
      if (destination.content === 'metadata') {
        try {
          metadata ??= metadataView(span);
        } catch (error: unknown) {
          // Never fall back to the full span for a metadata destination.
          this.#report(error, 'destination');
          continue;
        }
        view = metadata;
      }
      if (destination.standardHeaders) {
        try {
          view = destination.content === 'metadata' ? (standardMetadata ??= withStandardHeaders(view)) : (standard ??= withStandardHeaders(view));
        } catch (error: unknown) {
          // The view as it was: its headers stay in runtrace's own attributes.
          this.#report(error, 'destination');
        }
      }
      destination.delivered += 1;
      try {
        destination.processor.onEnd(view);
      } catch (error: unknown) {
        this.#report(error, 'destination');
      }
    }
  }
}
