// Records one HTTP round trip made inside a step as an attempt span, keeping the start of each body up to a byte cap.
import { SpanKind } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { HttpAttributes, RetryClassifications, RuntraceAttributes, RuntraceEvents, SpanKinds, classifyOutcome } from '@runtrace/core';
import { headerRecord, isTimeoutError, markRedacted } from '@runtrace/core/internal';
import type { RetryClassification } from '@runtrace/core';
import type { Dispatcher } from 'undici';
import { BodyCapture } from './body-capture.js';
import { JsonCompleteness } from './json-completeness.js';
import { endSpan } from './recorder-core.js';
import type { Outcome, StepState } from './recorder-core.js';
import { endImplicitStep } from './implicit-model-call.js';
import { retryDelayMs } from './retry-delay.js';
import { WIRE_REQUEST_BYTES, WireCapture, wireFormatOf } from './wire-capture.js';
import { setOwnAttributes, startOwnSpan } from './span-start.js';

interface UrlInfo {
  readonly url: string;
  readonly maskedCount: number;
  readonly address: string | undefined;
  readonly port: number | undefined;
  readonly path: string | undefined;
}

const URL_CACHE_LIMIT = 256;
const urlCaches = new WeakMap<object, Map<string, UrlInfo>>();

/** The redacted URL and server fields of a request URL, cached per redactor (SDKs call the same few URLs). */
function urlInfo(rawUrl: string, redactor: { redactUrl(url: string): { value: string; maskedCount: number } }): UrlInfo {
  let cache = urlCaches.get(redactor);
  if (cache === undefined) {
    cache = new Map();
    urlCaches.set(redactor, cache);
  }
  const cached = cache.get(rawUrl);
  if (cached !== undefined) return cached;
  const redacted = redactor.redactUrl(rawUrl);
  let address: string | undefined;
  let port: number | undefined;
  let path: string | undefined;
  try {
    const parsed = new URL(rawUrl);
    address = parsed.hostname;
    port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    path = parsed.pathname;
  } catch {
    // A relative or odd URL: keep what we have.
  }
  const info: UrlInfo = { url: redacted.value, maskedCount: redacted.maskedCount, address, port, path };
  if (cache.size >= URL_CACHE_LIMIT) cache.clear();
  cache.set(rawUrl, info);
  return info;
}

function retryClassificationOf(status: number | undefined, error: unknown): RetryClassification {
  if (status === 429) return RetryClassifications.RATE_LIMITED;
  if (status === 408) return RetryClassifications.TIMEOUT;
  if (status !== undefined && status >= 500) return RetryClassifications.SERVER_ERROR;
  if (error !== undefined) {
    if (isTimeoutError(error)) return RetryClassifications.TIMEOUT;
    if (classifyOutcome(error).status === 'interrupted') return RetryClassifications.NONE;
    return RetryClassifications.NETWORK;
  }
  return RetryClassifications.NONE;
}

function isJsonType(contentType: string): boolean {
  return contentType.includes('json') && !contentType.includes('ndjson') && !contentType.includes('jsonl') && !contentType.includes('json-seq');
}

/**
 * What one round trip records, fed by a dispatch handler of either undici handler API (the one
 * runtrace composes onto undici 8 dispatchers, and the one Node's built-in fetch speaks). Its
 * methods never throw: a recording error is swallowed so that it cannot break the request.
 */
export class AttemptRecording {
  readonly #step: StepState;
  readonly #span: Span;
  readonly #method: string;
  readonly #headersPolicy: boolean;
  readonly #bodiesPolicy: boolean;
  /** Bodies are kept even when the wire reader read them as a model call's messages (`bodies: 'all'`). */
  readonly #readBodiesKept: boolean;
  #requestBody: BodyCapture | undefined;
  readonly #requestContentType: string | undefined;
  #requestBodyNote: string | undefined;
  #response: BodyCapture | undefined;
  #responseBytes = 0;
  #status: number | undefined;
  #contentType = '';
  #encoded = false;
  #declaredLength: number | undefined;
  /** Follows the structure of a JSON body the wire reader does not read as a document. */
  #json: JsonCompleteness | undefined;
  /** The wire reader reads the JSON body as a document and tells whether it was complete. */
  #jsonOnWire = false;
  #done = false;
  #maskedTotal = 0;
  /** Reads the model call on the wire, when the request is one runtrace understands. */
  #wire: WireCapture | undefined;
  #wireRequestRead = false;
  /** The request body is an iterable: it is captured chunk by chunk as undici sends it. */
  #captureSent = false;
  /** The `content-length` of a body captured as it is sent, when the request declares one. */
  #declaredSentLength: number | undefined;

