// The one place runtrace reads environment variables: RUNTRACE_* and the standard OTEL_EXPORTER_OTLP_* ones.
import { ConfigError, ContentPolicies } from '@runtrace/core';
import type { ContentPolicy } from '@runtrace/core';

/** OTLP protocols runtrace can send with. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** OTLP export settings found in the environment. */
export interface OtlpEnvConfig {
  /** Full traces URL (`…/v1/traces`), when an endpoint variable is set. */
  readonly endpoint?: string;
  /** Headers from `OTEL_EXPORTER_OTLP_HEADERS`, overridden by `OTEL_EXPORTER_OTLP_TRACES_HEADERS`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly protocol?: OtlpProtocol;
  readonly timeoutMillis?: number;
  readonly compression?: 'gzip' | 'none';
}

/** Settings found in the environment; absent fields were not set. */
export interface RuntraceEnvConfig {
  /** `RUNTRACE_DB`: the store file. */
  readonly storePath?: string;
  /** `RUNTRACE_STORE=off` (or `false`, `0`, `none`): no local store. */
  readonly storeDisabled?: boolean;
  /** `RUNTRACE_CONTENT`: `none`, `metadata` or `full`. */
  readonly contentPolicy?: ContentPolicy;
  /** `RUNTRACE_STALE_AFTER`: milliseconds, or a duration such as `90s`, `5m`. */
  readonly staleAfterMs?: number;
  /** `RUNTRACE_FETCH=off`: do not route the global fetch through the recording interceptor. */
  readonly fetchDisabled?: boolean;
  /** `RUNTRACE_OTLP_CONTENT`: `metadata` or `full`, what the OTLP backend receives. */
  readonly otlpContent?: 'metadata' | 'full';
  /** `OTEL_SERVICE_NAME`. */
  readonly serviceName?: string;
  /** `OTEL_EXPORTER_OTLP_*` (traces-specific variables win over the generic ones). */
  readonly otlp: OtlpEnvConfig;
  /** `OTEL_METRICS_EXPORTER` is set: the SDK configures metrics from the environment (else runtrace turns metrics off). */
  readonly metricsExporterConfigured: boolean;
  /** `OTEL_LOGS_EXPORTER` is set: the SDK configures logs from the environment (else runtrace turns logs off). */
  readonly logsExporterConfigured: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const SOURCE = 'environment';
const OFF = new Set(['off', 'false', '0', 'no', 'none', 'disabled']);
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function first(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = read(env, name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/**
 * Parses `key=value,key2=value2` (values percent-decoded), as the OTLP exporter specification says.
 * Throws `ConfigError` naming `variable` for a pair without `=`.
 *
 * @example
 * parseOtlpHeaders('api-key=abc%20123,x-team=search'); // { 'api-key': 'abc 123', 'x-team': 'search' }
 */
export function parseOtlpHeaders(text: string, variable = 'OTEL_EXPORTER_OTLP_HEADERS'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    if (equals <= 0) throw new ConfigError(SOURCE, variable, `expected key=value pairs separated by commas, got ${JSON.stringify(part.trim())}`);
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

function parseMs(name: string, value: string): number {
  const match = DURATION.exec(value);
  const amount = match === null ? Number.NaN : Number(match[1]);
  const unit = DURATION_UNITS[(match?.[2] ?? 'ms').toLowerCase()] ?? 1;
  if (!Number.isFinite(amount) || amount <= 0) throw new ConfigError(SOURCE, name, `expected a positive number of milliseconds (or 90s, 5m), got ${JSON.stringify(value)}`);
  return amount * unit;
}

function loadOtlp(env: Env): OtlpEnvConfig {
  const config: { -readonly [K in keyof OtlpEnvConfig]: OtlpEnvConfig[K] } = {};
  const tracesEndpoint = read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (tracesEndpoint !== undefined) config.endpoint = parseUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint);
  else if (baseEndpoint !== undefined) config.endpoint = tracesUrlFromBase(parseUrl('OTEL_EXPORTER_OTLP_ENDPOINT', baseEndpoint));

  const generic = read(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  const specific = read(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS');
  if (generic !== undefined || specific !== undefined) {
    config.headers = {
      ...(generic === undefined ? {} : parseOtlpHeaders(generic, 'OTEL_EXPORTER_OTLP_HEADERS')),
      ...(specific === undefined ? {} : parseOtlpHeaders(specific, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
    };
  }

  const protocol = first(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined) {
    if (protocol.value === 'http/protobuf' || protocol.value === 'http/json') config.protocol = protocol.value;
    else if (protocol.value === 'grpc') throw new ConfigError(SOURCE, protocol.name, 'grpc is not supported by runtrace; use http/protobuf (the default) or http/json');
    else throw new ConfigError(SOURCE, protocol.name, `expected http/protobuf or http/json, got ${JSON.stringify(protocol.value)}`);
  }

  const timeout = first(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
  if (timeout !== undefined) config.timeoutMillis = parseMs(timeout.name, timeout.value);

  const compression = first(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION');
  if (compression !== undefined) {
    if (compression.value !== 'gzip' && compression.value !== 'none') throw new ConfigError(SOURCE, compression.name, `expected gzip or none, got ${JSON.stringify(compression.value)}`);
    config.compression = compression.value;
  }
  return config;
}

/**
 * Reads runtrace's settings from environment variables (and nothing else does): `RUNTRACE_DB`,
 * `RUNTRACE_STORE`, `RUNTRACE_CONTENT`, `RUNTRACE_STALE_AFTER`, `RUNTRACE_FETCH`,
 * `RUNTRACE_OTLP_CONTENT`, `OTEL_SERVICE_NAME` and the standard `OTEL_EXPORTER_OTLP_*`
 * variables. Throws `ConfigError` naming the variable when a value cannot be used.
 *
 * @example
 * const config = loadConfig({ RUNTRACE_DB: '/tmp/runs.db', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' });
 * config.otlp.endpoint; // 'http://localhost:4318/v1/traces'
 */
export function loadConfig(env: Env = process.env): RuntraceEnvConfig {
  const config: { -readonly [K in keyof RuntraceEnvConfig]: RuntraceEnvConfig[K] } = {
    otlp: loadOtlp(env),
    metricsExporterConfigured: read(env, 'OTEL_METRICS_EXPORTER') !== undefined,
    logsExporterConfigured: read(env, 'OTEL_LOGS_EXPORTER') !== undefined,
  };
  const db = read(env, 'RUNTRACE_DB');
  if (db !== undefined) config.storePath = db;
  const store = read(env, 'RUNTRACE_STORE');
  if (store !== undefined && OFF.has(store.toLowerCase())) config.storeDisabled = true;
  const content = read(env, 'RUNTRACE_CONTENT');
  if (content !== undefined) {
    const policies: readonly string[] = Object.values(ContentPolicies);
    if (!policies.includes(content)) throw new ConfigError(SOURCE, 'RUNTRACE_CONTENT', `expected ${policies.join(', ')}, got ${JSON.stringify(content)}`);
    config.contentPolicy = content as ContentPolicy;
  }
  const staleAfter = read(env, 'RUNTRACE_STALE_AFTER');
  if (staleAfter !== undefined) config.staleAfterMs = parseMs('RUNTRACE_STALE_AFTER', staleAfter);
  const fetch = read(env, 'RUNTRACE_FETCH');
  if (fetch !== undefined && OFF.has(fetch.toLowerCase())) config.fetchDisabled = true;
  const otlpContent = read(env, 'RUNTRACE_OTLP_CONTENT');
  if (otlpContent !== undefined) {
    if (otlpContent !== 'metadata' && otlpContent !== 'full') throw new ConfigError(SOURCE, 'RUNTRACE_OTLP_CONTENT', `expected metadata or full, got ${JSON.stringify(otlpContent)}`);
    config.otlpContent = otlpContent;
  }
  const serviceName = read(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) config.serviceName = serviceName;
  return config;
}
