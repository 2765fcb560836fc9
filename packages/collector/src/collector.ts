// The OTLP/HTTP trace receiver: decodes POST /v1/traces and hands the spans to a processor or sink.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError, ShutDownError, errorMessage, positiveOption } from '@runtrace/core';
import type { CollectorAddress, CollectorEvent, CollectorOptions, CollectorStats, SpanSink } from './collector-options.js';
import { OTLP_JSON_CONTENT_TYPE } from './decode-otlp-json.js';
import { OTLP_PROTOBUF_CONTENT_TYPE } from './decode-otlp-protobuf.js';
import { ByteBudget, type BudgetLease, type TakeResult } from './internal/byte-budget.js';
import { createPipeline } from './internal/create-pipeline.js';
import { DecodeContext } from './internal/decode-context.js';
import { resolveDecodeLimits, type DecodeLimits } from './internal/decode-limits.js';
import { clientErrorStatus, sendAnswer, statusAnswer, successAnswer, type Answer } from './internal/answer.js';
import { RpcCode } from './internal/export-response.js';
import type { OtlpEncoding } from './otlp-decode-result.js';
import { decodeJsonTraces } from './internal/json-trace-decoder.js';
import { decodeProtobufTraces } from './internal/protobuf-trace-decoder.js';
import type { GrpcReceiver } from './internal/grpc-receiver.js';
import { readBody } from './internal/read-body.js';
import { decodeInSlices } from './internal/run-decode.js';

const MIB = 1024 * 1024;
const DEFAULT_PORT = 4318;
/** Node checks request and header deadlines on this interval; it is kept well under the timeouts so they hold to within a second. */
const MAX_TIMEOUT_CHECK_MS = 1_000;
const MIN_TIMEOUT_CHECK_MS = 10;

/** A parsed request that passed the checks made before its body is read. */
interface Accepted {
  readonly encoding: OtlpEncoding;
  readonly gzip: boolean;
}


