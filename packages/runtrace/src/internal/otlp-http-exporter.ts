// An OTLP/HTTP span exporter whose requests and retries never hold the process open and can be cut at once, so shutdown stays bounded when the backend is down.
import type { Agent as HttpAgent, ClientRequest, IncomingMessage, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type * as OtlpTransformer from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describeNetworkError, networkErrorCode } from '@runtrace/core/internal';
import type { OtlpProtocol } from '../load-config.js';
import { loadEsm } from './load-esm.js';

/** Options of {@link OtlpHttpExporter}. */
export interface OtlpHttpExporterOptions {
  /** Full traces URL. */
  readonly endpoint: string;
  /** Request headers (an API key, …). */
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: OtlpProtocol;
  /** Time budget of one export, retries included, in ms. */
  readonly timeoutMillis: number;
  readonly compression: 'gzip' | 'none';
  /** Trusted roots and client certificate for HTTPS. Default: Node's. */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** Called for every export that failed after its retries, or that the backend partly rejected; not for exports cut by `abort()`. */
  readonly onExportFailure?: (error: Error, spanCount: number) => void;
  /** Randomness of the retry jitter. Default `Math.random`. */
  readonly random?: () => number;
}

/** Counters of an {@link OtlpHttpExporter}. */
export interface OtlpHttpExporterStats {
  /** Spans handed to `export()`. */
  readonly receivedSpans: number;
  /** Spans the backend accepted. */
  readonly exportedSpans: number;
  /** Spans in exports that failed (after retries), were rejected by the backend, or were cut by `abort()`. */
  readonly failedSpans: number;
  /** Spans in exports still in flight. */
  readonly inFlightSpans: number;
}

type Attempt =
  | { readonly kind: 'success'; readonly body: Buffer }
  | { readonly kind: 'retryable'; readonly error: Error; readonly retryAfterMs?: number }
  | { readonly kind: 'failure'; readonly error: Error };

interface InFlight {
  readonly spans: number;
  readonly controller: AbortController;
  /** Settles once the export's callback was called. */
  done: Promise<void>;
}

// The retry policy of the OTLP exporter specification, as OpenTelemetry JS applies it.
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Most exports in flight at once; more fail at once rather than pile up. */
const MAX_IN_FLIGHT = 30;
/** Bytes of a response kept: enough for a partial-success answer or an error text. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const gzipAsync = promisify(gzip);

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function textSnippet(body: Buffer): string {
  const text = body.toString('utf8', 0, Math.min(body.length, 200)).replace(/\s+/g, ' ').trim();
  // Binary (protobuf status) bodies are not worth showing.
  return text === '' || /[^\t\n\r\u0020-\u007e\u00a0-\uffff]/.test(text) ? '' : `: ${text.slice(0, 120)}`;
}

/**
 * Sends spans to an OTLP/HTTP traces endpoint (protobuf or JSON, optional gzip) with the retry
 * policy of the OTLP specification (429, 502, 503, 504 and network errors; exponential backoff
 * with jitter; `Retry-After`), all within `timeoutMillis` per export. Unlike the SDK's exporter,
 * its sockets and retry timers are unref'd, so an export running in the background never delays
 * the process's exit (only `forceFlush()`, whose caller waits, keeps it alive), and `abort()`
 * ends every export at once — the caller bounds shutdown with it.
 */
export class OtlpHttpExporter implements SpanExporter {
  readonly endpoint: string;
  readonly #url: URL;
  readonly #options: OtlpHttpExporterOptions;
  readonly #serializer: typeof OtlpTransformer.JsonTraceSerializer;
  readonly #agent: HttpAgent;
  readonly #send: typeof httpRequest;
  readonly #random: () => number;
  readonly #inFlight = new Set<InFlight>();
  #received = 0;
  #exported = 0;
  #failed = 0;
  #lastError: Error | undefined;
  #aborted: Error | undefined;
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(options: OtlpHttpExporterOptions) {
    this.endpoint = options.endpoint;
    this.#url = new URL(options.endpoint);
    this.#options = options;
    // Loaded here, not at import: an app without OTLP export never loads the OTLP serializers (and
    // the metrics and logs SDKs they bring).
    const { JsonTraceSerializer, ProtobufTraceSerializer } = loadEsm<typeof OtlpTransformer>('@opentelemetry/otlp-transformer');
    this.#serializer = options.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    // Node's HTTP modules load here too, with OTLP export, not with runtrace (fetch-based apps never load them otherwise).
    if (this.#url.protocol === 'https:') {
      const https = process.getBuiltinModule('node:https');
      this.#agent = new https.Agent({ keepAlive: true, ...options.tls });
      this.#send = https.request;
    } else {
      const http = process.getBuiltinModule('node:http');
      this.#agent = new http.Agent({ keepAlive: true });
      this.#send = http.request;
    }
    this.#random = options.random ?? Math.random;
  }

