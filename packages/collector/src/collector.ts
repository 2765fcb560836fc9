// The OTLP/HTTP (and gRPC) trace server: sockets, deadlines and connection handling around an OtlpExchange, which decides every answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError, ShutDownError } from '@runtrace/core';
import { positiveOption } from '@runtrace/core/internal';
import type { CollectorAddress, CollectorEvent, CollectorOptions, CollectorStats } from './collector-options.js';
import { clientErrorStatus, sendAnswer } from './internal/answer.js';
import type { GrpcReceiver } from './internal/grpc-receiver.js';
import { OtlpExchange } from './otlp-exchange.js';

const DEFAULT_PORT = 4318;
/** Node checks request and header deadlines on this interval; it is kept well under the timeouts so they hold to within a second. */
const MAX_TIMEOUT_CHECK_MS = 1_000;
const MIN_TIMEOUT_CHECK_MS = 10;

function checkPort(name: string, port: number | undefined): void {
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new InvalidArgumentError(name, port, 'an integer from 0 to 65535');
}

/**
 * An OTLP trace receiver: an HTTP server (and, with `grpcPort`, a gRPC one) in front of an
 * {@link OtlpExchange}, which answers `POST /v1/traces` (protobuf or JSON, optionally gzip) like
 * an OTLP endpoint. The server adds what needs a socket: deadlines (408 for clients too slow to
 * send their request), answers to malformed requests Node rejects itself, and connections closed
 * when a body is left unread or the collector is closing. Bad input never throws out of a handler.
 *
 * @example
 * const pipeline = createIngestPipeline({ store: 'traces.db' }); // from runtrace
 * const collector = new Collector({ processor: pipeline, port: 0, onClose: () => pipeline.shutdown() });
 * const { url } = await collector.listen();
 * const unsubscribe = collector.subscribe((event) => { received += event.acceptedSpans; });
 * // … point an OTLPTraceExporter at `url` …
 * unsubscribe();
 * await collector.close();
 */
export class Collector {
  readonly #exchange: OtlpExchange;
  readonly #host: string;
  readonly #port: number;
  readonly #grpcPort: number | undefined;
  readonly #requestTimeoutMs: number;
  readonly #headersTimeoutMs: number;
  readonly #onClose: (() => Promise<void> | void) | undefined;
  /** The response in progress on each connection, so a client error is not written into it. */
  readonly #responses = new WeakMap<Duplex, ServerResponse>();
  /** Connections Node cut for sending too slowly; their requests are reported as 408. */
  readonly #timedOut = new WeakSet<Duplex>();
  #server: Server | undefined;
  #grpc: GrpcReceiver | undefined;
  #boundAddress: CollectorAddress | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: CollectorOptions) {
    for (const removed of ['databasePath', 'forward'] as const) {
      if (removed in options) {
        throw new InvalidArgumentError(removed, (options as Record<string, unknown>)[removed], "no such option: build the pipeline with runtrace's createIngestPipeline({ store, forward }) and pass it as processor");
      }
    }
    this.#host = options.host ?? '127.0.0.1';
    checkPort('port', options.port);
    this.#port = options.port ?? DEFAULT_PORT;
    checkPort('grpcPort', options.grpcPort);
    this.#grpcPort = options.grpcPort;
    this.#requestTimeoutMs = positiveOption('requestTimeoutMs', options.requestTimeoutMs, 30_000, { integer: true });
    // Node requires the headers deadline to be within the request deadline.
    this.#headersTimeoutMs = Math.min(positiveOption('headersTimeoutMs', options.headersTimeoutMs, 10_000, { integer: true }), this.#requestTimeoutMs);
    this.#onClose = options.onClose;
    this.#exchange = new OtlpExchange(options);
  }

  /**
   * Starts listening; resolves with the bound address. Rejects when the port is taken (call
   * {@link Collector.close} then, to run `onClose`).
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
          // The exchange answers every failure itself; this only guards against a broken socket.
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
      // The caller's close() releases the HTTP server when this fails.
      // Loaded only when asked for: gRPC is a sizeable library that OTLP/HTTP does not need.
      const { startGrpcReceiver } = await import('./internal/grpc-receiver.js');
      const exchange = this.#exchange;
      this.#grpc = await startGrpcReceiver(this.#host, this.#grpcPort, (body, authorization) => exchange.answerGrpc(body, authorization), exchange.maxBodyBytes);
      grpcUrl = `http://${hostForUrl}:${this.#grpc.port}`;
    }
    this.#boundAddress = { host: this.#host, port, url: `http://${hostForUrl}:${port}${this.#exchange.path}`, ...(grpcUrl === undefined ? {} : { grpcUrl }) };
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
    return this.#exchange.stats();
  }

  /**
   * Calls `listener` after every request on the traces path; returns a function that
   * unsubscribes. A listener that throws is ignored.
   *
   * @example
   * const stop = collector.subscribe((event) => { if (event.status === 200) count += event.acceptedSpans; });
   */
  subscribe(listener: (event: CollectorEvent) => void): () => void {
    return this.#exchange.subscribe(listener);
  }

  /**
   * Waits until the spans received so far have reached their destinations (store committed,
   * forwarded) when the processor can tell; with a `sink`, waits for its promises only.
   *
   * @example
   * await collector.flush();
   * console.log((await pipeline.store?.listRuns())?.runs.length);
   */
  flush(): Promise<void> {
    return this.#exchange.flush();
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
    // New requests are answered 503 from here on; those in progress finish.
    void this.#exchange.close();
    await this.#grpc?.close();
    const server = this.#server;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    }
    // Now every request has been answered: wait for the work they handed on.
    await this.#exchange.close();
    await this.#onClose?.();
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
    await this.#exchange.answer(
      { method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body: request, timedOut: () => this.#timedOut.has(socket) },
      (answer) => sendAnswer(request, response, answer, this.#closing !== undefined),
    );
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
