// RunSpanProcessor: finalizes runtrace spans (write-once, stale sweep, shutdown), redacts every
// span in onEnding, writes run summaries, and routes ended spans to the destinations it wraps.
import type { Context } from '@opentelemetry/api';
import { diag, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { SpanKind } from '@runtrace/core';
import { RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { BoundedMap } from './internal/bounded-map.js';
import { ForeignLinks } from './internal/foreign-links.js';
import { LiveEvents } from './internal/live-events.js';
import { resolveOptions, validateStaleAfter } from './internal/resolve-options.js';
import type { ResolvedDestination } from './internal/router.js';
import { Router } from './internal/router.js';
import type { RunSummaryAccumulator } from './internal/run-summary.js';
import { writeRunSummary } from './internal/run-summary.js';
import { MAX_RUN_DEPTH, RunGroup, SpanEntry, countKey, finalizeStatus, isSpanKind, nonEmptyString, zeroCounts } from './internal/run-registry.js';
import type { Mutators } from './internal/run-registry.js';
import { SpanIngest } from './internal/span-ingest.js';
import { SpanRedaction } from './internal/span-redaction.js';
import { Sweeper } from './internal/sweeper.js';
import { TraceRuns } from './internal/trace-runs.js';
import { WriteOnceGuard, internalWrite } from './internal/write-once-guard.js';
import type { RunLiveListener, SweepCounts } from './run-live-event.js';
import type { Clock, CostCalculator, ProcessorErrorContext, RunSpanProcessorOptions } from './run-span-processor-options.js';
import type { RunSpanProcessorStats } from './run-span-processor-stats.js';

/** How many ended run ids are remembered to mark late children as orphaned. */
const ENDED_RUN_MEMORY = 10_000;
/** How many sampling decisions and ingest accumulators are remembered. */
const DECISION_MEMORY = 10_000;

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
  readonly #redaction: SpanRedaction;
  readonly #pricing: CostCalculator | undefined;
  readonly #onError: ((error: unknown, context: ProcessorErrorContext) => void) | undefined;
  readonly #maxInFlight: number;
  readonly #router: Router;

  /** Each instance keeps its span entries on the spans under its own symbol (cheaper than a WeakMap). */
  readonly #entryKey = Symbol('runtrace.processor.entry');
  readonly #groups = new Map<string, RunGroup>();
  /** Shared with ingest: so other spans of a trace follow its run's sampling, live or ingested. */
  readonly #traceRuns = new TraceRuns(DECISION_MEMORY);
  readonly #endedRuns = new BoundedMap<string, true>(ENDED_RUN_MEMORY);
  /** Other instrumentations' GenAI spans: the runs they join, the model calls runtrace's steps cover. */
  readonly #foreign: ForeignLinks;
  readonly #live: LiveEvents;
  readonly #guard: WriteOnceGuard;
  readonly #wrappers: Mutators;
  readonly #ingest: SpanIngest;
  readonly #sweeper: Sweeper;

  #tracked = 0;
  readonly #inFlight = zeroCounts();
  #untracked = 0;
  /** Runtrace spans started under an ended run; ForeignLinks counts other instrumentations' spans. */
  #orphaned = 0;
  #droppedAfterShutdown = 0;
  #internalErrors = 0;
  #shuttingDown = false;
  #closed = false;
  #shutdownPromise: Promise<void> | undefined;

  constructor(options: RunSpanProcessorOptions = {}) {
    const resolved = resolveOptions(options);
    this.#maxInFlight = resolved.maxInFlight;
    this.#clock = resolved.clock;
    this.#redaction = new SpanRedaction(resolved.redactor, resolved.knownRedactor);
    this.#pricing = resolved.pricing;
    this.#onError = resolved.onError;
    this.#foreign = new ForeignLinks({ memory: DECISION_MEMORY, traceRuns: this.#traceRuns, endedRuns: this.#endedRuns, pricing: this.#pricing });
    const report = (error: unknown, context: ProcessorErrorContext): void => this.#report(error, context);
    this.#router = new Router(resolved.destinations, {
      maxHeldSpans: resolved.maxHeldSpans,
      decisionMemory: DECISION_MEMORY,
      clock: this.#clock,
      report,
    });
    this.#live = new LiveEvents((live) => this.#redaction.snapshot(live), report);
    this.#guard = new WriteOnceGuard({
      entryOf: (span) => this.#entryOf(span),
      touch: (entry) => this.#touch(entry, this.#clock.now()),
      scheduleRunUpdate: (group) => this.#live.runUpdated(group),
      report,
    });
    this.#wrappers = this.#guard.wrappers();
    this.#ingest = new SpanIngest({
      memory: DECISION_MEMORY,
      traceRuns: this.#traceRuns,
      foreign: this.#foreign,
      router: this.#router,
      live: this.#live,
      pricing: this.#pricing,
      redaction: this.#redaction,
      report,
    });
    // Last: it starts the sweep timer.
    this.#sweeper = new Sweeper({
      groups: this.#groups,
      staleAfter: resolved.staleAfter,
      sweepInterval: resolved.sweepInterval,
      clock: this.#clock,
      timers: resolved.timers,
      router: this.#router,
      live: this.#live,
      untrack: (entry, span) => this.#untrack(entry, span),
      report,
    });
  }

  /** The current stale threshold in milliseconds. */
  get staleAfter(): number {
    return this.#sweeper.staleAfter;
  }

  /**
   * Changes the stale threshold; it applies at once to everything in flight (the next sweep
   * uses it). Zero, negative or non-finite values throw `InvalidArgumentError`.
   *
   * @example
   * processor.setStaleAfter(60_000);
   */
  setStaleAfter(ms: number): void {
    this.#sweeper.setStaleAfter(validateStaleAfter(ms));
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
      orphaned: this.#orphaned + this.#foreign.orphaned,
      swept: { ...this.#sweeper.swept },
      interruptedAtShutdown: { ...this.#sweeper.interruptedAtShutdown },
      redactedSpans: this.#redaction.redactedSpans,
      maskedValues: this.#redaction.maskedValues,
      heldSpans: this.#router.heldSpans,
      heldRuns: this.#router.heldRuns,
      forcedReleases: this.#router.forcedReleases,
      ingested: this.#ingest.ingested,
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
        const parent = trace.getSpan(parentContext);
        if (parent !== undefined) this.#foreign.started(span, parent, this.#entryOf(parent));
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
      if (isSpanKind(kind)) finalizeStatus(span.attributes, span.status);
      else this.#foreign.ended(span, span, (runKey) => this.#liveSummaryOf(runKey));
      if (kind === SpanKinds.RUN) {
        const group = this.#entryOf(span)?.group ?? this.#groups.get(span.spanContext().spanId);
        if (group !== undefined && !group.runEnded) writeRunSummary(group.summary, span.attributes, this.#pricing);
      }
      this.#redaction.redactLive(span);
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
        runKey = this.#traceRuns.runOf(span.spanContext().traceId);
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
    return this.#sweeper.sweep();
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
    // After shutdown nothing reaches the destinations; a batch that is no array is still reported.
    if (this.#closed && Array.isArray(batch)) {
      this.#droppedAfterShutdown += spans.length;
      return;
    }
    this.#ingest.ingest(spans);
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
    return this.#ingest.plan(spans, sliceSize);
  }

  // ---- tracking -----------------------------------------------------------------------------

  /** The summary of a run in flight here, while it can still change. */
  #liveSummaryOf(runKey: string): RunSummaryAccumulator | undefined {
    const group = this.#groups.get(runKey);
    return group === undefined || group.runEnded ? undefined : group.summary;
  }

  #entryOf(span: object): SpanEntry | undefined {
    return (span as Record<symbol, SpanEntry | undefined>)[this.#entryKey];
  }

  #track(span: Span, kind: SpanKind): void {
    const { spanId, traceId } = span.spanContext();
    const runId =
      kind === SpanKinds.RUN ? spanId : (nonEmptyString(span.attributes[RuntraceAttributes.RUN_ID]) ?? `trace:${traceId}`);
    const now = this.#clock.now();
    let group = this.#groups.get(runId);
    // A run in flight here has a group that knows whether it ended; only a span whose run has no
    // group here asks the memory of ended runs.
    const runEnded = group === undefined ? this.#endedRuns.has(runId) : group.runEnded;
    if (kind !== SpanKinds.RUN && runEnded) {
      span.setAttribute(RuntraceAttributes.ORPHANED, true);
      this.#orphaned += 1;
    }
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
      this.#traceRuns.runStarted(traceId, runId, group.parentKey === undefined);
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
      this.#traceRuns.runEnded(group.traceId, group.key);
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

  async #shutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#sweeper.stop();
    try {
      this.#sweeper.interruptAll(this.#clock.now());
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

