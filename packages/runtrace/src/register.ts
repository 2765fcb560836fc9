// register(): one call that starts the OpenTelemetry NodeSDK with runtrace's processor, store and OTLP export.
import { context, propagation, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { ConfigError } from '@runtrace/core';
import { installFetchInstrumentation } from '@runtrace/instrumentation';
import type { Recorder } from '@runtrace/instrumentation';
import { installShutdownHooks } from '@runtrace/processor';
import type { RunSpanProcessor } from '@runtrace/processor';
import type { SqliteSpanExporter, SqliteStore } from '@runtrace/store';
import { createRuntrace } from './create-runtrace.js';
import type { RuntracePipeline } from './create-runtrace.js';
import { acceptsProcessors, registeredTracerProvider } from './internal/existing-provider.js';
import type { RegisterOptions } from './runtrace-options.js';

/** How {@link register} attached runtrace to OpenTelemetry. */
export type RegistrationMode =
  /** runtrace started the NodeSDK and owns the global tracer provider. */
  | 'started'
  /** The application had a provider that accepts processors; runtrace added its processor to it. */
  | 'joined';

/** What {@link register} returns. */
export interface Runtrace {
  /** Starts runs, steps and tool calls. */
  readonly recorder: Recorder;
  /** The local store's query API (`listRuns`, `getRun`, `overview`, `analytics`, …); `undefined` with `store: false`. */
  readonly store: SqliteStore | undefined;
  /** The store's span exporter (write counters in `stats()`); `undefined` with `store: false`. */
  readonly storeExporter: SqliteSpanExporter | undefined;
  /** The span processor (live events through `subscribe`, counters through `stats`). */
  readonly processor: RunSpanProcessor;
  /** How runtrace attached to OpenTelemetry. */
  readonly mode: RegistrationMode;
  /** Waits until the store and the OTLP exporter have written what they hold. */
  forceFlush(): Promise<void>;
  /**
   * Ends in-flight runs as interrupted, flushes and closes the exporters and the store, restores
   * `fetch`, and (in `started` mode) shuts the SDK down and unregisters its globals, so
   * `register()` may be called again. Runs once.
   */
  shutdown(): Promise<void>;
}

const ACTIVE = Symbol.for('runtrace.register.active');

type Globals = Record<symbol, Runtrace | undefined>;

/** What to do instead of register() when the application's provider cannot take runtrace's processor. */
const EXISTING_PROVIDER_FIX = [
  "import { createRuntrace } from 'runtrace';",
  '',
  '// your exporters go behind runtrace, so they receive the redacted spans',
  "const runtrace = createRuntrace({ destinations: [{ processor: new BatchSpanProcessor({ exporter: yourExporter }), kind: 'otlp' }] });",
  'const provider = new TracerProvider({ spanProcessors: [runtrace.processor] }); // or new NodeSDK({ spanProcessors: [runtrace.processor] })',
  'trace.setGlobalTracerProvider(provider);',
  '// record with runtrace.recorder; on exit: await provider.shutdown(); await runtrace.shutdown();',
].join('\n');

function explainExistingProvider(): ConfigError {
  return new ConfigError(
    'register',
    'tracerProvider',
    [
      'a tracer provider is already registered with @opentelemetry/api, and it cannot take another span processor',
      'after it was built (OpenTelemetry JS SDK 2 and later providers take them only in their constructor).',
      'runtrace will not start a second provider next to it, because spans would be lost.',
      'Instead of register(), hand runtrace\'s processor to the provider where you build it:',
      '',
      EXISTING_PROVIDER_FIX.replace(/^(?=.)/gm, '  '),
      '',
      'Or call register() before anything else sets up OpenTelemetry (pass your exporters as `destinations`).',
    ].join('\n'),
  );
}

function handle(pipeline: RuntracePipeline, mode: RegistrationMode, stop: () => Promise<void>): Runtrace {
  let shutdown: Promise<void> | undefined;
  const runtrace: Runtrace = {
    recorder: pipeline.recorder,
    store: pipeline.store,
    storeExporter: pipeline.storeExporter,
    processor: pipeline.processor,
    mode,
    forceFlush: () => pipeline.forceFlush(),
    shutdown() {
      shutdown ??= (async () => {
        try {
          await stop();
        } finally {
          const globals = globalThis as Globals;
          if (globals[ACTIVE] === runtrace) globals[ACTIVE] = undefined;
        }
      })();
      return shutdown;
    },
  };
  return runtrace;
}

/**
 * Sets runtrace up in one call: starts the OpenTelemetry NodeSDK with the RunSpanProcessor as
 * its span processor, writing to the local store (`./.runtrace/runtrace.db` by default) and,
 * when configured, to an OTLP endpoint; routes `fetch` through the recording interceptor; and
 * returns the recorder, the store's query API and `shutdown()`.
 *
 * A second call while the first is active returns the same object. When the application
 * already registered a tracer provider, runtrace adds its processor to it if the provider
 * allows that; otherwise it throws a `ConfigError` that explains what to do — it never starts
 * a second provider that would lose spans.
 *
 * @example
 * import { register } from 'runtrace';
 * const runtrace = register({ contentPolicy: 'full' });
 * await runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'c1', label: question }, (run) =>
 *   run.step({ operation: 'generate', model: 'gpt-4o-mini' }, async (step) => {
 *     const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
 *     step.setResponse({ model: reply.model, usage: { inputTokens: reply.usage?.prompt_tokens, outputTokens: reply.usage?.completion_tokens } });
 *     return reply;
 *   }),
 * );
 * console.log(runtrace.store?.listRuns({ limit: 5 }).runs);
 * await runtrace.shutdown();
 */
export function register(options: RegisterOptions = {}): Runtrace {
  const globals = globalThis as Globals;
  const active = globals[ACTIVE];
  if (active !== undefined) return active;

  const existing = registeredTracerProvider();
  if (existing !== undefined && !acceptsProcessors(existing)) throw explainExistingProvider();

  const pipeline = createRuntrace(options);
  const fetchWanted = options.fetch ?? pipeline.config.fetchDisabled !== true;
  let runtrace: Runtrace;
  try {
    if (existing !== undefined && acceptsProcessors(existing)) {
      existing.addSpanProcessor(pipeline.processor);
      const uninstallFetch = fetchWanted ? installFetchInstrumentation() : undefined;
      runtrace = handle(pipeline, 'joined', async () => {
        uninstallFetch?.();
        await pipeline.shutdown();
      });
    } else {
      runtrace = startSdk(pipeline, options, fetchWanted);
    }
  } catch (error: unknown) {
    void pipeline.shutdown();
    throw error;
  }
  globals[ACTIVE] = runtrace;
  if (options.shutdownHooks === true) {
    installShutdownHooks(runtrace, { signals: ['SIGTERM', 'SIGINT'] });
  }
  return runtrace;
}

function startSdk(pipeline: RuntracePipeline, options: RegisterOptions, fetchWanted: boolean): Runtrace {
  const serviceName = options.serviceName ?? pipeline.config.serviceName;
  const configuration: Partial<NodeSDKConfiguration> = {
    spanProcessors: [pipeline.processor],
    instrumentations: options.instrumentations ?? [],
    // Traces only: metrics and logs stay off unless their exporters are configured in the environment.
    ...(pipeline.config.metricsExporterConfigured ? {} : { metricReaders: [] }),
    ...(pipeline.config.logsExporterConfigured ? {} : { logRecordProcessors: [] }),
    ...(serviceName === undefined ? {} : { serviceName }),
    // Merged over the default resource, as the SDK does for its own; detected attributes still apply.
    ...(options.resourceAttributes === undefined ? {} : { resource: defaultResource().merge(resourceFromAttributes(options.resourceAttributes)) }),
  };
  const sdk = new NodeSDK(configuration);
  sdk.start();
  const provider: TracerProvider | undefined = registeredTracerProvider();
  const uninstallFetch = fetchWanted ? installFetchInstrumentation() : undefined;
  return handle(pipeline, 'started', async () => {
    uninstallFetch?.();
    pipeline.recorder.close();
    await sdk.shutdown();
    await pipeline.shutdown();
    // Unregister the globals this call set, so a later register() starts afresh.
    if (provider !== undefined && registeredTracerProvider() === provider) {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
}
