// Cost of recording one run with one step and one attempt (no bodies) through @runtrace/instrumentation,
// next to the same three spans made directly with the OpenTelemetry API (same process, same provider);
// and the cost the recording interceptor adds to a dispatch outside a step, next to the bare dispatch and
// next to a plain undici request to the same local server.
// Run: bash scripts/pnpm.sh exec tsc -b packages/instrumentation && bash scripts/pnpm.sh exec node benchmarks/instrumentation.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Recorder, createRecordingInterceptor } from '@runtrace/instrumentation';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';

type DispatchOptions = Dispatcher.DispatchOptions;
type DispatchHandler = Dispatcher.DispatchHandler;

const manager = new AsyncLocalStorageContextManager();
manager.enable();
context.setGlobalContextManager(manager);

let exported = 0;
const provider = new TracerProvider({
  spanProcessors: [
    new SimpleSpanProcessor({
      exporter: {
        export(spans, done) {
          exported += spans.length;
          done({ code: 0 });
        },
        shutdown: () => Promise.resolve(),
      },
    }),
  ],
});
const tracer = provider.getTracer('bench');
const recorder = new Recorder({ tracer, contentPolicy: 'none' });

// A dispatch that answers synchronously: isolates the recording cost from the network.
const controller = { aborted: false, paused: false, reason: null, abort() {}, pause() {}, resume() {} };
const answer = (_options: DispatchOptions, handler: DispatchHandler): boolean => {
  handler.onRequestStart?.(controller, {});
  handler.onResponseStart?.(controller, 200, { 'content-type': 'application/json', 'content-length': '0' }, 'OK');
  handler.onResponseEnd?.(controller, {});
  return true;
};
const recordingDispatch = createRecordingInterceptor()(answer);
const requestOptions: DispatchOptions = { origin: 'http://127.0.0.1:8080', path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } };
const sink: DispatchHandler = {};

function viaRecorder(): void {
  const run = recorder.startRun({ kind: 'bench', provider: 'openai', model: 'gpt-4o-mini' });
  const step = run.startStep({ operation: 'generate' });
  step.with(() => recordingDispatch(requestOptions, sink));
  step.end();
  run.end();
}

function viaApi(): void {
  const runAttributes: Attributes = {
    'runtrace.span.kind': 'run', 'runtrace.status': 'in_progress', 'gen_ai.operation.name': 'invoke_agent',
    'runtrace.run.kind': 'bench', 'runtrace.content.policy': 'none', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
  };
  const runSpan = tracer.startSpan('invoke_agent bench', { root: true, attributes: runAttributes });
  const runId = runSpan.spanContext().spanId;
  runSpan.setAttribute('runtrace.run.id', runId);
  const runContext = trace.setSpan(context.active(), runSpan);
  const stepSpan = tracer.startSpan('chat gpt-4o-mini', {
    attributes: {
      'runtrace.span.kind': 'step', 'runtrace.status': 'in_progress', 'runtrace.run.id': runId, 'gen_ai.operation.name': 'chat',
      'runtrace.step.number': 1, 'runtrace.step.operation': 'generate', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
    },
  }, runContext);
  const stepContext = trace.setSpan(runContext, stepSpan);
  context.with(stepContext, () => {
    const attempt = tracer.startSpan('POST', {
      kind: SpanKind.CLIENT,
      attributes: {
        'runtrace.span.kind': 'attempt', 'runtrace.status': 'in_progress', 'runtrace.run.id': runId, 'runtrace.step.id': stepSpan.spanContext().spanId,
        'runtrace.attempt.number': 1, 'http.request.method': 'POST', 'http.request.resend_count': 0,
        'url.full': 'http://127.0.0.1:8080/v1/chat/completions', 'server.address': '127.0.0.1', 'server.port': 8080, 'url.path': '/v1/chat/completions',
      },
    }, stepContext);
    attempt.setAttributes({ 'http.response.status_code': 200, 'runtrace.attempt.retry_classification': 'none', 'runtrace.attempt.response_body_size': 0 });
    attempt.setAttribute('runtrace.status', 'completed');
    attempt.end();
  });
  stepSpan.setAttribute('runtrace.status', 'completed');
  stepSpan.end();
  runSpan.setAttribute('runtrace.status', 'completed');
  runSpan.end();
}

