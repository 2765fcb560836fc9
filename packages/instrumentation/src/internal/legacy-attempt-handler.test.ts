import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { defaultRedactor } from '@runtrace/core';
import { Agent, Dispatcher1Wrapper } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../__fixtures__/otel-harness.js';
import type { OtelHarness } from '../__fixtures__/otel-harness.js';
import type { InstrumentationRedactor } from '../instrumentation-redactor.js';
import { Recorder } from '../recorder.js';
import type { Dispatch } from './create-attempt-interceptor.js';
import type { LegacyDispatchHandler } from './legacy-attempt-handler.js';
import { createLegacyRecordingInterceptor } from './legacy-recording-interceptor.js';

/** A legacy-API handler, as a caller of a legacy dispatcher passes it, that logs what it is told. */
class LoggingHandler implements LegacyDispatchHandler {
  readonly calls: string[] = [];
  readonly chunks: Buffer[] = [];
  readonly sent: string[] = [];
  readonly done: Promise<void>;
  status: number | undefined;
  statusText: string | undefined;
  headers: Buffer[] | string[] | undefined;
  trailers: Buffer[] | string[] | null | undefined;
  resume: (() => void) | undefined;
  abort: ((reason?: Error) => void) | undefined;
  socket: Duplex | undefined;
  /** What `onData` returns for the chunk at this index. */
  dataResult: (index: number) => boolean = () => true;
  #settle!: (error?: Error) => void;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve() : reject(error));
    });
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.calls.push('onConnect');
    this.abort = abort;
  }

  onResponseStarted(): void {
    this.calls.push('onResponseStarted');
  }

  onRequestSent(): void {
    this.calls.push('onRequestSent');
  }

  onBodySent(chunk: Buffer | string): void {
    this.sent.push(Buffer.from(chunk).toString());
  }

  onHeaders(status: number, headers: Buffer[] | string[], resume: () => void, statusText: string): boolean {
    this.calls.push('onHeaders');
    this.status = status;
    this.headers = headers;
    this.resume = resume;
    this.statusText = statusText;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.calls.push('onData');
    this.chunks.push(Buffer.from(chunk));
    return this.dataResult(this.chunks.length - 1);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.calls.push('onComplete');
    this.trailers = trailers;
    this.#settle();
  }

  onUpgrade(status: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.calls.push('onUpgrade');
    this.status = status;
    this.socket = socket;
    socket.destroy();
    this.#settle();
  }

  onError(error: Error): void {
    this.calls.push('onError');
    this.#settle(error);
  }

  body(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

const CHUNKS = ['first chunk;', 'second chunk;', 'third chunk.'];

let server: Server;
let origin: string;
let finishedResponses: Promise<void>[] = [];
let otel: OtelHarness;
let agent: Agent;
/** A real legacy-API dispatcher: undici 8's adapter for callers of the legacy API. */
let legacy: Dispatcher1Wrapper;

function trackFinish(response: ServerResponse): void {
  finishedResponses.push(once(response, 'finish').then(() => undefined));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    trackFinish(response);
    if (request.url === '/chunks') {
      response.writeHead(200, { 'content-type': 'text/plain', 'x-reply': 'chunks' });
      // Flushed one by one, so the client reads them as separate chunks.
      let index = 0;
      const next = (): void => {
        if (index === CHUNKS.length) {
          response.end();
          return;
        }
        response.write(CHUNKS[index++], () => setImmediate(next));
      };
      next();
      return;
    }
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-reply': 'echo' });
      response.end(JSON.stringify({ received: Buffer.concat(parts).toString() }));
    });
  });
  server.on('upgrade', (_request, socket: Duplex) => {
    socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  otel = createOtelHarness();
  finishedResponses = [];
  agent = new Agent();
  legacy = new Dispatcher1Wrapper(agent);
});

afterEach(async () => {
  await agent.close();
  await otel.close();
});

/** The legacy interceptor composed onto the real legacy dispatcher, as `compose` does it. */
function recordingDispatch(): Dispatch<LegacyDispatchHandler> {
  return createLegacyRecordingInterceptor(undefined)((options, handler) => legacy.dispatch(options, handler));
}

function inStep<T>(recorder: Recorder, fn: () => Promise<T>): Promise<T> {
  return recorder.run({ kind: 'legacy' }, (run) => run.step({ operation: 'generate', model: 'm' }, fn));
}

function attempts(): ReturnType<OtelHarness['spans']> {
  return otel.kind('attempt');
}

/** The handler the interceptor hands to the dispatcher, to call its methods directly. */
async function capturedHandler(recorder: Recorder, inner: LegacyDispatchHandler): Promise<LegacyDispatchHandler> {
  let captured: LegacyDispatchHandler | undefined;
  const dispatch = createLegacyRecordingInterceptor(undefined)((_options, handler) => {
    captured = handler;
    return true;
  });
  await inStep(recorder, () => Promise.resolve(dispatch({ origin, path: '/echo', method: 'POST', body: '{}' }, inner)));
  return captured!;
}

