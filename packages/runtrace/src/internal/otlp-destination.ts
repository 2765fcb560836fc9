// The OTLP destination: the SDK's BatchSpanProcessor over runtrace's OTLP/HTTP exporter, with a bounded queue, counted outcomes, reports, and a shutdown that gives up on time.
import { TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DiagnosticReporter } from '@runtrace/core/internal';
import type { DestinationContent, DestinationOptions, DestinationSampling } from '@runtrace/processor';
import type { OtlpExportStats } from '../runtrace-stats.js';
import { OtlpHttpExporter } from './otlp-http-exporter.js';
import type { ResolvedOtlp } from './resolve-otlp.js';

/** Spans waiting for export at most (the SDK's default queue size); more are dropped and counted. */
export const DEFAULT_OTLP_QUEUE_SPANS = 2_048;

/** Spans per export request (the SDK's default). */
const MAX_BATCH_SPANS = 512;

/** Options of {@link createOtlpDestination}. */
export interface OtlpDestinationOptions {
  readonly otlp: ResolvedOtlp;
  readonly content: DestinationContent;
  readonly sampling: DestinationSampling;
  /** Delay between batch exports in ms. Default: the SDK's (5,000). */
  readonly scheduledDelayMillis?: number;
  readonly reporter: DiagnosticReporter;
  /** Whether the local store holds a full copy (said in reports, so nobody thinks data is gone). */
  readonly localCopy: () => boolean;
  /** Spans waiting for export at most. Default {@link DEFAULT_OTLP_QUEUE_SPANS}. */
  readonly maxQueueSpans?: number;
  /** How long shutdown waits for the backend, from the start of the shutdown clock. */
  readonly shutdownTimeoutMs: number;
}

/** The OTLP destination and its controls. */
export interface OtlpDestination {
  readonly destination: DestinationOptions;
  stats(): OtlpExportStats;
  /**
   * Starts the shutdown clock (once): from now on, flushes and the shutdown wait at most
   * `shutdownTimeoutMs`, and when it runs out every export still in flight is cut. The timer
   * keeps the process alive until then (or until {@link OtlpDestination.finishShutdown}), on
   * purpose: it is what lets the last batch go out on exit. The destination's own `shutdown()`
   * starts it too, for a provider shut down before the pipeline.
   */
  startShutdownClock(): void;
  /** Stops the clock and reports, in one line, the spans that never reached the backend. */
  finishShutdown(): void;
}

/**
 * What the batch processor exports to. While an export is pending, the SDK's batch processor
 * holds a timer that keeps the process alive — and keeps `beforeExit`, where the shutdown hooks
 * run, from firing — for as long as the OTLP exporter retries a backend that is down (up to its
 * 10 s timeout). So a batch counts as exported to it once handed to the OTLP exporter, which
 * tracks the request without holding the process, counts and reports its outcome, and caps the
 * requests in flight; `flushExporter()` waits for them.
 */
function handOff(exporter: OtlpHttpExporter): SpanExporter {
  return {
    export(spans, resultCallback) {
      exporter.export(spans, () => undefined);
      resultCallback({ code: ExportResultCode.SUCCESS });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}

/** Wraps the batch processor: counts what it is given, bounds its queue, and races its flushes against the shutdown deadline. */
class BoundedBatchProcessor implements SpanProcessor {
  readonly #batch: BatchSpanProcessor;
  readonly #exporter: OtlpHttpExporter;
  readonly #maxQueueSpans: number;
  readonly #onDrop: (dropped: number) => void;
  readonly #onShutdown: () => void;
  #offered = 0;
  #dropped = 0;
  #deadline: Promise<void> | undefined;

  constructor(
    exporter: OtlpHttpExporter,
    maxQueueSpans: number,
    scheduledDelayMillis: number | undefined,
    hooks: { readonly onDrop: (dropped: number) => void; readonly onShutdown: () => void },
  ) {
    this.#exporter = exporter;
    this.#maxQueueSpans = maxQueueSpans;
    this.#onDrop = hooks.onDrop;
    this.#onShutdown = hooks.onShutdown;
    this.#batch = new BatchSpanProcessor({
      exporter: handOff(exporter),
      // The queue is bounded here (the count of what waits is known exactly), never by the SDK silently.
      maxQueueSize: maxQueueSpans,
      maxExportBatchSize: Math.min(MAX_BATCH_SPANS, maxQueueSpans),
      ...(scheduledDelayMillis === undefined ? {} : { scheduledDelayMillis }),
    });
  }

  get offered(): number {
    return this.#offered;
  }

  get dropped(): number {
    return this.#dropped;
  }

  set deadline(deadline: Promise<void>) {
    this.#deadline = deadline;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Destinations receive ended spans only.
  }

  onEnd(span: ReadableSpan): void {
    // The SDK's batch processor ignores unsampled spans; so does the count.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#offered - this.#exporter.receivedSpans >= this.#maxQueueSpans) {
      this.#dropped += 1;
      this.#onDrop(this.#dropped);
      return;
    }
    this.#offered += 1;
    this.#batch.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.#bounded(this.#batch.forceFlush());
  }

  /** Waits for the exporter's requests in flight (the batch processor does not wait for one its timer started). */
  flushExporter(): Promise<void> {
    return this.#bounded(this.#exporter.forceFlush());
  }

  async shutdown(): Promise<void> {
    this.#onShutdown();
    // The batch processor hands over what it holds, then shuts the exporter down (which waits for the requests in flight).
    await this.#bounded(this.#batch.shutdown());
    await this.#bounded(this.#exporter.shutdown());
  }

  /** Never rejects (failures are counted and reported by the exporter); never outlasts the deadline. */
  #bounded(work: Promise<void>): Promise<void> {
    const settled = work.catch(() => undefined);
    return this.#deadline === undefined ? settled : Promise.race([settled, this.#deadline]);
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The part of the shutdown budget the backend gets: the rest (a tenth, at most 250 ms) is kept
 * for what follows the cut — the SDK's own shutdown, closing the store, the report — so that the
 * whole shutdown, and the process exit it holds, ends within `shutdownTimeoutMs`.
 */
