// Builds runtrace's pipeline — recorder, RunSpanProcessor, local store, OTLP export — without touching OpenTelemetry's globals.
import { resolve } from 'node:path';
import { ContentPolicies, DEFAULT_STALE_AFTER_MS, InvalidArgumentError } from '@runtrace/core';
import { DEFAULT_STORE_PATH, DiagnosticReporter, errorMessage, maskUrlPassword, storeUrlScheme } from '@runtrace/core/internal';
import type { ContentPolicy } from '@runtrace/core';
import { Recorder } from '@runtrace/instrumentation';
import { RunSpanProcessor } from '@runtrace/processor';
import type { DestinationOptions, ProcessorErrorContext } from '@runtrace/processor';
import type { PostgresSpanExporter, RunStore, SqliteSpanExporter } from '@runtrace/store';
import { createOtlpDestination } from './internal/otlp-destination.js';
import type { OtlpDestination } from './internal/otlp-destination.js';
import { resolveOtlp } from './internal/resolve-otlp.js';
import type { ResolvedOtlp } from './internal/resolve-otlp.js';
import { createStoreDestination } from './internal/store-destination.js';
import type { StoreDestination } from './internal/store-destination.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, loadConfig } from './load-config.js';
import type { RuntraceEnvConfig } from './load-config.js';
import type { CreateRuntraceOptions, OtlpOptions } from './runtrace-options.js';
import type { RuntraceStats } from './runtrace-stats.js';

/** The default store file, relative to the working directory (core's, re-exported here). */
export { DEFAULT_STORE_PATH };

/** What {@link createRuntrace} built. */
export interface RuntracePipeline {
  /** Starts runs, steps and tool calls (records through the global tracer provider). */
  readonly recorder: Recorder;
  /** The span processor to register with a tracer provider (its only processor). */
  readonly processor: RunSpanProcessor;
  /**
   * The store's query API (`listRuns`, `getRun`, `overview`, …): a SqliteStore, or a PostgresStore
   * for a `postgres://` store (its answers are promises; `await` works for both); `undefined` with
   * `store: false` or when the file could not be opened.
   */
  readonly store: RunStore | undefined;
  /** The store's span exporter (counters in `stats()`); `undefined` when there is no store. */
  readonly storeExporter: SqliteSpanExporter | PostgresSpanExporter | undefined;
  /** Where OTLP goes, when it is on. */
  readonly otlp: ResolvedOtlp | undefined;
  /** The settings read from the environment (unusable ones are listed in `config.problems`). */
  readonly config: RuntraceEnvConfig;
  /** Every counter: processor, store writes, OTLP export outcomes, problems reported. */
  stats(): RuntraceStats;
  /** Waits until every destination exported what it holds. */
  forceFlush(): Promise<void>;
  /**
   * Ends in-flight runs as interrupted, flushes and closes every destination and the store. The
   * store is always flushed completely; the OTLP backend gets at most `shutdownTimeoutMs`. Runs
   * once; never rejects.
   */
  shutdown(): Promise<void>;
}

/** What building a pipeline needs besides its options; `register()` makes it first, to report its own problems. */
export interface PipelineContext {
  readonly config: RuntraceEnvConfig;
  readonly reporter: DiagnosticReporter;
  readonly strict: boolean;
}

/** Reads the environment once and makes the reporter; unusable variables are reported (or thrown, when strict). */
export function pipelineContext(options: CreateRuntraceOptions): PipelineContext {
  const strict = options.strict === true;
  const config = loadConfig(options.env ?? process.env, { strict });
  const reporter = new DiagnosticReporter({
    quiet: options.quiet ?? config.quiet ?? false,
    ...(options.diagnosticSink === undefined ? {} : { sink: options.diagnosticSink }),
  });
  for (const problem of config.problems) reporter.report(`config:${problem.variable}`, problem.message);
  return { config, reporter, strict };
}

function otlpOptions(option: CreateRuntraceOptions['otlp'], config: RuntraceEnvConfig): OtlpOptions | undefined {
  if (option === false) return undefined;
  if (option === true) return {};
  if (option !== undefined) return option;
  return config.otlp.endpoint === undefined ? undefined : {};
}


const POLICIES: readonly string[] = Object.values(ContentPolicies);

function isPostgresUrl(location: string): boolean {
  const scheme = storeUrlScheme(location);
  return scheme === 'postgres' || scheme === 'postgresql';
}

/** What receiving spans needs beyond recording them; see {@link buildStages}. */
export interface IngestFlavor {
  /** Spans the store exporter keeps in memory before spilling (what the receiver lets wait, and more). */
  readonly maxQueueSpans: number;
  /** Spans waiting for OTLP export at most (a receiver hands them over a request at a time). */
  readonly otlpQueueSpans: number;
}