describe('LegacyAttemptHandler through a real legacy dispatcher', () => {
  it('forwards every callback of a round trip to the real handler and records the attempt', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    const inner = new LoggingHandler();
    await inStep(recorder, async () => {
      recordingDispatch()({ origin, path: '/echo', method: 'POST', body: '{"question":"why"}', headers: { 'content-type': 'application/json' } }, inner);
      await inner.done;
    });
    expect(inner.calls[0]).toBe('onConnect');
    expect(inner.calls).toContain('onResponseStarted');
    expect(inner.calls).toContain('onRequestSent');
    expect(inner.calls.slice(inner.calls.indexOf('onHeaders'))).toEqual(['onHeaders', ...inner.calls.filter((call) => call === 'onData'), 'onComplete']);
    expect(typeof inner.abort).toBe('function');
    expect(typeof inner.resume).toBe('function');
    expect([inner.status, inner.statusText]).toEqual([200, 'OK']);
    expect(Array.isArray(inner.headers)).toBe(true);
    expect(Array.isArray(inner.trailers)).toBe(true);
    expect(JSON.parse(inner.body())).toEqual({ received: '{"question":"why"}' });
    const [attempt] = attempts();
    expect(attempts()).toHaveLength(1);
    expect(attempt!.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.full': `${origin}/echo`,
      'runtrace.attempt.request_body': '{"question":"why"}',
      'runtrace.attempt.response_body': inner.body(),
    });
    // The raw header array of the legacy API is read as headers.
    expect(JSON.parse(attempt!.attributes['runtrace.attempt.response_headers'] as string)).toMatchObject({ 'x-reply': 'echo', 'content-type': 'application/json' });
  });

  it('captures a request body sent from an iterable through onBodySent, and still forwards each chunk', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    const parts = ['{"model":"m",', '"messages":[{"role":"user",', '"content":"hello"}]}'];
    const inner = new LoggingHandler();
    await inStep(recorder, async () => {
      recordingDispatch()({ origin, path: '/echo', method: 'POST', body: Readable.from(parts.map((part) => Buffer.from(part))), headers: { 'content-type': 'application/json' } }, inner);
      await inner.done;
    });
    const whole = parts.join('');
    expect(JSON.parse(inner.body())).toEqual({ received: whole });
    expect(inner.sent.join('')).toBe(whole);
    expect(attempts()[0]!.attributes).toMatchObject({ 'runtrace.attempt.request_body': whole, 'runtrace.attempt.request_body_size': Buffer.byteLength(whole) });
  });

  it('keeps a response paused while the real handler paused it (onData returned false), and delivers the rest on resume', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    const inner = new LoggingHandler();
    inner.dataResult = (index) => index !== 0;
    let dataBeforeResume = -1;
    await inStep(recorder, async () => {
      recordingDispatch()({ origin, path: '/chunks', method: 'GET' }, inner);
      // Every byte has left the server before the handler resumes: only a pause holds them back.
      await expect.poll(() => inner.chunks.length).toBe(1);
      await Promise.all(finishedResponses);
      await new Promise((resolve) => setImmediate(resolve));
      dataBeforeResume = inner.chunks.length;
      inner.resume!();
      await inner.done;
    });
    expect(dataBeforeResume).toBe(1);
    expect(inner.body()).toBe(CHUNKS.join(''));
    expect(attempts()[0]!.attributes).toMatchObject({ 'runtrace.status': 'completed', 'runtrace.attempt.response_body': CHUNKS.join('') });
  });

  it('forwards an upgrade and completes the attempt', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const inner = new LoggingHandler();
    await inStep(recorder, async () => {
      recordingDispatch()({ origin, path: '/socket', method: 'GET', upgrade: 'websocket' }, inner);
      await inner.done;
    });
    expect(inner.calls).toContain('onUpgrade');
    expect(inner.status).toBe(101);
    expect(inner.socket).toBeDefined();
    expect(attempts()).toHaveLength(1);
    expect(attempts()[0]!.attributes['runtrace.status']).toBe('completed');
  });

  it('never lets a failing recording break the request', async () => {
    // Throws on everything recorded after the request went out: response headers and bodies.
    const failing: InstrumentationRedactor = {
      redactUrl: (url) => defaultRedactor.redactUrl(url),
      redactValue: (value) => defaultRedactor.redactValue(value),
      redactText: (text) => defaultRedactor.redactText(text),
      redactHeaders(headers) {
        if (headers['x-reply'] !== undefined) throw new Error('redactor failed on the response');
        return defaultRedactor.redactHeaders(headers);
      },
      redactBody() {
        throw new Error('redactor failed on a body');
      },
    };
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full', redactor: failing });
    const inner = new LoggingHandler();
    await inStep(recorder, async () => {
      recordingDispatch()({ origin, path: '/echo', method: 'POST', body: Readable.from([Buffer.from('{"a":1}')]) }, inner);
      await inner.done;
    });
    expect(inner.calls.slice(inner.calls.indexOf('onHeaders'))).toEqual(['onHeaders', 'onData', 'onComplete']);
    expect(JSON.parse(inner.body())).toEqual({ received: '{"a":1}' });
    expect(inner.sent).toEqual(['{"a":1}']);
  });

  it('lets the request pass unrecorded when the attempt cannot start', async () => {
    const recorder = new Recorder({
      tracerProvider: otel.provider,
      redactor: {
        redactUrl() {
          throw new Error('redactor failed on the URL');
        },
        redactHeaders: (headers) => defaultRedactor.redactHeaders(headers),
        redactValue: (value) => defaultRedactor.redactValue(value),
        redactText: (text) => defaultRedactor.redactText(text),
        redactBody: (body, contentType, options) => defaultRedactor.redactBody(body, contentType, options),
      },
    });
    const inner = new LoggingHandler();
    await inStep(recorder, async () => {
      recordingDispatch()({ origin, path: '/echo', method: 'POST', body: 'x' }, inner);
      await inner.done;
    });
    expect(JSON.parse(inner.body())).toEqual({ received: 'x' });
    expect(attempts()).toHaveLength(0);
  });
});

