// Spans per second ingested end to end over OTLP/HTTP protobuf (collector → processor → SQLite
// store, each request answered after its commit), next to the store's direct ingest of the same
// spans (SqliteSpanExporter.export), in the same run. Target: at least 50% of direct ingest.
//
//   bash scripts/pnpm.sh exec tsc -b packages/collector && bash scripts/pnpm.sh exec node benchmarks/collector.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { decodeOtlpJson, decodeOtlpProtobuf, startCollector, type OtlpDecodeSuccess } from '@runtrace/collector';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { SqliteSpanExporter } from '@runtrace/store';

type ReadableSpan = OtlpDecodeSuccess['spans'][number];

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5_000);
const BATCH = 512;
const CONCURRENCY = 4;
const ROUNDS = 3;

function anyValue(value: string | number | string[]): unknown {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } };
  if (typeof value === 'string') return { stringValue: value };
  return { intValue: String(value) };
}

function attributes(values: Record<string, string | number | string[]>): unknown[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function hexId(bytes: number, ...parts: number[]): string {
  return parts.map((part) => part.toString(16).padStart(8, '0')).join('').padStart(bytes * 2, 'b').slice(-bytes * 2);
}

/** Runs of four spans each (run, step, attempt, tool), shaped as runtrace records them. */
function makeSpans(runs: number): ReadableSpan[] {
  const spans: unknown[] = [];
  const nanos = (ms: number): string => `${ms}000000`;
  for (let i = 0; i < runs; i++) {
    const t0 = 1_763_700_000_000 + i * 1_000;
    const traceId = hexId(16, 1, i, 2, 3);
    const runId = hexId(8, 1, i + 1);
    const stepId = hexId(8, 2, i + 1);
    const common = { [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId };
    spans.push(
      {
        traceId, spanId: hexId(8, 3, i + 1), parentSpanId: stepId, name: 'POST', kind: 3, startTimeUnixNano: nanos(t0 + 11), endTimeUnixNano: nanos(t0 + 60),
        attributes: attributes({
          ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT, [RuntraceAttributes.STEP_ID]: stepId, [RuntraceAttributes.ATTEMPT_NUMBER]: 1,
          [HttpAttributes.REQUEST_METHOD]: 'POST', [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions', [HttpAttributes.RESPONSE_STATUS_CODE]: 200,
        }),
      },
      {
        traceId, spanId: stepId, parentSpanId: runId, name: 'chat gpt-4o-mini', kind: 3, startTimeUnixNano: nanos(t0 + 10), endTimeUnixNano: nanos(t0 + 70),
        attributes: attributes({
          ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP, [RuntraceAttributes.STEP_NUMBER]: 1, [RuntraceAttributes.STEP_OPERATION]: 'stream',
          [GenAiAttributes.OPERATION_NAME]: 'chat', [GenAiAttributes.PROVIDER_NAME]: 'openai', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
          [GenAiAttributes.USAGE_INPUT_TOKENS]: 1_000 + i, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 200, [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
        }),
        events: [{ timeUnixNano: nanos(t0 + 30), name: 'runtrace.first_chunk' }],
      },
      {
        traceId, spanId: hexId(8, 4, i + 1), parentSpanId: runId, name: 'execute_tool search', kind: 1, startTimeUnixNano: nanos(t0 + 80), endTimeUnixNano: nanos(t0 + 90),
        attributes: attributes({
          ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL, [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'search',
          [GenAiAttributes.TOOL_CALL_ID]: `call-${i}`,
        }),
      },
      {
        traceId, spanId: runId, name: 'invoke_agent chat_turn', kind: 1, startTimeUnixNano: nanos(t0), endTimeUnixNano: nanos(t0 + 100),
        attributes: attributes({
          ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.RUN_KIND]: 'chat_turn', [RuntraceAttributes.RUN_LABEL]: `question ${i}`,
          [GenAiAttributes.CONVERSATION_ID]: `conversation-${i % 50}`, [GenAiAttributes.PROVIDER_NAME]: 'openai', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        }),
      },
    );
  }
  const decoded = decodeOtlpJson(JSON.stringify({ resourceSpans: [{ resource: { attributes: attributes({ 'service.name': 'bench' }) }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] }));
  if (!decoded.ok) throw decoded.error;
  return decoded.spans;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The protobuf bodies the real exporter sends for each batch. */
async function encodeBodies(groups: ReadableSpan[][]): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = new ProtobufExporter({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces` });
  for (const group of groups) {
    const result = await new Promise<ExportResult>((resolve) => exporter.export(group, resolve));
    if (result.code !== ExportResultCode.SUCCESS) throw new Error(`encoding failed: ${String(result.error)}`);
  }
  await exporter.shutdown();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bodies;
}

async function runConcurrently<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Direct ingest: the store's exporter, same batches, same concurrency. Returns seconds. */
async function direct(directory: string, groups: ReadableSpan[][]): Promise<number> {
  const exporter = new SqliteSpanExporter({ path: join(directory, `direct-${Math.random()}.db`) });
  const started = performance.now();
  await runConcurrently(groups, (group) =>
    new Promise<void>((resolve, reject) => exporter.export(group, (result) => (Number(result.code) === 0 ? resolve() : reject(result.error ?? new Error('export failed'))))),
  );
  const seconds = (performance.now() - started) / 1_000;
  await exporter.shutdown();
  return seconds;
}

/** End to end: protobuf bodies posted over keep-alive to the collector, answered after commit. Returns seconds. */
async function overOtlp(directory: string, bodies: Buffer[], expectedSpans: number): Promise<number> {
  const collector = await startCollector({ databasePath: join(directory, `collector-${Math.random()}.db`), port: 0 });
  const url = collector.url!;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${String(res.statusCode)}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await runConcurrently(bodies, post);
  const seconds = (performance.now() - started) / 1_000;
  agent.destroy();
  if (collector.stats().acceptedSpans !== expectedSpans) throw new Error(`collector accepted ${collector.stats().acceptedSpans} of ${expectedSpans} spans`);
  await collector.close();
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const directory = await mkdtemp(join(tmpdir(), 'runtrace-bench-collector-'));
try {
  const spans = makeSpans(RUNS);
  const groups = batches(spans, BATCH);
  const bodies = await encodeBodies(groups);
  const decodeStarted = performance.now();
  for (const body of bodies) decodeOtlpProtobuf(body);
  const decodeRate = spans.length / ((performance.now() - decodeStarted) / 1_000);

  await direct(directory, groups.slice(0, 4)); // warm up both paths
  await overOtlp(directory, bodies.slice(0, 4), groups.slice(0, 4).reduce((sum, group) => sum + group.length, 0));
  const directSeconds: number[] = [];
  const otlpSeconds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    directSeconds.push(await direct(directory, groups));
    otlpSeconds.push(await overOtlp(directory, bodies, spans.length));
  }
  const directRate = spans.length / median(directSeconds);
  const otlpRate = spans.length / median(otlpSeconds);
  const format = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')} spans/s`;
  console.log(`collector benchmark: ${spans.length.toLocaleString('en-US')} spans (${RUNS} runs), ${bodies.length} requests of ≤${BATCH} spans, ${CONCURRENCY} in flight, median of ${ROUNDS}`);
  console.log(`  store direct ingest (SqliteSpanExporter.export):        ${format(directRate)}   (baseline)`);
  console.log(`  end to end over OTLP/HTTP protobuf (collector → store): ${format(otlpRate)}   ${(otlpRate / directRate).toFixed(2)}× of direct (target ≥ 0.50×)`);
  console.log(`  protobuf decoding alone:                                ${format(decodeRate)}   ${(decodeRate / directRate).toFixed(2)}× of direct`);
} finally {
  await rm(directory, { recursive: true, force: true });
}