  /** Spans handed to `export()` so far. */
  get receivedSpans(): number {
    return this.#received;
  }

  /** The error of the last request that failed (retried or not), if any; what a dead backend looks like. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const complete = (error: Error | undefined): void => {
      if (called) return;
      called = true;
      try {
        resultCallback(error === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error });
      } catch {
        // A throwing callback is the caller's problem.
      }
    };
    const count = spans.length;
    this.#received += count;
    const refused = this.#aborted ?? (this.#closed ? new Error('OTLP exporter is shut down') : undefined);
    if (refused !== undefined) {
      this.#failed += count;
      complete(refused);
      return;
    }
    if (count === 0) {
      complete(undefined);
      return;
    }
    let body: Uint8Array | undefined;
    try {
      if (this.#inFlight.size >= MAX_IN_FLIGHT) throw new Error(`${MAX_IN_FLIGHT} earlier exports are still waiting on the backend`);
      body = this.#serializer.serializeRequest(spans);
      if (body === undefined) throw new Error('the spans could not be serialized');
    } catch (error: unknown) {
      complete(this.#fail(error instanceof Error ? error : new Error(String(error)), count));
      return;
    }
    const entry: InFlight = { spans: count, controller: new AbortController(), done: Promise.resolve() };
    this.#inFlight.add(entry);
    entry.done = this.#deliver(body, count, entry.controller.signal)
      .then(complete, (error: unknown) => complete(this.#fail(error instanceof Error ? error : new Error(String(error)), count)))
      .finally(() => this.#inFlight.delete(entry));
  }

  /**
   * Waits for every export in flight. Someone waits on them now, so the process stays alive
   * until they settle (each within its timeout; at shutdown, `abort()` cuts them sooner).
   */
  async forceFlush(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await Promise.all([...this.#inFlight].map((entry) => entry.done));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Refuses new exports, waits for those in flight, then closes idle connections. Runs once. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#closed = true;
      await this.forceFlush();
      this.#agent.destroy();
    })();
    return this.#shutdown;
  }

