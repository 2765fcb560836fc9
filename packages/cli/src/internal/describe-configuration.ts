// The settings runtrace would take from this environment, as `runtrace doctor` shows them: where each came from, secrets masked.
import type { EnvFile, RuntraceEnvConfig } from 'runtrace';
import { formatDuration } from './format-values.js';

/** One setting: its value as shown and the variable (or `default`) it came from. */
export interface ShownSetting {
  readonly value: string;
  readonly source: string;
}

/** The file being checked, and what chose it (`--db`, `RUNTRACE_DB` or `default`). */
export interface CheckedDatabase {
  readonly path: string;
  readonly source: string;
}

/** runtrace's defaults for what the environment did not set. */
export interface RuntraceDefaults {
  readonly shutdownTimeoutMs: number;
  readonly otlpTimeoutMs: number;
}

/** Shown instead of a header value or a password in a URL. */
export const MASK = '****';

function setting(value: string, source: string): ShownSetting {
  return { value, source };
}

/** A URL with any user name and password masked. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = MASK;
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The effective configuration, by setting; `database` is the file this command checks. */
export function describeConfiguration(config: RuntraceEnvConfig, database: CheckedDatabase, defaults: RuntraceDefaults): Record<string, ShownSetting> {
  const shown: Record<string, ShownSetting> = {
    store: config.storeDisabled === true ? setting(`off (the CLI checks ${database.path})`, 'RUNTRACE_STORE') : setting(database.path, database.source),
    // The local store keeps content by default; with no store, only metadata is recorded.
    content: setting(config.contentPolicy ?? (config.storeDisabled === true ? 'metadata' : 'full'), config.contentPolicy === undefined ? 'default' : 'RUNTRACE_CONTENT'),
    bodies: setting(config.bodies ?? 'unread', config.bodies === undefined ? 'default' : 'RUNTRACE_BODIES'),
    'store sampling': setting(config.storeSampling === 'sampler' ? 'follows the sampler' : 'every run, whatever the sampler', config.storeSampling === undefined ? 'default' : 'RUNTRACE_STORE_SAMPLING'),
    'stale after': setting(formatDuration(config.staleAfterMs ?? 300_000), config.staleAfterMs === undefined ? 'default' : 'RUNTRACE_STALE_AFTER'),
    fetch: setting(config.fetchDisabled === true ? 'not recorded' : 'recorded', config.fetchDisabled === true ? 'RUNTRACE_FETCH' : 'default'),
    'model calls outside runs': setting(
      config.fetchDisabled === true || config.implicitRunsDisabled === true ? 'not recorded' : 'recorded as llm_call runs',
      config.implicitRunsDisabled === true ? 'RUNTRACE_IMPLICIT_RUNS' : config.fetchDisabled === true ? 'RUNTRACE_FETCH' : 'default',
    ),
    'shutdown timeout': setting(formatDuration(config.shutdownTimeoutMs ?? defaults.shutdownTimeoutMs), config.shutdownTimeoutMs === undefined ? 'default' : 'RUNTRACE_SHUTDOWN_TIMEOUT'),
    reports: setting(config.quiet === true ? 'silent' : 'stderr', config.quiet === true ? 'RUNTRACE_LOG' : 'default'),
    'service name': setting(config.serviceName ?? '(the SDK default)', config.serviceName === undefined ? 'default' : 'OTEL_SERVICE_NAME'),
  };
  const otlp = config.otlp;
  if (otlp.endpoint === undefined) {
    shown.otlp = setting('off', 'no OTEL_EXPORTER_OTLP_ENDPOINT');
    return shown;
  }
  shown.otlp = setting(maskUrl(otlp.endpoint), otlp.endpointVariable ?? 'environment');
  shown['otlp protocol'] = setting(otlp.protocol ?? 'http/protobuf', otlp.protocol === undefined ? 'default' : 'OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL');
  shown['otlp timeout'] = setting(formatDuration(otlp.timeoutMillis ?? defaults.otlpTimeoutMs), otlp.timeoutMillis === undefined ? 'default' : 'OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT');
  shown['otlp compression'] = setting(otlp.compression ?? 'none', otlp.compression === undefined ? 'default' : 'OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION');
  shown['otlp content'] = setting(config.otlpContent ?? 'metadata', config.otlpContent === undefined ? 'default' : 'RUNTRACE_OTLP_CONTENT');
  const headers = Object.keys(otlp.headers ?? {});
  shown['otlp headers'] = setting(headers.length === 0 ? 'none' : headers.map((name) => `${name}=${MASK}`).join(', '), headers.length === 0 ? 'default' : 'OTEL_EXPORTER_OTLP_(TRACES_)HEADERS');
  const tls = [otlp.tlsFiles?.certificate, otlp.tlsFiles?.clientCertificate, otlp.tlsFiles?.clientKey].filter((file): file is EnvFile => file !== undefined);
  if (tls.length > 0) shown['otlp tls files'] = setting(tls.map((file) => file.path).join(', '), tls.map((file) => file.variable).join(', '));
  return shown;
}
