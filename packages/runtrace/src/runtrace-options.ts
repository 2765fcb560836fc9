// Options of createRuntrace() and register().
import type { Attributes } from '@opentelemetry/api';
import type { DestinationOptions, DestinationSampling, RunSpanProcessorOptions } from '@runtrace/processor';
import type { ContentPolicy, DiagnosticSink } from '@runtrace/core';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { OtlpProtocol } from './load-config.js';

/** Where and how the OTLP exporter sends. Unset fields come from `OTEL_EXPORTER_OTLP_*`, then the defaults. */
export interface OtlpOptions {
  /** Full traces URL. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`. */
  readonly endpoint?: string;
  /** Request headers (for example an API key). Merged over `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Wire format. Default: `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`, else `http/protobuf`. */
  readonly protocol?: OtlpProtocol;
  /** Time budget of one export in ms, retries included. Default: `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`, else 10,000. At shutdown, `shutdownTimeoutMs` cuts it short. */
  readonly timeoutMillis?: number;
  /** Request compression. Default: `OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION`, else `none`. */
  readonly compression?: 'gzip' | 'none';
  /**
   * What the backend receives: `metadata` (no message text, bodies, tool arguments or results)
   * or `full` (everything, redacted and bounded). Default: `RUNTRACE_OTLP_CONTENT`, else `metadata`.
   */
  readonly content?: 'metadata' | 'full';
  /** Which runs are sent: `all`, `errors-only` or `{ ratio }`. Default `all`. */
  readonly sampling?: DestinationSampling;
  /** Delay between batch exports in ms. Default 5,000 (the OTel default). */
  readonly scheduledDelayMillis?: number;
}

/** Options of {@link createRuntrace}. Every field is optional. */
export interface CreateRuntraceOptions {
  /**
   * The local SQLite store file, a PostgreSQL database shared by many hosts
   * (`postgres://user:password@host/database`; written only, for now: the query API reads SQLite
   * files), or `false` for none. A relative path is resolved against `cwd`.
   * Default: `RUNTRACE_DB`, else `./.runtrace/runtrace.db`; `RUNTRACE_STORE=off` turns it off.
   */
  readonly store?: string | false;
  /**
   * Export over OTLP/HTTP too: `true` (settings from the environment), an {@link OtlpOptions}
   * object, or `false`. Default: on when `OTEL_EXPORTER_OTLP_ENDPOINT` or
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else off.
   */
  readonly otlp?: boolean | OtlpOptions;
  /**
   * What the recorder captures: `none`, `metadata` (headers and tool definitions, no text) or
   * `full` (messages, bodies, tool arguments and results — redacted and bounded).
   * Default: `RUNTRACE_CONTENT`, else `full` with the local store (OTLP still gets the metadata
   * view unless `otlp.content` says otherwise) and `metadata` without it.
   */
  readonly contentPolicy?: ContentPolicy;
  /**
   * Which HTTP bodies the `full` policy keeps on attempts: `unread` (those of failed attempts and
   * of requests that are not a model call runtrace reads; a model call that succeeded is kept as
   * its messages) or `all`. Default: `RUNTRACE_BODIES`, else `unread`.
   */
  readonly bodies?: 'all' | 'unread';
  /** Idle time after which an in-flight run is finalized as interrupted. Default: `RUNTRACE_STALE_AFTER`, else 5 minutes. */
  readonly staleAfterMs?: number;
  /** More downstream processors (your own exporters), fed the same redacted spans. Default: none. */
  readonly destinations?: readonly DestinationOptions[];
  /** Further RunSpanProcessor options (clock, redactor, pricing, limits, onError). Default: its defaults. */
  readonly processor?: Omit<RunSpanProcessorOptions, 'destinations' | 'staleAfter'>;
  /** Environment variables to read settings from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory a relative store path is resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * How long `shutdown()` (and the exit it holds) may take when the OTLP backend is slow or down,
   * in ms. The backend gets nine tenths of it (all but 250 ms at most); what it has not taken by
   * then is given up (one line on stderr says how many spans) so the process can exit. The local
   * store is always flushed completely. Default: `RUNTRACE_SHUTDOWN_TIMEOUT`, else 2,000.
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * Throw store, OTLP and configuration problems (the store's own errors, `ConfigError`,
   * `InvalidArgumentError`) instead of reporting them and carrying on without what failed.
   * Default `false`.
   */
  readonly strict?: boolean;
  /** Write no problem reports (they are still counted in `stats().reports`). Default: `true` when `RUNTRACE_LOG=silent`, else `false`. */
  readonly quiet?: boolean;
  /** Receives each problem report, one line without a newline. Default: written to `process.stderr`. */
  readonly diagnosticSink?: DiagnosticSink;
}

/** Options of {@link register}. Every field is optional. */
export interface RegisterOptions extends CreateRuntraceOptions {
  /** `service.name` of the traces. Default: `OTEL_SERVICE_NAME`, else the SDK's default. */
  readonly serviceName?: string;
  /** Extra resource attributes, merged over the SDK's default resource (when `register()` starts the SDK; a joined provider keeps its own resource). Default: none. */
  readonly resourceAttributes?: Attributes;
  /**
   * Route Node's global `fetch` (and undici's global dispatcher) through runtrace's recording
   * interceptor, so the HTTP attempts of every SDK built on fetch are recorded inside steps.
   * Default: `true` (`RUNTRACE_FETCH=off` turns it off).
   */
  readonly fetch?: boolean;
  /**
   * Record a model call made outside any run (with `fetch`) as a run of its own, of kind
   * `llm_call`, with one step whose attempts are the call's round trips. Model calls inside a run
   * but outside a step are recorded as steps of that run either way. Default: `true`
   * (`RUNTRACE_IMPLICIT_RUNS=off` turns it off).
   */
  readonly implicitRuns?: boolean;
  /**
   * What the sampler (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`) decides when `register()`
   * starts the SDK. `all`: it decides what is exported (OTLP, your destinations) and the sampled
   * flag propagated to other services, while the local store still keeps every run — the spans it
   * drops are recorded, not sampled. `sampler`: it decides for the local store too (a run it drops
   * is not recorded at all). A provider `register()` joins keeps its own sampler. Default:
   * `RUNTRACE_STORE_SAMPLING`, else `all`.
   */
  readonly storeSampling?: 'all' | 'sampler';
  /** Other OpenTelemetry instrumentations to register with the SDK. Default: none. */
  readonly instrumentations?: NodeSDKConfiguration['instrumentations'];
  /**
   * Shut down (finalize in-flight runs as interrupted, flush) on `beforeExit`, SIGTERM and
   * SIGINT. Default `false` for `register()`; the `runtrace/register` entry point turns it on.
   */
  readonly shutdownHooks?: boolean;
}
