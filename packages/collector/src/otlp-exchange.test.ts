// The exchange without a socket: requests made of a method, headers and a stream, answered as an OTLP endpoint answers.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import type { CollectorEvent } from './collector-options.js';
import { OtlpExchange } from './otlp-exchange.js';
import type { OtlpAnswer, OtlpRequest } from './otlp-exchange.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';

/** An OTLP/JSON export of `count` spans of one trace. */
function exportJson(count: number): string {
  const spans = Array.from({ length: count }, (_, index) => ({
    traceId: TRACE_ID,
    spanId: (index + 1).toString(16).padStart(16, '0'),
    name: `span ${index}`,
    kind: 1,
    startTimeUnixNano: '1765000000000000000',
    endTimeUnixNano: '1765000000500000000',
    status: {},
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });
}

function request(body: string | Buffer, headers: Record<string, string> = {}, extra: Partial<OtlpRequest> = {}): OtlpRequest {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return { method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers }, body: Readable.from([bytes]), ...extra };
}

function text(answer: OtlpAnswer): string {
  return Buffer.from(answer.body).toString('utf8');
}

describe('OtlpExchange', () => {
  it('decodes a JSON body and hands its spans to the sink, answering 200', async () => {
    const received: ReadableSpan[] = [];
    const exchange = new OtlpExchange({ sink: (spans) => void received.push(...spans) });
    const answer = await exchange.answer(request(exportJson(3)));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json');
    expect(JSON.parse(text(answer))).toEqual({});
    expect(received.map((span) => span.name)).toEqual(['span 0', 'span 1', 'span 2']);
    expect(received[0]!.resource.attributes['service.name']).toBe('checkout');
    expect(exchange.stats()).toMatchObject({ requests: 1, failedRequests: 0, acceptedSpans: 3, inFlightBytes: 0, inFlightDecodedBytes: 0 });
  });

  it('inflates gzip bodies, also when they come in several chunks without a length', async () => {
    const received: ReadableSpan[] = [];
    const exchange = new OtlpExchange({ sink: (spans) => void received.push(...spans) });
    const zipped = gzipSync(exportJson(5));
    const chunks = [zipped.subarray(0, 10), zipped.subarray(10, 40), zipped.subarray(40)];
    const answer = await exchange.answer({ method: 'POST', url: '/v1/traces?x=1', headers: { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' }, body: Readable.from(chunks) });
    expect(answer.status).toBe(200);
    expect(received).toHaveLength(5);
  });

  it('answers what cannot be accepted, without reading the body, and counts only the traces path', async () => {
    const exchange = new OtlpExchange({ sink: () => undefined, bearerToken: 'secret' });
    const authorized = { authorization: 'Bearer secret' };
    const cases: [OtlpRequest, number, RegExp][] = [
      [request(exportJson(1), authorized, { url: '/v1/metrics' }), 404, /traces are accepted on POST \/v1\/traces/],
      [request(exportJson(1), authorized, { method: 'GET' }), 405, /method GET not allowed/],
      [request(exportJson(1)), 401, /bearer token/],
      [request(exportJson(1), { ...authorized, 'content-type': 'text/plain' }), 415, /unsupported content type "text\/plain"/],
      [request(exportJson(1), { ...authorized, 'content-encoding': 'br' }), 415, /unsupported content encoding "br"/],
      [request('{"resourceSpans": [', authorized), 400, /./],
    ];
    for (const [input, status, message] of cases) {
      const answer = await exchange.answer(input);
      expect(answer.status, `${input.method} ${input.url}`).toBe(status);
      expect(answer.message).toMatch(message);
    }
    const stats = exchange.stats();
    expect(stats.requests).toBe(cases.length - 1);
    expect(stats.failedRequests).toBe(cases.length - 1);
  });

  it('tells a body cut short (400) from one the server timed out (408)', async () => {
    const exchange = new OtlpExchange({ sink: () => undefined });
    const cut = (): Readable => {
      const body = new Readable({ read() {} });
      body.push(Buffer.from('{"resourceSpans":'));
      setImmediate(() => body.destroy());
      return body;
    };
    const headers = { 'content-type': 'application/json', 'content-length': '1000' };
    expect((await exchange.answer({ method: 'POST', url: '/v1/traces', headers, body: cut() })).status).toBe(400);
    expect((await exchange.answer({ method: 'POST', url: '/v1/traces', headers, body: cut(), timedOut: () => true })).status).toBe(408);
  });

  it('answers 413 over the body limit and 429 with Retry-After while downstream is behind', async () => {
    let backlog = 0;
    const exchange = new OtlpExchange({ sink: () => undefined, maxBodyBytes: 1_000, backlog: () => backlog, maxPendingSpans: 10, retryAfterSeconds: 3 });
    expect((await exchange.answer(request(exportJson(20)))).status).toBe(413);
    backlog = 10;
    const busy = await exchange.answer(request(exportJson(1)));
    expect(busy.status).toBe(429);
    expect(busy.headers).toMatchObject({ 'Retry-After': '3' });
  });

  it('answers 503 when the sink fails, and from close on; close waits for the work handed on', async () => {
    let release = (): void => undefined;
    let fail = true;
    const exchange = new OtlpExchange({
      sink: () => {
        if (fail) return Promise.reject(new Error('disk full'));
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const failed = await exchange.answer(request(exportJson(1)));
    expect(failed.status).toBe(503);
    expect(failed.message).toBe('spans could not be stored: disk full');
    fail = false;
    const pending = exchange.answer(request(exportJson(2)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exchange.stats().pendingSpans).toBe(2);
    let closed = false;
    const closing = exchange.close().then(() => (closed = true));
    expect((await exchange.answer(request(exportJson(1)))).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    release();
    expect((await pending).status).toBe(200);
    await closing;
    expect(closed).toBe(true);
  });

  it('sends the answer before subscribers hear of the request, and survives a failing send or listener', async () => {
    const exchange = new OtlpExchange({ processor: { ingest: () => undefined } });
    const order: string[] = [];
    exchange.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = exchange.subscribe((event: CollectorEvent) => order.push(`event ${event.status} ${event.acceptedSpans}`));
    await exchange.answer(request(exportJson(2)), (answer) => order.push(`sent ${answer.status}`));
    const answer = await exchange.answer(request(exportJson(1)), () => {
      throw new Error('socket gone');
    });
    expect(answer.status).toBe(200);
    unsubscribe();
    await exchange.answer(request(exportJson(1)));
    expect(order).toEqual(['sent 200', 'event 200 2', 'event 200 1']);
  });

  it('answers gRPC messages with the same checks', async () => {
    const exchange = new OtlpExchange({ sink: () => undefined, bearerToken: 'secret', maxBodyBytes: 100 });
    expect((await exchange.answerGrpc(Buffer.alloc(0), undefined)).status).toBe(401);
    expect((await exchange.answerGrpc(Buffer.alloc(0), 'Bearer secret')).status).toBe(200);
    expect((await exchange.answerGrpc(Buffer.alloc(200), 'Bearer secret')).status).toBe(413);
  });

  it('takes exactly one of processor or sink', () => {
    expect(() => new OtlpExchange({})).toThrow(/exactly one of processor or sink/);
    expect(() => new OtlpExchange({ sink: () => undefined, processor: { ingest: () => undefined } })).toThrow(/exactly one of processor or sink/);
    expect(() => new OtlpExchange({ sink: () => undefined, path: 'traces' })).toThrow(/path/);
  });
});