function timeBatch(fn: () => void, count: number): number {
  const start = performance.now();
  for (let index = 0; index < count; index += 1) fn();
  return ((performance.now() - start) * 1000) / count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const BATCH = 2_000;
const ROUNDS = 40;
for (let warm = 0; warm < 5; warm += 1) {
  timeBatch(viaApi, BATCH);
  timeBatch(viaRecorder, BATCH);
}
const apiTimes: number[] = [];
const recorderTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  if (round % 2 === 0) {
    apiTimes.push(timeBatch(viaApi, BATCH));
    recorderTimes.push(timeBatch(viaRecorder, BATCH));
  } else {
    recorderTimes.push(timeBatch(viaRecorder, BATCH));
    apiTimes.push(timeBatch(viaApi, BATCH));
  }
}
const api = median(apiTimes);
const recorded = median(recorderTimes);
console.log('run + step + attempt, no bodies (median of %d interleaved batches of %d):', ROUNDS, BATCH);
console.log(`  OpenTelemetry API directly   ${api.toFixed(2)} µs`);
console.log(`  @runtrace/instrumentation    ${recorded.toFixed(2)} µs`);
console.log(`  ratio                        ${(recorded / api).toFixed(2)}× (target ≤ 1.5×)`);

// Interceptor overhead outside a step, without the network: the same synchronous dispatch, bare and intercepted.
const bareDispatch = (): void => {
  answer(requestOptions, sink);
};
const interceptedDispatch = (): void => {
  recordingDispatch(requestOptions, sink);
};
const DISPATCHES = 20_000;
for (let warm = 0; warm < 5; warm += 1) {
  timeBatch(bareDispatch, DISPATCHES);
  timeBatch(interceptedDispatch, DISPATCHES);
}
const bareTimes: number[] = [];
const interceptedDispatchTimes: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  bareTimes.push(timeBatch(bareDispatch, DISPATCHES));
  interceptedDispatchTimes.push(timeBatch(interceptedDispatch, DISPATCHES));
}
console.log('dispatch outside a step, no network (median of %d batches of %d):', ROUNDS, DISPATCHES);
console.log(`  bare dispatch                ${(median(bareTimes) * 1000).toFixed(0)} ns`);
console.log(`  through the interceptor      ${(median(interceptedDispatchTimes) * 1000).toFixed(0)} ns`);
console.log(`  added                        ${((median(interceptedDispatchTimes) - median(bareTimes)) * 1000).toFixed(0)} ns per request`);

// Interceptor overhead outside a step: sequential requests to a local server (a figure within socket noise).

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
  response.end('{}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
const plain = new Agent({ connections: 1 });
const intercepted = new Agent({ connections: 1 }).compose(createRecordingInterceptor());

async function timeRequests(dispatcher: Dispatcher, count: number): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < count; index += 1) {
    const response = await request(url, { dispatcher });
    await response.body.text();
  }
  return ((performance.now() - start) * 1000) / count;
}

const REQUESTS = 300;
const REQUEST_ROUNDS = 20;
await timeRequests(plain, REQUESTS);
await timeRequests(intercepted, REQUESTS);
const plainTimes: number[] = [];
const interceptedTimes: number[] = [];
for (let round = 0; round < REQUEST_ROUNDS; round += 1) {
  if (round % 2 === 0) {
    plainTimes.push(await timeRequests(plain, REQUESTS));
    interceptedTimes.push(await timeRequests(intercepted, REQUESTS));
  } else {
    interceptedTimes.push(await timeRequests(intercepted, REQUESTS));
    plainTimes.push(await timeRequests(plain, REQUESTS));
  }
}
const plainMedian = median(plainTimes);
const interceptedMedian = median(interceptedTimes);
console.log('request outside a step, local HTTP server (median of %d interleaved rounds of %d sequential requests):', REQUEST_ROUNDS, REQUESTS);
console.log(`  plain undici Agent           ${plainMedian.toFixed(1)} µs/request`);
console.log(`  Agent + recording interceptor ${interceptedMedian.toFixed(1)} µs/request`);
console.log(`  added                        ${(interceptedMedian - plainMedian).toFixed(1)} µs (${(interceptedMedian / plainMedian).toFixed(3)}×)`);
console.log(`(${exported} spans exported)`);
await plain.close();
await intercepted.close();
server.close();
await provider.shutdown();
