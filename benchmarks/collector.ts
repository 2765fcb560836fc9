// Spans per second ingested end to end over OTLP/HTTP protobuf (collector → processor → SQLite
// store, each request answered after its commit), next to its ceiling in the same run: the same
// requests (same bodies, same client, same concurrency) answered by a bare node:http server that
// reads each body and answers 200 with an empty ExportTraceServiceResponse — HTTP and transport
// alone. Between the two, the collector with a no-op sink (HTTP + decoding). The store's direct
// ingest (SqliteSpanExporter.export) is printed as a peer, not a ceiling: it skips HTTP and
// decoding but does the store's work. Last, a flood: four 16.5 MB OTLP/JSON bodies of huge arrays
// posted at once, with the RSS growth and the latency of small requests sent meanwhile, next to
// the same small requests on an idle collector.
//
//   bash scripts/pnpm.sh exec tsc -b packages/collector && bash scripts/pnpm.sh exec node benchmarks/collector.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { decodeOtlpJson, decodeOtlpProtobuf, startCollector, type Collector, type OtlpDecodeSuccess } from '@runtrace/collector';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { SqliteSpanExporter } from '@runtrace/store';
import { hugeArrayOtlpJson } from '@runtrace/testkit';
import { createIngestPipeline } from 'runtrace';
import { flood, idleLatencies } from './internal/otlp-flood.ts';

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

/** Posts every body over keep-alive, CONCURRENCY at a time, expecting 200. Returns seconds. */
async function postAll(url: string, bodies: Buffer[]): Promise<number> {
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
  return seconds;
}

/** The ceiling: a node:http server that reads each body and answers 200 with an empty protobuf ExportTraceServiceResponse. */
async function bareHttp(bodies: Buffer[]): Promise<number> {
  let received = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received += chunks.length;
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const seconds = await postAll(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, bodies);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (received === 0) throw new Error('the bare server received nothing');
  return seconds;
}

/** The collector, into the store (the ingest pipeline `runtrace collect` runs) or a no-op sink. Returns seconds. */
async function overOtlp(directory: string, bodies: Buffer[], expectedSpans: number, into: 'store' | 'sink'): Promise<number> {
  let collector: Collector;
  if (into === 'store') {
    const pipeline = createIngestPipeline({ store: join(directory, `collector-${Math.random()}.db`) });
    collector = await startCollector({ processor: pipeline, onClose: () => pipeline.shutdown(), port: 0 });
  } else {
    collector = await startCollector({ sink: () => undefined, port: 0 });
  }
  const seconds = await postAll(collector.url!, bodies);
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
  const decodeAll = (): number => {
    const started = performance.now();
    for (const body of bodies) decodeOtlpProtobuf(body);
    return (performance.now() - started) / 1_000;
  };

  // Warm up every path.
  const warmBodies = bodies.slice(0, 4);
  const warmSpans = groups.slice(0, 4).reduce((sum, group) => sum + group.length, 0);
  await direct(directory, groups.slice(0, 4));
  decodeAll();
  await bareHttp(warmBodies);
  await overOtlp(directory, warmBodies, warmSpans, 'sink');
  await overOtlp(directory, warmBodies, warmSpans, 'store');
  const seconds = { bare: [] as number[], sink: [] as number[], store: [] as number[], direct: [] as number[], decode: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    seconds.bare.push(await bareHttp(bodies));
    seconds.sink.push(await overOtlp(directory, bodies, spans.length, 'sink'));
    seconds.store.push(await overOtlp(directory, bodies, spans.length, 'store'));
    seconds.direct.push(await direct(directory, groups));
    seconds.decode.push(decodeAll());
  }
  const rate = (key: keyof typeof seconds): number => spans.length / median(seconds[key]);
  const bareRate = rate('bare');
  const format = (value: number): string => `${Math.round(value).toLocaleString('en-US')} spans/s`.padStart(18);
  const ofBare = (value: number): string => `${(value / bareRate).toFixed(2)}× of bare HTTP`;
  console.log(`collector benchmark: ${spans.length.toLocaleString('en-US')} spans (${RUNS} runs), ${bodies.length} protobuf requests of ≤${BATCH} spans, ${CONCURRENCY} in flight, median of ${ROUNDS}`);
  console.log(`  ceiling: bare node:http, reads the body, answers 200   ${format(bareRate)}   (baseline)`);
  console.log(`  collector → no-op sink (HTTP + decoding)               ${format(rate('sink'))}   ${ofBare(rate('sink'))}`);
  console.log(`  collector → processor → store, answered after commit   ${format(rate('store'))}   ${ofBare(rate('store'))}`);
  console.log(`  peer: store direct ingest (no HTTP, no decoding)       ${format(rate('direct'))}   collector → store is ${(rate('store') / rate('direct')).toFixed(2)}× of it (target ≥ 0.50×)`);
  console.log(`  protobuf decoding alone (no HTTP)                      ${format(rate('decode'))}`);

  const FLOOD_BODIES = 4;
  const body = hugeArrayOtlpJson(5_500_000);
  const floodCollector = await startCollector({ sink: () => undefined, port: 0 });
  try {
    const idle = await idleLatencies(floodCollector.url!, 50);
    const figures = await flood(floodCollector.url!, body, FLOOD_BODIES);
    const pick = (sorted: readonly number[], q: number): string => `${Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN)} ms`;
    console.log(
      `flood: ${FLOOD_BODIES} × ${(body.length / 1e6).toFixed(1)} MB OTLP/JSON bodies (a 5.5M-element array each) at once, answered ${figures.floodStatuses.join(', ')}`,
    );
    console.log(`  RSS ${figures.rssBeforeMb} MB before, ${figures.rssPeakMb} MB at peak (+${figures.rssPeakMb - figures.rssBeforeMb} MB; the bodies alone are ${Math.round((FLOOD_BODIES * body.length) / 1048576)} MB)`);
    console.log(
      `  small 3-span requests during the flood: ${figures.smallMs.length}, p50 ${pick(figures.smallMs, 0.5)}, max ${pick(figures.smallMs, 1)}   idle collector (baseline): p50 ${pick(idle, 0.5)}, max ${pick(idle, 1)}`,
    );
  } finally {
    await floodCollector.close();
  }
} finally {
  await rm(directory, { recursive: true, force: true });
}