  /**
   * Ends every export in flight now (requests destroyed, retries cancelled; their callbacks get
   * `reason`) and refuses later ones. Used when shutdown runs out of time.
   */
  abort(reason: Error): void {
    this.#aborted ??= reason;
    for (const entry of this.#inFlight) entry.controller.abort(reason);
    this.#agent.destroy();
  }

  stats(): OtlpHttpExporterStats {
    let inFlightSpans = 0;
    for (const entry of this.#inFlight) inFlightSpans += entry.spans;
    return { receivedSpans: this.#received, exportedSpans: this.#exported, failedSpans: this.#failed, inFlightSpans };
  }

  #fail(error: Error, count: number, notify = true): Error {
    this.#failed += count;
    if (notify) {
      this.#lastError = error;
      this.#notify(error, count);
    }
    return error;
  }

  #notify(error: Error, count: number): void {
    try {
      this.#options.onExportFailure?.(error, count);
    } catch {
      // The failure hook must not break the export path.
    }
  }

  /** Sends one export with retries; resolves to `undefined` on success, else the error for the callback. */
  async #deliver(serialized: Uint8Array, count: number, signal: AbortSignal): Promise<Error | undefined> {
    const startedAt = Date.now();
    const deadline = startedAt + this.#options.timeoutMillis;
    const gzipped = this.#options.compression === 'gzip';
    const body = gzipped ? await gzipAsync(serialized) : Buffer.from(serialized.buffer, serialized.byteOffset, serialized.byteLength);
    let backoff = INITIAL_BACKOFF_MS;
    let result: Attempt = { kind: 'failure', error: new Error('not sent') };
    for (let retries = 0; ; retries++) {
      if (signal.aborted) break;
      result = await this.#attempt(body, gzipped, Math.max(1, deadline - Date.now()), signal);
      if (result.kind !== 'success' && !signal.aborted) this.#lastError = result.error;
      if (result.kind !== 'retryable' || retries >= MAX_RETRIES) break;
      const jittered = Math.min(backoff * (1 + (this.#random() * 2 - 1) * JITTER), MAX_BACKOFF_MS);
      const wait = result.retryAfterMs ?? jittered;
      backoff *= BACKOFF_MULTIPLIER;
      if (wait > deadline - Date.now()) break;
      await sleep(wait, signal);
    }
    if (signal.aborted) {
      // Cut by abort(): counted, not reported one by one (the caller sums these up).
      const reason = signal.reason instanceof Error ? signal.reason : new Error('OTLP export aborted');
      return this.#fail(reason, count, false);
    }
    if (result.kind === 'success') {
      const rejected = this.#rejectedSpans(result.body, count);
      this.#exported += count - rejected.count;
      if (rejected.count > 0) this.#fail(rejected.error, rejected.count);
      return undefined;
    }
    return this.#fail(result.error, count);
  }

  #rejectedSpans(body: Buffer, count: number): { count: number; error: Error } {
    const none = { count: 0, error: new Error('') };
    if (body.length === 0) return none;
    try {
      const partial = this.#serializer.deserializeResponse(body).partialSuccess;
      const rejected = Math.min(count, toCount(partial?.rejectedSpans));
      if (!(rejected > 0)) return none;
      return { count: rejected, error: new Error(`the backend rejected ${rejected} of ${count} spans${partial?.errorMessage ? `: ${partial.errorMessage}` : ''}`) };
    } catch {
      // An answer that is not an ExportTraceServiceResponse still means success.
      return none;
    }
  }

  #attempt(body: Buffer, gzipped: boolean, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (attempt: Attempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(this.#options.headers)) {
        if (!/^content-(type|length|encoding)$/i.test(name)) headers[name] = value;
      }
      headers['content-type'] = this.#options.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
      headers['content-length'] = body.length;
      if (gzipped) headers['content-encoding'] = 'gzip';
      let request: ClientRequest;
      try {
        request = this.#send(this.#url, { method: 'POST', headers, agent: this.#agent, signal }, (response) => this.#readResponse(response, settle));
      } catch (error: unknown) {
        settle({ kind: 'failure', error: error instanceof Error ? error : new Error(String(error)) });
        return;
      }
      // Never the reason the process stays up: shutdown keeps it alive for as long as it is willing to wait.
      request.on('socket', (socket) => socket.unref());
      const timer = setTimeout(() => {
        request.destroy();
        settle({ kind: 'retryable', error: new Error(`no answer within ${Math.round(timeoutMs)} ms`) });
      }, timeoutMs);
      timer.unref();
      request.on('error', (error: Error) => {
        if (signal.aborted) settle({ kind: 'failure', error: signal.reason instanceof Error ? signal.reason : error });
        else if (RETRYABLE_NETWORK_CODES.has(networkErrorCode(error) ?? '')) settle({ kind: 'retryable', error: new Error(describeNetworkError(error), { cause: error }) });
        else settle({ kind: 'failure', error: new Error(describeNetworkError(error), { cause: error }) });
      });
      request.end(body);
    });
  }

  #readResponse(response: IncomingMessage, settle: (attempt: Attempt) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size >= MAX_RESPONSE_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on('error', (error: Error) => settle({ kind: 'retryable', error }));
    response.on('end', () => {
      const status = response.statusCode ?? 0;
      const body = Buffer.concat(chunks);
      if (status >= 200 && status < 300) {
        settle({ kind: 'success', body });
        return;
      }
      const error = new Error(`${status} ${response.statusMessage ?? ''}`.trim() + textSnippet(body));
      if (RETRYABLE_STATUS.has(status)) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after'], Date.now());
        settle(retryAfterMs === undefined ? { kind: 'retryable', error } : { kind: 'retryable', error, retryAfterMs });
      } else {
        settle({ kind: 'failure', error });
      }
    });
  }
}

/** An int64 from a decoded answer: a number, a numeric string or a Long-like object. */
function toCount(value: unknown): number {
  if (typeof value === 'number' || typeof value === 'string') return Number(value) || 0;
  if (typeof value === 'object' && value !== null && typeof (value as { toNumber?: unknown }).toNumber === 'function') {
    return Number((value as { toNumber(): number }).toNumber()) || 0;
  }
  return 0;
}

/** Waits `ms` without holding the process open; resolves early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
