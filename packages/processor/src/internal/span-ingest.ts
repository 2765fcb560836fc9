// Ingest of spans that ended elsewhere (an OTLP receiver's): finalized, summarized and redacted on
// a copy, then routed as if they had ended here; children before runs, so summaries include them.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { CostCalculator, ProcessorErrorContext } from '../run-span-processor-options.js';
import { BoundedMap } from './bounded-map.js';
import type { ForeignLinks } from './foreign-links.js';
import type { LiveEvents } from './live-events.js';
import type { Router } from './router.js';
import { finalizeStatus, isSpanKind, nonEmptyString } from './run-registry.js';
import { RunSummaryAccumulator, writeRunSummary } from './run-summary.js';
import { copySpan } from './span-copy.js';
import type { SpanRedaction } from './span-redaction.js';
import type { TraceRuns } from './trace-runs.js';

/** What ingest shares with the processor: its memories, its outlets, and the steps live spans take too. */
export interface SpanIngestOptions {
  /** How many runs' summaries are accumulated while their run span has not arrived. */
  readonly memory: number;
  readonly traceRuns: TraceRuns;
  /** Other instrumentations' spans: ingested steps say which model calls they cover, and GenAI spans join their run. */
  readonly foreign: ForeignLinks;
  readonly router: Router;
  readonly live: LiveEvents;
  readonly pricing: CostCalculator | undefined;
  /** Ingested copies are redacted (and counted) as live spans are. */
  readonly redaction: SpanRedaction;
  readonly report: (error: unknown, context: ProcessorErrorContext) => void;
}

/** Whether an entry of a batch is a run span (a malformed entry is not; it fails alone when ingested). */
function isRunSpan(span: ReadableSpan): boolean {
  return (span as Partial<ReadableSpan> | null)?.attributes?.[RuntraceAttributes.SPAN_KIND] === SpanKinds.RUN;
}

export class SpanIngest {
  readonly #traceRuns: TraceRuns;
  readonly #foreign: ForeignLinks;
  readonly #router: Router;
  readonly #live: LiveEvents;
  readonly #pricing: CostCalculator | undefined;
  readonly #redaction: SpanRedaction;
  readonly #report: (error: unknown, context: ProcessorErrorContext) => void;
  /** Run key → the summary of its children ingested so far, until the run span arrives. */
  readonly #summaries: BoundedMap<string, RunSummaryAccumulator>;
  /** Spans ingested, over every batch. */
  ingested = 0;

  constructor(options: SpanIngestOptions) {
    this.#traceRuns = options.traceRuns;
    this.#foreign = options.foreign;
    this.#router = options.router;
    this.#live = options.live;
    this.#pricing = options.pricing;
    this.#redaction = options.redaction;
    this.#report = options.report;
    this.#summaries = new BoundedMap(options.memory);
  }

  /** Ingests one batch (see `RunSpanProcessor.ingest`). Never throws. */
  ingest(spans: readonly ReadableSpan[]): void {
    const batch: unknown = spans;
    if (!Array.isArray(batch)) {
      this.#report(new InvalidArgumentError('spans', spans, 'an array of ReadableSpan'), 'ingest');
      return;
    }
    // Learn which run each trace belongs to before routing anything, so spans of other
    // libraries in the batch follow their run's sampling decision wherever they sit in the batch.
    for (const span of spans) this.#rememberRun(span);
    const runs: ReadableSpan[] = [];
    for (const span of spans) {
      // A malformed entry fails alone in #ingestOne (reported, never thrown).
      if (isRunSpan(span)) runs.push(span);
      else this.#ingestOne(span);
    }
    for (const span of runs) this.#ingestOne(span);
  }

  /** Slices of a large batch that can be ingested one at a time as one batch (see `RunSpanProcessor.planIngest`). */
  plan(spans: readonly ReadableSpan[], sliceSize: number): ReadableSpan[][] {
    const batch: unknown = spans;
    if (!Array.isArray(batch) || spans.length <= sliceSize || !(sliceSize >= 1)) return [[...(Array.isArray(batch) ? spans : [])]];
    for (const span of spans) this.#rememberRun(span);
    const children: ReadableSpan[] = [];
    const runs: ReadableSpan[] = [];
    for (const span of spans) {
      if (isRunSpan(span)) runs.push(span);
      else children.push(span);
    }
    const ordered = children.concat(runs);
    const slices: ReadableSpan[][] = [];
    for (let start = 0; start < ordered.length; start += sliceSize) slices.push(ordered.slice(start, start + sliceSize));
    return slices;
  }

  /** Remembers the run of an ingested runtrace span's trace; a top-level run span wins over others. */
  #rememberRun(span: ReadableSpan): void {
    try {
      const attributes = (span as Partial<ReadableSpan> | null)?.attributes;
      const kind = attributes?.[RuntraceAttributes.SPAN_KIND];
      if (attributes === undefined || !isSpanKind(kind)) return;
      const traceId = span.spanContext().traceId;
      if (kind === SpanKinds.RUN) {
        this.#traceRuns.noteRun(traceId, span.spanContext().spanId, attributes[RuntraceAttributes.RUN_PARENT_RUN_ID] === undefined);
        return;
      }
      if (kind === SpanKinds.STEP) this.#foreign.noteStep(attributes, span.spanContext().spanId);
      const runKey = nonEmptyString(attributes[RuntraceAttributes.RUN_ID]);
      if (runKey !== undefined) this.#traceRuns.noteRun(traceId, runKey, false);
    } catch {
      // A malformed span is reported once, when #ingestOne handles it.
    }
  }

  /** The summary an ingested run gets when it arrives without one. */
  #summaryOf(runKey: string): RunSummaryAccumulator {
    let summary = this.#summaries.get(runKey);
    if (summary === undefined) {
      summary = new RunSummaryAccumulator();
      this.#summaries.set(runKey, summary);
    }
    return summary;
  }

  #ingestOne(span: ReadableSpan): void {
    try {
      const copy = copySpan(span, true);
      const attributes = copy.attributes;
      const kind = attributes[RuntraceAttributes.SPAN_KIND];
      let runKey: string | undefined;
      if (isSpanKind(kind)) {
        finalizeStatus(attributes, copy.status);
        if (kind === SpanKinds.RUN) {
          runKey = copy.spanContext().spanId;
          const summary = this.#summaries.get(runKey);
          this.#summaries.delete(runKey);
          if (attributes[RuntraceAttributes.SUMMARY_STEP_COUNT] === undefined) {
            writeRunSummary(summary ?? new RunSummaryAccumulator(), attributes, this.#pricing);
          }
        } else {
          runKey = nonEmptyString(attributes[RuntraceAttributes.RUN_ID]);
          if (runKey !== undefined) this.#summaryOf(runKey).add(copy, kind, this.#pricing);
        }
      } else {
        runKey = this.#traceRuns.runOf(copy.spanContext().traceId);
        this.#foreign.ended(copy, copy, (key) => this.#summaryOf(key));
      }
      this.#redaction.redactCopy(copy, true);
      this.ingested += 1;
      this.#live.ended(kind, copy);
      this.#router.route(copy, runKey, kind === SpanKinds.RUN);
    } catch (error: unknown) {
      this.#report(error, 'ingest');
    }
  }
}
