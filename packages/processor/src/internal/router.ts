// Delivers ended spans to the destinations: per-destination content views and run-level sampling.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type {
  DestinationContent,
  DestinationSampling,
  ProcessorErrorContext,
} from '../run-span-processor-options.js';
import type { DestinationStats } from '../run-span-processor-stats.js';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { BoundedMap } from './bounded-map.js';
import { metadataView } from './content-view.js';

/** A destination with its defaults applied and its counters. */
export interface ResolvedDestination {
  readonly name: string;
  readonly processor: SpanProcessor;
  /** The exporter behind a batching processor, flushed after it so in-flight exports are awaited. */
  readonly exporter: Pick<SpanExporter, 'forceFlush'> | undefined;
  readonly content: DestinationContent;
  readonly sampling: DestinationSampling;
  delivered: number;
  sampledOut: number;
}

interface HeldRun {
  readonly spans: ReadableSpan[];
  hasError: boolean;
  lastAddedMs: number;
}

/** How one span relates to its run, as the processor knows it. */
export interface RouteInfo {
  /** The run whose decision this span follows, when it belongs to one. */
  readonly runKey: string | undefined;
  /** The span is the run span itself: the decision for `runKey` is made now. */
  readonly isRunEnd: boolean;
  /** The span (or, for a run, the run as a whole) counts as failed. */
  readonly hasError: boolean;
}

/** Whether a trace falls into the kept fraction: the low 32 bits of the trace id, as a fraction. */
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
  readonly #maxHeldSpans: number;
  readonly #report: (error: unknown, context: ProcessorErrorContext) => void;
  #heldSpans = 0;
  forcedReleases = 0;

  constructor(
    destinations: readonly ResolvedDestination[],
    maxHeldSpans: number,
    decisionCacheSize: number,
    report: (error: unknown, context: ProcessorErrorContext) => void,
  ) {
    this.destinations = destinations;
    this.#immediate = destinations.filter((destination) => destination.sampling === 'all');
    this.#sampled = destinations.filter((destination) => destination.sampling !== 'all');
    this.#maxHeldSpans = maxHeldSpans;
    this.#decisions = new BoundedMap(decisionCacheSize);
    this.#report = report;
  }

  get heldSpans(): number {
    return this.#heldSpans;
  }

  get heldRuns(): number {
    return this.#held.size;
  }

  /** Routes one ended (and already redacted) span. */
  route(span: ReadableSpan, info: RouteInfo, nowMs: number): void {
    if (this.#immediate.length > 0) this.#deliver(span, this.#immediate);
    if (this.#sampled.length === 0) return;
    const traceId = span.spanContext().traceId;
    const key = info.runKey;
    if (key === undefined) {
      this.#decide([span], info.hasError, traceId);
      return;
    }
    const decided = this.#decisions.get(key);
    if (decided !== undefined) {
      // Decided already: the run was released early, or this span arrived after its run ended.
      this.#apply([span], decided);
      return;
    }
    if (info.isRunEnd) {
      const held = this.#take(key);
      const spans = held === undefined ? [span] : [...held.spans, span];
      this.#decisions.set(key, this.#decide(spans, info.hasError || (held?.hasError ?? false), traceId));
      return;
    }
    let held = this.#held.get(key);
    if (held === undefined) {
      held = { spans: [], hasError: false, lastAddedMs: nowMs };
      this.#held.set(key, held);
    }
    held.spans.push(span);
    held.hasError ||= info.hasError;
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
    for (const [key, held] of [...this.#held]) {
      if (nowMs - held.lastAddedMs >= idleMs && !isInFlight(key)) {
        this.#release(key);
        released += 1;
      }
    }
    return released;
  }

  /** Releases (keeps in full) every held run: used at shutdown. */
  releaseAll(): void {
    for (const key of [...this.#held.keys()]) this.#release(key);
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
    const decision = this.#sampled.map(() => true);
    this.#decisions.set(key, decision);
    this.#apply(held.spans, decision);
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
      destination.delivered += 1;
      try {
        destination.processor.onEnd(view);
      } catch (error: unknown) {
        this.#report(error, 'destination');
      }
    }
  }
}