/** The processor and its destinations, as every pipeline has them; the recorder or the receiver is added by the caller. */
export interface PipelineStages {
  readonly processor: RunSpanProcessor;
  readonly storeDestination: StoreDestination | undefined;
  readonly otlp: ResolvedOtlp | undefined;
  readonly config: RuntraceEnvConfig;
  /** The recorder's settings, once checked (a recording pipeline uses them). */
  readonly recording: { readonly contentPolicy: ContentPolicy; readonly bodies: 'all' | 'unread' | undefined; readonly staleAfterMs: number | undefined };
  readonly shutdownTimeoutMs: number;
  stats(): RuntraceStats;
  /** Runs once: `first` (after the OTLP shutdown clock started), then the processor's shutdown, then the store's close. */
  shutdown(first: () => void): Promise<void>;
}

/**
 * Builds the stages of {@link createRuntrace}'s and `register()`'s pipeline, and, with `ingest`,
 * of {@link createIngestPipeline}'s: one place decides the destinations, their order, the
 * processor's options, the reports and the shutdown order for both.
 */
export function buildStages(options: CreateRuntraceOptions, context: PipelineContext, ingest?: IngestFlavor): PipelineStages {
  const { config, reporter, strict } = context;
  // A bad option is a configuration problem like a bad variable: reported, and its default used.
  const invalid = (name: string, value: unknown, expectation: string, fallback: string): void => {
    const error = new InvalidArgumentError(name, value, expectation);
    if (strict) throw error;
    reporter.report(`option:${name}`, `${error.message}; using ${fallback} instead: fix the ${name} option`);
  };

  let staleAfterMs = options.staleAfterMs ?? config.staleAfterMs;
  if (options.staleAfterMs !== undefined && !(Number.isFinite(options.staleAfterMs) && options.staleAfterMs > 0)) {
    staleAfterMs = config.staleAfterMs;
    invalid('staleAfterMs', options.staleAfterMs, 'a positive number of milliseconds', `${staleAfterMs ?? DEFAULT_STALE_AFTER_MS} ms`);
  }
  let contentPolicy: ContentPolicy | undefined = options.contentPolicy ?? config.contentPolicy;
  if (options.contentPolicy !== undefined && !POLICIES.includes(options.contentPolicy)) {
    // The narrower policy, whatever the default would be.
    contentPolicy = config.contentPolicy ?? 'metadata';
    invalid('contentPolicy', options.contentPolicy, POLICIES.join(', '), contentPolicy);
  }
  let bodies = options.bodies ?? config.bodies;
  if (options.bodies !== undefined && options.bodies !== 'all' && options.bodies !== 'unread') {
    bodies = config.bodies;
    invalid('bodies', options.bodies, 'all, unread', bodies ?? 'unread');
  }
  let shutdownTimeoutMs = options.shutdownTimeoutMs ?? config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (options.shutdownTimeoutMs !== undefined && !(Number.isFinite(options.shutdownTimeoutMs) && options.shutdownTimeoutMs >= 0)) {
    shutdownTimeoutMs = config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    invalid('shutdownTimeoutMs', options.shutdownTimeoutMs, 'a non-negative number of milliseconds', `${shutdownTimeoutMs} ms`);
  }

  const destinations: DestinationOptions[] = [];
  let storeDestination: StoreDestination | undefined;
  const storeOff = options.store === false || (options.store === undefined && config.storeDisabled === true);
  if (!storeOff) {
    let chosen = options.store;
    if (chosen !== undefined && (typeof chosen !== 'string' || chosen === '')) {
      invalid('store', chosen, 'a file path or false', 'RUNTRACE_DB or the default path');
      chosen = undefined;
    }
    const file = chosen ?? config.storePath ?? DEFAULT_STORE_PATH;
    storeDestination = createStoreDestination({
      // A PostgreSQL URL is passed on whole (its password is masked in every message); any other
      // URL with its password masked, for the store to say it cannot use it.
      path: isPostgresUrl(file) ? file : storeUrlScheme(file) !== undefined ? maskUrlPassword(file) : resolve(options.cwd ?? process.cwd(), file),
      setting: chosen !== undefined ? 'option' : config.storePath !== undefined ? 'RUNTRACE_DB' : 'default',
      reporter,
      strict,
      shutdownTimeoutMs,
      ...(staleAfterMs === undefined ? {} : { staleAfterMs }),
      ...(ingest === undefined ? {} : { ingest: { maxQueueSpans: ingest.maxQueueSpans } }),
    });
    if (storeDestination !== undefined) destinations.push(storeDestination.destination);
  }

  const otlpChoice = otlpOptions(options.otlp, config);
  let otlp: ResolvedOtlp | undefined;
  let otlpDestination: OtlpDestination | undefined;
  if (otlpChoice !== undefined) {
    try {
      otlp = resolveOtlp(otlpChoice, config.otlp, (problem) => {
        if (strict) throw problem;
        reporter.report(`config:${problem.field}`, `${problem.field}: ${problem.message.replace(/^environment: [A-Z_]+: /, '')}; sending without it: fix or unset ${problem.field}`);
      });
    } catch (error: unknown) {
      if (strict) throw error;
      reporter.report('otlp-config', `${errorMessage(error)}: OTLP export is off until the otlp option is fixed`);
    }
  }
  if (otlpChoice !== undefined && otlp !== undefined) {
    const store = storeDestination;
    try {
      otlpDestination = createOtlpDestination({
        otlp,
        content: otlpChoice.content ?? config.otlpContent ?? 'metadata',
        sampling: otlpChoice.sampling ?? 'all',
        ...(otlpChoice.scheduledDelayMillis === undefined ? {} : { scheduledDelayMillis: otlpChoice.scheduledDelayMillis }),
        reporter,
        localCopy: () => store?.complete() === true,
        shutdownTimeoutMs,
        ...(ingest === undefined ? {} : { maxQueueSpans: ingest.otlpQueueSpans }),
      });
      destinations.push(otlpDestination.destination);
    } catch (error: unknown) {
      // The OTLP serializers load here (an incomplete install cannot provide them): the store still records.
      if (strict) throw error;
      otlp = undefined;
      reporter.report('otlp-setup', `OTLP export is off: it could not be set up (${errorMessage(error)}): reinstall runtrace's dependencies`);
    }
  }
  const own = [...destinations];
  destinations.push(...(options.destinations ?? []));

  // Internal failures (a destination that throws, a failed sweep) must not go unseen.
  const onError = (error: unknown, where: ProcessorErrorContext): void => {
    reporter.report(`processor:${where}`, `the run processor failed in ${where} (${errorMessage(error)}); recording continues`);
  };
  const staleAfter = staleAfterMs === undefined ? {} : { staleAfter: staleAfterMs };
  let processor: RunSpanProcessor;
  try {
    processor = new RunSpanProcessor({ onError, ...options.processor, destinations, ...staleAfter });
  } catch (error: unknown) {
    if (strict) throw error;
    reporter.report('option:processor', `the processor or destinations options are invalid (${errorMessage(error)}); using the defaults and runtrace's own destinations instead: fix those options`);
    processor = new RunSpanProcessor({ onError, destinations: own, ...staleAfter });
  }
  storeDestination?.connect(processor);
  // The local store keeps content by default (redacted and bounded); OTLP gets its metadata view
  // unless told otherwise. With no store there is nothing to keep it for.
  contentPolicy ??= storeDestination === undefined ? 'metadata' : 'full';

  let shutdown: Promise<void> | undefined;
  return {
    processor,
    storeDestination,
    otlp,
    config,
    recording: { contentPolicy, bodies, staleAfterMs },
    shutdownTimeoutMs,
    stats: () => ({
      processor: processor.stats(),
      store: storeDestination?.exporter.stats(),
      otlp: otlpDestination?.stats(),
      reports: reporter.stats(),
    }),
    shutdown(first) {
      shutdown ??= (async () => {
        // First, so every wait below (flushes and the destinations' shutdowns) is bounded by it.
        otlpDestination?.startShutdownClock();
        first();
        await processor.shutdown();
        try {
          await storeDestination?.close();
        } catch (error: unknown) {
          reporter.report('store-close', `closing the store failed (${errorMessage(error)})`);
        }
        otlpDestination?.finishShutdown();
        reporter.flush();
      })();
      return shutdown;
    },
  };
}

