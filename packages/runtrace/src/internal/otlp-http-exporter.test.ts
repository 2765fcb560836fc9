import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpHttpExporter } from './otlp-http-exporter.js';
import type { OtlpHttpExporterOptions } from './otlp-http-exporter.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A real HTTP server on port 0 answering each request with the next handler (the last one repeats). */
async function serve(...handlers: Handler[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      received.push({ headers: request.headers, body });
      const handler = handlers[Math.min(received.length - 1, handlers.length - 1)]!;
      handler(request, response, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

const answer =
  (status: number, headers: Record<string, string> = {}, body = ''): Handler =>
  (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };

const silent: Handler = () => {
  // Never answers.
};

function spans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('test');
  for (let index = 0; index < count; index++) tracer.startSpan(`span-${index}`).end();
  return memory.getFinishedSpans();
}

function exporter(url: string, overrides: Partial<OtlpHttpExporterOptions> = {}): { exporter: OtlpHttpExporter; failures: [string, number][] } {
  const failures: [string, number][] = [];
  const created = new OtlpHttpExporter({
    endpoint: url,
    headers: {},
    protocol: 'http/protobuf',
    timeoutMillis: 10_000,
    compression: 'none',
    random: () => 0.5,
    onExportFailure: (error, count) => failures.push([error.message, count]),
    ...overrides,
  });
  return { exporter: created, failures };
}

function exportOnce(target: OtlpHttpExporter, batch: ReadableSpan[]): Promise<ExportResult[]> {
  const results: ExportResult[] = [];
  return new Promise((resolve) => {
    target.export(batch, (result) => {
      results.push(result);
      // A second call would show up here before the test reads the array.
      setImmediate(() => resolve(results));
    });
  });
}

describe('OtlpHttpExporter', () => {
  it('posts protobuf with the configured headers and gzip, and counts what the backend accepted', async () => {
    const backend = await serve(answer(200, { 'content-type': 'application/x-protobuf' }));
    const { exporter: target } = exporter(backend.url, { headers: { 'api-key': 'k1', 'Content-Type': 'text/plain' }, compression: 'gzip' });
    const results = await exportOnce(target, spans(3));
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    const [request] = backend.received;
    expect(request?.headers).toMatchObject({ 'api-key': 'k1', 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(gunzipSync(request!.body).toString('latin1')).toContain('span-2');
    expect(target.stats()).toEqual({ receivedSpans: 3, exportedSpans: 3, failedSpans: 0, inFlightSpans: 0 });
    await target.shutdown();
  });

  it('retries 503 (honouring Retry-After) and succeeds without reporting a failure', async () => {
    const backend = await serve(answer(503, { 'retry-after': '0' }), answer(200));
    const { exporter: target, failures } = exporter(backend.url);
    expect(await exportOnce(target, spans(2))).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(backend.received).toHaveLength(2);
    expect(failures).toEqual([]);
    expect(target.stats().exportedSpans).toBe(2);
  });

  it('does not retry a 400, calls back once with FAILED, and reports the answer', async () => {
    const backend = await serve(answer(400, { 'content-type': 'text/plain' }, 'bad payload'));
    const { exporter: target, failures } = exporter(backend.url);
    const results = await exportOnce(target, spans(2));
    expect(results).toHaveLength(1);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    expect(backend.received).toHaveLength(1);
    expect(failures).toEqual([['400 Bad Request: bad payload', 2]]);
    expect(target.stats()).toMatchObject({ exportedSpans: 0, failedSpans: 2 });
  });

  it('gives up on a refused connection within the export timeout, naming the cause', async () => {
    const backend = await serve(answer(200));
    const closedUrl = backend.url;
    await Promise.all(closers.splice(0).map((close) => close()));
    const { exporter: target, failures } = exporter(closedUrl, { timeoutMillis: 300 });
    const started = Date.now();
    const results = await exportOnce(target, spans(1));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    expect(failures).toEqual([['connection refused (ECONNREFUSED)', 1]]);
    expect(target.lastError?.message).toBe('connection refused (ECONNREFUSED)');
  });

  it('abort() cuts an export waiting on a silent backend at once, without a per-export report, and refuses later exports', async () => {
    const backend = await serve(silent);
    const { exporter: target, failures } = exporter(backend.url);
    const pending = exportOnce(target, spans(4));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.stats().inFlightSpans).toBe(4);
    const started = Date.now();
    target.abort(new Error('the 2000 ms shutdown timeout ran out'));
    const results = await pending;
    expect(Date.now() - started).toBeLessThan(500);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ code: ExportResultCode.FAILED, error: new Error('the 2000 ms shutdown timeout ran out') });
    expect(failures).toEqual([]);
    expect(target.stats()).toEqual({ receivedSpans: 4, exportedSpans: 0, failedSpans: 4, inFlightSpans: 0 });
    expect((await exportOnce(target, spans(1)))[0]?.code).toBe(ExportResultCode.FAILED);
    await target.forceFlush();
  });

  it('abort() also cancels a retry that is waiting out its backoff', async () => {
    const backend = await serve(answer(503, { 'retry-after': '30' }));
    const { exporter: target } = exporter(backend.url, { timeoutMillis: 60_000 });
    const pending = exportOnce(target, spans(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(backend.received).toHaveLength(1);
    target.abort(new Error('stop'));
    expect((await pending)[0]?.code).toBe(ExportResultCode.FAILED);
    expect(target.lastError?.message).toBe('503 Service Unavailable');
  });

  it('counts spans the backend rejected in a partial success as failed', async () => {
    const backend = await serve(answer(200, { 'content-type': 'application/json' }, '{"partialSuccess":{"rejectedSpans":2,"errorMessage":"too old"}}'));
    const { exporter: target, failures } = exporter(backend.url, { protocol: 'http/json' });
    expect(await exportOnce(target, spans(5))).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(backend.received[0]?.headers['content-type']).toBe('application/json');
    expect(target.stats()).toMatchObject({ exportedSpans: 3, failedSpans: 2 });
    expect(failures).toEqual([['the backend rejected 2 of 5 spans: too old', 2]]);
  });
});
