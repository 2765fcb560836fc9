// OTLP trace export as request → answer, without a socket: the checks, the budgets, decoding and delivery that the collector's HTTP and gRPC servers share.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError } from '@runtrace/core';
import { errorMessage, positiveOption } from '@runtrace/core/internal';
import type { CollectorEvent, CollectorStats, OtlpExchangeOptions, SpanSink } from './collector-options.js';
import { OTLP_JSON_CONTENT_TYPE } from './decode-otlp-json.js';
import { OTLP_PROTOBUF_CONTENT_TYPE } from './decode-otlp-protobuf.js';
import type { OtlpEncoding } from './otlp-decode-result.js';
import { statusAnswer, successAnswer } from './internal/answer.js';
import { ByteBudget, type BudgetLease, type TakeResult } from './internal/byte-budget.js';
import { DecodeContext } from './internal/decode-context.js';
import { resolveDecodeLimits, type DecodeLimits } from './internal/decode-limits.js';
import { RpcCode } from './internal/export-response.js';
import { decodeJsonTraces } from './internal/json-trace-decoder.js';
import { decodeProtobufTraces } from './internal/protobuf-trace-decoder.js';
import { readBody } from './internal/read-body.js';
import { decodeInSlices } from './internal/run-decode.js';

const MIB = 1024 * 1024;

/** One request on the traces endpoint, as a server received it. */
export interface OtlpRequest {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The request target: path and query, e.g. `/v1/traces`. */
  readonly url: string;
  /** Header values by lower-case name, as Node's `IncomingMessage.headers` has them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body as it arrives; it is read (or left unread, and the answer says to close) by {@link OtlpExchange.answer}. */
  readonly body: Readable;
  /** Whether the server cut the request for arriving too slowly (it is then answered 408, not 400). Default: never. */
  readonly timedOut?: () => boolean;
}

/** The answer to a request; `close` drops the connection (its body may be unread). */
export interface OtlpAnswer {
  readonly status: number;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly close?: boolean;
  readonly acceptedSpans?: number;
  readonly rejectedSpans?: number;
  readonly message?: string;
  /** The google.rpc code of a failure (what an OTLP/gRPC client receives). */
  readonly code?: number;
  /** Seconds after which the client may retry, when it should. */
  readonly retryAfter?: string;
}