  /**
   * Starts the attempt span. Throws when it cannot (the caller then lets the request pass unrecorded).
   * `knownHeaders`: the request's headers as a lower-case record, when the caller already read them.
   */
  constructor(step: StepState, options: Dispatcher.DispatchOptions, knownHeaders?: Readonly<Record<string, string>>) {
    this.#step = step;
    const settings = step.core.settings;
    this.#headersPolicy = settings.contentPolicy !== 'none';
    this.#bodiesPolicy = settings.contentPolicy === 'full';
    this.#readBodiesKept = settings.bodies === 'all';
    this.#method = (options.method ?? 'GET').toUpperCase();
    const number = ++step.attemptCounter;
    const origin = options.origin === undefined ? '' : String(options.origin);
    const rawUrl = origin.endsWith('/') ? `${origin.slice(0, -1)}${options.path}` : `${origin}${options.path}`;
    const requestHeaders = knownHeaders ?? headerRecord(options.headers);
    this.#requestContentType = requestHeaders['content-type'];
    const stainless = Number(requestHeaders['x-stainless-retry-count']);
    let masked = 0;
    const attributes: Attributes = {
      [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT,
      [RuntraceAttributes.STATUS]: 'in_progress',
      [RuntraceAttributes.RUN_ID]: step.run.id,
      [RuntraceAttributes.STEP_ID]: step.id,
      [RuntraceAttributes.ATTEMPT_NUMBER]: number,
      [HttpAttributes.REQUEST_METHOD]: this.#method,
    };
    // The SDK's own count, unless the step has seen more sends (a caller retrying the SDK itself
    // sends 0 each time); only on a resend, as the HTTP conventions say.
    const resends = Number.isSafeInteger(stainless) && stainless >= 0 ? Math.max(stainless, number - 1) : number - 1;
    if (resends > 0) attributes[HttpAttributes.REQUEST_RESEND_COUNT] = resends;
    const url = urlInfo(rawUrl, settings.redactor);
    masked += url.maskedCount;
    attributes[HttpAttributes.URL_FULL] = url.url;
    if (url.address !== undefined) attributes[HttpAttributes.SERVER_ADDRESS] = url.address;
    if (url.port !== undefined) attributes[HttpAttributes.SERVER_PORT] = url.port;
    if (url.path !== undefined) attributes[HttpAttributes.URL_PATH] = url.path;
    if (this.#headersPolicy) {
      const redacted = settings.redactor.redactHeaders(requestHeaders);
      masked += redacted.maskedCount;
      attributes[RuntraceAttributes.ATTEMPT_REQUEST_HEADERS] = JSON.stringify(redacted.value);
    }
    this.#span = startOwnSpan(settings.tracer, this.#method, { kind: SpanKind.CLIENT }, attributes, undefined, step.context);
    this.#markRedacted(attributes, HttpAttributes.URL_FULL, RuntraceAttributes.ATTEMPT_REQUEST_HEADERS);
    this.#masked(masked);
    if (number > 1) step.span.addEvent(RuntraceEvents.RETRY, { [RuntraceAttributes.ATTEMPT_NUMBER]: number });
    step.touch();

    const format = wireFormatOf(this.#method, rawUrl, requestHeaders);
    this.#wire = format === undefined ? undefined : new WireCapture(step, format);
    const bodyCap = Math.max(this.#bodiesPolicy ? settings.maxBodyBytes : 0, this.#wire === undefined ? 0 : WIRE_REQUEST_BYTES);
    const body = options.body;
    let requestBody: BodyCapture | undefined;
    const contentLength = Number(requestHeaders['content-length']);
    if (typeof body === 'string' || body instanceof Uint8Array) {
      requestBody = new BodyCapture(bodyCap);
      requestBody.add(body);
    } else if (body !== null && body !== undefined && typeof body === 'object' && Symbol.asyncIterator in body) {
      if (bodyCap > 0) {
        // Captured as undici writes it (`onBodySent`), not by wrapping the body in another async
        // iterator: fetch hands every body over as one, and a wrapper costs promise hops per chunk.
        requestBody = new BodyCapture(bodyCap);
        this.#captureSent = true;
        if (Number.isSafeInteger(contentLength)) this.#declaredSentLength = contentLength;
      } else if (Number.isSafeInteger(contentLength)) {
        this.#span.setAttribute(RuntraceAttributes.ATTEMPT_REQUEST_BODY_SIZE, contentLength);
      }
    } else if (body !== null && body !== undefined) {
      this.#requestBodyNote = '[form data]';
    }
    this.#requestBody = requestBody;
  }

  /** Tells the processor which values are already the redactor's output, so it need not redact them again. */
  #markRedacted(attributes: Attributes, ...keys: string[]): void {
    const redactor = this.#step.core.settings.redactor;
    for (const key of keys) {
      const value = attributes[key];
      if (typeof value === 'string') markRedacted(this.#span, redactor, key, value);
    }
  }

  #masked(count: number): void {
    if (count <= 0) return;
    this.#maskedTotal += count;
    this.#span.setAttribute(RuntraceAttributes.REDACTION_MASKED_COUNT, this.#maskedTotal);
  }

  /** The response head arrived; `headers` in any undici shape (a record, or the raw flat array). */
  responseStart(statusCode: number, headers: unknown): void {
    try {
      this.#responseStart(statusCode, headers);
    } catch {
      // Recording must never break the request.
    }
  }

  #responseStart(statusCode: number, rawHeaders: unknown): void {
    const settings = this.#step.core.settings;
    this.#status = statusCode;
    const headers = headerRecord(rawHeaders);
    this.#contentType = (headers['content-type'] ?? '').toLowerCase();
    const encoding = (headers['content-encoding'] ?? 'identity').toLowerCase();
    this.#encoded = encoding !== 'identity' && encoding !== '';
    const length = Number(headers['content-length']);
    if (headers['content-length'] !== undefined && Number.isSafeInteger(length)) this.#declaredLength = length;
    const attributes: Attributes = {
      [HttpAttributes.RESPONSE_STATUS_CODE]: statusCode,
      [RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION]: retryClassificationOf(statusCode, undefined),
    };
    const delay = retryDelayMs(headers, Date.now());
    if (delay !== undefined) attributes[RuntraceAttributes.ATTEMPT_RETRY_DELAY_MS] = delay;
    if (this.#headersPolicy) {
      const redacted = settings.redactor.redactHeaders(headers);
      this.#masked(redacted.maskedCount);
      attributes[RuntraceAttributes.ATTEMPT_RESPONSE_HEADERS] = JSON.stringify(redacted.value);
    }
    setOwnAttributes(this.#span, attributes);
    this.#markRedacted(attributes, RuntraceAttributes.ATTEMPT_RESPONSE_HEADERS);
    if (this.#wire !== undefined) {
      this.#readWireRequest();
      this.#wire.responseStart(statusCode, this.#contentType, encoding);
    }
    if (this.#bodiesPolicy && !this.#encoded && this.#keepsBodies(statusCode >= 400)) this.#response = new BodyCapture(settings.maxBodyBytes);
    if (!this.#encoded && isJsonType(this.#contentType)) {
      // A body the wire reader keeps and parses whole needs no second pass over its bytes.
      if (this.#wire?.readsDocument === true) this.#jsonOnWire = true;
      else this.#json = new JsonCompleteness();
    }
  }

  /** A chunk of the response body; on the path of every chunk, so nothing here allocates a closure. */
  data(chunk: Uint8Array): void {
    try {
      this.#responseBytes += chunk.byteLength;
      this.#response?.add(chunk);
      this.#json?.feed(chunk);
      this.#wire?.data(chunk);
    } catch {
      // Recording must never break the request.
    }
  }

  /** The response body was read to its end. Called before the caller sees the end, so the step has the answer when the code ends it. */
  end(): void {
    try {
      const outcome = this.#endOutcome();
      this.#wire?.end(outcome.status === 'completed');
      this.#finish(outcome, undefined);
    } catch {
      // Recording must never break the request.
    }
  }

  /** A chunk of a request body that undici reads from an iterable, as it is written. */
  bodySent(chunk: unknown): void {
    if (!this.#captureSent) return;
    try {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) this.#requestBody?.add(chunk);
    } catch {
      // Recording must never break the request.
    }
  }

  /** The server switched protocols: the round trip is over as far as HTTP goes. */
  upgrade(statusCode: number): void {
    try {
      this.#status = statusCode;
      this.#finish({ status: 'completed' }, undefined);
    } catch {
      // Recording must never break the request.
    }
  }

  /** The round trip failed before or while the response was read. */
  fail(error: unknown): void {
    try {
      if (this.#wire !== undefined) {
        this.#readWireRequest();
        this.#wire.end(false);
      }
      const classified = classifyOutcome(error);
      const outcome: Outcome =
        classified.status === 'interrupted'
          ? { status: 'interrupted', message: `response closed early by the client${classified.message === undefined ? '' : `: ${classified.message}`}` }
          : classified;
      this.#finish(outcome, error);
    } catch {
      // Recording must never break the request.
    }
  }

  #endOutcome(): Outcome {
    const status = this.#status ?? 0;
    const failed = status >= 400;
    const httpError: Outcome = { status: 'error', errorType: String(status), message: `HTTP ${status}` };
    if (this.#method === 'HEAD' || status === 204 || status === 304) return failed ? httpError : { status: 'completed' };
    if (!this.#encoded && this.#declaredLength !== undefined && this.#responseBytes < this.#declaredLength) {
      return {
        status: 'error',
        errorType: 'body_incomplete',
        message: `response body ended after ${this.#responseBytes} of ${this.#declaredLength} bytes`,
      };
    }
    if ((this.#json !== undefined && !this.#json.complete()) || (this.#jsonOnWire && this.#wire?.documentComplete() === false)) {
      return { status: 'error', errorType: 'invalid_json', message: 'response body is not one complete JSON document' };
    }
    return failed ? httpError : { status: 'completed' };
  }

  #finish(outcome: Outcome, error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    const settings = this.#step.core.settings;
    const attributes: Attributes = {};
    const bodies = this.#bodiesPolicy && this.#keepsBodies(error !== undefined || outcome.status !== 'completed' || (this.#status ?? 0) >= 400);
    if (error !== undefined) {
      attributes[RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION] = retryClassificationOf(this.#status, error);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : 'request failed';
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      const redacted = settings.redactor.redactText(`${message}${cause}`);
      this.#masked(redacted.maskedCount);
      attributes[RuntraceAttributes.ATTEMPT_ERROR] = redacted.value;
    }
    if (this.#sentBodyMissed()) {
      // The declared size stands; the body itself is unknown.
      attributes[RuntraceAttributes.ATTEMPT_REQUEST_BODY_SIZE] = this.#declaredSentLength!;
    } else if (this.#requestBody !== undefined) {
      attributes[RuntraceAttributes.ATTEMPT_REQUEST_BODY_SIZE] = this.#requestBody.total;
      if (bodies && this.#requestBody.total > 0) {
        const redacted = settings.redactor.redactBody(this.#requestBody.prefix(settings.maxBodyBytes), this.#requestContentType, this.#requestBody.redactOptions(settings.maxBodyBytes));
        this.#masked(redacted.maskedCount);
        attributes[RuntraceAttributes.ATTEMPT_REQUEST_BODY] = redacted.value;
      }
    } else if (this.#requestBodyNote !== undefined && bodies) {
      attributes[RuntraceAttributes.ATTEMPT_REQUEST_BODY] = this.#requestBodyNote;
    }
    if (this.#status !== undefined) {
      attributes[RuntraceAttributes.ATTEMPT_RESPONSE_BODY_SIZE] = this.#responseBytes;
      if (bodies && this.#responseBytes > 0) {
        if (this.#encoded || this.#response === undefined) {
          attributes[RuntraceAttributes.ATTEMPT_RESPONSE_BODY] = `[encoded body, ${this.#responseBytes} bytes]`;
        } else {
          const redacted = settings.redactor.redactBody(this.#response.bytes(), this.#contentType, this.#response.redactOptions(settings.maxBodyBytes));
          this.#masked(redacted.maskedCount);
          attributes[RuntraceAttributes.ATTEMPT_RESPONSE_BODY] = redacted.value;
        }
      }
    }
    setOwnAttributes(this.#span, attributes);
    this.#markRedacted(attributes, RuntraceAttributes.ATTEMPT_REQUEST_BODY, RuntraceAttributes.ATTEMPT_RESPONSE_BODY, RuntraceAttributes.ATTEMPT_ERROR);
    endSpan(this.#span, outcome, settings.redactor);
    this.#step.touch();
    // A step runtrace opened for this call ends with it (or waits for its retry).
    if (this.#step.implicitCall !== undefined) endImplicitStep(this.#step, outcome, retryClassificationOf(this.#status, error) !== RetryClassifications.NONE);
    // Nothing more is recorded: the captures go now, so that while something else keeps this
    // attempt reachable for a while (undici's request, an async resource that holds the call's
    // context), it holds little.
    this.#wire = undefined;
    this.#requestBody = undefined;
    this.#response = undefined;
    this.#json = undefined;
  }

  /**
   * Whether this attempt's bodies are kept (under the `full` policy): always with `bodies: 'all'`;
   * otherwise only when they are all there is of the exchange — the request is not a model call
   * the wire reader reads, or the attempt `failed` (its error answer and the request behind it).
   * A model call that succeeded is kept as its messages, read from these same bytes.
   */
  #keepsBodies(failed: boolean): boolean {
    return this.#readBodiesKept || this.#wire === undefined || failed;
  }

  /**
   * A body declared non-empty, captured as it is sent, of which no chunk came through `onBodySent`:
   * undici 7 does not pass that callback through interceptors composed under runtrace's (an
   * application's layers over its agent), so such a body can only be described by its size.
   */
  #sentBodyMissed(): boolean {
    return this.#captureSent && this.#requestBody!.total === 0 && this.#declaredSentLength !== undefined && this.#declaredSentLength > 0;
  }

  /** Reads the request body on the wire once (at the response, when it was sent whole). */
  #readWireRequest(): void {
    if (this.#wireRequestRead || this.#wire === undefined || this.#requestBody === undefined || this.#sentBodyMissed()) return;
    this.#wireRequestRead = true;
    this.#wire.request(this.#requestBody.bytes(), this.#requestBody.truncated);
  }
}
