// OTLP/gRPC into the collector: the official gRPC exporter lands the same rows as the
// http/protobuf and http/json exporters; failures map to gRPC statuses (INVALID_ARGUMENT never
// retried, UNAUTHENTICATED, RESOURCE_EXHAUSTED with RetryInfo), partial success is reported.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ServiceError } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { startCollector } from '@runtrace/collector';
import type { Collector } from '@runtrace/collector';
import { GenAiAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

let dir: string;
const collectors: Collector[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-grpc-'));
});
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((collector) => collector.close()));
  await rm(dir, { recursive: true, force: true });
});

/** Runs (run, step, tool call) recorded with the real SDK, as a service would export them. */
function recordRuns(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('grpc-test', '1.0.0');
  for (let index = 0; index < count; index++) {
    const run = tracer.startSpan('invoke_agent', { attributes: { [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.RUN_KIND]: 'chat_turn', [RuntraceAttributes.STATUS]: 'in_progress' } });
    const runId = run.spanContext().spanId;
    run.setAttribute(RuntraceAttributes.RUN_ID, runId);
    const parent = { traceId: run.spanContext().traceId, spanId: runId, traceFlags: 1 };
    const step = tracer.startSpan('chat gpt-4o-mini', { attributes: { [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP, [RuntraceAttributes.RUN_ID]: runId, [RuntraceAttributes.STEP_NUMBER]: 1, [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [GenAiAttributes.USAGE_INPUT_TOKENS]: 10 + index, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 3, 'app.big': index * 1000 } }, traceContext(parent));
    step.setAttribute(RuntraceAttributes.STATUS, 'completed');
    step.end();
    run.setAttribute(RuntraceAttributes.STATUS, 'completed');
    run.end();
  }
  return memory.getFinishedSpans();
}

function traceContext(parent: { traceId: string; spanId: string; traceFlags: number }): Context {
  return trace.setSpanContext(context.active(), parent);
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

/** What a store holds, without anything that depends on how the spans arrived. */
function rows(path: string): unknown {
  const store = openStore({ path, sweepOnOpen: false });
  try {
    return store.listRuns({ limit: 100, sort: 'start', direction: 'asc' }).runs.map((run) => {
      const detail = store.getRun(run.runId)!;
      return { run, steps: detail.steps };
    });
  } finally {
    store.close();
  }
}

/** One raw Export call, with grpc-js itself: the status code, or the response bytes. */
function rawExport(address: string, body: Uint8Array, metadata = new Metadata()): Promise<{ code: number; details: string; metadata: Metadata | undefined; response: Buffer | undefined }> {
  const client = new Client(address.replace(/^http:\/\//, ''), credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      EXPORT,
      (value: Uint8Array) => Buffer.from(value),
      (bytes: Buffer) => bytes,
      body,
      metadata,
      (error: ServiceError | null, response?: Buffer) => {
        client.close();
        resolve(error === null ? { code: 0, details: '', metadata: undefined, response } : { code: error.code, details: error.details, metadata: error.metadata, response: undefined });
      },
    );
  });
}

describe('OTLP/gRPC into the collector', () => {
  it('the gRPC, http/protobuf and http/json exporters land identical rows', async () => {
    const spans = recordRuns(4);
    const paths = { grpc: join(dir, 'grpc.db'), protobuf: join(dir, 'protobuf.db'), json: join(dir, 'json.db') };
    const grpc = await startStoreCollector(paths.grpc, { port: 0, grpcPort: 0 });
    const protobuf = await startStoreCollector(paths.protobuf, { port: 0 });
    const json = await startStoreCollector(paths.json, { port: 0 });
    try {
      expect(grpc.address!.grpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await exportWith(new GrpcExporter({ url: grpc.address!.grpcUrl! }), spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(new GrpcExporter({ url: grpc.address!.grpcUrl!, compression: 'gzip' as never }), recordRuns(1))).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(new ProtobufExporter({ url: protobuf.url! }), spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(new JsonExporter({ url: json.url! }), spans)).code).toBe(ExportResultCode.SUCCESS);
      expect(grpc.stats()).toMatchObject({ requests: 2, failedRequests: 0, acceptedSpans: 10 });
    } finally {
      await Promise.all([grpc.close(), protobuf.close(), json.close()]);
    }
    const fromGrpc = rows(paths.grpc) as { run: { runId: string } }[];
    expect(fromGrpc).toHaveLength(5);
    // The four runs sent the same way three times are the same rows (the gzip one is the fifth).
    const same = new Set(spans.filter((span) => span.attributes[RuntraceAttributes.SPAN_KIND] === SpanKinds.RUN).map((span) => span.spanContext().spanId));
    const sameRows = (path: string): unknown => (rows(path) as { run: { runId: string } }[]).filter((row) => same.has(row.run.runId));
    expect(sameRows(paths.grpc)).toEqual(rows(paths.protobuf));
    expect(rows(paths.protobuf)).toEqual(rows(paths.json));
  });

  it('maps failures to gRPC statuses and reports partial success', async () => {
    const token = 'grpc-token-0123456789';
    const collector = await startStoreCollector(join(dir, 'errors.db'), { port: 0, grpcPort: 0, bearerToken: token });
    collectors.push(collector);
    const address = collector.address!.grpcUrl!;
    const authorized = new Metadata();
    authorized.set('authorization', `Bearer ${token}`);
    // No token: UNAUTHENTICATED (16).
    expect(await rawExport(address, new Uint8Array(0))).toMatchObject({ code: 16 });
    // Not protobuf: INVALID_ARGUMENT (3), which OTLP clients never retry.
    const malformed = await rawExport(address, new Uint8Array([0x0a, 0xff, 0xff]), authorized);
    expect(malformed.code).toBe(3);
    expect(malformed.details).toMatch(/OTLP/);
    // An empty request is fine: OK with an empty response.
    expect(await rawExport(address, new Uint8Array(0), authorized)).toMatchObject({ code: 0, response: Buffer.alloc(0) });
  });

  it('answers RESOURCE_EXHAUSTED with RetryInfo while the collector is behind', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const collector = await startCollector({ sink: () => held, port: 0, grpcPort: 0, maxPendingSpans: 1 });
    try {
      const exporter = new GrpcExporter({ url: collector.address!.grpcUrl! });
      const first = new Promise<ExportResult>((resolve) => exporter.export(recordRuns(1), resolve));
      // Wait until the first call holds the pending budget.
      const deadline = Date.now() + 5_000;
      while (collector.stats().pendingSpans === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const busy = await rawExport(collector.address!.grpcUrl!, new Uint8Array(0));
      expect(busy.code).toBe(8);
      const details = busy.metadata?.get('grpc-status-details-bin')[0];
      expect(Buffer.isBuffer(details) && details.includes(Buffer.from('type.googleapis.com/google.rpc.RetryInfo'))).toBe(true);
      release();
      expect((await first).code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
    } finally {
      release();
      await collector.close();
    }
  });
});
