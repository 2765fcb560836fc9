// The OTLP/HTTP trace receiver: decodes POST /v1/traces and hands the spans to a processor or sink.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError, ShutDownError } from '@runtrace/core';
import { RunSpanProcessor, type RunSpanProcessorOptions } from '@runtrace/processor';
import { SqliteSpanExporter } from '@runtrace/store';
import { createForwardDestination, type ForwardOptions } from './create-forward-destination.js';
import { decodeOtlpJson } from './decode-otlp-json.js';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import { encodeExportResponse, encodeStatus, RpcCode, type OtlpEncoding } from './internal/export-response.js';
import { readBody } from './internal/read-body.js';
import { StoreDestination } from './internal/store-destination.js';
import type { OtlpDecodeOptions, OtlpDecodeResult } from './otlp-decode-result.js';

/** Receives decoded spans. A returned promise holds the request's answer until it settles. */
export type SpanSink = (spans: readonly ReadableSpan[]) => void | Promise<void>;

/** What the collector needs from a processor: `RunSpanProcessor` from `@runtrace/processor` fits. */
export interface CollectorProcessor {
  /** Feeds ended spans through redaction, summaries and sampling to the processor's destinations. */
  ingest(spans: readonly ReadableSpan[]): void | Promise<void>;
  /** Waits for pending work; {@link Collector.flush} calls it when present. */
  forceFlush?(): Promise<void>;
}

/** Reported to subscribers once per request on the traces path, after the answer is sent. */
export interface CollectorRequestEvent {
  readonly type: 'request-end';
  /** The HTTP status answered. */
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

/** Running totals since the collector was created. */
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
}

/** Where a listening collector can be reached. */
export interface CollectorAddress {
  /** The bound host, as given (default `127.0.0.1`). */
  readonly host: string;
  /** The bound port (the one the system chose when `port` was 0). */
  readonly port: number;
  /** The full URL of the traces endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. */
  readonly url: string;
}

/**
 * Options of {@link Collector}. Spans go to exactly one of: a `processor` you made, a `sink`, or
 * the collector's own pipeline (`databasePath` and/or `forward`), which it creates and closes.
 */
export interface CollectorOptions {
  /** The processor spans are ingested into (redaction, summaries, sampling, destinations). */
  readonly processor?: CollectorProcessor;
  /** A function that receives the decoded spans, instead of a processor. */
  readonly sink?: SpanSink;
  /**
   * Store spans in this SQLite file (created when missing) through a `RunSpanProcessor` the
   * collector creates; each request is answered once its spans are committed. Default: none.
   */
  readonly databasePath?: string;
  /**
   * Forward the processed (redacted) spans to an upstream OTLP/HTTP endpoint, through the
   * collector's own `RunSpanProcessor`. Default: none. With your own `processor`, add
   * {@link createForwardDestination} to its destinations instead.
   */
  readonly forward?: ForwardOptions;
  /** Options of the `RunSpanProcessor` made for `databasePath`/`forward` (redactor, pricing, onError…). Default: its defaults. */
  readonly processorOptions?: Omit<RunSpanProcessorOptions, 'destinations'>;
  /** Interface to bind. Default `'127.0.0.1'` (this machine only); use `'0.0.0.0'` to accept remote senders. */
  readonly host?: string;
  /** TCP port; 0 lets the system choose. Default 4318, the OTLP/HTTP port. */
  readonly port?: number;
  /** The traces path. Default `'/v1/traces'`. */
  readonly path?: string;
  /** When set, requests must carry `Authorization: Bearer <token>`; others get 401. Default: none. */
  readonly bearerToken?: string;
  /** Largest body accepted as sent; larger ones get 413. Default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest size a gzip body may inflate to; larger ones get 413. Default 16 MiB. */
  readonly maxDecompressedBytes?: number;
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
  /** Milliseconds a client has to send a whole request before it is cut off. Default 30,000. */
  readonly requestTimeoutMs?: number;
  /** Decoding limits. Default: {@link OtlpDecodeOptions} defaults. */
  readonly decode?: OtlpDecodeOptions;
  /** Called after {@link Collector.close} has closed the server and settled pending work. Default: none. */
  readonly onClose?: () => Promise<void> | void;
}

