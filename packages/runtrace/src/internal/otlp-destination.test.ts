import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticReporter } from '@runtrace/core/internal';
import { startMockOtlpBackend } from '@runtrace/testkit';
import type { MockOtlpBackend } from '@runtrace/testkit';
import { createOtlpDestination } from './otlp-destination.js';

function spans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] }).getTracer('test');
  for (let index = 0; index < count; index++) tracer.startSpan(`span-${index}`).end();
  return memory.getFinishedSpans();
}

let backend: MockOtlpBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

function setup(url: string, maxQueueSpans?: number, shutdownTimeoutMs = 2_000) {
  const lines: string[] = [];
  const reporter = new DiagnosticReporter({ sink: (line) => lines.push(line) });
  const otlp = createOtlpDestination({
    otlp: { endpoint: url, headers: {}, protocol: 'http/protobuf', timeoutMillis: 10_000, compression: 'none', tls: {} },
    content: 'metadata',
    sampling: 'all',
    scheduledDelayMillis: 60_000,
    reporter,
    localCopy: () => true,
    shutdownTimeoutMs,
    ...(maxQueueSpans === undefined ? {} : { maxQueueSpans }),
  });
  return { otlp, lines };
}

describe('createOtlpDestination', () => {
  it('exports through the batch processor and counts what arrived', async () => {
    backend = await startMockOtlpBackend({ status: 200 });
    const { otlp, lines } = setup(backend.url);
    for (const span of spans(3)) otlp.destination.processor.onEnd(span);
    expect(otlp.stats()).toMatchObject({ exportedSpans: 0, queuedSpans: 3 });
    // As RunSpanProcessor flushes a destination: the batch processor, then the exporter's requests in flight.
    await otlp.destination.processor.forceFlush();
    await otlp.destination.exporter?.forceFlush?.();
    expect(otlp.stats()).toEqual({ endpoint: backend.url, exportedSpans: 3, failedSpans: 0, droppedSpans: 0, queuedSpans: 0 });
    otlp.startShutdownClock();
    await otlp.destination.processor.shutdown();
    otlp.finishShutdown();
    expect(lines).toEqual([]);
  });

  it('starts its own shutdown clock when a provider shuts it down before the pipeline does', async () => {
    backend = await startMockOtlpBackend('silent');
    const { otlp, lines } = setup(backend.url, undefined, 300);
    for (const span of spans(2)) otlp.destination.processor.onEnd(span);
    const started = Date.now();
    await otlp.destination.processor.shutdown();
    otlp.finishShutdown();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(lines).toEqual([expect.stringContaining('2 spans did not reach OTLP') as string]);
  });

  it('bounds its queue: what does not fit is dropped, counted and reported', async () => {
    backend = await startMockOtlpBackend('silent');
    const { otlp, lines } = setup(backend.url, 2, 0);
    // In one synchronous burst: a full batch (2) is handed to the exporter, 2 more wait, the rest do not fit.
    for (const span of spans(6)) otlp.destination.processor.onEnd(span);
    expect(otlp.stats()).toMatchObject({ droppedSpans: 2, queuedSpans: 4 });
    expect(lines).toEqual([
      `runtrace: 1 span dropped so far: the OTLP queue (2 spans) is full because ${backend.url} does not keep up; the local store has them: check the backend`,
    ]);
    otlp.startShutdownClock();
    await otlp.destination.processor.shutdown();
    otlp.finishShutdown();
  });

  it('gives up at the shutdown deadline on a backend that never answers, and says how many spans did not arrive', async () => {
    backend = await startMockOtlpBackend('silent');
    const { otlp, lines } = setup(backend.url, undefined, 300);
    for (const span of spans(4)) otlp.destination.processor.onEnd(span);
    const started = Date.now();
    otlp.startShutdownClock();
    await otlp.destination.processor.forceFlush();
    await otlp.destination.exporter?.forceFlush?.();
    await otlp.destination.processor.shutdown();
    otlp.finishShutdown();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(otlp.stats()).toMatchObject({ exportedSpans: 0, failedSpans: 4, queuedSpans: 0 });
    expect(lines).toEqual([
      `runtrace: 4 spans did not reach OTLP at ${backend.url} within the 300 ms shutdown timeout (the endpoint did not answer); the local store has them: check that the endpoint is up, or raise RUNTRACE_SHUTDOWN_TIMEOUT (shutdownTimeoutMs)`,
    ]);
  });
});
