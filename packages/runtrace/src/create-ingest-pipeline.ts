// Builds the pipeline of a receiver (the collector): spans that ended elsewhere go through the same processor and destinations as recorded ones, each batch answered once committed.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { DiagnosticSink } from '@runtrace/core';
import type { DestinationOptions, RunSpanProcessor, RunSpanProcessorOptions } from '@runtrace/processor';
import type { PostgresSpanExporter, RunStore, SqliteSpanExporter } from '@runtrace/store';
import { DEFAULT_STORE_PATH, buildStages, pipelineContext } from './create-runtrace.js';
import type { ResolvedOtlp } from './internal/resolve-otlp.js';
import type { OtlpOptions } from './runtrace-options.js';
import type { RuntraceStats } from './runtrace-stats.js';

/**
 * Spans ingested (and handed to the store) at a time: a large request is processed in slices
 * with the event loop free between them, so other requests are never held up for long.
 */
const INGEST_SLICE_SPANS = 2_000;

/** Spans waiting to be forwarded at most; more are dropped, counted and reported (the local store keeps them). */
const FORWARD_QUEUE_SPANS = 100_000;

/** Spans a receiver lets wait before it answers 429, by default (the collector's `maxPendingSpans`). */
const DEFAULT_MAX_PENDING_SPANS = 10_000;

/** Options of {@link createIngestPipeline}. Nothing is read from the environment. */
export interface IngestPipelineOptions {
  /**
   * The local SQLite store file (created when missing), a PostgreSQL database (`postgres://…`,
   * shared by many collectors; its tables are made on first use), or `false` for none. A relative
   * path is resolved against `cwd`. Default `./.runtrace/runtrace.db`.
   */
  readonly store?: string | false;
  /**
   * Send the processed (redacted) spans on to this OTLP/HTTP backend too. `endpoint` is required:
   * a receiver never forwards anywhere by default (the default endpoint would often be itself).
   * `content` defaults to `metadata`. Default: no forwarding.
   */
  readonly forward?: OtlpOptions & { readonly endpoint: string };
  /** More downstream processors (your own exporters), fed the same redacted spans. Default: none. */
  readonly destinations?: readonly DestinationOptions[];
  /** Further RunSpanProcessor options (clock, redactor, pricing, limits, onError). Default: its defaults, without the periodic sweep (received spans have ended). */
  readonly processor?: Omit<RunSpanProcessorOptions, 'destinations' | 'staleAfter'>;
  /** Spans the receiver lets wait downstream (the collector's `maxPendingSpans`); sizes the store's in-memory queue. Default 10,000. */
  readonly maxPendingSpans?: number;
  /** Directory a relative store path is resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
  /** How long `shutdown()` may wait for the OTLP backend, in ms; the store is always flushed completely. Default 2,000. */
  readonly shutdownTimeoutMs?: number;
  /**
   * Throw store, OTLP and option problems instead of reporting them and carrying on without what
   * failed. Default `true`: a receiver that cannot store what it accepts should not start.
   */
  readonly strict?: boolean;
  /** Write no problem reports (they are still counted in `stats().reports`). Default `false`. */
  readonly quiet?: boolean;
  /** Receives each problem report, one line without a newline. Default: written to `process.stderr`. */
  readonly diagnosticSink?: DiagnosticSink;
}

/** What {@link createIngestPipeline} built; pass it to a `Collector` as its `processor`. */
export interface IngestPipeline {
  /**
   * Feeds ended spans (decoded from OTLP) through redaction, run summaries and sampling to every
   * destination, in slices with the event loop free between them. Resolves once the store has
   * committed them (at once without a store); rejects when it cannot, so the sender can retry.
   */
  ingest(spans: readonly ReadableSpan[]): Promise<void>;
  /** The processor the spans go through. */
  readonly processor: RunSpanProcessor;
  /** The store's query API (a SqliteStore or a PostgresStore); `undefined` with `store: false`. */
  readonly store: RunStore | undefined;
  /** The store's span exporter (counters in `stats()`); `undefined` with `store: false`. */
  readonly storeExporter: SqliteSpanExporter | PostgresSpanExporter | undefined;
  /** Where spans are forwarded, when they are. */
  readonly forward: ResolvedOtlp | undefined;
  /** Every counter: processor, store writes, forwarding outcomes, problems reported. */
  stats(): RuntraceStats;
  /** Waits until every destination exported what it holds. */
  forceFlush(): Promise<void>;
  /** Flushes and closes every destination and the store; the backend gets at most `shutdownTimeoutMs`. Runs once; never rejects. */
  shutdown(): Promise<void>;
}

/**
 * Builds the pipeline a receiver of OTLP spans runs, with the same code as {@link createRuntrace}:
 * the same processor, redaction, store and OTLP destinations. Throws when the store cannot be
 * opened or an option is unusable (unless `strict: false`).
 *
 * @example
 * const pipeline = createIngestPipeline({ store: 'traces.db', forward: { endpoint: 'http://tempo:4318/v1/traces' } });
 * const collector = await startCollector({ processor: pipeline, port: 4318, onClose: () => pipeline.shutdown() });
 */
export function createIngestPipeline(options: IngestPipelineOptions = {}): IngestPipeline {
  const maxPendingSpans = options.maxPendingSpans ?? DEFAULT_MAX_PENDING_SPANS;
  const shared = {
    // Settings come from these options alone: the environment describes where this process would send its own traces.
    env: {},
    strict: options.strict ?? true,
    store: options.store ?? DEFAULT_STORE_PATH,
    otlp: options.forward === undefined ? (false as const) : { content: 'metadata' as const, ...options.forward },
    processor: { sweepInterval: false as const, ...options.processor },
    ...(options.destinations === undefined ? {} : { destinations: options.destinations }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
    ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
    ...(options.diagnosticSink === undefined ? {} : { diagnosticSink: options.diagnosticSink }),
  };
  // Room for every span the receiver lets wait, plus one slice of a request let through alone.
  const stages = buildStages(shared, pipelineContext(shared), {
    maxQueueSpans: maxPendingSpans + 2 * INGEST_SLICE_SPANS,
    otlpQueueSpans: FORWARD_QUEUE_SPANS,
  });
  const { processor, storeDestination } = stages;
  const commit = storeDestination?.commit;
  return {
    async ingest(spans) {
      for (const [index, slice] of processor.planIngest(spans, INGEST_SLICE_SPANS).entries()) {
        if (commit !== undefined) {
          // Each slice is committed before the next is processed (its write lets other requests in).
          await commit(() => processor.ingest(slice));
        } else {
          if (index > 0) await new Promise((resolve) => setImmediate(resolve));
          processor.ingest(slice);
        }
      }
    },
    processor,
    store: storeDestination?.store,
    storeExporter: storeDestination?.exporter,
    forward: stages.otlp,
    stats: () => stages.stats(),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => stages.shutdown(() => undefined),
  };
}
