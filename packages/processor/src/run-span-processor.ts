// RunSpanProcessor: finalizes runtrace spans (write-once, stale sweep, shutdown), redacts every
// span in onEnding, writes run summaries, and routes ended spans to the destinations it wraps.
import type { Attributes, Context, Link, SpanStatus } from '@opentelemetry/api';
import { diag, SpanStatusCode, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds, millisToHrTime } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { RunStatus, SpanKind } from '@runtrace/core';
import {
  DEFAULT_STALE_AFTER_MS,
  defaultPricingTable,
  defaultRedactor,
  InvalidArgumentError,
  Redactor,
  RunStatuses,
  RuntraceAttributes,
  SpanKinds,
} from '@runtrace/core';
import { BoundedMap } from './internal/bounded-map.js';
import { ForeignLinks } from './internal/foreign-links.js';
import type { Placement } from './internal/foreign-links.js';
import { LiveEvents } from './internal/live-events.js';
import { recordMasking, redactSpanParts } from './internal/redaction.js';
import { RedactionMemo } from './internal/redaction-memo.js';
import type { ResolvedDestination } from './internal/router.js';
import { Router } from './internal/router.js';
import { RunSummaryAccumulator } from './internal/run-summary.js';
import { RunGroup, SpanEntry, countKey, endOrder, isSpanKind, isTerminalValue, zeroCounts } from './internal/run-registry.js';
import type { MutableCounts, Mutators } from './internal/run-registry.js';
import { WriteOnceGuard, asInternalWrite, internalWrite } from './internal/write-once-guard.js';
import type { SpanCopy } from './internal/span-copy.js';
import { copySpan } from './internal/span-copy.js';
import type { RunLiveListener, SweepCounts } from './run-live-event.js';
import type {
  AttributeRedactor,
  Clock,
  CostCalculator,
  DestinationOptions,
  ProcessorErrorContext,
  RunSpanProcessorOptions,
  Timers,
} from './run-span-processor-options.js';
import type { RunSpanProcessorStats } from './run-span-processor-stats.js';

const DEFAULT_MAX_IN_FLIGHT = 50_000;
const DEFAULT_MAX_HELD_SPANS = 20_000;
const MAX_DEFAULT_SWEEP_INTERVAL_MS = 30_000;
/** How many ended run ids are remembered to mark late children as orphaned. */
const ENDED_RUN_MEMORY = 10_000;
/** How many sampling decisions and ingest accumulators are remembered. */
const DECISION_MEMORY = 10_000;
/** Sub-runs nest; activity and sweep ordering follow at most this many levels up. */
const MAX_RUN_DEPTH = 16;


