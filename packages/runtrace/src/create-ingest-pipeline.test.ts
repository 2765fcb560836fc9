import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { openStore } from '@runtrace/store';
import { startMockOtlpBackend } from '@runtrace/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestPipeline } from './create-ingest-pipeline.js';
import { createRuntrace } from './create-runtrace.js';

/** Spans of `count` finished runs of one step each, as another service's runtrace would send them. */
async function finishedRuns(count: number): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const sender = createRuntrace({ store: false, env: {}, destinations: [{ processor: new SimpleSpanProcessor({ exporter: memory }), content: 'full' }] });
  const provider = new TracerProvider({ spanProcessors: [sender.processor] });
  trace.setGlobalTracerProvider(provider);
  for (let index = 0; index < count; index++) {
    await sender.recorder.run({ kind: 'chat_turn', label: `run ${index}` }, (run) => run.step({ operation: 'generate' }, () => index));
  }
  await sender.forceFlush();
  // Taken before shutting down: the memory exporter forgets its spans when it is shut down.
  const spans = [...memory.getFinishedSpans()];
  await sender.shutdown();
  await provider.shutdown();
  trace.disable();
  return spans;
}

describe('createIngestPipeline', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-ingest-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves ingest once the spans are committed, in slices, and forwards them to OTLP', async () => {
    const spans = await finishedRuns(1_500);
    expect(spans).toHaveLength(3_000);
    const backend = await startMockOtlpBackend();
    const path = join(dir, 'received.db');
    const pipeline = createIngestPipeline({ store: path, forward: { endpoint: backend.url, scheduledDelayMillis: 10 } });
    try {
      expect(pipeline.forward?.endpoint).toBe(backend.url);
      // 3,000 spans are more than one slice of 2,000: both are committed before ingest resolves.
      await pipeline.ingest(spans);
      const reader = openStore({ path, sweepOnOpen: false });
      const first = reader.listRuns({ limit: 1_000, status: 'completed' });
      const second = reader.listRuns({ limit: 1_000, status: 'completed', cursor: first.nextCursor! });
      expect(first.runs.length + second.runs.length).toBe(1_500);
      reader.close();
      await pipeline.forceFlush();
      await expect.poll(() => backend.received.length).toBeGreaterThan(0);
      expect(pipeline.stats().otlp?.exportedSpans).toBe(3_000);
    } finally {
      await pipeline.shutdown();
      await backend.close();
    }
  });

  it('reads nothing from the environment: no forwarding unless asked for', async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    try {
      const pipeline = createIngestPipeline({ store: false });
      expect(pipeline.forward).toBeUndefined();
      expect(pipeline.store).toBeUndefined();
      await pipeline.ingest(await finishedRuns(2));
      expect(pipeline.stats().processor.ingested).toBe(4);
      await pipeline.shutdown();
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    }
  });

  it('throws when the store cannot be opened; strict: false reports it and carries on without', async () => {
    // A directory is not a database file.
    expect(() => createIngestPipeline({ store: dir })).toThrow();
    const lines: string[] = [];
    const pipeline = createIngestPipeline({ store: dir, strict: false, diagnosticSink: (line) => lines.push(line) });
    expect(pipeline.store).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dir);
    await pipeline.shutdown();
  });
});