function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The media type without parameters, lower case. */
function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * An OTLP/HTTP trace receiver. It answers `POST /v1/traces` (protobuf or JSON, optionally
 * gzip) like an OTLP endpoint: 200 with partial success, 400 for undecodable bodies, 408 for
 * clients too slow to send their request, 413 over the size limits, 415 for other content
 * types or encodings, 429 with Retry-After while it holds too much or downstream is behind,
 * 503 with Retry-After when the sink fails or the collector is closing. Bad input never throws
 * out of a handler; decoding runs in slices, so no request holds up the others for long.
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
  readonly #sink: SpanSink;
  readonly #flushTarget: (() => Promise<void>) | undefined;
  readonly #host: string;
  readonly #port: number;
  readonly #path: string;
  readonly #tokenDigest: Buffer | undefined;
  readonly #maxBodyBytes: number;
  readonly #maxDecompressedBytes: number;
  readonly #bodyBudget: ByteBudget;
  readonly #decodedBudget: ByteBudget;
  readonly #maxPendingSpans: number;
  readonly #backlog: (() => number) | undefined;
  readonly #retryAfter: string;
  readonly #requestTimeoutMs: number;
  readonly #headersTimeoutMs: number;
  readonly #decodeLimits: DecodeLimits;
  readonly #onClose: (() => Promise<void> | void) | undefined;
  readonly #listeners = new Set<(event: CollectorEvent) => void>();
  readonly #pendingWork = new Set<Promise<unknown>>();
  /** The response in progress on each connection, so a client error is not written into it. */
  readonly #responses = new WeakMap<Duplex, ServerResponse>();
  /** Connections Node cut for sending too slowly; their requests are reported as 408. */
  readonly #timedOut = new WeakSet<Duplex>();
  #server: Server | undefined;
  #grpc: GrpcReceiver | undefined;
  readonly #grpcPort: number | undefined;
  #boundAddress: CollectorAddress | undefined;
  #closing: Promise<void> | undefined;
  readonly #counters = {
    requests: 0,
    failedRequests: 0,
    acceptedSpans: 0,
    rejectedSpans: 0,
    pendingSpans: 0,
    droppedAttributes: 0,
    droppedEvents: 0,
    droppedLinks: 0,
    truncatedValues: 0,
  };

  constructor(options: CollectorOptions) {
    const { processor, sink } = options;
    const pipelineWanted = options.databasePath !== undefined || options.forward !== undefined;
    if ([processor !== undefined, sink !== undefined, pipelineWanted].filter(Boolean).length !== 1) {
      throw new InvalidArgumentError('options', options, 'exactly one of processor, sink, or databasePath/forward');
    }
    const maxPendingSpans = positiveOption('maxPendingSpans', options.maxPendingSpans, 10_000, { integer: true });
    this.#host = options.host ?? '127.0.0.1';
    const port = options.port ?? DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('port', port, 'an integer from 0 to 65535');
    this.#port = port;
    const grpcPort = options.grpcPort;
    if (grpcPort !== undefined && (!Number.isInteger(grpcPort) || grpcPort < 0 || grpcPort > 65_535)) throw new InvalidArgumentError('grpcPort', grpcPort, 'an integer from 0 to 65535');
    this.#grpcPort = grpcPort;
    this.#path = options.path ?? '/v1/traces';
    if (!this.#path.startsWith('/')) throw new InvalidArgumentError('path', this.#path, 'a path starting with /');
    if (options.bearerToken !== undefined && options.bearerToken === '') {
      throw new InvalidArgumentError('bearerToken', options.bearerToken, 'a non-empty token');
    }
    this.#tokenDigest = options.bearerToken === undefined ? undefined : sha256(options.bearerToken);
    this.#maxBodyBytes = positiveOption('maxBodyBytes', options.maxBodyBytes, 16 * MIB, { integer: true });
    this.#maxDecompressedBytes = positiveOption('maxDecompressedBytes', options.maxDecompressedBytes, 16 * MIB, { integer: true });
    // By default the budgets grow with the size limits, so that the largest body allowed fits
    // within the share of them a large request may hold (three quarters), decoded included.
    const largestBody = Math.max(this.#maxBodyBytes, this.#maxDecompressedBytes);
    this.#bodyBudget = new ByteBudget(positiveOption('maxInFlightBytes', options.maxInFlightBytes, Math.max(64 * MIB, 2 * (this.#maxBodyBytes + this.#maxDecompressedBytes)), { integer: true }));
    this.#decodedBudget = new ByteBudget(positiveOption('maxInFlightDecodedBytes', options.maxInFlightDecodedBytes, Math.max(256 * MIB, 8 * largestBody), { integer: true }));
    this.#maxPendingSpans = maxPendingSpans;
    this.#backlog = options.backlog;
    this.#retryAfter = String(positiveOption('retryAfterSeconds', options.retryAfterSeconds, 1, { integer: true }));
    this.#requestTimeoutMs = positiveOption('requestTimeoutMs', options.requestTimeoutMs, 30_000, { integer: true });
    // Node requires the headers deadline to be within the request deadline.
    this.#headersTimeoutMs = Math.min(positiveOption('headersTimeoutMs', options.headersTimeoutMs, 10_000, { integer: true }), this.#requestTimeoutMs);
    this.#decodeLimits = resolveDecodeLimits(options.decode);

    // Last, once every option is known to be valid: the pipeline opens the database.
    let onClose = options.onClose;
    if (processor !== undefined) {
      this.#sink = (spans) => processor.ingest(spans);
      this.#flushTarget = processor.forceFlush === undefined ? undefined : () => processor.forceFlush!();
    } else if (sink !== undefined) {
      this.#sink = sink;
      this.#flushTarget = undefined;
    } else {
      const pipeline = createPipeline(options, maxPendingSpans);
      this.#sink = pipeline.sink;
      this.#flushTarget = () => pipeline.processor.forceFlush();
      const userOnClose = options.onClose;
      onClose = async () => {
        await pipeline.processor.shutdown();
        await userOnClose?.();
      };
    }
    this.#onClose = onClose;
  }

  /**
   * Starts listening; resolves with the bound address. Rejects when the port is taken (call
   * {@link Collector.close} then, to release a pipeline the collector created).
   *
   * @example
   * const { url } = await new Collector({ sink: (spans) => store(spans), port: 0 }).listen();
   */
  async listen(): Promise<CollectorAddress> {
    if (this.#closing !== undefined) throw new ShutDownError('collector');
    if (this.#boundAddress !== undefined) return this.#boundAddress;
    // Node enforces both deadlines only when it checks its connections, every
    // connectionsCheckingInterval (30 s by default), which would let a 30 s timeout run to 60 s.
    const check = Math.max(MIN_TIMEOUT_CHECK_MS, Math.min(MAX_TIMEOUT_CHECK_MS, Math.floor(this.#headersTimeoutMs / 4)));
    const server = createServer(
      { requestTimeout: this.#requestTimeoutMs, headersTimeout: this.#headersTimeoutMs, connectionsCheckingInterval: check },
      (request, response) => {
        this.#handle(request, response).catch(() => {
          // #handle() answers every failure itself; this only guards against a broken socket.
          if (!response.headersSent) response.destroy();
        });
      },
    );
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(error, socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(this.#port, this.#host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.#server = server;
    const port = (server.address() as AddressInfo).port;
    const hostForUrl = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    let grpcUrl: string | undefined;
    if (this.#grpcPort !== undefined) {
      // The caller's close() releases the HTTP server (and the pipeline) when this fails.
      // Loaded only when asked for: gRPC is a sizeable library that OTLP/HTTP does not need.
      const { startGrpcReceiver } = await import('./internal/grpc-receiver.js');
      this.#grpc = await startGrpcReceiver(this.#host, this.#grpcPort, (body, authorization) => this.#receiveGrpc(body, authorization), this.#maxBodyBytes);
      grpcUrl = `http://${hostForUrl}:${this.#grpc.port}`;
    }
    this.#boundAddress = { host: this.#host, port, url: `http://${hostForUrl}:${port}${this.#path}`, ...(grpcUrl === undefined ? {} : { grpcUrl }) };
    return this.#boundAddress;
  }

  /** The bound address; undefined before {@link Collector.listen} resolves. */
  get address(): CollectorAddress | undefined {
    return this.#boundAddress;
  }

  /** The traces endpoint URL; undefined before {@link Collector.listen} resolves. */
  get url(): string | undefined {
    return this.#boundAddress?.url;
  }

  /**
   * Running totals, and what requests in progress hold now.
   *
   * @example
   * const { acceptedSpans, rejectedSpans, droppedAttributes } = collector.stats();
   */
  stats(): CollectorStats {
    return { ...this.#counters, inFlightBytes: this.#bodyBudget.used, inFlightDecodedBytes: this.#decodedBudget.used };
  }

  /**
   * Calls `listener` after every request on the traces path; returns a function that
   * unsubscribes. A listener that throws is ignored.
   *
   * @example
   * const stop = collector.subscribe((event) => { if (event.status === 200) count += event.acceptedSpans; });
   */
  subscribe(listener: (event: CollectorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
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
    await Promise.allSettled([...this.#pendingWork]);
    await this.#flushTarget?.();
  }

  /**
   * Stops accepting requests, lets requests in progress finish, waits for pending sink work,
   * then runs `onClose`. Runs once; later calls return the same promise.
   *
   * @example
   * process.once('SIGINT', () => void collector.close());
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    await this.#grpc?.close();
    const server = this.#server;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    }
    await Promise.allSettled([...this.#pendingWork]);
    await this.#onClose?.();
  }

  #emit(event: CollectorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the collector keeps answering.
      }
    }
  }

  /** Answers what Node reports outside a handler (malformed requests, slow clients), unless a response is already under way. */
  #clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') this.#timedOut.add(socket);
    const response = this.#responses.get(socket);
    if (socket.writable && (response === undefined || !response.headersSent)) {
      socket.end(`HTTP/1.1 ${clientErrorStatus(error.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    // A client that stops reading must not keep the socket half open.
    setTimeout(() => socket.destroy(), 1_000).unref();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const socket = request.socket;
    this.#responses.set(socket, response);
    response.once('finish', () => {
      if (this.#responses.get(socket) === response) this.#responses.delete(socket);
    });
    let answer: Answer;
    let onTracesPath = false;
    let encoding: OtlpEncoding | undefined;
    try {
      const url = request.url ?? '/';
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      if (path !== this.#path) {
        answer = this.#status(undefined, 404, RpcCode.NOT_FOUND, `no such path; traces are accepted on POST ${this.#path}`, { close: true });
      } else {
        onTracesPath = true;
        const checked = this.#check(request);
        if ('status' in checked) answer = checked;
        else {
          encoding = checked.encoding;
          answer = await this.#receive(request, checked);
        }
      }
    } catch (error: unknown) {
      answer = this.#status(encoding, 500, RpcCode.INTERNAL, `internal error: ${errorMessage(error)}`, { close: true });
    }
    sendAnswer(request, response, answer, this.#closing !== undefined);
    if (onTracesPath) {
      this.#counters.requests++;
      if (answer.status !== 200) this.#counters.failedRequests++;
      this.#emit({
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
  #check(request: IncomingMessage): Accepted | Answer {
    const type = mediaType(request.headers['content-type']);
    const encoding: OtlpEncoding | undefined =
      type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : undefined;
    if (request.method !== 'POST') {
      return this.#status(encoding, 405, RpcCode.UNIMPLEMENTED, `method ${request.method ?? ''} not allowed; use POST`, { close: true, headers: { Allow: 'POST' } });
    }
    if (this.#tokenDigest !== undefined && !this.#authorized(request.headers.authorization)) {
      return this.#status(encoding, 401, RpcCode.UNAUTHENTICATED, 'missing or wrong bearer token', { close: true, headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    if (encoding === undefined) {
      return this.#status(undefined, 415, RpcCode.INVALID_ARGUMENT, `unsupported content type ${JSON.stringify(type)}; use application/x-protobuf or application/json`, { close: true });
    }
    const contentEncoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (contentEncoding !== '' && contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      return this.#status(encoding, 415, RpcCode.INVALID_ARGUMENT, `unsupported content encoding ${JSON.stringify(contentEncoding)}; use gzip or none`, { close: true });
    }
    if (this.#closing !== undefined) {
      return this.#status(encoding, 503, RpcCode.UNAVAILABLE, 'collector is shutting down', { close: true, retry: true });
    }
    if (this.#pendingSpans() >= this.#maxPendingSpans) {
      return this.#status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, 'collector is behind; retry later', { close: true, retry: true });
    }
    return { encoding, gzip: contentEncoding === 'gzip' };
  }

  #pendingSpans(): number {
    let backlog = 0;
    if (this.#backlog !== undefined) {
      try {
        backlog = this.#backlog();
      } catch {
        backlog = 0;
      }
    }
    return this.#counters.pendingSpans + (Number.isFinite(backlog) ? backlog : 0);
  }

  #authorized(header: string | undefined): boolean {
    if (header === undefined || !/^bearer /i.test(header)) return false;
    return timingSafeEqual(sha256(header.slice(7).trim()), this.#tokenDigest!);
  }

  /** 429 while others hold the budget (the client retries), 413 when this request alone could never fit. */
  #overBudget(encoding: OtlpEncoding, taken: Exclude<TakeResult, 'ok'>, message: string, close: boolean): Answer {
    return taken === 'busy'
      ? this.#status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, message, { close, retry: true })
      : this.#status(encoding, 413, RpcCode.RESOURCE_EXHAUSTED, message, { close });
  }

  async #receive(request: IncomingMessage, accepted: Accepted): Promise<Answer> {
    const { encoding } = accepted;
    const bodyLease = this.#bodyBudget.lease();
    const decodedLease = this.#decodedBudget.lease();
    try {
      const declared = Number(request.headers['content-length']);
      if (declared > 0 && declared <= this.#maxBodyBytes) {
        // Taken before reading, so concurrent large bodies cannot all start and overshoot together.
        const taken = bodyLease.take(declared);
        if (taken !== 'ok') return this.#overBudget(encoding, taken, `collector is receiving too much at once (body of ${declared} bytes); retry later`, true);
      }
      const body = await readBody(request, accepted.gzip, { maxBodyBytes: this.#maxBodyBytes, maxDecompressedBytes: this.#maxDecompressedBytes, lease: bodyLease });
      switch (body.kind) {
        case 'aborted':
          return this.#timedOut.has(request.socket)
            ? this.#status(encoding, 408, RpcCode.INVALID_ARGUMENT, 'request timed out', { close: true })
            : this.#status(encoding, 400, RpcCode.INVALID_ARGUMENT, 'request aborted', { close: true });
        case 'too-large':
          return this.#status(encoding, 413, RpcCode.RESOURCE_EXHAUSTED, body.message, { close: true });
        case 'busy':
          return this.#status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, body.message, { close: true, retry: true });
        case 'bad-encoding':
          return this.#status(encoding, 400, RpcCode.INVALID_ARGUMENT, body.message);
        case 'ok':
          break;
      }
      return await this.#ingest(encoding, body.body, bodyLease, decodedLease);
    } finally {
      bodyLease.release();
      decodedLease.release();
    }
  }

  /** Decodes a body (read whole, its bytes held by `bodyLease`), hands its spans on, and answers. */
  async #ingest(encoding: OtlpEncoding, bytes: Buffer, bodyLease: BudgetLease, decodedLease: BudgetLease): Promise<Answer> {
    {
      const context = new DecodeContext(this.#decodeLimits, bytes.length, decodedLease, true);
      const decoded =
        encoding === 'protobuf'
          ? await decodeInSlices(OTLP_PROTOBUF_CONTENT_TYPE, decodeProtobufTraces(bytes, context), context)
          : await decodeInSlices(OTLP_JSON_CONTENT_TYPE, decodeJsonTraces(bytes, context), context);
      // The spans hold copies of what they need from the body.
      bodyLease.release();
      if (!decoded.ok) {
        switch (decoded.reason) {
          case 'busy':
            return this.#status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, decoded.message, { retry: true });
          case 'too-large':
            return this.#status(encoding, 413, RpcCode.RESOURCE_EXHAUSTED, decoded.error.message);
          case 'malformed':
            return this.#status(encoding, 400, RpcCode.INVALID_ARGUMENT, decoded.error.message);
        }
      }
      const { spans, rejectedSpans, errorMessage: rejectionMessage } = decoded;
      const pending = this.#pendingSpans();
      if (pending > 0 && pending + spans.length > this.#maxPendingSpans) {
        // A request that alone exceeds the limit still goes through when nothing else waits.
        return this.#status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, 'collector is behind; retry later', { retry: true });
      }
      if (spans.length > 0) {
        const failure = await this.#deliver(spans);
        if (failure !== undefined) {
          return this.#status(encoding, 503, RpcCode.UNAVAILABLE, `spans could not be stored: ${failure}`, { retry: true });
        }
      }
      const counters = this.#counters;
      counters.acceptedSpans += spans.length;
      counters.rejectedSpans += rejectedSpans;
      counters.droppedAttributes += decoded.droppedAttributes;
      counters.droppedEvents += decoded.droppedEvents;
      counters.droppedLinks += decoded.droppedLinks;
      counters.truncatedValues += decoded.truncatedValues;
      return successAnswer(encoding, spans.length, rejectedSpans, rejectionMessage);
    }
  }

  /** One OTLP/gRPC Export call: its (already decompressed) bytes, checked and ingested like a protobuf body. */
  async #receiveGrpc(body: Buffer, authorization: string | undefined): Promise<Answer> {
    let answer: Answer;
    const bodyLease = this.#bodyBudget.lease();
    const decodedLease = this.#decodedBudget.lease();
    try {
      if (this.#tokenDigest !== undefined && !this.#authorized(authorization)) {
        answer = this.#status('protobuf', 401, RpcCode.UNAUTHENTICATED, 'missing or wrong bearer token');
      } else if (this.#closing !== undefined) {
        answer = this.#status('protobuf', 503, RpcCode.UNAVAILABLE, 'collector is shutting down', { retry: true });
      } else if (this.#pendingSpans() >= this.#maxPendingSpans) {
        answer = this.#status('protobuf', 429, RpcCode.RESOURCE_EXHAUSTED, 'collector is behind; retry later', { retry: true });
      } else if (body.length > this.#maxBodyBytes) {
        answer = this.#status('protobuf', 413, RpcCode.RESOURCE_EXHAUSTED, `message of ${body.length} bytes is larger than ${this.#maxBodyBytes}`);
      } else {
        const taken = bodyLease.take(body.length);
        answer =
          taken === 'ok'
            ? await this.#ingest('protobuf', body, bodyLease, decodedLease)
            : this.#overBudget('protobuf', taken, `collector is receiving too much at once (message of ${body.length} bytes); retry later`, false);
      }
    } catch (error: unknown) {
      answer = this.#status('protobuf', 500, RpcCode.INTERNAL, `internal error: ${errorMessage(error)}`);
    } finally {
      bodyLease.release();
      decodedLease.release();
    }
    this.#counters.requests++;
    if (answer.status !== 200) this.#counters.failedRequests++;
    this.#emit({ type: 'request-end', status: answer.status, encoding: 'protobuf', acceptedSpans: answer.acceptedSpans ?? 0, rejectedSpans: answer.rejectedSpans ?? 0, message: answer.message ?? '' });
    return answer;
  }

  /** Hands spans to the sink; resolves with a message when it failed. */
  async #deliver(spans: ReadableSpan[]): Promise<string | undefined> {
    let result: void | Promise<void>;
    try {
      result = this.#sink(spans);
    } catch (error: unknown) {
      return errorMessage(error);
    }
    if (!(result instanceof Promise)) return undefined;
    this.#counters.pendingSpans += spans.length;
    // Never rejects, so it can be awaited here and by flush/close alike.
    const work = result.then(
      () => undefined,
      (error: unknown) => errorMessage(error),
    );
    this.#pendingWork.add(work);
    try {
      return await work;
    } finally {
      this.#counters.pendingSpans -= spans.length;
      this.#pendingWork.delete(work);
    }
  }

  #status(
    encoding: OtlpEncoding | undefined,
    status: number,
    code: number,
    message: string,
    extra: { readonly close?: boolean; readonly retry?: boolean; readonly headers?: Readonly<Record<string, string>> } = {},
  ): Answer {
    return statusAnswer(encoding, status, code, message, {
      ...(extra.close === undefined ? {} : { close: extra.close }),
      ...(extra.retry === true ? { retryAfter: this.#retryAfter } : {}),
      ...(extra.headers === undefined ? {} : { headers: extra.headers }),
    });
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