/** Builds the pipeline for {@link createRuntrace} and `register()`; also returns the shutdown timeout in force. */
export function buildPipeline(options: CreateRuntraceOptions, context: PipelineContext): { pipeline: RuntracePipeline; shutdownTimeoutMs: number } {
  const stages = buildStages(options, context);
  const { processor, storeDestination, recording } = stages;
  const recorder = new Recorder({
    contentPolicy: recording.contentPolicy,
    ...(recording.bodies === undefined ? {} : { bodies: recording.bodies }),
    ...(recording.staleAfterMs === undefined ? {} : { staleAfterMs: recording.staleAfterMs }),
  });
  const pipeline: RuntracePipeline = {
    recorder,
    processor,
    store: storeDestination?.store,
    storeExporter: storeDestination?.exporter,
    otlp: stages.otlp,
    config: stages.config,
    stats: () => stages.stats(),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => stages.shutdown(() => recorder.close()),
  };
  return { pipeline, shutdownTimeoutMs: stages.shutdownTimeoutMs };
}

/**
 * Builds the pipeline without registering anything globally: use it when the application owns
 * its tracer provider. Add `processor` to your provider as its only span processor, and pass
 * your own exporters' processors as `destinations` so they receive redacted spans.
 *
 * Never throws for store, OTLP or configuration problems (unless `strict`): what cannot work is
 * left out, one line on stderr names the cause and the fix, and the rest records as usual.
 *
 * Shut runtrace down before the provider: its shutdown starts the clock that bounds the wait for
 * the OTLP backend, and the provider then finds runtrace's processor already shut down.
 *
 * @example
 * const runtrace = createRuntrace({ store: '.runtrace/runtrace.db', destinations: [{ processor: myBatchProcessor, kind: 'otlp' }] });
 * const provider = new TracerProvider({ spanProcessors: [runtrace.processor] });
 * trace.setGlobalTracerProvider(provider);
 * await runtrace.recorder.run({ kind: 'chat_turn' }, async (run) => { ... });
 * await runtrace.shutdown();
 * await provider.shutdown();
 */
export function createRuntrace(options: CreateRuntraceOptions = {}): RuntracePipeline {
  return buildPipeline(options, pipelineContext(options)).pipeline;
}
