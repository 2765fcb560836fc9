// Builds the OTLP trace exporter from explicit options over the settings found in the environment.
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError } from '@runtrace/core';
import type { OtlpEnvConfig, OtlpProtocol } from '../load-config.js';
import type { OtlpOptions } from '../runtrace-options.js';

/** The OTLP/HTTP default traces endpoint. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/traces';

type ExporterConfig = NonNullable<ConstructorParameters<typeof OtlpHttpJsonExporter>[0]>;

/** Settings of the OTLP exporter after merging options, environment and defaults. */
export interface ResolvedOtlp {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: OtlpProtocol;
  readonly timeoutMillis: number | undefined;
  readonly compression: 'gzip' | 'none' | undefined;
}

/** Options win over the environment; the environment over defaults. */
export function resolveOtlp(options: OtlpOptions, env: OtlpEnvConfig): ResolvedOtlp {
  const endpoint = options.endpoint ?? env.endpoint ?? DEFAULT_OTLP_ENDPOINT;
  try {
    new URL(endpoint);
  } catch {
    throw new InvalidArgumentError('otlp.endpoint', endpoint, 'an http:// or https:// URL');
  }
  return {
    endpoint,
    headers: { ...env.headers, ...options.headers },
    protocol: options.protocol ?? env.protocol ?? 'http/protobuf',
    timeoutMillis: options.timeoutMillis ?? env.timeoutMillis,
    compression: options.compression ?? env.compression,
  };
}

/** Creates the exporter for the resolved protocol. */
export function createOtlpExporter(resolved: ResolvedOtlp): SpanExporter {
  const config: ExporterConfig = { url: resolved.endpoint, headers: { ...resolved.headers } };
  if (resolved.timeoutMillis !== undefined) config.timeoutMillis = resolved.timeoutMillis;
  if (resolved.compression !== undefined) config.compression = resolved.compression as NonNullable<ExporterConfig['compression']>;
  return resolved.protocol === 'http/json' ? new OtlpHttpJsonExporter(config) : new OtlpHttpProtobufExporter(config);
}
