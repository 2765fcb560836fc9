// Test-only: spans made by the real SDK, and the exact bytes real OTLP exporters send for them.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';

/** A small trace: a run with a step (event, error status) and a tool with a link. */
export function makeSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'agent-service', 'service.version': '2.0.0' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('runtrace-fixture', '0.9.1');
  const start = 1_763_700_000_000;
  tracer.startActiveSpan('invoke_agent chat_turn', { startTime: start, attributes: { 'runtrace.span.kind': 'run', 'runtrace.status': 'completed' } }, (run: Span) => {
    tracer.startActiveSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        startTime: start + 5,
        attributes: {
          'runtrace.span.kind': 'step',
          'gen_ai.usage.input_tokens': 1234,
          'gen_ai.response.finish_reasons': ['stop', 'length'],
          'runtrace.step.time_to_first_chunk_ms': 12.5,
          'runtrace.flag': true,
          'unicode.text': 'héllo — 日本語 🎉',
          'big.negative': -42,
        },
      },
      (step: Span) => {
        step.addEvent('runtrace.first_chunk', { 'runtrace.stream.bytes': 10 }, start + 17);
        step.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 500' });
        step.end(start + 40);
      },
    );
    const tool = tracer.startSpan('execute_tool search', {
      startTime: start + 41,
      attributes: { 'runtrace.span.kind': 'tool' },
      links: [{ context: run.spanContext(), attributes: { 'link.reason': 'caused-by' } }],
    });
    tool.end(start + 60);
    run.end(start + 100);
  });
  return memory.getFinishedSpans();
}

export interface CapturedRequest {
  readonly headers: IncomingHttpHeaders;
  /** The body as sent (gzip already inflated when the request was compressed). */
  readonly body: Buffer;
  readonly rawBody: Buffer;
}

/** Runs `exporter` (made for the given URL) against a plain server and returns what it sent. */
export async function captureExport(makeExporter: (url: string) => SpanExporter, spans: ReadableSpan[]): Promise<CapturedRequest> {
  let captured: CapturedRequest | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(rawBody) : rawBody;
      captured = { headers: request.headers, body, rawBody };
      response.writeHead(200, { 'Content-Type': request.headers['content-type'] ?? 'application/json' });
      response.end(request.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const exporter = makeExporter(`http://127.0.0.1:${port}/v1/traces`);
  try {
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    if (result.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${String(result.error)}`);
  } finally {
    await exporter.shutdown();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (captured === undefined) throw new Error('nothing was sent');
  return captured;
}