export function otlpShareOfShutdown(timeoutMs: number): number {
  return Math.max(0, timeoutMs - Math.min(250, timeoutMs / 10));
}

/**
 * Builds the OTLP destination. Export failures and queue drops are reported through `reporter`
 * (rate-limited per cause) and counted in `stats()`.
 */
export function createOtlpDestination(options: OtlpDestinationOptions): OtlpDestination {
  const { otlp, reporter } = options;
  const endpoint = otlp.endpoint;
  const keptLocally = (): string => (options.localCopy() ? '; the local store has them' : '');
  const exporter = new OtlpHttpExporter({
    ...otlp,
    onExportFailure: (error, spanCount) => {
      reporter.report('otlp-export', `OTLP export of ${plural(spanCount, 'span')} to ${endpoint} failed (${error.message})${keptLocally()}: check that the endpoint is up and the OTEL_EXPORTER_OTLP_* settings`);
    },
  });
  const maxQueueSpans = options.maxQueueSpans ?? DEFAULT_OTLP_QUEUE_SPANS;
  const timeoutMs = options.shutdownTimeoutMs;
  const backendMs = otlpShareOfShutdown(timeoutMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let clockStarted = false;
  let timedOut = false;
  const startShutdownClock = (): void => {
    if (clockStarted) return;
    clockStarted = true;
    processor.deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        exporter.abort(new Error(`the ${timeoutMs} ms shutdown timeout ran out`));
        resolve();
      }, backendMs);
    });
  };
  const processor = new BoundedBatchProcessor(exporter, maxQueueSpans, options.scheduledDelayMillis, {
    onDrop: (dropped) => {
      const last = exporter.lastError;
      reporter.report(
        'otlp-queue-full',
        `${plural(dropped, 'span')} dropped so far: the OTLP queue (${maxQueueSpans} spans) is full because ${endpoint} does not keep up${last === undefined ? '' : ` (last error: ${last.message})`}${keptLocally()}: check the backend`,
      );
    },
    onShutdown: startShutdownClock,
  });

  const stats = (): OtlpExportStats => {
    const exported = exporter.stats();
    return {
      endpoint,
      exportedSpans: exported.exportedSpans,
      failedSpans: exported.failedSpans,
      droppedSpans: processor.dropped,
      queuedSpans: Math.max(0, processor.offered - exported.exportedSpans - exported.failedSpans),
    };
  };

  return {
    destination: {
      processor,
      exporter: { forceFlush: () => processor.flushExporter() },
      kind: 'otlp',
      content: options.content,
      sampling: options.sampling,
      name: 'otlp',
    },
    stats,
    startShutdownClock,
    finishShutdown() {
      clearTimeout(timer);
      timer = undefined;
      const current = stats();
      const missing = current.failedSpans + current.droppedSpans + current.queuedSpans;
      if (missing === 0) return;
      const last = exporter.lastError;
      const cause = last !== undefined ? `last error: ${last.message}` : timedOut ? 'the endpoint did not answer' : 'see the errors above';
      const within = timedOut ? ` within the ${timeoutMs} ms shutdown timeout` : '';
      const fix = timedOut ? 'check that the endpoint is up, or raise RUNTRACE_SHUTDOWN_TIMEOUT (shutdownTimeoutMs)' : 'check that the endpoint is up';
      reporter.report('otlp-shutdown', `${plural(missing, 'span')} did not reach OTLP at ${endpoint}${within} (${cause})${keptLocally()}: ${fix}`);
    },
  };
}