describe('LegacyAttemptHandler called directly', () => {
  it('returns exactly what the real handler returns from onHeaders and onData', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const results: boolean[] = [];
    const inner: LegacyDispatchHandler = {
      onHeaders: () => results.shift()!,
      onData: () => results.shift()!,
    };
    const handler = await capturedHandler(recorder, inner);
    const resume = (): void => undefined;
    results.push(false, true, false);
    expect(handler.onHeaders!(200, [Buffer.from('content-type'), Buffer.from('text/plain')], resume, 'OK')).toBe(false);
    expect(handler.onData!(Buffer.from('one'))).toBe(true);
    expect(handler.onData!(Buffer.from('two'))).toBe(false);
    // A real handler without these callbacks never pauses the response.
    const bare = await capturedHandler(recorder, {});
    expect(bare.onHeaders!(200, [], resume, 'OK')).toBe(true);
    expect(bare.onData!(Buffer.from('x'))).toBe(true);
  });

  it('passes the real handler its arguments unchanged', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const seen: unknown[][] = [];
    const inner: LegacyDispatchHandler = {
      onConnect: (...args) => void seen.push(['onConnect', ...args]),
      onHeaders: (...args) => seen.push(['onHeaders', ...args]) > 0,
      onData: (...args) => seen.push(['onData', ...args]) > 0,
      onComplete: (...args) => void seen.push(['onComplete', ...args]),
      onBodySent: (...args) => void seen.push(['onBodySent', ...args]),
      onRequestSent: () => void seen.push(['onRequestSent']),
      onResponseStarted: () => void seen.push(['onResponseStarted']),
    };
    const handler = await capturedHandler(recorder, inner);
    const abort = (): void => undefined;
    const resume = (): void => undefined;
    const headers = [Buffer.from('content-type'), Buffer.from('application/json')];
    const chunk = Buffer.from('{}');
    const trailers = [Buffer.from('x-trailer'), Buffer.from('1')];
    handler.onConnect!(abort, 'context');
    handler.onBodySent!('sent');
    handler.onRequestSent!();
    handler.onResponseStarted!();
    handler.onHeaders!(200, headers, resume, 'OK');
    handler.onData!(chunk);
    handler.onComplete!(trailers);
    expect(seen).toEqual([
      ['onConnect', abort, 'context'],
      ['onBodySent', 'sent'],
      ['onRequestSent'],
      ['onResponseStarted'],
      ['onHeaders', 200, headers, resume, 'OK'],
      ['onData', chunk],
      ['onComplete', trailers],
    ]);
    expect(seen[4]![2]).toBe(headers);
    expect(seen[5]![1]).toBe(chunk);
    expect(attempts()[0]!.attributes).toMatchObject({ 'runtrace.status': 'completed', 'http.response.status_code': 200 });
  });

  it("propagates the real handler's own errors unchanged, after recording the failure", async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const thrown = new Error('the real handler failed');
    const failingData = await capturedHandler(recorder, {
      onData() {
        throw thrown;
      },
    });
    expect(() => failingData.onData!(Buffer.from('x'))).toThrow(thrown);
    // Without onError, the error is thrown back to the dispatcher, as undici does for such a handler.
    const error = new Error('connection reset');
    const noOnError = await capturedHandler(recorder, {});
    expect(() => noOnError.onError!(error)).toThrow(error);
    const failed = attempts().filter((span) => span.attributes['runtrace.status'] === 'error');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attributes['runtrace.attempt.error']).toBe('Error: connection reset');
  });
});
