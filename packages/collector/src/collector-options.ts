// The collector's options, and the events, stats and address it reports.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { OtlpEncoding } from './otlp-decode-result.js';
import type { OtlpDecodeOptions } from './otlp-decode-result.js';

/** Receives decoded spans. A returned promise holds the request's answer until it settles. */
export type SpanSink = (spans: readonly ReadableSpan[]) => void | Promise<void>;

/** What the collector needs from a processor: runtrace's `createIngestPipeline()` and `RunSpanProcessor` from `@runtrace/processor` fit. */
export interface CollectorProcessor {
  /** Feeds ended spans through redaction, summaries and sampling to the processor's destinations. */
  ingest(spans: readonly ReadableSpan[]): void | Promise<void>;
  /** Waits for pending work; `Collector.flush` calls it when present. */
  forceFlush?(): Promise<void>;
}

/** Reported to subscribers once per request on the traces path, after the answer is sent. */
export interface CollectorRequestEvent {
  readonly type: 'request-end';
  /** The HTTP status answered (408 when the client was too slow and its connection was closed). */
  readonly status: number;
  /** The request's encoding, when its content type was one the collector reads. */
  readonly encoding: OtlpEncoding | undefined;
  /** Spans handed on to the processor or sink. */
  readonly acceptedSpans: number;
  /** Spans rejected one by one (partial success). */
  readonly rejectedSpans: number;
  /** Why the request failed or spans were rejected; '' when nothing went wrong. */
  readonly message: string;
}

/** Events a collector reports. */
export type CollectorEvent = CollectorRequestEvent;

/** Running totals since the collector was created, and what requests in progress hold now. */
export interface CollectorStats {
  /** Requests answered on the traces path (any status). */
  readonly requests: number;
  /** Requests answered with a status other than 200. */
  readonly failedRequests: number;
  /** Spans handed on to the processor or sink. */
  readonly acceptedSpans: number;
  /** Spans rejected one by one (partial success). */
  readonly rejectedSpans: number;
  /** Spans handed to a sink whose promise has not settled yet. */
  readonly pendingSpans: number;
  /** Attributes left out of accepted requests over the attribute count limits. */
  readonly droppedAttributes: number;
  /** Events left out of accepted requests over `decode.eventCountLimit`. */
  readonly droppedEvents: number;
  /** Links left out of accepted requests over `decode.linkCountLimit` or for invalid ids. */
  readonly droppedLinks: number;
  /** Attribute values of accepted requests cut to `decode.maxValueElements` or `decode.attributeValueLengthLimit`. */
  readonly truncatedValues: number;
  /** Body bytes (as sent, plus inflated) held by requests being received or decoded, now. */
  readonly inFlightBytes: number;
  /** Estimated bytes of decoded spans held by requests in progress, now. */
  readonly inFlightDecodedBytes: number;
}

/** Where a listening collector can be reached. */
export interface CollectorAddress {
  /** The bound host, as given (default `127.0.0.1`). */
  readonly host: string;
  /** The bound port (the one the system chose when `port` was 0). */
  readonly port: number;
  /** The full URL of the traces endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. */
  readonly url: string;
  /** The OTLP/gRPC endpoint, e.g. `http://127.0.0.1:4317`, when `grpcPort` was given. */
  readonly grpcUrl?: string;
}

/**
 * Options of `OtlpExchange`, and of `Collector` (which passes them on). Spans go to exactly one
 * of: a `processor` (for example runtrace's `createIngestPipeline()`, which stores and forwards
 * them), or a `sink`.
 */
export interface OtlpExchangeOptions {
  /** The processor spans are ingested into (redaction, summaries, sampling, destinations). */
  readonly processor?: CollectorProcessor;
  /** A function that receives the decoded spans, instead of a processor. */
  readonly sink?: SpanSink;
  /** The traces path. Default `'/v1/traces'`. */
  readonly path?: string;
  /** When set, requests must carry `Authorization: Bearer <token>`; others get 401. Default: none. */
  readonly bearerToken?: string;
  /** Largest body accepted as sent; larger ones get 413. Default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest size a gzip body may inflate to; larger ones get 413. Default 16 MiB. */
  readonly maxDecompressedBytes?: number;
  /**
   * Body bytes (as sent, plus inflated) that all requests being received or decoded may hold
   * together; a request that would go past it is answered 429 with Retry-After. Requests of
   * more than 1/64 of it may fill only three quarters, so small requests still get through a
   * flood of large ones. Default 64 MiB, or twice `maxBodyBytes + maxDecompressedBytes` when
   * that is more.
   */
  readonly maxInFlightBytes?: number;
  /**
   * Estimated size of the decoded spans that all requests in progress may hold together
   * (decoding stops and the request is answered 429 with Retry-After past it), with the same
   * room kept for small requests. Default 256 MiB, or 8 times the larger of `maxBodyBytes` and
   * `maxDecompressedBytes` when that is more.
   */
  readonly maxInFlightDecodedBytes?: number;
  /**
   * Spans that may wait downstream (sink promises not yet settled plus `backlog()`) before new
   * requests are answered 429 with Retry-After. Default 10,000.
   */
  readonly maxPendingSpans?: number;
  /**
   * Reports how many spans the destination still has queued, for example
   * `() => sqliteExporter.stats().queuedSpans`; counted against `maxPendingSpans`. Default: none.
   */
  readonly backlog?: () => number;
  /** Seconds sent in Retry-After with 429 and 503 answers. Default 1. */
  readonly retryAfterSeconds?: number;
  /** Decoding limits (span limits, nesting, expansion, plausible times). Default: {@link OtlpDecodeOptions} defaults. */
  readonly decode?: OtlpDecodeOptions;
}

/** Options of `Collector`: where it listens, its deadlines, and the exchange's options. */
export interface CollectorOptions extends OtlpExchangeOptions {
  /** Interface to bind. Default `'127.0.0.1'` (this machine only); use `'0.0.0.0'` to accept remote senders. */
  readonly host?: string;
  /** TCP port; 0 lets the system choose. Default 4318, the OTLP/HTTP port. */
  readonly port?: number;
  /**
   * Also receive OTLP/gRPC (the `TraceService/Export` call, gzip or not), on `host` and this
   * port (0 lets the system choose; the OTLP/gRPC port is 4317), with the same decoding, limits,
   * token and status mapping as OTLP/HTTP. Default: off.
   */
  readonly grpcPort?: number;
  /**
   * Milliseconds a client has to send a whole request (headers and body); a slower one gets
   * 408 and its connection is closed. Checked at least once a second. Default 30,000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Milliseconds a client has to send a request's headers; a slower one gets 408 and its
   * connection is closed. At most `requestTimeoutMs`. Default 10,000.
   */
  readonly headersTimeoutMs?: number;
  /** Called after `Collector.close` has closed the server and settled pending work. Default: none. */
  readonly onClose?: () => Promise<void> | void;
}
