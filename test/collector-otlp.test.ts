// End to end through public entry points: real OTLP exporters → collector → processor → SQLite store → query API.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOtlpJson, type Collector, type OtlpDecodeSuccess } from '@runtrace/collector';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { startStoreCollector } from './__fixtures__/store-collector.js';

type ReadableSpan = OtlpDecodeSuccess['spans'][number];

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'runtrace-collector-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** An OTLP JSON AnyValue for a plain value. */
function anyValue(value: string | number | boolean | string[]): unknown {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function attributes(values: Record<string, string | number | boolean | string[]>): unknown[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function hexId(bytes: number, ...parts: number[]): string {
  return parts.map((part) => part.toString(16).padStart(8, '0')).join('').padStart(bytes * 2, 'a').slice(-bytes * 2);
}

function nanos(ms: number): string {
  return `${ms}000000`;
}

/**
 * `count` runs, each with a step, an attempt under the step and a tool call, shaped as runtrace
 * records them, as ReadableSpans (decoded from OTLP JSON, so no SDK is needed here).
 */
function recordRuns(count: number, seed: number): { spans: ReadableSpan[]; runIds: string[] } {
  const spans: unknown[] = [];
  const runIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = 1_763_700_000_000 + seed * 1_000_000 + i * 1_000;
    const traceId = hexId(16, seed, i, 7, 9);
    const runId = hexId(8, seed + 1, i + 1);
    const stepId = hexId(8, seed + 2, i + 1);
    const attemptId = hexId(8, seed + 3, i + 1);
    const toolId = hexId(8, seed + 4, i + 1);
    runIds.push(runId);
    const failed = i % 5 === 0;
    spans.push(
      {
        traceId, spanId: attemptId, parentSpanId: stepId, name: 'POST', kind: 3, startTimeUnixNano: nanos(t0 + 11), endTimeUnixNano: nanos(t0 + 60),
        attributes: attributes({
          [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT, [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
          [RuntraceAttributes.STEP_ID]: stepId, [RuntraceAttributes.ATTEMPT_NUMBER]: 1, [HttpAttributes.REQUEST_METHOD]: 'POST',
          [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions?api_key=sk-live-123', [HttpAttributes.RESPONSE_STATUS_CODE]: 200,
        }),
      },
      {
        traceId, spanId: stepId, parentSpanId: runId, name: 'chat gpt-4o-mini', kind: 3, startTimeUnixNano: nanos(t0 + 10), endTimeUnixNano: nanos(t0 + 70),
        attributes: attributes({
          [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP, [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
          [RuntraceAttributes.STEP_NUMBER]: 1, [RuntraceAttributes.STEP_OPERATION]: 'stream', [GenAiAttributes.OPERATION_NAME]: 'chat',
          [GenAiAttributes.PROVIDER_NAME]: 'openai', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [GenAiAttributes.USAGE_INPUT_TOKENS]: 100 + i,
          [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 20, [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
          [GenAiAttributes.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `question ${seed}-${i}` }] }]),
        }),
        events: [{ timeUnixNano: nanos(t0 + 30), name: 'runtrace.first_chunk' }],
      },
      {
        traceId, spanId: toolId, parentSpanId: runId, name: 'execute_tool search', kind: 1, startTimeUnixNano: nanos(t0 + 80), endTimeUnixNano: nanos(t0 + 90),
        attributes: attributes({
          [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL, [RuntraceAttributes.STATUS]: failed ? 'error' : 'completed', [RuntraceAttributes.RUN_ID]: runId,
          [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'search', [GenAiAttributes.TOOL_CALL_ID]: `call-${i}`,
        }),
        status: failed ? { code: 2, message: 'search failed' } : { code: 0 },
      },
      {
        traceId, spanId: runId, name: 'invoke_agent chat_turn', kind: 1, startTimeUnixNano: nanos(t0), endTimeUnixNano: nanos(t0 + 100),
        attributes: attributes({
          [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
          [RuntraceAttributes.RUN_KIND]: 'chat_turn', [RuntraceAttributes.RUN_LABEL]: `question ${seed}-${i}`, [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
          [GenAiAttributes.CONVERSATION_ID]: `conversation-${seed}`, [GenAiAttributes.PROVIDER_NAME]: 'openai', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        }),
      },
    );
  }
  const decoded = decodeOtlpJson(
    JSON.stringify({
      resourceSpans: [{ resource: { attributes: attributes({ 'service.name': 'remote-agent' }) }, scopeSpans: [{ scope: { name: 'collector-e2e' }, spans }] }],
    }),
  );
  if (!decoded.ok) throw decoded.error;
  expect(decoded.rejectedSpans).toBe(0);
  return { spans: decoded.spans, runIds };
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** The bytes a real exporter sends for `spans`, captured by a plain server. */
async function captureBody(makeExporter: (url: string) => SpanExporter, spans: ReadableSpan[]): Promise<Buffer> {
  let body: Buffer | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      body = Buffer.concat(chunks);
      res.writeHead(200, { 'Content-Type': req.headers['content-type'] ?? '' }).end(req.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = makeExporter(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`);
  const result = await exportWith(exporter, spans);
  await exporter.shutdown();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(result.code).toBe(ExportResultCode.SUCCESS);
  return body!;
}

function post(url: string, body: Uint8Array | string, headers: Record<string, string>, agent: Agent | false = false): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The store's view of the given runs. */
function runView(path: string, runIds: string[]): unknown[] {
  const store = openStore({ path });
  try {
    return runIds.map((runId) => store.getRun(runId));
  } finally {
    store.close();
  }
}

describe('collector end to end', () => {
  it('lands identical rows from the real OTLP/HTTP JSON and protobuf exporters', async () => {
    const { spans, runIds } = recordRuns(12, 1);
    const jsonPath = join(directory, 'json.db');
    const protoPath = join(directory, 'proto.db');
    const jsonCollector = await startStoreCollector(jsonPath, { port: 0 });
    const protoCollector = await startStoreCollector(protoPath, { port: 0 });
    try {
      const jsonExporter = new HttpJsonExporter({ url: jsonCollector.url! });
      const protoExporter = new ProtobufExporter({ url: protoCollector.url! });
      expect((await exportWith(jsonExporter, spans)).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportWith(protoExporter, spans)).code).toBe(ExportResultCode.SUCCESS);
      await jsonExporter.shutdown();
      await protoExporter.shutdown();
      expect(jsonCollector.stats().acceptedSpans).toBe(spans.length);
      expect(protoCollector.stats().acceptedSpans).toBe(spans.length);
    } finally {
      await jsonCollector.close();
      await protoCollector.close();
    }
    const fromJson = runView(jsonPath, runIds);
    const fromProto = runView(protoPath, runIds);
    expect(fromJson.every((run) => run !== undefined)).toBe(true);
    expect(fromJson).toEqual(fromProto);

    const store = openStore({ path: protoPath });
    try {
      const page = store.listRuns({ limit: 100 });
      expect(page.runs.map((run) => run.runId).sort()).toEqual([...runIds].sort());
      const detail = store.getRun(runIds[0]!)!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.attempts).toHaveLength(1);
      expect(detail.toolCalls).toHaveLength(1);
      expect(detail.steps[0]!.inputTokens).toBe(100);
      // The processor redacted the attempt URL on the way in.
      expect(detail.attempts[0]!.url).not.toContain('sk-live-123');
    } finally {
      store.close();
    }
  });

  it('survives hostile input and stores every valid request sent in between', async () => {
    const path = join(directory, 'hostile.db');
    const validRunIds: string[] = [];
    const collector: Collector = await startStoreCollector(path, { port: 0, maxBodyBytes: 1024 * 1024, maxDecompressedBytes: 4 * 1024 * 1024 });
    const url = collector.url!;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const proto = { 'Content-Type': 'application/x-protobuf' };
    try {
      const base = recordRuns(3, 2);
      const baseProto = await captureBody((target) => new ProtobufExporter({ url: target }), base.spans);
      const baseJson = await captureBody((target) => new HttpJsonExporter({ url: target }), base.spans);

      // Named attacks, each answered with the right 4xx.
      expect((await post(url, baseProto.subarray(0, baseProto.length - 7), proto, agent)).status).toBe(400);
      const wrongWireType = Buffer.from(baseProto);
      wrongWireType[0] = 0x08; // resource_spans as a varint
      expect((await post(url, wrongWireType, proto, agent)).status).toBe(400);
      const badUtf8 = Buffer.from(baseProto);
      const nameAt = badUtf8.indexOf('invoke_agent');
      badUtf8[nameAt] = 0xff;
      const badUtf8Reply = await post(url, badUtf8, proto, agent);
      expect(badUtf8Reply.status).toBe(400);
      expect(badUtf8Reply.body.toString()).toContain('invalid UTF-8');
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
      expect((await post(url, bomb, { ...proto, 'Content-Encoding': 'gzip' }, agent)).status).toBe(413);

      // 10,000 random mutations, with a distinct valid request every 500.
      const valid: { body: Buffer; runIds: string[] }[] = [];
      for (let i = 0; i < 20; i++) {
        const recorded = recordRuns(1, 100 + i);
        valid.push({ body: await captureBody((target) => new ProtobufExporter({ url: target }), recorded.spans), runIds: recorded.runIds });
        validRunIds.push(...recorded.runIds);
      }
      let seed = 42;
      const random = (limit: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed % limit;
      };
      const mutate = (source: Buffer): Buffer => {
        let body = Buffer.from(source);
        const edits = 1 + random(4);
        for (let e = 0; e < edits; e++) {
          switch (random(5)) {
            case 0: {
              const at = random(body.length);
              body[at] = body[at]! ^ (1 << random(8));
              break;
            }
            case 1:
              body[random(body.length)] = random(256);
              break;
            case 2:
              body = body.subarray(0, random(body.length));
              break;
            case 3: {
              const at = random(body.length + 1);
              body = Buffer.concat([body.subarray(0, at), Buffer.from([random(256), random(256), random(256)]), body.subarray(at)]);
              break;
            }
            default: {
              const at = random(body.length + 1);
              body = Buffer.concat([body.subarray(0, at), body.subarray(random(body.length))]);
            }
          }
          if (body.length === 0) body = Buffer.from([random(256)]);
        }
        return body;
      };
      const statuses = new Map<number, number>();
      const validStatuses: number[] = [];
      const total = 10_000;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          const i = next++;
          if (i % 500 === 0) {
            const reply = await post(url, valid[i / 500]!.body, proto, agent);
            validStatuses.push(reply.status);
          }
          const json = i % 10 === 9;
          const reply = await post(url, mutate(json ? baseJson : baseProto), json ? { 'Content-Type': 'application/json' } : proto, agent);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(total);
      for (const status of statuses.keys()) expect([200, 400]).toContain(status);
      expect(statuses.get(400)).toBeGreaterThan(total / 4);
      expect(validStatuses).toEqual(Array.from({ length: 20 }, () => 200));

      // Still up, still answering.
      expect((await post(url, baseProto, proto, agent)).status).toBe(200);
    } finally {
      agent.destroy();
      await collector.close();
    }
    const store = openStore({ path });
    try {
      expect(validRunIds).toHaveLength(20);
      const missing = validRunIds.filter((runId) => store.getRun(runId) === undefined);
      expect(missing).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('forwards processed spans to a second receiver', async () => {
    const upstreamPath = join(directory, 'upstream.db');
    const localPath = join(directory, 'local.db');
    const upstream = await startStoreCollector(upstreamPath, { port: 0 });
    const local = await startStoreCollector(localPath, { port: 0, forward: { endpoint: upstream.url!, content: 'full', scheduledDelayMillis: 10 } });
    const { spans, runIds } = recordRuns(5, 3);
    try {
      const exporter = new ProtobufExporter({ url: local.url! });
      expect((await exportWith(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      await local.flush();
      expect(upstream.stats().acceptedSpans).toBe(spans.length);
    } finally {
      await local.close();
      await upstream.close();
    }
    const forwarded = runView(upstreamPath, runIds);
    expect(forwarded.every((run) => run !== undefined)).toBe(true);
    const store = openStore({ path: upstreamPath });
    try {
      const detail = store.getRun(runIds[1]!)!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.attempts[0]!.url).not.toContain('sk-live-123');
    } finally {
      store.close();
    }
  });
});
