// Resolves the OTLP export settings: explicit options over the settings found in the environment, over the defaults.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, InvalidArgumentError } from '@runtrace/core';
import { DEFAULT_OTLP_TIMEOUT_MS } from '../load-config.js';
import type { EnvFile, OtlpEnvConfig, OtlpProtocol } from '../load-config.js';
import type { OtlpOptions } from '../runtrace-options.js';

/** The OTLP/HTTP default traces endpoint. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/traces';

/** Settings of the OTLP exporter after merging options, environment and defaults. */
export interface ResolvedOtlp {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: OtlpProtocol;
  readonly timeoutMillis: number;
  readonly compression: 'gzip' | 'none';
  /** PEM contents for the HTTPS agent, read from the `OTEL_EXPORTER_OTLP_*CERTIFICATE`/`*CLIENT_KEY` files. */
  readonly tls: OtlpTls;
}

/** What the HTTPS agent gets: trusted roots and a client certificate. */
export interface OtlpTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/**
 * Reads the TLS files the environment names. A file that cannot be read is left out and passed to
 * `onProblem` (a `ConfigError` naming the variable), as the SDK's exporter does.
 */
function readTls(env: OtlpEnvConfig, onProblem: (error: ConfigError) => void): OtlpTls {
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const load = (file: EnvFile | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(resolve(file.path));
    } catch (error: unknown) {
      const code = (error as { code?: unknown }).code;
      onProblem(new ConfigError('environment', file.variable, `cannot read ${file.path} (${typeof code === 'string' ? code : String(error)})`, { cause: error }));
      return undefined;
    }
  };
  const ca = load(env.tlsFiles?.certificate);
  const cert = load(env.tlsFiles?.clientCertificate);
  const key = load(env.tlsFiles?.clientKey);
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  return tls;
}

/**
 * Options win over the environment; the environment over defaults. Throws
 * `InvalidArgumentError` for an option it cannot use; TLS files it cannot read go to `onProblem`.
 */
export function resolveOtlp(options: OtlpOptions, env: OtlpEnvConfig, onProblem: (error: ConfigError) => void = () => undefined): ResolvedOtlp {
  const endpoint = options.endpoint ?? env.endpoint ?? DEFAULT_OTLP_ENDPOINT;
  let protocol: string;
  try {
    protocol = new URL(endpoint).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidArgumentError('otlp.endpoint', endpoint, 'an http:// or https:// URL');
  const timeoutMillis = options.timeoutMillis ?? env.timeoutMillis ?? DEFAULT_OTLP_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMillis) || timeoutMillis <= 0) throw new InvalidArgumentError('otlp.timeoutMillis', timeoutMillis, 'a positive number of milliseconds');
  const wire = options.protocol ?? env.protocol ?? 'http/protobuf';
  if (wire !== 'http/protobuf' && wire !== 'http/json') throw new InvalidArgumentError('otlp.protocol', wire, 'http/protobuf or http/json');
  const compression = options.compression ?? env.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') throw new InvalidArgumentError('otlp.compression', compression, 'gzip or none');
  return { endpoint, headers: { ...env.headers, ...options.headers }, protocol: wire, timeoutMillis, compression, tls: readTls(env, onProblem) };
}
