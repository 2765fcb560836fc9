// A RunSpanProcessor destination that sends spans on to an upstream OTLP/HTTP endpoint.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { DestinationContent, DestinationOptions, DestinationSampling } from '@runtrace/processor';
import { InvalidArgumentError } from '@runtrace/core';

/** Where and how to forward spans. */
export interface ForwardOptions {
  /** The upstream traces URL, for example `http://otel-collector:4318/v1/traces`. */
  readonly url: string;
  /** Headers sent with every export, for example an authorization header. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Compress exports with gzip. Default `false`. */
  readonly gzip?: boolean;
  /**
   * What upstream receives: `'metadata'` leaves out message text, bodies, tool arguments and
   * results; `'full'` sends every (redacted) attribute. Default `'metadata'`, as for every
   * OTLP destination of RunSpanProcessor.
   */
  readonly content?: DestinationContent;
  /** Which runs are forwarded. Default `'all'`. */
  readonly sampling?: DestinationSampling;
  /** Most spans waiting to be sent; beyond it the batch processor drops spans. Default 100,000. */
  readonly maxQueueSize?: number;
  /** Milliseconds between batch sends. Default 1,000. */
  readonly exportDelayMs?: number;
  /** Milliseconds one export may take. Default 10,000. */
  readonly timeoutMs?: number;
}

/**
 * Builds a destination for `RunSpanProcessor` that forwards the processed (redacted) spans to an
 * upstream OTLP/HTTP endpoint with `@opentelemetry/exporter-trace-otlp-http`, batched.
 *
 * @example
 * const processor = new RunSpanProcessor({
 *   destinations: [storeDestination, createForwardDestination({ url: 'http://tempo:4318/v1/traces' })],
 * });
 */
export function createForwardDestination(options: ForwardOptions): DestinationOptions {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch (error: unknown) {
    throw new InvalidArgumentError('forward.url', options.url, 'an http or https URL', { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidArgumentError('forward.url', options.url, 'an http or https URL');
  }
  const exporter = new OTLPTraceExporter({
    url: options.url,
    headers: { ...options.headers },
    timeoutMillis: options.timeoutMs ?? 10_000,
    ...(options.gzip === true ? { compression: 'gzip' as NonNullable<NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression']> } : {}),
  });
  const maxQueueSize = options.maxQueueSize ?? 100_000;
  const processor = new BatchSpanProcessor({
    exporter,
    maxQueueSize,
    maxExportBatchSize: Math.min(1_000, maxQueueSize),
    scheduledDelayMillis: options.exportDelayMs ?? 1_000,
    exportTimeoutMillis: options.timeoutMs ?? 10_000,
  });
  return {
    processor,
    exporter,
    kind: 'otlp',
    name: `forward ${parsed.origin}`,
    ...(options.content === undefined ? {} : { content: options.content }),
    ...(options.sampling === undefined ? {} : { sampling: options.sampling }),
  };
}
