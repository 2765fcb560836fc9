// The one place runtrace reads environment variables: RUNTRACE_* and the standard OTEL_EXPORTER_OTLP_* ones.
import { ConfigError, ContentPolicies, DEFAULT_STALE_AFTER_MS } from '@runtrace/core';
import { parseDuration } from '@runtrace/core/internal';
import type { ContentPolicy } from '@runtrace/core';

/** OTLP protocols runtrace can send with. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** How long `shutdown()` waits for the OTLP backend before giving up on what it has not sent, in ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2_000;

/** The OTLP exporter's default timeout for one export, retries included, in ms. */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/** OTLP export settings found in the environment. */
export interface OtlpEnvConfig {
  /** Full traces URL (`…/v1/traces`), when an endpoint variable is set. */
  readonly endpoint?: string;
  /** The variable the endpoint came from. */
  readonly endpointVariable?: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT';
  /** Headers from `OTEL_EXPORTER_OTLP_HEADERS`, overridden by `OTEL_EXPORTER_OTLP_TRACES_HEADERS`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly protocol?: OtlpProtocol;
  readonly timeoutMillis?: number;
  readonly compression?: 'gzip' | 'none';
  /** TLS files (paths as set): `OTEL_EXPORTER_OTLP_(TRACES_)CERTIFICATE`, `…_CLIENT_CERTIFICATE`, `…_CLIENT_KEY`. */
  readonly tlsFiles?: OtlpTlsFiles;
}

/** A file named by an environment variable. */
export interface EnvFile {
  readonly path: string;
  readonly variable: string;
}

/** The TLS files of OTLP export, as the OTLP exporter specification names them. */
export interface OtlpTlsFiles {
  /** Trusted root certificate(s), PEM. */
  readonly certificate?: EnvFile;
  /** Client certificate chain, PEM (mTLS). */
  readonly clientCertificate?: EnvFile;
  /** Client private key, PEM (mTLS). */
  readonly clientKey?: EnvFile;
}

/** A variable whose value could not be used: it was ignored and the default applies. */
export interface ConfigProblem {
  /** The environment variable. */
  readonly variable: string;
  /** What is wrong with its value, for example `expected none, metadata or full, got "all"`. */
  readonly problem: string;
  /** What is wrong, what is used instead and how to fix it, as one sentence. */
  readonly message: string;
  /** What applies instead (the default, or another variable's value). */
  readonly fallback: string;
  /** The error `strict` mode throws for it. */
  readonly error: ConfigError;
}