/** A request that passed the checks made before its body is read. */
interface Accepted {
  readonly encoding: OtlpEncoding;
  readonly gzip: boolean;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function header(request: OtlpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** The media type without parameters, lower case. */
function mediaType(value: string | undefined): string {
  if (value === undefined) return '';
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * Answers OTLP trace exports like an OTLP endpoint: 200 with partial success, 400 for undecodable
 * bodies, 401 without the bearer token, 404 off the traces path, 405 for other methods, 413 over
 * the size limits, 415 for other content types or encodings, 429 with Retry-After while it holds
 * too much or downstream is behind, 503 with Retry-After when the sink fails or it is closing.
 * Never rejects; decoding runs in slices, so no request holds up the others for long. The
 * `Collector` puts it behind an HTTP (and gRPC) server; any server that can hand it a method,
 * headers and a body stream can.
 *
 * @example
 * const exchange = new OtlpExchange({ sink: (spans) => { received.push(...spans); } });
 * const answer = await exchange.answer({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, body: Readable.from([json]) });
 * answer.status; // 200
 */
export class OtlpExchange {
  readonly #sink: SpanSink;
  readonly #flushTarget: (() => Promise<void>) | undefined;
  readonly #path: string;
  readonly #tokenDigest: Buffer | undefined;
  readonly #maxBodyBytes: number;
  readonly #maxDecompressedBytes: number;
  readonly #bodyBudget: ByteBudget;
  readonly #decodedBudget: ByteBudget;
  readonly #maxPendingSpans: number;
  readonly #backlog: (() => number) | undefined;
  readonly #retryAfter: string;
  readonly #decodeLimits: DecodeLimits;
  readonly #listeners = new Set<(event: CollectorEvent) => void>();
  readonly #pendingWork = new Set<Promise<unknown>>();
  #closing = false;
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

  constructor(options: OtlpExchangeOptions) {
    const { processor, sink } = options;
    if ((processor === undefined) === (sink === undefined)) {
      throw new InvalidArgumentError('options', options, 'exactly one of processor or sink');
    }
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
    this.#maxPendingSpans = positiveOption('maxPendingSpans', options.maxPendingSpans, 10_000, { integer: true });
    this.#backlog = options.backlog;
    this.#retryAfter = String(positiveOption('retryAfterSeconds', options.retryAfterSeconds, 1, { integer: true }));
    this.#decodeLimits = resolveDecodeLimits(options.decode);
    if (processor !== undefined) {
      this.#sink = (spans) => processor.ingest(spans);
      this.#flushTarget = processor.forceFlush === undefined ? undefined : () => processor.forceFlush!();
    } else {
      this.#sink = sink!;
      this.#flushTarget = undefined;
    }
  }

  /** The traces path answered (others get 404). */
  get path(): string {
    return this.#path;
  }

  /** The largest body accepted as sent, in bytes. */
  get maxBodyBytes(): number {
    return this.#maxBodyBytes;
  }

  /** Whether {@link OtlpExchange.close} was called: new requests are answered 503. */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Answers one request; never rejects. `send`, when given, is called with the answer first;
   * subscribers hear of the request (on the traces path) after it.
   *
   * @example
   * const answer = await exchange.answer({ method: request.method!, url: request.url!, headers: request.headers, body: request });
   */
  async answer(request: OtlpRequest, send?: (answer: OtlpAnswer) => void): Promise<OtlpAnswer> {
    let answer: OtlpAnswer;
    let encoding: OtlpEncoding | undefined;
    const query = request.url.indexOf('?');
    const path = query === -1 ? request.url : request.url.slice(0, query);
    if (path !== this.#path) {
      answer = this.#status(undefined, 404, RpcCode.NOT_FOUND, `no such path; traces are accepted on POST ${this.#path}`, { close: true });
      this.#send(send, answer);
      return answer;
    }
    try {
      const checked = this.#check(request);
      if ('status' in checked) answer = checked;
      else {
        encoding = checked.encoding;
        answer = await this.#receive(request, checked);
      }
    } catch (error: unknown) {
      answer = this.#status(encoding, 500, RpcCode.INTERNAL, `internal error: ${errorMessage(error)}`, { close: true });
    }
    this.#send(send, answer);
    this.#report(answer, encoding);
    return answer;
  }

  /**
   * One OTLP/gRPC Export call: its (already decompressed) protobuf message, checked and ingested
   * like a protobuf body. Never rejects.
   *
   * @example
   * const answer = await exchange.answerGrpc(message, metadata.get('authorization')[0]);
   */
  async answerGrpc(body: Buffer, authorization: string | undefined): Promise<OtlpAnswer> {
    let answer: OtlpAnswer;
    const bodyLease = this.#bodyBudget.lease();
    const decodedLease = this.#decodedBudget.lease();
    try {
      if (this.#tokenDigest !== undefined && !this.#authorized(authorization)) {
        answer = this.#status('protobuf', 401, RpcCode.UNAUTHENTICATED, 'missing or wrong bearer token');
      } else if (this.#closing) {
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
    this.#report(answer, 'protobuf');
    return answer;
  }

  /** Running totals, and what requests in progress hold now. */
  stats(): CollectorStats {
    return { ...this.#counters, inFlightBytes: this.#bodyBudget.used, inFlightDecodedBytes: this.#decodedBudget.used };
  }

  /** Calls `listener` after every request on the traces path; returns a function that unsubscribes. A listener that throws is ignored. */
  subscribe(listener: (event: CollectorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Waits until the spans received so far have reached their destinations, when the processor can tell. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pendingWork]);
    await this.#flushTarget?.();
  }

  /** Answers new requests 503 from now on, and resolves once the work handed on so far has settled (call it again after the last request was answered). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#pendingWork]);
  }

  #send(send: ((answer: OtlpAnswer) => void) | undefined, answer: OtlpAnswer): void {
    try {
      send?.(answer);
    } catch {
      // A connection that broke while being answered is the server's to clean up; the request still counts.
    }
  }

  #report(answer: OtlpAnswer, encoding: OtlpEncoding | undefined): void {
    this.#counters.requests++;
    if (answer.status !== 200) this.#counters.failedRequests++;
    const event: CollectorEvent = {
      type: 'request-end',
      status: answer.status,
      encoding,
      acceptedSpans: answer.acceptedSpans ?? 0,
      rejectedSpans: answer.rejectedSpans ?? 0,
      message: answer.message ?? '',
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the exchange keeps answering.
      }
    }
  }

  /** Checks made before reading the body: method, credentials, content type and encoding, capacity. */
  #check(request: OtlpRequest): Accepted | OtlpAnswer {
    const type = mediaType(header(request, 'content-type'));
    const encoding: OtlpEncoding | undefined =
      type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : undefined;
    if (request.method !== 'POST') {
      return this.#status(encoding, 405, RpcCode.UNIMPLEMENTED, `method ${request.method} not allowed; use POST`, { close: true, headers: { Allow: 'POST' } });
    }
    if (this.#tokenDigest !== undefined && !this.#authorized(header(request, 'authorization'))) {
      return this.#status(encoding, 401, RpcCode.UNAUTHENTICATED, 'missing or wrong bearer token', { close: true, headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    if (encoding === undefined) {
      return this.#status(undefined, 415, RpcCode.INVALID_ARGUMENT, `unsupported content type ${JSON.stringify(type)}; use application/x-protobuf or application/json`, { close: true });
    }
    const contentEncoding = (header(request, 'content-encoding') ?? '').trim().toLowerCase();
    if (contentEncoding !== '' && contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
      return this.#status(encoding, 415, RpcCode.INVALID_ARGUMENT, `unsupported content encoding ${JSON.stringify(contentEncoding)}; use gzip or none`, { close: true });
    }
    if (this.#closing) {
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

  #authorized(value: string | undefined): boolean {
    if (value === undefined || !/^bearer /i.test(value)) return false;
    return timingSafeEqual(sha256(value.slice(7).trim()), this.#tokenDigest!);
  }

  /** 429 while others hold the budget (the client retries), 413 when this request alone could never fit. */
  #overBudget(encoding: OtlpEncoding, taken: Exclude<TakeResult, 'ok'>, message: string, close: boolean): OtlpAnswer {
    return taken === 'busy'
      ? this.#status(encoding, 429, RpcCode.RESOURCE_EXHAUSTED, message, { close, retry: true })
      : this.#status(encoding, 413, RpcCode.RESOURCE_EXHAUSTED, message, { close });
  }

  async #receive(request: OtlpRequest, accepted: Accepted): Promise<OtlpAnswer> {
    const { encoding } = accepted;
    const bodyLease = this.#bodyBudget.lease();
    const decodedLease = this.#decodedBudget.lease();
    try {
      const length = header(request, 'content-length');
      const declared = Number(length);
      if (declared > 0 && declared <= this.#maxBodyBytes) {
        // Taken before reading, so concurrent large bodies cannot all start and overshoot together.
        const taken = bodyLease.take(declared);
        if (taken !== 'ok') return this.#overBudget(encoding, taken, `collector is receiving too much at once (body of ${declared} bytes); retry later`, true);
      }
      const body = await readBody(request.body, length, accepted.gzip, { maxBodyBytes: this.#maxBodyBytes, maxDecompressedBytes: this.#maxDecompressedBytes, lease: bodyLease });
      switch (body.kind) {
        case 'aborted':
          return request.timedOut?.() === true
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
  async #ingest(encoding: OtlpEncoding, bytes: Buffer, bodyLease: BudgetLease, decodedLease: BudgetLease): Promise<OtlpAnswer> {
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
  ): OtlpAnswer {
    return statusAnswer(encoding, status, code, message, {
      ...(extra.close === undefined ? {} : { close: extra.close }),
      ...(extra.retry === true ? { retryAfter: this.#retryAfter } : {}),
      ...(extra.headers === undefined ? {} : { headers: extra.headers }),
    });
  }
}
