// register(): one call that starts the OpenTelemetry SDK with runtrace's processor, store and OTLP export.
import { context, propagation, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { ConfigError } from '@runtrace/core';
import { DiagnosticReporter, errorMessage } from '@runtrace/core/internal';
import { Recorder, installFetchInstrumentation } from '@runtrace/instrumentation';
import { RunSpanProcessor, installShutdownHooks } from '@runtrace/processor';
import type { PostgresSpanExporter, RunStore, SqliteSpanExporter } from '@runtrace/store';
import { buildPipeline, pipelineContext } from './create-runtrace.js';
import type { RuntracePipeline } from './create-runtrace.js';
import { differingOptions } from './internal/differing-options.js';
import { acceptsProcessors, registeredTracerProvider } from './internal/existing-provider.js';
import { defaultSampler, samplerFromEnv, storeKeepingSampler } from './internal/sdk-sampler.js';
import { startTraceSdk } from './internal/trace-sdk.js';
import type { RegisterOptions } from './runtrace-options.js';
import type { RuntraceStats } from './runtrace-stats.js';

/** How {@link register} attached runtrace to OpenTelemetry. */
export type RegistrationMode =
  /** runtrace started the OpenTelemetry SDK and owns the global tracer provider. */
  | 'started'
  /** The application had a provider that accepts processors; runtrace added its processor to it. */
  | 'joined'
  /** runtrace could not attach (the reason was reported on stderr): the recorder runs your functions without recording. */
  | 'disabled';

/** What {@link register} returns. */
export interface Runtrace {
  /** Starts runs, steps and tool calls. */
  readonly recorder: Recorder;
  /**
   * The store's query API (`listRuns`, `getRun`, `overview`, `analytics`, …): a SqliteStore, or a
   * PostgresStore for a `postgres://` store (its answers are promises; `await` works for both);
   * `undefined` with `store: false` or when the file could not be opened.
   */
  readonly store: RunStore | undefined;
  /** The store's span exporter (write counters in `stats()`); `undefined` when there is no store. */
  readonly storeExporter: SqliteSpanExporter | PostgresSpanExporter | undefined;
  /** The span processor (live events through `subscribe`, counters through `stats`). */
  readonly processor: RunSpanProcessor;
  /** How runtrace attached to OpenTelemetry. */
  readonly mode: RegistrationMode;
  /** Every counter: processor, store writes, OTLP export outcomes, problems reported. */
  stats(): RuntraceStats;
  /** Waits until the store and the OTLP exporter have written what they hold. */
  forceFlush(): Promise<void>;
  /**
   * Ends in-flight runs as interrupted, flushes and closes the exporters and the store, restores
   * `fetch`, and (in `started` mode) shuts the SDK down and unregisters its globals, so
   * `register()` may be called again. The store is flushed completely; the OTLP backend gets at
   * most `shutdownTimeoutMs`. Runs once; never rejects.
   */
  shutdown(): Promise<void>;
}

const ACTIVE = Symbol.for('runtrace.register.active');

type Globals = Record<symbol, Runtrace | undefined>;

/** The first call's options and reporter, to compare a later call with and to warn through. */
const registrations = new WeakMap<Runtrace, { readonly options: RegisterOptions; readonly reporter: DiagnosticReporter }>();

/** What to do instead of register() when the application's provider cannot take runtrace's processor. */
const EXISTING_PROVIDER_FIX = [
  "import { createRuntrace } from 'runtrace';",
  '',
  '// your exporters go behind runtrace, so they receive the redacted spans',
  "const runtrace = createRuntrace({ destinations: [{ processor: new BatchSpanProcessor({ exporter: yourExporter }), kind: 'otlp' }] });",
  'const provider = new TracerProvider({ spanProcessors: [runtrace.processor] }); // or new NodeSDK({ spanProcessors: [runtrace.processor] })',
  'trace.setGlobalTracerProvider(provider);',
  '// record with runtrace.recorder; on exit: await runtrace.shutdown(); await provider.shutdown();',
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

const EXISTING_PROVIDER_LINE =
  'not recording: a tracer provider that cannot take more span processors (OpenTelemetry JS SDK 2 or later) is already registered: ' +
  'build runtrace with createRuntrace() and put runtrace.processor in that provider\'s spanProcessors (see the runtrace README), ' +
  'or call register() before anything else sets up OpenTelemetry';


function clearActive(runtrace: Runtrace): void {
  const globals = globalThis as Globals;
  if (globals[ACTIVE] === runtrace) globals[ACTIVE] = undefined;
}

function handle(pipeline: RuntracePipeline, mode: RegistrationMode, stop: () => Promise<void>): Runtrace {
  let shutdown: Promise<void> | undefined;
  const runtrace: Runtrace = {
    recorder: pipeline.recorder,
    store: pipeline.store,
    storeExporter: pipeline.storeExporter,
    processor: pipeline.processor,
    mode,
    stats: () => pipeline.stats(),
    forceFlush: () => pipeline.forceFlush(),
    shutdown() {
      shutdown ??= (async () => {
        try {
          await stop();
        } finally {
          clearActive(runtrace);
        }
      })();
      return shutdown;
    },
  };
  return runtrace;
}

/** A registration that records nothing: the application's code still runs through the recorder. */
function disabled(reporter: DiagnosticReporter): Runtrace {
  const recorder = new Recorder({ enabled: false });
  const processor = new RunSpanProcessor({ sweepInterval: false });
  let shutdown: Promise<void> | undefined;
  const runtrace: Runtrace = {
    recorder,
    store: undefined,
    storeExporter: undefined,
    processor,
    mode: 'disabled',
    stats: () => ({ processor: processor.stats(), store: undefined, otlp: undefined, reports: reporter.stats() }),
    forceFlush: () => Promise.resolve(),
    shutdown() {
      shutdown ??= (async () => {
        recorder.close();
        await processor.shutdown();
        clearActive(runtrace);
      })();
      return shutdown;
    },
  };
  return runtrace;
}

function activate(runtrace: Runtrace, options: RegisterOptions, reporter: DiagnosticReporter): Runtrace {
  (globalThis as Globals)[ACTIVE] = runtrace;
  registrations.set(runtrace, { options, reporter });
  return runtrace;
}

/** A call while runtrace is active: the same options get the active instance quietly; different ones a warning (or, when strict, an error). */
function registerAgain(active: Runtrace, options: RegisterOptions): Runtrace {
  const first = registrations.get(active);
  // Registered by another copy of runtrace: nothing to compare with.
  if (first === undefined) return active;
  const differing = differingOptions(first.options, options);
  if (differing.length === 0) return active;
  const message =
    `register() was called again with different options (${differing.join(', ')}) while runtrace is active; ` +
    'the first registration stays in force and these options are ignored: call shutdown() on it before registering again, or pass the same options';
  if (options.strict === true) throw new ConfigError('register', differing.join(', '), message);
  first.reporter.report('register-again', message);
  return active;
}

/**
 * Sets runtrace up in one call: starts the OpenTelemetry SDK with the RunSpanProcessor as
 * its span processor (the trace SDK alone, set up as NodeSDK sets it up; NodeSDK itself when
 * `instrumentations`, `OTEL_METRICS_EXPORTER`, `OTEL_LOGS_EXPORTER`, `OTEL_SDK_DISABLED`,
 * `OTEL_NODE_RESOURCE_DETECTORS` or a propagator other than W3C's ask for more than traces),
 * writing to the local store (`./.runtrace/runtrace.db` by default) and, when configured, to
 * an OTLP endpoint; routes `fetch` through the recording interceptor; and
 * returns the recorder, the store's query API, `stats()` and `shutdown()`.
 *
 * It never throws for store, OTLP or configuration problems: runtrace keeps what still works
 * (OTLP without the store, the store without OTLP, or a recorder that records nothing) and
 * writes one line on stderr naming the cause and the fix. Pass `strict: true` to get the errors
 * thrown instead.
 *
 * A second call while the first is active returns the same object (with a warning when it asks
 * for different options). When the application already registered a tracer provider, runtrace
 * adds its processor to it if the provider allows that; otherwise it reports how to set runtrace
 * up with `createRuntrace()` and records nothing — it never starts a second provider that would
 * lose spans.
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
 * console.log((await runtrace.store?.listRuns({ limit: 5 }))?.runs);
 * await runtrace.shutdown();
 */
export function register(options: RegisterOptions = {}): Runtrace {
  const active = (globalThis as Globals)[ACTIVE];
  if (active !== undefined) return registerAgain(active, options);
  if (options.strict === true) return start(options);
  try {
    return start(options);
  } catch (error: unknown) {
    // Whatever went wrong, the application must keep running: unrecorded, and told why.
    const reporter = new DiagnosticReporter({
      quiet: options.quiet ?? false,
      ...(options.diagnosticSink === undefined ? {} : { sink: options.diagnosticSink }),
    });
    reporter.report('register', `not recording: register() failed (${errorMessage(error)})`);
    return activate(disabled(reporter), options, reporter);
  }
}

function start(options: RegisterOptions): Runtrace {
  const context = pipelineContext(options);
  const { reporter, strict } = context;
  const existing = registeredTracerProvider();
  if (existing !== undefined && !acceptsProcessors(existing)) {
    if (strict) throw explainExistingProvider();
    reporter.report('provider', EXISTING_PROVIDER_LINE);
    return activate(disabled(reporter), options, reporter);
  }

  const { pipeline, shutdownTimeoutMs } = buildPipeline(options, context);
  const fetchWanted = options.fetch ?? pipeline.config.fetchDisabled !== true;
  const implicitRuns = options.implicitRuns ?? pipeline.config.implicitRunsDisabled !== true;
  const installFetch = (): (() => void) | undefined =>
    fetchWanted ? installFetchInstrumentation(implicitRuns ? { recorder: pipeline.recorder } : {}) : undefined;
  let runtrace: Runtrace;
  try {
    if (existing !== undefined && acceptsProcessors(existing)) {
      existing.addSpanProcessor(pipeline.processor);
      const uninstallFetch = installFetch();
      runtrace = handle(pipeline, 'joined', async () => {
        uninstallFetch?.();
        await pipeline.shutdown();
      });
    } else {
      runtrace = startSdk(pipeline, options, installFetch, shutdownTimeoutMs);
    }
  } catch (error: unknown) {
    void pipeline.shutdown();
    if (strict) throw error;
    reporter.report('sdk', `not recording: OpenTelemetry could not be set up (${errorMessage(error)}): check the OTEL_* settings`);
    return activate(disabled(reporter), options, reporter);
  }
  activate(runtrace, options, reporter);
  if (options.shutdownHooks === true) {
    installShutdownHooks(runtrace, {
      signals: ['SIGTERM', 'SIGINT'],
      onError: (error) => reporter.report('shutdown', `shutdown on exit failed (${errorMessage(error)})`),
    });
  }
  return runtrace;
}

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects. */
function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}

function startSdk(pipeline: RuntracePipeline, options: RegisterOptions, installFetch: () => (() => void) | undefined, shutdownTimeoutMs: number): Runtrace {
  const serviceName = options.serviceName ?? pipeline.config.serviceName;
  // The local store keeps every run unless told to follow the sampler: what the sampler drops is
  // recorded (for the store) but not sampled (so exporters skip it, and other services see the sampler's decision).
  const env = options.env ?? process.env;
  const storeSampling = options.storeSampling ?? pipeline.config.storeSampling ?? 'all';
  // With `env` given, its settings alone apply: the SDK would read process.env for a sampler it does not name.
  const named = samplerFromEnv(env) ?? (options.env === undefined ? undefined : defaultSampler());
  const sampler = pipeline.storeExporter !== undefined && storeSampling !== 'sampler' ? storeKeepingSampler(env) : named;
  const sdk = startTraceSdk({
    spanProcessors: [pipeline.processor],
    instrumentations: options.instrumentations ?? [],
    metricsFromEnv: pipeline.config.metricsExporterConfigured,
    logsFromEnv: pipeline.config.logsExporterConfigured,
    ...(serviceName === undefined ? {} : { serviceName }),
    // Merged over the default resource, as the SDK does for its own; detected attributes still apply.
    ...(options.resourceAttributes === undefined ? {} : { resource: defaultResource().merge(resourceFromAttributes(options.resourceAttributes)) }),
    ...(sampler === undefined ? {} : { sampler }),
  });
  const provider: TracerProvider | undefined = registeredTracerProvider();
  const uninstallFetch = installFetch();
  return handle(pipeline, 'started', async () => {
    const deadline = performance.now() + shutdownTimeoutMs;
    uninstallFetch?.();
    // The pipeline first: its shutdown starts the OTLP deadline before anything waits on the
    // backend. The SDK then finds runtrace's processor already shut down.
    await pipeline.shutdown();
    await atMost(sdk.shutdown(), Math.max(0, deadline - performance.now()));
    // Unregister the globals this call set, so a later register() starts afresh.
    if (provider !== undefined && registeredTracerProvider() === provider) {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
}
