// Builds runtrace's pipeline — recorder, RunSpanProcessor, local store, OTLP export — without touching OpenTelemetry's globals.
import { resolve } from 'node:path';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { Recorder } from '@runtrace/instrumentation';
import { RunSpanProcessor } from '@runtrace/processor';
import type { DestinationOptions } from '@runtrace/processor';
import { openStore } from '@runtrace/store';
import type { SqliteSpanExporter, SqliteStore } from '@runtrace/store';
import { createOtlpExporter, resolveOtlp } from './internal/otlp-exporter.js';
import type { ResolvedOtlp } from './internal/otlp-exporter.js';
import { loadConfig } from './load-config.js';
import type { RuntraceEnvConfig } from './load-config.js';
import type { CreateRuntraceOptions, OtlpOptions } from './runtrace-options.js';

/** The default store file, relative to the working directory. */
export const DEFAULT_STORE_PATH = './.runtrace/runtrace.db';

/** What {@link createRuntrace} built. */
export interface RuntracePipeline {
  /** Starts runs, steps and tool calls (records through the global tracer provider). */
  readonly recorder: Recorder;
  /** The span processor to register with a tracer provider (its only processor). */
  readonly processor: RunSpanProcessor;
  /** The store's query API (`listRuns`, `getRun`, `overview`, …); `undefined` with `store: false`. */
  readonly store: SqliteStore | undefined;
  /** The store's span exporter (counters in `stats()`); `undefined` with `store: false`. */
  readonly storeExporter: SqliteSpanExporter | undefined;
  /** Where OTLP goes, when it is on. */
  readonly otlp: ResolvedOtlp | undefined;
  /** The settings read from the environment. */
  readonly config: RuntraceEnvConfig;
  /** Waits until every destination exported what it holds. */
  forceFlush(): Promise<void>;
  /** Ends in-flight runs as interrupted, flushes and closes every destination and the store. Runs once. */
  shutdown(): Promise<void>;
}

function otlpOptions(option: CreateRuntraceOptions['otlp'], config: RuntraceEnvConfig): OtlpOptions | undefined {
  if (option === false) return undefined;
  if (option === true) return {};
  if (option !== undefined) return option;
  return config.otlp.endpoint === undefined ? undefined : {};
}

/**
 * Builds the pipeline without registering anything globally: use it when the application owns
 * its tracer provider. Add `processor` to your provider as its only span processor, and pass
 * your own exporters' processors as `destinations` so they receive redacted spans.
 *
 * @example
 * const runtrace = createRuntrace({ store: '.runtrace/runtrace.db', destinations: [{ processor: myBatchProcessor, kind: 'otlp' }] });
 * const provider = new TracerProvider({ spanProcessors: [runtrace.processor] });
 * trace.setGlobalTracerProvider(provider);
 * await runtrace.recorder.run({ kind: 'chat_turn' }, async (run) => { ... });
 * await runtrace.shutdown();
 */
export function createRuntrace(options: CreateRuntraceOptions = {}): RuntracePipeline {
  const config = loadConfig(options.env ?? process.env);
  const staleAfterMs = options.staleAfterMs ?? config.staleAfterMs;
  const destinations: DestinationOptions[] = [];

  const storeFile = options.store === false || (options.store === undefined && config.storeDisabled === true) ? undefined : (options.store ?? config.storePath ?? DEFAULT_STORE_PATH);
  let store: SqliteStore | undefined;
  let storeExporter: SqliteSpanExporter | undefined;
  if (storeFile !== undefined) {
    store = openStore({ path: resolve(options.cwd ?? process.cwd(), storeFile), ...(staleAfterMs === undefined ? {} : { staleAfterMs }) });
    storeExporter = store.createExporter();
    destinations.push({ processor: new SimpleSpanProcessor({ exporter: storeExporter }), kind: 'store', content: 'full', name: 'store' });
  }

  const otlpChoice = otlpOptions(options.otlp, config);
  let otlp: ResolvedOtlp | undefined;
  if (otlpChoice !== undefined) {
    otlp = resolveOtlp(otlpChoice, config.otlp);
    const otlpExporter = createOtlpExporter(otlp);
    destinations.push({
      processor: new BatchSpanProcessor({ exporter: otlpExporter, ...(otlpChoice.scheduledDelayMillis === undefined ? {} : { scheduledDelayMillis: otlpChoice.scheduledDelayMillis }) }),
      exporter: otlpExporter,
      kind: 'otlp',
      content: otlpChoice.content ?? config.otlpContent ?? 'metadata',
      sampling: otlpChoice.sampling ?? 'all',
      name: 'otlp',
    });
  }
  destinations.push(...(options.destinations ?? []));

  const processor = new RunSpanProcessor({ ...options.processor, destinations, ...(staleAfterMs === undefined ? {} : { staleAfter: staleAfterMs }) });
  if (storeExporter !== undefined) {
    const exporter = storeExporter;
    // In-progress rows make live runs visible in the store (and the CLI) before they end.
    processor.subscribe((event) => {
      if (event.type === 'run-start' || event.type === 'run-update' || event.type === 'step-start') exporter.recordInProgress(event.span);
    });
  }
  const contentPolicy = options.contentPolicy ?? config.contentPolicy;
  const recorder = new Recorder({
    ...(contentPolicy === undefined ? {} : { contentPolicy }),
    ...(staleAfterMs === undefined ? {} : { staleAfterMs }),
  });

  let shutdown: Promise<void> | undefined;
  return {
    recorder,
    processor,
    store,
    storeExporter,
    otlp,
    config,
    forceFlush: () => processor.forceFlush(),
    shutdown() {
      shutdown ??= (async () => {
        recorder.close();
        await processor.shutdown();
        store?.close();
      })();
      return shutdown;
    },
  };
}
