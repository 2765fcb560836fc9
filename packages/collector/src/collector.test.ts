import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { InvalidArgumentError } from '@runtrace/core';
import { Collector, startCollector } from './collector.js';
import type { CollectorEvent, CollectorOptions } from './collector-options.js';
import { attr, fixed64, msg, request as otlpRequest, span, START_NS, str } from './__fixtures__/protobuf-writer.js';
import { makeSpans } from './__fixtures__/real-spans.js';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}, options: { method?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw connection, for clients that send slowly or not at all. */
interface RawClient {
  readonly socket: Socket;
  /** What the server sent so far. */
  text(): string;
  /** Everything the server sent, once it closed the connection, and how long that took. */
  readonly closed: Promise<{ readonly text: string; readonly ms: number }>;
}

function rawClient(url: string, ...parts: (string | Uint8Array)[]): Promise<RawClient> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1', () => {
      for (const part of parts) socket.write(part);
      resolve({ socket, closed, text: () => text });
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    const closed = new Promise<{ text: string; ms: number }>((done) => socket.on('close', () => done({ text, ms: performance.now() - started })));
  });
}

function requestHead(url: string, headers: Record<string, string | number>): string {
  const { pathname } = new URL(url);
  const lines = Object.entries({ Host: 'collector', ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `POST ${pathname} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

type Compression = NonNullable<NonNullable<ConstructorParameters<typeof ProtobufExporter>[0]>['compression']>;
const GZIP = 'gzip' as Compression;
const PROTOBUF = { 'Content-Type': 'application/x-protobuf' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

const open: Collector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((collector) => collector.close()));
});

async function start(options: Partial<CollectorOptions> = {}): Promise<{ collector: Collector; url: string; received: ReadableSpan[]; events: CollectorEvent[] }> {
  const received: ReadableSpan[] = [];
  const events: CollectorEvent[] = [];
  const base: CollectorOptions = options.processor === undefined ? { sink: options.sink ?? ((spans) => void received.push(...spans)) } : {};
  const collector = await startCollector({ ...base, port: 0, ...options });
  open.push(collector);
  collector.subscribe((event) => events.push(event));
  return { collector, url: collector.url!, received, events };
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('Collector', () => {
  it('receives spans from the real OTLP protobuf and JSON exporters, plain and gzip', async () => {
    const { url, received, collector } = await start();
    const original = makeSpans();
    const exporters: SpanExporter[] = [
      new ProtobufExporter({ url }),
      new HttpJsonExporter({ url }),
      new ProtobufExporter({ url, compression: GZIP }),
      new HttpJsonExporter({ url, compression: GZIP }),
    ];
    for (const exporter of exporters) {
      const result = await exportWith(exporter, original);
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
    }
    expect(received).toHaveLength(original.length * 4);
    const ids = original.map((s) => s.spanContext().spanId);
    for (let i = 0; i < 4; i++) {
      expect(received.slice(i * original.length, (i + 1) * original.length).map((s) => s.spanContext().spanId)).toEqual(ids);
    }
    expect(collector.stats()).toMatchObject({ requests: 4, failedRequests: 0, acceptedSpans: original.length * 4, rejectedSpans: 0 });
  });

  it('feeds a processor through ingest()', async () => {
    const ingested: ReadableSpan[][] = [];
    const { url } = await start({ processor: { ingest: (spans) => void ingested.push([...spans]) } });
    const reply = await post(url, otlpRequest(span()), PROTOBUF);
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(0);
    expect(ingested).toHaveLength(1);
    expect(ingested[0]![0]!.name).toBe('chat gpt-4o');
  });

  it('answers 200 with partial_success in the encoding of the request', async () => {
    const { url, events } = await start();
    const body = otlpRequest(span(), span({ end: 0n }));
    const proto = await post(url, body, PROTOBUF);
    expect(proto.status).toBe(200);
    expect(proto.headers['content-type']).toBe('application/x-protobuf');
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 1, error_message (2) } }
    expect(proto.body[0]).toBe(0x0a);
    expect(proto.body[2]).toBe(0x08);
    expect(proto.body[3]).toBe(1);
    expect(proto.body.toString('utf8')).toContain('span has no end time');

    const json = await post(
      url,
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', startTimeUnixNano: String(START_NS) }] }] }] }),
      JSON_TYPE,
    );
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body.toString())).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: '1 span rejected: span has no end time' } });
    expect(events.map((event) => [event.status, event.acceptedSpans, event.rejectedSpans])).toEqual([
      [200, 1, 1],
      [200, 0, 1],
    ]);
  });

  it('answers 400 with a google.rpc.Status message for undecodable bodies', async () => {
    const { url, received } = await start();
    const proto = await post(url, Uint8Array.from([0x0a, 0x05, 0x01]), PROTOBUF);
    expect(proto.status).toBe(400);
    expect(proto.headers['content-type']).toBe('application/x-protobuf');
    expect(proto.body[0]).toBe(0x08); // code
    expect(proto.body[1]).toBe(3); // INVALID_ARGUMENT
    expect(proto.body.toString('utf8')).toContain('overruns');
    const json = await post(url, '{"resourceSpans": 3}', JSON_TYPE);
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body.toString())).toMatchObject({ code: 3, message: expect.stringContaining('resourceSpans must be an array') });
    const gzip = await post(url, 'not gzip', { ...PROTOBUF, 'Content-Encoding': 'gzip' });
    expect(gzip.status).toBe(400);
    expect(gzip.body.toString()).toContain('invalid gzip body');
    expect(received).toHaveLength(0);
  });

  it('answers 413 over the body limit and for a gzip bomb, and keeps serving', async () => {
    const { url, received } = await start({ maxBodyBytes: 64 * 1024, maxDecompressedBytes: 256 * 1024 });
    const tooBig = await post(url, new Uint8Array(100 * 1024), PROTOBUF);
    expect(tooBig.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const bombReply = await post(url, bomb, { ...PROTOBUF, 'Content-Encoding': 'gzip' });
    expect(bombReply.status).toBe(413);
    expect(bombReply.body.toString()).toContain('inflates beyond');
    const ok = await post(url, gzipSync(otlpRequest(span())), { ...PROTOBUF, 'Content-Encoding': 'gzip' });
    expect(ok.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('answers 415, 404, 405 and 401 as an OTLP endpoint does', async () => {
    const { url } = await start({ bearerToken: 's3cret' });
    const auth = { Authorization: 'Bearer s3cret' };
    expect((await post(url, 'x', { 'Content-Type': 'text/plain', ...auth })).status).toBe(415);
    expect((await post(url, 'x', { ...PROTOBUF, 'Content-Encoding': 'br', ...auth })).status).toBe(415);
    expect((await post(url.replace('/v1/traces', '/v1/metrics'), 'x', PROTOBUF)).status).toBe(404);
    const get = await post(url, '', auth, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const missing = await post(url, otlpRequest(span()), PROTOBUF);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect((await post(url, otlpRequest(span()), { ...PROTOBUF, Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(url, otlpRequest(span()), { ...PROTOBUF, ...auth })).status).toBe(200);
    expect((await post(`${url}?x=1`, otlpRequest(span()), { 'Content-Type': 'application/x-protobuf; charset=binary', ...auth })).status).toBe(200);
  });

  it('answers 429 with Retry-After while the destination backlog is full', async () => {
    let backlog = 0;
    const { url, received } = await start({ backlog: () => backlog, maxPendingSpans: 100, retryAfterSeconds: 7 });
    backlog = 100;
    const behind = await post(url, otlpRequest(span()), PROTOBUF);
    expect(behind.status).toBe(429);
    expect(behind.headers['retry-after']).toBe('7');
    backlog = 99;
    expect((await post(url, otlpRequest(span()), PROTOBUF)).status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('holds the answer until an async sink settles, counts pending spans, and answers 503 when it fails', async () => {
    let release: () => void = () => undefined;
    let fail = false;
    const { url, collector } = await start({
      maxPendingSpans: 1,
      sink: () =>
        fail
          ? Promise.reject(new Error('disk full'))
          : new Promise<void>((resolve) => {
              release = resolve;
            }),
    });
    const first = post(url, otlpRequest(span()), PROTOBUF);
    await expect.poll(() => collector.stats().pendingSpans).toBe(1);
    const second = await post(url, otlpRequest(span()), PROTOBUF);
    expect(second.status).toBe(429);
    release();
    expect((await first).status).toBe(200);
    expect(collector.stats().pendingSpans).toBe(0);
    fail = true;
    const failed = await post(url, otlpRequest(span()), PROTOBUF);
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.body.toString()).toContain('disk full');
  });

  it('answers 503 when a synchronous sink throws, and keeps serving', async () => {
    let calls = 0;
    const { url } = await start({
      sink: () => {
        calls++;
        if (calls === 1) throw new Error('store closed');
      },
    });
    expect((await post(url, otlpRequest(span()), PROTOBUF)).status).toBe(503);
    expect((await post(url, otlpRequest(span()), PROTOBUF)).status).toBe(200);
  });

  it('serves many requests over one keep-alive connection', async () => {
    const { url, received } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const replies = await Promise.all(Array.from({ length: 20 }, () => post(url, otlpRequest(span()), PROTOBUF, { agent })));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      expect(received).toHaveLength(20);
    } finally {
      agent.destroy();
    }
  });

  it('validates its options', () => {
    expect(() => new Collector({})).toThrow(InvalidArgumentError);
    expect(() => new Collector({})).toThrow(/exactly one of processor or sink/);
    // The store and forwarding belong to the pipeline now; a caller of the old options is told where they went.
    expect(() => new Collector({ sink: () => undefined, databasePath: 'x.db' } as CollectorOptions)).toThrow(/createIngestPipeline/);
    expect(() => new Collector({ sink: () => undefined, forward: { url: 'http://upstream/v1/traces' } } as CollectorOptions)).toThrow(/createIngestPipeline/);
    expect(() => new Collector({ sink: () => undefined, processor: { ingest: () => undefined } })).toThrow(InvalidArgumentError);
    expect(() => new Collector({ sink: () => undefined, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => new Collector({ sink: () => undefined, port: 70_000 })).toThrow(/port/);
    expect(() => new Collector({ sink: () => undefined, bearerToken: '' })).toThrow(/bearerToken/);
    expect(() => new Collector({ sink: () => undefined, maxInFlightBytes: 0 })).toThrow(/maxInFlightBytes/);
    expect(() => new Collector({ sink: () => undefined, maxInFlightDecodedBytes: 1.5 })).toThrow(/maxInFlightDecodedBytes/);
    expect(() => new Collector({ sink: () => undefined, headersTimeoutMs: -1 })).toThrow(/headersTimeoutMs/);
    expect(() => new Collector({ sink: () => undefined, decode: { attributeCountLimit: -1 } })).toThrow(/decode\.attributeCountLimit/);
  });

  it('binds 127.0.0.1 by default, reports its address, and closes once', async () => {
    const { collector } = await start();
    expect(collector.address).toMatchObject({ host: '127.0.0.1' });
    expect(collector.url).toBe(`http://127.0.0.1:${collector.address!.port}/v1/traces`);
    let closed = 0;
    const other = new Collector({ sink: () => undefined, port: 0, onClose: () => void closed++ });
    await other.listen();
    await Promise.all([other.close(), other.close()]);
    expect(closed).toBe(1);
    await expect(other.listen()).rejects.toThrow(/shut down/);
  });

  it('rejects a taken port and releases what it created', async () => {
    const { collector } = await start();
    let closed = 0;
    await expect(startCollector({ sink: () => undefined, port: collector.address!.port, onClose: () => void closed++ })).rejects.toThrow(/EADDRINUSE/);
    expect(closed).toBe(1);
  });

  it('tells keep-alive clients to disconnect once it is closing', async () => {
    let release: () => void = () => undefined;
    const { url, collector } = await start({ sink: () => new Promise<void>((resolve) => (release = resolve)) });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const pending = post(url, otlpRequest(span()), PROTOBUF, { agent });
      await expect.poll(() => collector.stats().pendingSpans).toBe(1);
      const closing = collector.close();
      release();
      const reply = await pending;
      expect(reply.status).toBe(200);
      expect(reply.headers.connection).toBe('close');
      await closing;
    } finally {
      agent.destroy();
    }
  });

  it('answers 429 with Retry-After while other bodies fill the in-flight budget, keeps room for small requests, and 413 for a body that could never fit', async () => {
    // 64 KiB budget: bodies over 1 KiB may fill 48 KiB of it together.
    const { url, collector, received } = await start({ maxInFlightBytes: 64 * 1024 });
    const large = otlpRequest(span({ name: 'x'.repeat(30 * 1024) }));
    const held = await rawClient(url, requestHead(url, { ...PROTOBUF, 'Content-Length': large.length }), large.subarray(0, 100));
    await expect.poll(() => collector.stats().inFlightBytes).toBe(large.length);

    const second = otlpRequest(span({ name: 'y'.repeat(20 * 1024) }));
    const busy = await post(url, second, PROTOBUF);
    expect(busy.status).toBe(429);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body.toString()).toContain('receiving too much at once');
    const chunked = await post(url, second, { ...PROTOBUF, 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(429);
    const small = await post(url, otlpRequest(span()), PROTOBUF);
    expect(small.status).toBe(200);
    expect((await post(url, otlpRequest(span({ name: 'z'.repeat(49 * 1024) })), PROTOBUF)).status).toBe(413);

    held.socket.write(large.subarray(100));
    await expect.poll(() => held.text()).toMatch(/^HTTP\/1\.1 200 /);
    held.socket.destroy();
    await expect.poll(() => received.length).toBe(2);
    expect((await post(url, second, PROTOBUF)).status).toBe(200);
    expect(collector.stats().inFlightBytes).toBe(0);
  });

  it('answers 429 when decoded spans in progress fill their budget, and serves the retry', async () => {
    let release: () => void = () => undefined;
    let holding = true;
    const { url, collector } = await start({
      maxInFlightDecodedBytes: 256 * 1024,
      sink: () => (holding ? new Promise<void>((resolve) => (release = resolve)) : undefined),
    });
    const spans = (count: number): Uint8Array => otlpRequest(...Array.from({ length: count }, () => span()));
    const first = post(url, spans(200), PROTOBUF);
    await expect.poll(() => collector.stats().pendingSpans).toBe(200);
    expect(collector.stats().inFlightDecodedBytes).toBeGreaterThan(100 * 1024);
    const busy = await post(url, spans(150), PROTOBUF);
    expect(busy.status).toBe(429);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body.toString()).toContain('decoding too much at once');
    holding = false;
    release();
    expect((await first).status).toBe(200);
    expect(collector.stats().inFlightDecodedBytes).toBe(0);
    expect((await post(url, spans(150), PROTOBUF)).status).toBe(200);
  });

  it('answers 408 and closes the connection when a client sends its headers or body too slowly', async () => {
    const { url, collector, events } = await start({ headersTimeoutMs: 200, requestTimeoutMs: 500 });
    const slowHeaders = await rawClient(url, 'POST /v1/traces HTTP/1.1\r\nHost: collector\r\n');
    const headersAnswer = await slowHeaders.closed;
    expect(headersAnswer.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(headersAnswer.ms).toBeGreaterThanOrEqual(150);
    expect(headersAnswer.ms).toBeLessThan(5_000);

    const body = otlpRequest(span());
    const slowBody = await rawClient(url, requestHead(url, { ...PROTOBUF, 'Content-Length': body.length }), body.subarray(0, 10));
    const bodyAnswer = await slowBody.closed;
    expect(bodyAnswer.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyAnswer.ms).toBeGreaterThanOrEqual(400);
    expect(bodyAnswer.ms).toBeLessThan(5_000);
    await expect.poll(() => events.map((event) => event.status)).toEqual([408]);
    expect(collector.stats().inFlightBytes).toBe(0);
    // A prompt client is unaffected, however long its spans take downstream.
    expect((await post(url, body, PROTOBUF)).status).toBe(200);
  });

  it('does not time out a request whose spans take longer downstream than the request timeout', async () => {
    const { url } = await start({
      headersTimeoutMs: 100,
      requestTimeoutMs: 200,
      sink: () => new Promise<void>((resolve) => setTimeout(resolve, 700)),
    });
    expect((await post(url, otlpRequest(span()), PROTOBUF)).status).toBe(200);
  });

  it('counts what the span limits left out in its stats', async () => {
    const { url, collector, received } = await start({ decode: { attributeCountLimit: 2, eventCountLimit: 1 } });
    const event = msg(11, fixed64(1, START_NS), str(2, 'e'));
    const reply = await post(url, otlpRequest(span({ extra: [attr(9, 'a', '1'), attr(9, 'b', '2'), attr(9, 'c', '3'), event, event, event] })), PROTOBUF);
    expect(reply.status).toBe(200);
    expect(received[0]!.droppedAttributesCount).toBe(1);
    expect(received[0]!.droppedEventsCount).toBe(2);
    expect(collector.stats()).toMatchObject({ droppedAttributes: 1, droppedEvents: 2, droppedLinks: 0, truncatedValues: 0 });
  });
});