function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function validateStaleAfter(value: unknown): number {
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

const defaultTimers: Timers = {
  setInterval: (callback, intervalMs) => setInterval(callback, intervalMs),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * A span processor for runtrace: it tracks runtrace's run, step, attempt and tool spans while
 * they are in flight, makes their terminal status write-once, ends abandoned runs as
 * interrupted (stale sweep) and everything still open at shutdown, redacts every span that
 * ends (whoever created it), writes run summaries, and forwards ended spans to the processors
 * it wraps — per destination with run-level sampling and a full or metadata-only content view.
 *
 * Register it as the provider's only span processor and put the exporters' processors in
 * `destinations`.
 *
 * @example
 * const processor = new RunSpanProcessor({
 *   destinations: [
 *     { processor: new SimpleSpanProcessor({ exporter: storeExporter }) },
 *     { processor: new BatchSpanProcessor({ exporter: otlpExporter }), exporter: otlpExporter, kind: 'otlp' },
 *   ],
 * });
 * const provider = new TracerProvider({ spanProcessors: [processor] });
 */
export class RunSpanProcessor implements SpanProcessor {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #redactor: AttributeRedactor;
  /** The redactor as given (before memoization), to recognise values the instrumentation redacted with it. */
  readonly #knownRedactor: object;
  readonly #pricing: CostCalculator | undefined;
  readonly #onError: ((error: unknown, context: ProcessorErrorContext) => void) | undefined;
  readonly #maxInFlight: number;
  readonly #router: Router;
  readonly #explicitSweepInterval: number | false | undefined;

  /** Each instance keeps its span entries on the spans under its own symbol (cheaper than a WeakMap). */
  readonly #entryKey = Symbol('runtrace.processor.entry');
  readonly #groups = new Map<string, RunGroup>();
  /** Trace id → the outermost in-flight run in it, so other spans of the trace follow its sampling. */
  readonly #traceRuns = new Map<string, string>();
  /**
   * Trace id → the outermost run seen in it, remembered after the run ended and for ingested
   * spans, so other spans of the trace that end late or arrive in a later batch follow the run.
   */
  readonly #traceRunMemory = new BoundedMap<string, string>(DECISION_MEMORY);
  readonly #endedRuns = new BoundedMap<string, true>(ENDED_RUN_MEMORY);
  readonly #ingestSummaries = new BoundedMap<string, RunSummaryAccumulator>(DECISION_MEMORY);
  /** Other instrumentations' GenAI spans: the runs they join, the model calls runtrace's steps cover. */
  readonly #foreign = new ForeignLinks(DECISION_MEMORY);
  readonly #live: LiveEvents;
  readonly #guard: WriteOnceGuard;
  readonly #wrappers: Mutators;
  /** Takes a live event's snapshot; one function for every event. */

  #staleAfter: number;
  #timer: unknown;
  #tracked = 0;
  readonly #inFlight = zeroCounts();
  readonly #swept = zeroCounts();
  readonly #interruptedAtShutdown = zeroCounts();
  #untracked = 0;
  #orphaned = 0;
  #redactedSpans = 0;
  #maskedValues = 0;
  #ingested = 0;
  #droppedAfterShutdown = 0;
  #internalErrors = 0;
  #shuttingDown = false;
  #closed = false;
  #shutdownPromise: Promise<void> | undefined;

  constructor(options: RunSpanProcessorOptions = {}) {
    this.#staleAfter = validateStaleAfter(options.staleAfter ?? DEFAULT_STALE_AFTER_MS);
    this.#maxInFlight = validatePositiveInteger('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT);
    const maxHeldSpans = validatePositiveInteger('maxHeldSpans', options.maxHeldSpans, DEFAULT_MAX_HELD_SPANS);
    const sweepInterval = options.sweepInterval;
    if (sweepInterval !== undefined && sweepInterval !== false) {
      if (typeof sweepInterval !== 'number' || !Number.isFinite(sweepInterval) || sweepInterval <= 0) {
        throw new InvalidArgumentError('sweepInterval', sweepInterval, 'a number of milliseconds greater than 0, or false');
      }
    }
    this.#explicitSweepInterval = sweepInterval;
    this.#clock = options.clock ?? Date;
    this.#timers = options.timers ?? defaultTimers;
    const redactor = options.redactor ?? defaultRedactor;
    this.#knownRedactor = redactor;
    // The core Redactor's result depends only on (key, value), so long values may be memoized;
    // any other redactor is asked every time.
    this.#redactor = redactor instanceof Redactor ? new RedactionMemo(redactor) : redactor;
    this.#pricing = options.pricing === false ? undefined : (options.pricing ?? defaultPricingTable);
    this.#onError = options.onError;
    const destinations = (options.destinations ?? []).map(resolveDestination);
    this.#router = new Router(destinations, {
      maxHeldSpans,
      decisionMemory: DECISION_MEMORY,
      clock: this.#clock,
      report: (error, context) => this.#report(error, context),
    });
    this.#live = new LiveEvents((live) => this.#snapshot(live), (error, context) => this.#report(error, context));
    this.#guard = new WriteOnceGuard({
      entryOf: (span) => this.#entryOf(span),
      touch: (entry) => this.#touch(entry, this.#clock.now()),
      scheduleRunUpdate: (group) => this.#live.runUpdated(group),
      report: (error, context) => this.#report(error, context),
    });
    this.#wrappers = this.#guard.wrappers();
    this.#armTimer();
  }

  /** The current stale threshold in milliseconds. */
  get staleAfter(): number {
    return this.#staleAfter;
  }

  /**
   * Changes the stale threshold; it applies at once to everything in flight (the next sweep
   * uses it). Zero, negative or non-finite values throw `InvalidArgumentError`.
   *
   * @example
   * processor.setStaleAfter(60_000);
   */
  setStaleAfter(ms: number): void {
    this.#staleAfter = validateStaleAfter(ms);
    if (this.#explicitSweepInterval === undefined) this.#armTimer();
  }

  /**
   * Subscribes to live events; returns the function that unsubscribes.
   *
   * @example
   * const unsubscribe = processor.subscribe((event) => { if (event.type === 'run-end') show(event.span); });
   */
  subscribe(listener: RunLiveListener): () => void {
    return this.#live.subscribe(listener);
  }

  /** A snapshot of the processor's counters. */
  stats(): RunSpanProcessorStats {
    return {
      inFlight: { ...this.#inFlight },
      untracked: this.#untracked,
      lateWrites: this.#guard.lateWrites,
      orphaned: this.#orphaned,
      swept: { ...this.#swept },
      interruptedAtShutdown: { ...this.#interruptedAtShutdown },
      redactedSpans: this.#redactedSpans,
      maskedValues: this.#maskedValues,
      heldSpans: this.#router.heldSpans,
      heldRuns: this.#router.heldRuns,
      forcedReleases: this.#router.forcedReleases,
      ingested: this.#ingested,
      droppedAfterShutdown: this.#droppedAfterShutdown,
      internalErrors: this.#internalErrors,
      destinations: this.#router.stats(),
    };
  }

  // ---- SpanProcessor ------------------------------------------------------------------------

  onStart(span: Span, parentContext: Context): void {
    if (this.#shuttingDown) return;
    try {
      const kind = span.attributes[RuntraceAttributes.SPAN_KIND];
      if (!isSpanKind(kind)) {
        this.#placeForeign(span, parentContext);
        return;
      }
      if (kind === SpanKinds.STEP) this.#foreign.noteStep(span.attributes, span.spanContext().spanId);
      if (this.#tracked >= this.#maxInFlight) {
        this.#untracked += 1;
        return;
      }
      this.#track(span, kind);
    } catch (error: unknown) {
      this.#report(error, 'onStart');
    }
  }

  onEnding(span: Span): void {
    // Inline rather than asInternalWrite: no closure per ended span.
    const previous = internalWrite.span;
    internalWrite.span = span;
    try {
      const kind = span.attributes[RuntraceAttributes.SPAN_KIND];
      if (isSpanKind(kind)) this.#finalizeStatus(span.attributes, span.status);
      else this.#linkForeign(span, span, (runKey) => this.#liveSummaryOf(runKey));
      if (kind === SpanKinds.RUN) {
        const group = this.#entryOf(span)?.group ?? this.#groups.get(span.spanContext().spanId);
        if (group !== undefined && !group.runEnded) this.#writeSummary(group.summary, span.attributes);
      }
      this.#redactLive(span);
    } catch (error: unknown) {
      this.#report(error, 'onEnding');
    } finally {
      internalWrite.span = previous;
    }
  }

  onEnd(span: ReadableSpan): void {
    if (this.#closed) {
      this.#droppedAfterShutdown += 1;
      return;
    }
    try {
      const attributes = span.attributes;
      const kind = attributes[RuntraceAttributes.SPAN_KIND];
      const entry = this.#entryOf(span);
      let runKey: string | undefined;
      if (entry !== undefined && !entry.ended) {
        runKey = this.#untrack(entry, span);
      } else if (isSpanKind(kind)) {
        runKey = kind === SpanKinds.RUN ? span.spanContext().spanId : nonEmptyString(attributes[RuntraceAttributes.RUN_ID]);
      } else {
        runKey = this.#runOfTrace(span.spanContext().traceId);
      }
      this.#live.ended(kind, span);
      this.#router.route(span, runKey, kind === SpanKinds.RUN);
    } catch (error: unknown) {
      this.#report(error, 'onEnd');
    }
  }

  /** Waits until every destination has exported what it holds. Never rejects. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.#router.destinations.map((destination) => this.#flush(destination)));
  }

  async #flush(destination: ResolvedDestination): Promise<void> {
    try {
      await destination.processor.forceFlush();
      // A batching processor does not wait for an export its timer already started; the
      // exporter does.
      await destination.exporter?.forceFlush?.();
    } catch (error: unknown) {
      this.#report(error, 'flush');
    }
  }

  /**
   * Ends everything in flight as interrupted (children first), releases held runs, then
   * flushes and shuts down every destination. Runs once; later calls return the same promise.
   * Never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdownPromise ??= this.#shutdown();
    return this.#shutdownPromise;
  }

  // ---- sweeps and ingest --------------------------------------------------------------------

  /**
   * Ends every run idle for `staleAfter` as interrupted with `runtrace.stale = true` — open
   * children first, each at its last activity — and returns what it ended.
   *
   * @example
   * const { runs, steps } = processor.sweep();
   */
  sweep(): SweepCounts {
    const counts = zeroCounts();
    if (this.#shuttingDown) return counts;
    try {
      const now = this.#clock.now();
      const stale = [...this.#groups.values()].filter((group) => now - group.lastActivityMs >= this.#staleAfter);
      for (const group of this.#deepestFirst(stale)) this.#endGroup(group, { stale: true, nowMs: now }, counts);
      this.#router.releaseIdle(now, this.#staleAfter, (key) => this.#groups.get(key)?.run !== undefined);
    } catch (error: unknown) {
      this.#report(error, 'sweep');
    }
    for (const key of Object.keys(counts) as (keyof SweepCounts)[]) this.#swept[key] += counts[key];
    this.#live.emit({ type: 'sweep', counts: { ...counts } });
    return counts;
  }

  /**
   * Feeds spans that ended elsewhere (for example decoded from OTLP) through redaction (on a
   * copy), run summaries, sampling and on to the destinations, as if they had ended here.
   * Child spans in a batch are handled before run spans, so a run's summary includes the
   * children that arrive with it or before it. Never throws.
   *
   * @example
   * processor.ingest(decodedSpans);
   */
  ingest(spans: readonly ReadableSpan[]): void {
    const batch: unknown = spans;
    if (!Array.isArray(batch)) {
      this.#report(new InvalidArgumentError('spans', spans, 'an array of ReadableSpan'), 'ingest');
      return;
    }
    if (this.#closed) {
      this.#droppedAfterShutdown += spans.length;
      return;
    }
    // Learn which run each trace belongs to before routing anything, so spans of other
    // libraries in the batch follow their run's sampling decision wherever they sit in the batch.
    for (const span of spans) this.#rememberIngestedRun(span);
    const runs: ReadableSpan[] = [];
    for (const span of spans) {
      // A malformed entry fails alone in #ingestOne (reported, never thrown).
      if ((span as Partial<ReadableSpan> | null)?.attributes?.[RuntraceAttributes.SPAN_KIND] === SpanKinds.RUN) runs.push(span);
      else this.#ingestOne(span);
    }
    for (const span of runs) this.#ingestOne(span);
  }

  /**
   * Splits a large batch into slices that {@link ingest} can take one at a time — with the
   * event loop free between them — and still treat as one batch: every trace's run is learnt
   * from the whole batch first, and child spans come before run spans across the slices, so
   * each run's summary includes its children. Never throws.
   *
   * @example
   * for (const slice of processor.planIngest(decodedSpans, 2_000)) {
   *   processor.ingest(slice);
   *   await new Promise((resolve) => setImmediate(resolve));
   * }
   */
  planIngest(spans: readonly ReadableSpan[], sliceSize: number): ReadableSpan[][] {
    const batch: unknown = spans;
    if (!Array.isArray(batch) || spans.length <= sliceSize || !(sliceSize >= 1)) return [[...(Array.isArray(batch) ? spans : [])]];
    for (const span of spans) this.#rememberIngestedRun(span);
    const children: ReadableSpan[] = [];
    const runs: ReadableSpan[] = [];
    for (const span of spans) {
      if ((span as Partial<ReadableSpan> | null)?.attributes?.[RuntraceAttributes.SPAN_KIND] === SpanKinds.RUN) runs.push(span);
      else children.push(span);
    }
    const ordered = children.concat(runs);
    const slices: ReadableSpan[][] = [];
    for (let start = 0; start < ordered.length; start += sliceSize) slices.push(ordered.slice(start, start + sliceSize));
    return slices;
  }

  // ---- tracking -----------------------------------------------------------------------------

  /** The run whose sampling decision a span from another library in `traceId` follows, if known. */
  #runOfTrace(traceId: string): string | undefined {
    return this.#traceRuns.get(traceId) ?? this.#traceRunMemory.get(traceId);
  }

  /** Remembers the run of an ingested runtrace span's trace; a top-level run span wins over others. */
  #rememberIngestedRun(span: ReadableSpan): void {
    try {
      const attributes = (span as Partial<ReadableSpan> | null)?.attributes;
      const kind = attributes?.[RuntraceAttributes.SPAN_KIND];
      if (attributes === undefined || !isSpanKind(kind)) return;
      const traceId = span.spanContext().traceId;
      if (kind === SpanKinds.RUN) {
        if (attributes[RuntraceAttributes.RUN_PARENT_RUN_ID] === undefined || !this.#traceRunMemory.has(traceId)) {
          this.#traceRunMemory.set(traceId, span.spanContext().spanId);
        }
        return;
      }
      if (kind === SpanKinds.STEP) this.#foreign.noteStep(attributes, span.spanContext().spanId);
      const runKey = nonEmptyString(attributes[RuntraceAttributes.RUN_ID]);
      if (runKey !== undefined && !this.#traceRunMemory.has(traceId)) this.#traceRunMemory.set(traceId, runKey);
    } catch {
      // A malformed span is reported once, when #ingestOne handles it.
    }
  }

  /** A foreign span starts: it is placed in the runtrace run (and step) of its parent, if any. */
  #placeForeign(span: Span, parentContext: Context): void {
    const parent = trace.getSpan(parentContext);
    if (parent === undefined) return;
    const entry = this.#entryOf(parent);
    let placement: Placement | undefined;
    if (entry === undefined) placement = this.#foreign.placementOf(parent);
    else placement = { runKey: entry.group.key, stepId: entry.kind === SpanKinds.STEP ? parent.spanContext().spanId : undefined };
    if (placement !== undefined) this.#foreign.place(span, placement);
  }

  /**
   * A foreign span ends (or is ingested): a model call that a runtrace step recorded is marked as
   * covered; a GenAI span under a runtrace run joins it (`runtrace.run.id`, and `runtrace.step.id`
   * for a tool in a step) and is added to its summary. Its other attributes stay as they are.
   */
  #linkForeign(key: object, span: ReadableSpan, summaryOf: (runKey: string) => RunSummaryAccumulator | undefined): void {
    const { spanId, traceId } = span.spanContext();
    const outcome = this.#foreign.resolve(key, span.name, span.attributes, spanId, this.#runOfTrace(traceId));
    if (outcome === undefined) return;
    const attributes = span.attributes;
    if (outcome.kind === 'covered') {
      attributes[RuntraceAttributes.COVERED_BY_STEP_ID] = outcome.stepId;
      return;
    }
    const { foreign, runKey, stepId } = outcome;
    if (runKey === undefined) return;
    attributes[RuntraceAttributes.RUN_ID] = runKey;
    if (stepId !== undefined && foreign.kind === 'tool') attributes[RuntraceAttributes.STEP_ID] = stepId;
    const summary = summaryOf(runKey);
    if (summary !== undefined) summary.addForeign(foreign, span.status.code, this.#pricing);
    else if (this.#endedRuns.has(runKey)) {
      attributes[RuntraceAttributes.ORPHANED] = true;
      this.#orphaned += 1;
    }
  }

  /** The summary of a run in flight here, while it can still change. */
  #liveSummaryOf(runKey: string): RunSummaryAccumulator | undefined {
    const group = this.#groups.get(runKey);
    return group === undefined || group.runEnded ? undefined : group.summary;
  }

  /** The summary an ingested run gets when it arrives without one. */
  #ingestSummaryOf(runKey: string): RunSummaryAccumulator {
    let summary = this.#ingestSummaries.get(runKey);
    if (summary === undefined) {
      summary = new RunSummaryAccumulator();
      this.#ingestSummaries.set(runKey, summary);
    }
    return summary;
  }

  #entryOf(span: object): SpanEntry | undefined {
    return (span as Record<symbol, SpanEntry | undefined>)[this.#entryKey];
  }

  #track(span: Span, kind: SpanKind): void {
    const { spanId, traceId } = span.spanContext();
    const runId =
      kind === SpanKinds.RUN ? spanId : (nonEmptyString(span.attributes[RuntraceAttributes.RUN_ID]) ?? `trace:${traceId}`);
    const now = this.#clock.now();
    const runEnded = this.#endedRuns.has(runId);
    if (kind !== SpanKinds.RUN && runEnded) {
      span.setAttribute(RuntraceAttributes.ORPHANED, true);
      this.#orphaned += 1;
    }
    let group = this.#groups.get(runId);
    if (group === undefined) {
      group = new RunGroup(runId, traceId, runEnded, now);
      this.#groups.set(runId, group);
    }
    /* eslint-disable @typescript-eslint/unbound-method -- kept to be called later with .call(span) */
    const original: Mutators | undefined = !Object.hasOwn(span, 'setAttribute') ? undefined : {
      setAttribute: span.setAttribute,
      setAttributes: span.setAttributes,
      addEvent: span.addEvent,
      addLink: span.addLink,
      addLinks: span.addLinks,
      setStatus: span.setStatus,
      updateName: span.updateName,
      end: span.end,
      recordException: span.recordException,
    };
    const stepId = kind === SpanKinds.ATTEMPT || kind === SpanKinds.TOOL ? span.attributes[RuntraceAttributes.STEP_ID] : undefined;
    const step = typeof stepId === 'string' ? group.steps?.get(stepId) : undefined;
    const entry = new SpanEntry(span, kind, group, original, step, now);
    if (kind === SpanKinds.RUN) {
      group.run = entry;
      group.parentKey = nonEmptyString(span.attributes[RuntraceAttributes.RUN_PARENT_RUN_ID]);
      if (!this.#traceRuns.has(traceId)) this.#traceRuns.set(traceId, runId);
      if (group.parentKey === undefined || !this.#traceRunMemory.has(traceId)) this.#traceRunMemory.set(traceId, runId);
    } else {
      group.children.add(entry);
      if (kind === SpanKinds.STEP) (group.steps ??= new Map()).set(spanId, entry);
    }
    const wrappers = this.#wrappers;
    span.setAttribute = wrappers.setAttribute;
    span.setAttributes = wrappers.setAttributes;
    span.addEvent = wrappers.addEvent;
    span.addLink = wrappers.addLink;
    span.addLinks = wrappers.addLinks;
    span.setStatus = wrappers.setStatus;
    span.updateName = wrappers.updateName;
    span.end = wrappers.end;
    span.recordException = wrappers.recordException;
    /* eslint-enable @typescript-eslint/unbound-method */
    (span as unknown as Record<symbol, SpanEntry | undefined>)[this.#entryKey] = entry;
    this.#tracked += 1;
    this.#inFlight[countKey(kind)] += 1;
    this.#touch(entry, now);
    this.#live.started(kind, span, spanId);
  }

  /** Removes an ended span from the registry; returns the run key its sampling follows. */
  #untrack(entry: SpanEntry, span: ReadableSpan): string {
    entry.ended = true;
    this.#tracked -= 1;
    this.#inFlight[countKey(entry.kind)] -= 1;
    const group = entry.group;
    if (entry.kind === SpanKinds.RUN) {
      group.run = undefined;
      group.runEnded = true;
      this.#endedRuns.set(group.key, true);
      if (this.#traceRuns.get(group.traceId) === group.key) this.#traceRuns.delete(group.traceId);
    } else {
      group.children.delete(entry);
      if (entry.kind === SpanKinds.STEP) group.steps?.delete(entry.span.spanContext().spanId);
      if (!group.runEnded) group.summary.add(span, entry.kind, this.#pricing);
    }
    if (group.run === undefined && group.children.size === 0) this.#groups.delete(group.key);
    return group.key;
  }

  #touch(entry: SpanEntry, now: number): void {
    entry.lastActivityMs = now;
    if (entry.step !== undefined) entry.step.lastActivityMs = now;
    let group: RunGroup | undefined = entry.group;
    for (let depth = 0; group !== undefined && depth < MAX_RUN_DEPTH; depth += 1) {
      group.lastActivityMs = now;
      group = group.parentKey === undefined ? undefined : this.#groups.get(group.parentKey);
    }
  }

  #depth(group: RunGroup): number {
    let depth = 0;
    let parent = group.parentKey === undefined ? undefined : this.#groups.get(group.parentKey);
    while (parent !== undefined && depth < MAX_RUN_DEPTH) {
      depth += 1;
      parent = parent.parentKey === undefined ? undefined : this.#groups.get(parent.parentKey);
    }
    return depth;
  }

  #deepestFirst(groups: RunGroup[]): RunGroup[] {
    const depths = new Map(groups.map((group) => [group, this.#depth(group)]));
    return groups.sort((a, b) => (depths.get(b) ?? 0) - (depths.get(a) ?? 0));
  }

  #endGroup(group: RunGroup, mode: { stale: boolean; nowMs: number }, counts: MutableCounts): void {
    const children = [...group.children].sort((a, b) => endOrder(a.kind) - endOrder(b.kind));
    for (const child of children) this.#endEntry(child, mode, counts);
    if (group.run !== undefined) this.#endEntry(group.run, mode, counts);
  }

  #endEntry(entry: SpanEntry, mode: { stale: boolean; nowMs: number }, counts: MutableCounts): void {
    if (entry.ended) return;
    const span = entry.span;
    try {
      asInternalWrite(span, () => {
        if (!isTerminalValue(span.attributes[RuntraceAttributes.STATUS])) {
          span.setAttribute(RuntraceAttributes.STATUS, RunStatuses.INTERRUPTED);
        }
        if (mode.stale) span.setAttribute(RuntraceAttributes.STALE, true);
        // A run's last activity includes its children's (and its sub-runs').
        const lastActivityMs = entry.kind === SpanKinds.RUN ? entry.group.lastActivityMs : entry.lastActivityMs;
        const endMs = Math.max(mode.stale ? lastActivityMs : mode.nowMs, hrTimeToMilliseconds(span.startTime));
        span.end(millisToHrTime(endMs));
      });
      counts[countKey(entry.kind)] += 1;
    } catch (error: unknown) {
      this.#report(error, mode.stale ? 'sweep' : 'shutdown');
    }
    if (!entry.ended) {
      // The span refused to end (another processor threw); forget it so it cannot pin memory.
      this.#untrack(entry, span);
    }
  }

  async #shutdown(): Promise<void> {
    this.#shuttingDown = true;
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      const now = this.#clock.now();
      for (const group of this.#deepestFirst([...this.#groups.values()])) {
        this.#endGroup(group, { stale: false, nowMs: now }, this.#interruptedAtShutdown);
      }
      this.#router.releaseAll();
    } catch (error: unknown) {
      this.#report(error, 'shutdown');
    }
    this.#closed = true;
    await Promise.all(
      this.#router.destinations.map(async (destination) => {
        await this.#flush(destination);
        try {
          await destination.processor.shutdown();
        } catch (error: unknown) {
          this.#report(error, 'shutdown');
        }
      }),
    );
    this.#live.clear();
  }

  #armTimer(): void {
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#explicitSweepInterval === false || this.#shuttingDown) return;
    const interval =
      this.#explicitSweepInterval ?? Math.max(1, Math.min(MAX_DEFAULT_SWEEP_INTERVAL_MS, Math.floor(this.#staleAfter / 2)));
    const handle = this.#timers.setInterval(() => {
      this.sweep();
    }, interval);
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = handle;
  }

  // ---- finalization, summaries, redaction ---------------------------------------------------

  /** A runtrace span that ends without a terminal status gets one: error for an ERROR span, else completed. */
  #finalizeStatus(attributes: Attributes, status: SpanStatus): void {
    if (isTerminalValue(attributes[RuntraceAttributes.STATUS])) return;
    attributes[RuntraceAttributes.STATUS] = status.code === SpanStatusCode.ERROR ? RunStatuses.ERROR : RunStatuses.COMPLETED;
  }

  #writeSummary(summary: RunSummaryAccumulator, attributes: Attributes): void {
    const status = attributes[RuntraceAttributes.STATUS];
    const runStatus: RunStatus = isTerminalValue(status) ? status : RunStatuses.COMPLETED;
    summary.write(attributes, runStatus, this.#pricing !== undefined);
  }

  #redactLive(span: Span): void {
    const outcome = redactSpanParts(span, this.#redactor, { span, redactor: this.#knownRedactor });
    if (outcome.name !== undefined) span.updateName(outcome.name);
    if (outcome.status !== undefined) span.setStatus(outcome.status);
    if (outcome.events !== undefined) span.events.splice(0, span.events.length, ...outcome.events);
    // The links array may be the application's own; replace it rather than edit it.
    if (outcome.links !== undefined) (span as unknown as { links: Link[] }).links = outcome.links;
    this.#countMasking(span.attributes, outcome);
  }

  /** Redacts a copy in place; `counted` adds it to the stats (not for live snapshots, counted when the span ends). */
  #redactCopy(copy: SpanCopy, counted: boolean): void {
    const outcome = redactSpanParts(copy, this.#redactor);
    if (outcome.name !== undefined) copy.name = outcome.name;
    if (outcome.status !== undefined) copy.status = outcome.status;
    if (outcome.events !== undefined) copy.events = outcome.events;
    if (outcome.links !== undefined) copy.links = outcome.links;
    if (counted) this.#countMasking(copy.attributes, outcome);
    else recordMasking(copy.attributes, outcome);
  }

  #countMasking(attributes: Attributes, outcome: ReturnType<typeof redactSpanParts>): void {
    if (outcome.maskedCount <= 0) return;
    recordMasking(attributes, outcome);
    this.#redactedSpans += 1;
    this.#maskedValues += outcome.maskedCount;
  }

  /** A redacted copy of an in-flight span, for live events. */
  #snapshot(span: ReadableSpan): ReadableSpan {
    const copy = copySpan(span, false);
    this.#redactCopy(copy, false);
    return copy;
  }

  #ingestOne(span: ReadableSpan): void {
    try {
      const copy = copySpan(span, true);
      const attributes = copy.attributes;
      const kind = attributes[RuntraceAttributes.SPAN_KIND];
      let runKey: string | undefined;
      if (isSpanKind(kind)) {
        this.#finalizeStatus(attributes, copy.status);
        if (kind === SpanKinds.RUN) {
          runKey = copy.spanContext().spanId;
          const summary = this.#ingestSummaries.get(runKey);
          this.#ingestSummaries.delete(runKey);
          if (attributes[RuntraceAttributes.SUMMARY_STEP_COUNT] === undefined) {
            this.#writeSummary(summary ?? new RunSummaryAccumulator(), attributes);
          }
        } else {
          runKey = nonEmptyString(attributes[RuntraceAttributes.RUN_ID]);
          if (runKey !== undefined) this.#ingestSummaryOf(runKey).add(copy, kind, this.#pricing);
        }
      } else {
        runKey = this.#runOfTrace(copy.spanContext().traceId);
        this.#linkForeign(copy, copy, (key) => this.#ingestSummaryOf(key));
      }
      this.#redactCopy(copy, true);
      this.#ingested += 1;
      this.#live.ended(kind, copy);
      this.#router.route(copy, runKey, kind === SpanKinds.RUN);
    } catch (error: unknown) {
      this.#report(error, 'ingest');
    }
  }

  #report(error: unknown, context: ProcessorErrorContext): void {
    this.#internalErrors += 1;
    try {
      if (this.#onError === undefined) diag.error(`RunSpanProcessor: ${context} failed`, error);
      else this.#onError(error, context);
    } catch {
      // An error hook that throws has nowhere left to report to.
    }
  }
}