/** Settings found in the environment; absent fields were not set (or not usable, see `problems`). */
export interface RuntraceEnvConfig {
  /** `RUNTRACE_DB`: the store file. */
  readonly storePath?: string;
  /** `RUNTRACE_STORE=off` (or `false`, `0`, `none`): no local store. */
  readonly storeDisabled?: boolean;
  /** `RUNTRACE_CONTENT`: `none`, `metadata` or `full`. */
  readonly contentPolicy?: ContentPolicy;
  /** `RUNTRACE_BODIES`: `all` or `unread`, which attempt bodies the `full` policy keeps. */
  readonly bodies?: 'all' | 'unread';
  /** `RUNTRACE_STORE_SAMPLING`: `all` or `sampler`, whether the sampler also decides what the local store keeps. */
  readonly storeSampling?: 'all' | 'sampler';
  /** `RUNTRACE_STALE_AFTER`: milliseconds, or a duration such as `90s`, `5m`. */
  readonly staleAfterMs?: number;
  /** `RUNTRACE_FETCH=off`: do not route the global fetch through the recording interceptor. */
  readonly fetchDisabled?: boolean;
  /** `RUNTRACE_IMPLICIT_RUNS=off`: model calls made outside any run are not recorded. */
  readonly implicitRunsDisabled?: boolean;
  /** `RUNTRACE_OTLP_CONTENT`: `metadata` or `full`, what the OTLP backend receives. */
  readonly otlpContent?: 'metadata' | 'full';
  /** `RUNTRACE_SHUTDOWN_TIMEOUT`: how long shutdown waits for the OTLP backend (ms, or `2s`). */
  readonly shutdownTimeoutMs?: number;
  /** `RUNTRACE_LOG=silent`: write no problem reports to stderr (they are still counted). */
  readonly quiet?: boolean;
  /** `OTEL_SERVICE_NAME`. */
  readonly serviceName?: string;
  /** `OTEL_EXPORTER_OTLP_*` (traces-specific variables win over the generic ones). */
  readonly otlp: OtlpEnvConfig;
  /** `OTEL_METRICS_EXPORTER` is set: the SDK configures metrics from the environment (else runtrace turns metrics off). */
  readonly metricsExporterConfigured: boolean;
  /** `OTEL_LOGS_EXPORTER` is set: the SDK configures logs from the environment (else runtrace turns logs off). */
  readonly logsExporterConfigured: boolean;
  /** Variables that were set to values runtrace cannot use; each was ignored. Empty when all is well. */
  readonly problems: readonly ConfigProblem[];
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Throw the `ConfigError` of the first unusable value instead of ignoring it. Default `false`. */
  readonly strict?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SOURCE = 'environment';
const OFF = new Set(['off', 'false', '0', 'no', 'none', 'disabled']);
const SILENT = new Set(['silent', 'off', 'quiet', 'none', 'false', '0']);
const LOUD = new Set(['warn', 'on', 'stderr', 'true', '1']);

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The part of a ConfigError message after `source: field: `. */
function problemText(error: ConfigError): string {
  const prefix = `${error.source}: ${error.field}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/** Collects unusable values (or throws the first, when strict). */
class Problems {
  readonly list: ConfigProblem[] = [];
  readonly strict: boolean;

  constructor(strict: boolean) {
    this.strict = strict;
  }

  /** Records an unusable value and what applies instead; rethrows in strict mode or for anything but a ConfigError. */
  add(error: unknown, fallback: string): void {
    if (this.strict || !(error instanceof ConfigError)) throw error;
    const variable = error.field;
    const problem = problemText(error);
    this.list.push({ variable, problem, fallback, error, message: `${variable}: ${problem}; using ${fallback} instead: fix or unset ${variable}` });
  }

  /** Runs `parse`; an unusable value is recorded with the fallback that applies instead. */
  attempt<T>(parse: () => T, fallback: string): T | undefined {
    try {
      return parse();
    } catch (error: unknown) {
      this.add(error, fallback);
      return undefined;
    }
  }
}

/**
 * Parses `key=value,key2=value2` (values percent-decoded), as the OTLP exporter specification says.
 * Throws `ConfigError` naming `variable` for a pair without `=`; the message never repeats the
 * value, which may hold a credential.
 *
 * @example
 * parseOtlpHeaders('api-key=abc%20123,x-team=search'); // { 'api-key': 'abc 123', 'x-team': 'search' }
 */
export function parseOtlpHeaders(text: string, variable = 'OTEL_EXPORTER_OTLP_HEADERS'): Record<string, string> {
  const headers: Record<string, string> = {};
  const parts = text.split(',');
  for (const [index, part] of parts.entries()) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    if (equals <= 0) throw new ConfigError(SOURCE, variable, `expected key=value pairs separated by commas; pair ${index + 1} of ${parts.length} has no "="`);
    const key = part.slice(0, equals).trim();
    let value = part.slice(equals + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: kept as written.
    }
    headers[key] = value;
  }
  return headers;
}

/** `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL: the traces path is appended. */
function tracesUrlFromBase(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function parseUrl(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return value;
  } catch {
    throw new ConfigError(SOURCE, name, `expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  }
}

/** A positive duration: milliseconds, or with a unit (\`90s\`, \`5m\`; core's parseDuration). */
function parseMs(name: string, value: string): number {
  const ms = parseDuration(value, { bareUnit: 'ms' });
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) throw new ConfigError(SOURCE, name, `expected a positive number of milliseconds (or 90s, 5m), got ${JSON.stringify(value)}`);
  return ms;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const choices = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed.join('');
  throw new ConfigError(SOURCE, name, `expected ${choices}, got ${JSON.stringify(value)}`);
}

/** The first usable value among `names` (in order); unusable ones are recorded and skipped. */
function firstUsable<T>(
  env: Env,
  names: readonly string[],
  parse: (name: string, value: string) => T,
  problems: Problems,
  describe: (value: T | undefined) => string,
): { name: string; value: T } | undefined {
  const skipped: unknown[] = [];
  let found: { name: string; value: T } | undefined;
  for (const name of names) {
    const raw = read(env, name);
    if (raw === undefined) continue;
    try {
      found = { name, value: parse(name, raw) };
      break;
    } catch (error: unknown) {
      if (problems.strict) throw error;
      skipped.push(error);
    }
  }
  // Reported once the value in force (a later variable, or the default) is known.
  for (const error of skipped) problems.add(error, describe(found?.value));
  return found;
}

function loadOtlp(env: Env, problems: Problems): OtlpEnvConfig {
  const config: Mutable<OtlpEnvConfig> = {};
  const endpoint = firstUsable(
    env,
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    (name, value) => (name === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? tracesUrlFromBase(parseUrl(name, value)) : parseUrl(name, value)),
    problems,
    (value) => (value === undefined ? 'no OTLP endpoint (OTLP export stays off unless turned on in code)' : value),
  );
  if (endpoint !== undefined) {
    config.endpoint = endpoint.value;
    config.endpointVariable = endpoint.name as NonNullable<OtlpEnvConfig['endpointVariable']>;
  }

  const headers: Record<string, string> = {};
  let headersSet = false;
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = read(env, name);
    if (raw === undefined) continue;
    const parsed = problems.attempt(() => parseOtlpHeaders(raw, name), 'no headers from it');
    if (parsed === undefined) continue;
    Object.assign(headers, parsed);
    headersSet = true;
  }
  if (headersSet) config.headers = headers;

  const protocol = firstUsable(
    env,
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    (name, value) => {
      if (value === 'grpc') throw new ConfigError(SOURCE, name, 'grpc is not supported by runtrace; use http/protobuf (the default) or http/json');
      return oneOf<OtlpProtocol>(name, value, ['http/protobuf', 'http/json']);
    },
    problems,
    (value) => value ?? 'http/protobuf',
  );
  if (protocol !== undefined) config.protocol = protocol.value;

  const timeout = firstUsable(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], parseMs, problems, (value) => `${value ?? DEFAULT_OTLP_TIMEOUT_MS} ms`);
  if (timeout !== undefined) config.timeoutMillis = timeout.value;

  const compression = firstUsable(
    env,
    ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'],
    (name, value) => oneOf<'gzip' | 'none'>(name, value, ['gzip', 'none']),
    problems,
    (value) => value ?? 'none',
  );
  if (compression !== undefined) config.compression = compression.value;

  const tlsFiles: Mutable<OtlpTlsFiles> = {};
  for (const [key, suffix] of [['certificate', 'CERTIFICATE'], ['clientCertificate', 'CLIENT_CERTIFICATE'], ['clientKey', 'CLIENT_KEY']] as const) {
    const variable = [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`].find((name) => read(env, name) !== undefined);
    const path = variable === undefined ? undefined : read(env, variable);
    if (variable !== undefined && path !== undefined) tlsFiles[key] = { path, variable };
  }
  if (Object.keys(tlsFiles).length > 0) config.tlsFiles = tlsFiles;
  return config;
}

/**
 * Reads runtrace's settings from environment variables (and nothing else does): `RUNTRACE_DB`,
 * `RUNTRACE_STORE`, `RUNTRACE_CONTENT`, `RUNTRACE_BODIES`, `RUNTRACE_STALE_AFTER`, `RUNTRACE_FETCH`,
 * `RUNTRACE_OTLP_CONTENT`, `RUNTRACE_SHUTDOWN_TIMEOUT`, `RUNTRACE_LOG`, `OTEL_SERVICE_NAME` and
 * the standard `OTEL_EXPORTER_OTLP_*` variables (endpoint, headers, protocol, timeout,
 * compression, and the paths of the TLS files, which are read later). A value that cannot be used is ignored (its
 * default applies) and listed in `problems` with a message naming the variable; with
 * `{ strict: true }` the first one is thrown as a `ConfigError` instead.
 *
 * @example
 * const config = loadConfig({ RUNTRACE_DB: '/tmp/runs.db', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' });
 * config.otlp.endpoint; // 'http://localhost:4318/v1/traces'
 * loadConfig({ RUNTRACE_CONTENT: 'everything' }).problems[0]?.message;
 * // 'RUNTRACE_CONTENT: expected none, metadata or full, got "everything"; using metadata instead: fix or unset RUNTRACE_CONTENT'
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): RuntraceEnvConfig {
  const problems = new Problems(options.strict === true);
  const config: Mutable<RuntraceEnvConfig> = {
    otlp: loadOtlp(env, problems),
    metricsExporterConfigured: read(env, 'OTEL_METRICS_EXPORTER') !== undefined,
    logsExporterConfigured: read(env, 'OTEL_LOGS_EXPORTER') !== undefined,
    problems: problems.list,
  };
  const db = read(env, 'RUNTRACE_DB');
  if (db !== undefined) config.storePath = db;
  const store = read(env, 'RUNTRACE_STORE');
  if (store !== undefined && OFF.has(store.toLowerCase())) config.storeDisabled = true;

  const content = read(env, 'RUNTRACE_CONTENT');
  if (content !== undefined) {
    // A value it cannot read falls back to the narrower policy, whatever the default would be.
    config.contentPolicy = problems.attempt(() => oneOf<ContentPolicy>('RUNTRACE_CONTENT', content, Object.values(ContentPolicies)), 'metadata') ?? 'metadata';
  }
  const staleAfter = read(env, 'RUNTRACE_STALE_AFTER');
  if (staleAfter !== undefined) {
    const ms = problems.attempt(() => parseMs('RUNTRACE_STALE_AFTER', staleAfter), `${DEFAULT_STALE_AFTER_MS / 60_000}m`);
    if (ms !== undefined) config.staleAfterMs = ms;
  }
  const fetch = read(env, 'RUNTRACE_FETCH');
  if (fetch !== undefined && OFF.has(fetch.toLowerCase())) config.fetchDisabled = true;
  const implicitRuns = read(env, 'RUNTRACE_IMPLICIT_RUNS');
  if (implicitRuns !== undefined && OFF.has(implicitRuns.toLowerCase())) config.implicitRunsDisabled = true;
  // A variable with a few allowed values: unset or unusable, the setting keeps its default.
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T | undefined => {
    const text = read(env, name);
    return text === undefined ? undefined : problems.attempt(() => oneOf<T>(name, text, allowed), fallback);
  };
  const bodies = choice('RUNTRACE_BODIES', ['all', 'unread'], 'unread');
  if (bodies !== undefined) config.bodies = bodies;
  const storeSampling = choice('RUNTRACE_STORE_SAMPLING', ['all', 'sampler'], 'all');
  if (storeSampling !== undefined) config.storeSampling = storeSampling;
  const otlpContent = choice('RUNTRACE_OTLP_CONTENT', ['metadata', 'full'], 'metadata');
  if (otlpContent !== undefined) config.otlpContent = otlpContent;
  const shutdownTimeout = read(env, 'RUNTRACE_SHUTDOWN_TIMEOUT');
  if (shutdownTimeout !== undefined) {
    const ms = problems.attempt(() => parseMs('RUNTRACE_SHUTDOWN_TIMEOUT', shutdownTimeout), `${DEFAULT_SHUTDOWN_TIMEOUT_MS} ms`);
    if (ms !== undefined) config.shutdownTimeoutMs = ms;
  }
  const log = read(env, 'RUNTRACE_LOG');
  if (log !== undefined) {
    const quiet = problems.attempt(
      () => {
        const lower = log.toLowerCase();
        if (SILENT.has(lower)) return true;
        if (LOUD.has(lower)) return false;
        throw new ConfigError(SOURCE, 'RUNTRACE_LOG', `expected silent or warn, got ${JSON.stringify(log)}`);
      },
      'warn (problems are reported on stderr)',
    );
    if (quiet === true) config.quiet = true;
  }
  const serviceName = read(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) config.serviceName = serviceName;
  return config;
}