const MIB = 1024 * 1024;
const DEFAULT_PORT = 4318;

/** Spans handed to the store in one write, so a huge request never fills the store's queue at once. */
const STORE_CHUNK_SPANS = 5_000;

/** A parsed request that passed the checks made before its body is read. */
interface Accepted {
  readonly encoding: OtlpEncoding;
  readonly gzip: boolean;
}

/** The answer to a request; `close` drops the connection (its body may be unread). */
interface Answer {
  readonly status: number;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly close?: boolean;
  readonly acceptedSpans?: number;
  readonly rejectedSpans?: number;
  readonly message?: string;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(name, value, 'a positive integer');
  return value;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function contentTypeOf(encoding: OtlpEncoding | undefined): string {
  return encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

/** The media type without parameters, lower case. */
function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * An OTLP/HTTP trace receiver. It answers `POST /v1/traces` (protobuf or JSON, optionally
 * gzip) like an OTLP endpoint: 200 with partial success, 400 for undecodable bodies, 413 over
 * the size limits, 415 for other content types or encodings, 429 with Retry-After while
 * downstream is behind, 503 with Retry-After when the sink fails or the collector is closing.
 * Bad input never throws out of a handler.
 *
 * @example
 * const collector = new Collector({ processor, port: 0 });
 * const { url } = await collector.listen();
 * const unsubscribe = collector.subscribe((event) => { received += event.acceptedSpans; });
 * // … point an OTLPTraceExporter at `url` …
 * unsubscribe();
 * await collector.close();
 */
export class Collector {
  private readonly sink: SpanSink;
  private readonly flushTarget: (() => Promise<void>) | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly tokenDigest: Buffer | undefined;
  private readonly maxBodyBytes: number;
  private readonly maxDecompressedBytes: number;
  private readonly maxPendingSpans: number;
  private readonly backlog: (() => number) | undefined;
  private readonly retryAfter: string;
  private readonly requestTimeoutMs: number;
  private readonly decodeOptions: OtlpDecodeOptions;
  private readonly onClose: (() => Promise<void> | void) | undefined;
  private readonly listeners = new Set<(event: CollectorEvent) => void>();
  private readonly pendingWork = new Set<Promise<unknown>>();
  private server: Server | undefined;
  private boundAddress: CollectorAddress | undefined;
  private closing: Promise<void> | undefined;
  private counters = { requests: 0, failedRequests: 0, acceptedSpans: 0, rejectedSpans: 0, pendingSpans: 0 };

  constructor(options: CollectorOptions) {
    const { processor, sink } = options;
    const pipelineWanted = options.databasePath !== undefined || options.forward !== undefined;
    if ([processor !== undefined, sink !== undefined, pipelineWanted].filter(Boolean).length !== 1) {
      throw new InvalidArgumentError('options', options, 'exactly one of processor, sink, or databasePath/forward');
    }
    const maxPendingSpans = positiveInteger('maxPendingSpans', options.maxPendingSpans, 10_000);
    let onClose = options.onClose;
    if (processor !== undefined) {
      this.sink = (spans) => processor.ingest(spans);
      this.flushTarget = processor.forceFlush === undefined ? undefined : () => processor.forceFlush!();
    } else if (sink !== undefined) {
      this.sink = sink;
      this.flushTarget = undefined;
    } else {
      const pipeline = createPipeline(options, maxPendingSpans);
      this.sink = pipeline.sink;
      this.flushTarget = () => pipeline.processor.forceFlush();
      const userOnClose = options.onClose;
      onClose = async () => {
        await pipeline.processor.shutdown();
        await userOnClose?.();
      };
    }
    this.host = options.host ?? '127.0.0.1';
    const port = options.port ?? DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('port', port, 'an integer from 0 to 65535');
    this.port = port;
    this.path = options.path ?? '/v1/traces';
    if (!this.path.startsWith('/')) throw new InvalidArgumentError('path', this.path, 'a path starting with /');
    if (options.bearerToken !== undefined && options.bearerToken === '') {
      throw new InvalidArgumentError('bearerToken', options.bearerToken, 'a non-empty token');
    }
    this.tokenDigest = options.bearerToken === undefined ? undefined : sha256(options.bearerToken);
    this.maxBodyBytes = positiveInteger('maxBodyBytes', options.maxBodyBytes, 16 * MIB);
    this.maxDecompressedBytes = positiveInteger('maxDecompressedBytes', options.maxDecompressedBytes, 16 * MIB);
    this.maxPendingSpans = maxPendingSpans;
    this.backlog = options.backlog;
    this.retryAfter = String(positiveInteger('retryAfterSeconds', options.retryAfterSeconds, 1));
    this.requestTimeoutMs = positiveInteger('requestTimeoutMs', options.requestTimeoutMs, 30_000);
    this.decodeOptions = options.decode ?? {};
    this.onClose = onClose;
  }

  /**
   * Starts listening; resolves with the bound address. Rejects when the port is taken (call
   * {@link Collector.close} then, to release a pipeline the collector created).
   *
   * @example
   * const { url } = await new Collector({ sink: (spans) => store(spans), port: 0 }).listen();
   */
  async listen(): Promise<CollectorAddress> {
    if (this.closing !== undefined) throw new ShutDownError('collector');
    if (this.boundAddress !== undefined) return this.boundAddress;
    const server = createServer({ requestTimeout: this.requestTimeoutMs, headersTimeout: Math.min(this.requestTimeoutMs, 60_000) }, (request, response) => {
      this.handle(request, response).catch(() => {
        // handle() answers every failure itself; this only guards against a broken socket.
        if (!response.headersSent) response.destroy();
      });
    });
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(this.port, this.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    const hostForUrl = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.boundAddress = { host: this.host, port, url: `http://${hostForUrl}:${port}${this.path}` };
    return this.boundAddress;
  }

  /** The bound address; undefined before {@link Collector.listen} resolves. */
  get address(): CollectorAddress | undefined {
    return this.boundAddress;
  }

  /** The traces endpoint URL; undefined before {@link Collector.listen} resolves. */
  get url(): string | undefined {
    return this.boundAddress?.url;
  }

  /**
   * Running totals.
   *
   * @example
   * const { acceptedSpans, rejectedSpans } = collector.stats();
   */
  stats(): CollectorStats {
    return { ...this.counters };
  }

  /**
   * Calls `listener` after every request on the traces path; returns a function that
   * unsubscribes. A listener that throws is ignored.
   *
   * @example
   * const stop = collector.subscribe((event) => { if (event.status === 200) count += event.acceptedSpans; });
   */
  subscribe(listener: (event: CollectorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Waits until the spans received so far have reached their destinations (store committed,
   * forwarded) when the processor or pipeline can tell; with a `sink`, returns at once.
   *
   * @example
   * await collector.flush();
   * console.log(store.listRuns().runs.length);
   */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pendingWork]);
    await this.flushTarget?.();
  }

  /**
   * Stops accepting requests, lets requests in progress finish, waits for pending sink work,
   * then runs `onClose`. Runs once; later calls return the same promise.
   *
   * @example
   * process.once('SIGINT', () => void collector.close());
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const server = this.server;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    }
    await Promise.allSettled([...this.pendingWork]);
    await this.onClose?.();
  }

  private emit(event: CollectorEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the collector keeps answering.
      }
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: Answer;
    let onTracesPath = false;
    let encoding: OtlpEncoding | undefined;
    try {
      const url = request.url ?? '/';
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      if (path !== this.path) {
        answer = this.status(undefined, 404, RpcCode.NOT_FOUND, `no such path; traces are accepted on POST ${this.path}`, { close: true });
      } else {
        onTracesPath = true;
        const checked = this.check(request);
        if ('status' in checked) answer = checked;
        else {
          encoding = checked.encoding;
          answer = await this.receive(request, checked);
        }
      }
    } catch (error: unknown) {
      answer = this.status(encoding, 500, RpcCode.INTERNAL, `internal error: ${error instanceof Error ? error.message : String(error)}`, { close: true });
    }
    this.send(request, response, answer);
    if (onTracesPath) {
      this.counters.requests++;
      if (answer.status !== 200) this.counters.failedRequests++;
      this.emit({
        type: 'request-end',
        status: answer.status,
        encoding,
        acceptedSpans: answer.acceptedSpans ?? 0,
        rejectedSpans: answer.rejectedSpans ?? 0,
        message: answer.message ?? '',
      });
    }
  }

  /** Checks made before reading the body: method, credentials, content type and encoding, capacity. */
  private check(request: IncomingMessage): Accepted | Answer {
    const type = mediaType(request.headers['content-type']);
    const encoding: OtlpEncoding | undefined =
      type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : undefined;
    if (request.method !== 'POST') {
      return this.status(encoding, 405, RpcCode.UNIMPLEMENTED, `method ${request.method ?? ''} not allowed; use POST`, { close: true, headers: { Allow: 'POST' } });
    }
    if (this.tokenDigest !== undefined && !this.authorized(request.headers.authorization)) {
      return this.status(encoding, 401, RpcCode.UNAUTHENTICATED, 'missing or wrong bearer token', { close: true, headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    if (encoding === undefined) {
      return this.status(undefined, 415, RpcCode.INVALID_ARGUMENT, `unsupported content type ${JSON.stringify(type)}; use application/x-protobuf or application/json`, { close: true });
    }
    const contentEncoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (contentEncoding !== '' && contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      return this.status(encoding, 415, RpcCode.INVALID_ARGUMENT, `unsupported content encoding ${JSON.stringify(contentEncoding)}; use gzip or none`, { close: true });
    }
    if (this.closing !== undefined) {
      return this.status(encoding, 503, RpcCode.UNAVAILABLE, 'collector is shutting down', { close: true, retry: true });
    }
    if (this.pendingSpans() >= this.maxPendingSpans) {
      return this.status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, 'collector is behind; retry later', { close: true, retry: true });
    }
    return { encoding, gzip: contentEncoding === 'gzip' };
  }

  private pendingSpans(): number {
    let backlog = 0;
    if (this.backlog !== undefined) {
      try {
        backlog = this.backlog();
      } catch {
        backlog = 0;
      }
    }
    return this.counters.pendingSpans + (Number.isFinite(backlog) ? backlog : 0);
  }

  private authorized(header: string | undefined): boolean {
    if (header === undefined || !/^bearer /i.test(header)) return false;
    return timingSafeEqual(sha256(header.slice(7).trim()), this.tokenDigest!);
  }

  private async receive(request: IncomingMessage, accepted: Accepted): Promise<Answer> {
    const { encoding } = accepted;
    const body = await readBody(request, accepted.gzip, { maxBodyBytes: this.maxBodyBytes, maxDecompressedBytes: this.maxDecompressedBytes });
    switch (body.kind) {
      case 'aborted':
        return this.status(encoding, 400, RpcCode.INVALID_ARGUMENT, 'request aborted', { close: true });
      case 'too-large':
        return this.status(encoding, 413, RpcCode.RESOURCE_EXHAUSTED, body.message, { close: true });
      case 'bad-encoding':
        return this.status(encoding, 400, RpcCode.INVALID_ARGUMENT, body.message);
      case 'ok':
        break;
    }
    const decoded: OtlpDecodeResult = encoding === 'protobuf' ? decodeOtlpProtobuf(body.body, this.decodeOptions) : decodeOtlpJson(body.body, this.decodeOptions);
    if (!decoded.ok) return this.status(encoding, 400, RpcCode.INVALID_ARGUMENT, decoded.error.message);
    const { spans, rejectedSpans, errorMessage } = decoded;
    const pending = this.pendingSpans();
    if (pending > 0 && pending + spans.length > this.maxPendingSpans) {
      // A request that alone exceeds the limit still goes through when nothing else waits.
      return this.status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, 'collector is behind; retry later', { retry: true });
    }
    if (spans.length > 0) {
      const failure = await this.deliver(spans);
      if (failure !== undefined) {
        return this.status(encoding, 503, RpcCode.UNAVAILABLE, `spans could not be stored: ${failure}`, { retry: true });
      }
    }
    this.counters.acceptedSpans += spans.length;
    this.counters.rejectedSpans += rejectedSpans;
    return {
      status: 200,
      body: encodeExportResponse(encoding, rejectedSpans, errorMessage),
      contentType: contentTypeOf(encoding),
      acceptedSpans: spans.length,
      rejectedSpans,
      message: errorMessage,
    };
  }

  /** Hands spans to the sink; resolves with a message when it failed. */
  private async deliver(spans: ReadableSpan[]): Promise<string | undefined> {
    let result: void | Promise<void>;
    try {
      result = this.sink(spans);
    } catch (error: unknown) {
      return error instanceof Error ? error.message : String(error);
    }
    if (!(result instanceof Promise)) return undefined;
    this.counters.pendingSpans += spans.length;
    // Never rejects, so it can be awaited here and by flush/close alike.
    const work = result.then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    this.pendingWork.add(work);
    try {
      return await work;
    } finally {
      this.counters.pendingSpans -= spans.length;
      this.pendingWork.delete(work);
    }
  }

  private status(
    encoding: OtlpEncoding | undefined,
    status: number,
    code: number,
    message: string,
    extra: { readonly close?: boolean; readonly retry?: boolean; readonly headers?: Readonly<Record<string, string>> } = {},
  ): Answer {
    const headers: Record<string, string> = { ...extra.headers };
    if (extra.retry === true) headers['Retry-After'] = this.retryAfter;
    return {
      status,
      body: encodeStatus(encoding ?? 'json', code, message),
      contentType: contentTypeOf(encoding),
      headers,
      close: extra.close ?? false,
      message,
    };
  }

  private send(request: IncomingMessage, response: ServerResponse, answer: Answer): void {
    if (response.headersSent || response.destroyed) return;
    const headers: Record<string, string | number> = {
      'Content-Type': answer.contentType,
      'Content-Length': answer.body.length,
      ...answer.headers,
    };
    // A body left unread would be parsed as the next request: drop the connection instead.
    // While closing, no connection is kept for another request.
    if ((answer.close === true && !request.complete) || this.closing !== undefined) headers['Connection'] = 'close';
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  }
}

/**
 * Creates a collector and starts it listening.
 *
 * @example
 * const collector = await startCollector({ processor, port: 4318 });
 * console.log(`OTLP/HTTP traces: ${collector.url}`);
 */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const collector = new Collector(options);
  try {
    await collector.listen();
  } catch (error: unknown) {
    await collector.close();
    throw error;
  }
  return collector;
}

interface Pipeline {
  readonly processor: RunSpanProcessor;
  readonly sink: SpanSink;
}

/** The collector's own RunSpanProcessor, with the store (awaited per request) and forwarding as destinations. */
function createPipeline(options: CollectorOptions, maxPendingSpans: number): Pipeline {
  const forward = options.forward === undefined ? undefined : createForwardDestination(options.forward);
  let store: StoreDestination | undefined;
  if (options.databasePath !== undefined) {
    // Room for every span the collector lets wait, plus one chunk of a request let through alone.
    store = new StoreDestination(new SqliteSpanExporter({ path: options.databasePath, maxQueueSpans: maxPendingSpans + 2 * STORE_CHUNK_SPANS }));
  }
  const processor = new RunSpanProcessor({
    sweepInterval: false,
    ...options.processorOptions,
    destinations: [
      ...(store === undefined ? [] : [{ processor: store, kind: 'store' as const, name: 'store' }]),
      ...(forward === undefined ? [] : [forward]),
    ],
  });
  if (store === undefined) return { processor, sink: (spans) => processor.ingest(spans) };
  const destination = store;
  return {
    processor,
    sink: async (spans) => {
      const batch = destination.capture(() => processor.ingest(spans));
      for (let start = 0; start < batch.length; start += STORE_CHUNK_SPANS) {
        await destination.write(batch.slice(start, start + STORE_CHUNK_SPANS));
      }
    },
  };
}
