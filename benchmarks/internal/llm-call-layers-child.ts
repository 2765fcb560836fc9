// One configuration of benchmarks/llm-call-layers.ts: the real `openai` client calling the mock
// server, with traced and untraced calls interleaved one by one in this process, so that the
// difference between them is measured under the same noise. Argument: the configuration name;
// the mock server's base URL arrives over IPC with the number of pairs to make.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace, SpanKind } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import OpenAI from 'openai';
import { Database } from './baseline-sqlite.ts';
import { RUNS as DATASET_RUNS, ensureDataset } from './query-dataset.ts';
import { THREAD_KINDS, threadCpu, threadCpuSince } from './thread-cpu.ts';
import type { ThreadCpu } from './thread-cpu.ts';
import type { Recorder } from 'runtrace';
import { MODEL, MESSAGES } from './llm-call-protocol.ts';
import { LAYER_CONFIGS } from './llm-call-layers-protocol.ts';
import type { LayerConfig, LayerRequest, LayerResponse } from './llm-call-layers-protocol.ts';

const config = process.argv[2] as LayerConfig;
if (!LAYER_CONFIGS.includes(config)) throw new Error(`unknown configuration ${String(config)}`);

function send(message: LayerResponse): void {
  process.send?.(message);
}

const request: LayerRequest = await new Promise((resolve) => process.once('message', (message) => resolve(message as LayerRequest)));
const client = new OpenAI({ apiKey: 'sk-bench-0000000000000000', baseURL: request.baseURL, maxRetries: 0 });
let sink = 0;

const streamed = request.mode === 'sse';
const streamedNote = streamed ? '; every call streamed, read to its end (through step.wrapStream when traced)' : '';
if (streamed && config === 'floor') throw new Error('the floor configuration reads non-streamed answers only');

/** The streamed request: the answer's usage comes in its last chunk. */
function streamedCall() {
  return client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
}

/** Reads a streamed answer to its end. */
async function readStream(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<void> {
  for await (const chunk of stream) sink += chunk.choices[0]?.delta.content?.length ?? 0;
}

/** The call itself, the same in every configuration. */
async function plainCall(): Promise<void> {
  if (streamed) {
    await readStream(await streamedCall());
    return;
  }
  const reply = await client.chat.completions.create({ model: MODEL, messages: MESSAGES });
  sink += reply.choices[0]?.message.content?.length ?? 0;
}

/** The traced call as the README wraps it: a run and a step; a stream is wrapped by its step and read inside the run. */
function tracedCall(recorder: Recorder): Promise<void> {
  if (!streamed) return recorder.run({ kind: 'chat_turn' }, (run) => run.step({ operation: 'generate' }, plainCall));
  return recorder.run({ kind: 'chat_turn' }, async (run) => {
    const stream = await run.step({ operation: 'stream', model: MODEL }, async (step) => step.wrapStream(await streamedCall()));
    await readStream(stream);
  });
}

interface Setup {
  readonly description: string;
  readonly traced: () => Promise<void>;
  readonly untraced: () => Promise<void>;
  /** After the calls: whether every traced call was recorded whole, in one line. */
  readonly check: (tracedCalls: number) => Promise<{ ok: boolean; summary: string }>;
  /**
   * Measured in blocks of this many calls, each side followed by `settle`, rather than call by
   * call: the store's writer thread writes a call's rows after the call returned, so only a
   * block that waits for them counts them (on the traced side; the untraced side settles too).
   */
  readonly block?: { readonly calls: number; readonly settle: () => Promise<void> };
}

/**
 * The floor: what the essential work of a traced call costs when written directly against the
 * OpenTelemetry SDK, with nothing of runtrace: a run span and a step span made current in turn
 * (AsyncLocalStorage), and a dispatch interceptor composed onto Node's fetch dispatcher that
 * records an attempt span with the request headers and the response headers as JSON and reads
 * the response body (JSON.parse) for the model, response id and token counts. No redaction, no
 * processor (spans are counted and discarded), no request body reading, no in-flight tracking.
 */
async function floorSetup(): Promise<Setup> {
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { TracerProvider } = await import('@opentelemetry/sdk-trace');
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  let ended = 0;
  const provider = new TracerProvider({
    spanProcessors: [
      {
        onStart() {},
        onEnd() {
          ended += 1;
        },
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      },
    ],
  });
  const tracer = provider.getTracer('floor');
  let recording = false;
  type Handler = Record<string, ((...args: unknown[]) => unknown) | undefined>;
  type Dispatch = (options: { origin?: unknown; path: string; method: string; headers?: unknown }, handler: Handler) => boolean;
  const interceptor =
    (dispatch: Dispatch): Dispatch =>
    (options, handler) => {
      if (!recording) return dispatch(options, handler);
      const step = trace.getActiveSpan();
      const attempt = tracer.startSpan(
        options.method,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'url.full': `${String(options.origin)}${options.path}`, 'http.request.method': options.method, 'runtrace.attempt.request.headers': JSON.stringify(options.headers ?? {}) },
        },
        context.active(),
      );
      const chunks: Buffer[] = [];
      return dispatch(options, {
        onConnect: (abort, ctx) => handler.onConnect?.(abort, ctx),
        onUpgrade: (status, headers, socket) => handler.onUpgrade?.(status, headers, socket),
        onResponseStarted: () => handler.onResponseStarted?.(),
        onHeaders: (status, headers, resume, text) => {
          const record: Record<string, string> = {};
          const raw = headers as Buffer[];
          for (let index = 0; index + 1 < raw.length; index += 2) record[raw[index]!.toString('latin1').toLowerCase()] = raw[index + 1]!.toString('latin1');
          attempt.setAttributes({ 'http.response.status_code': status, 'runtrace.attempt.response.headers': JSON.stringify(record) });
          return handler.onHeaders === undefined ? true : handler.onHeaders(status, headers, resume, text);
        },
        onData: (chunk) => {
          chunks.push(chunk as Buffer);
          return handler.onData === undefined ? true : handler.onData(chunk);
        },
        onComplete: (trailers) => {
          const document = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string; model?: string; usage?: { prompt_tokens?: number; completion_tokens?: number } };
          step?.setAttributes({
            'gen_ai.response.id': document.id,
            'gen_ai.response.model': document.model,
            'gen_ai.usage.input_tokens': document.usage?.prompt_tokens,
            'gen_ai.usage.output_tokens': document.usage?.completion_tokens,
          });
          attempt.end();
          return handler.onComplete?.(trailers);
        },
        onError: (error) => {
          attempt.end();
          return handler.onError?.(error);
        },
        onBodySent: (chunk) => handler.onBodySent?.(chunk),
        onRequestSent: () => handler.onRequestSent?.(),
      });
    };
  // Node's fetch sets its dispatcher up on the first call; the interceptor is composed onto it.
  const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
  await plainCall();
  const globals = globalThis as unknown as Record<symbol, { compose(interceptor: unknown): unknown }>;
  globals[GLOBAL_DISPATCHER] = globals[GLOBAL_DISPATCHER]!.compose(interceptor) as { compose(interceptor: unknown): unknown };
  const end = (span: Span): void => {
    span.setAttribute('runtrace.status', 'completed');
    span.end();
  };
  return {
    description: 'OpenTelemetry SDK directly: run + step spans made current, an attempt span from a fetch interceptor with both header sets as JSON, the response body parsed for usage; no redaction, no processor',
    async traced() {
      recording = true;
      const run = tracer.startSpan('invoke_agent', { attributes: { 'runtrace.span.kind': 'run', 'runtrace.status': 'in_progress', 'runtrace.run.kind': 'chat_turn' } });
      try {
        await context.with(trace.setSpan(context.active(), run), async () => {
          const step = tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: { 'runtrace.span.kind': 'step', 'runtrace.status': 'in_progress', 'gen_ai.operation.name': 'chat' } });
          await context.with(trace.setSpan(context.active(), step), plainCall);
          end(step);
        });
      } finally {
        end(run);
        recording = false;
      }
    },
    untraced: plainCall,
    check: (tracedCalls) => Promise.resolve({ ok: ended === tracedCalls * 3, summary: `${ended} spans ended (${tracedCalls * 3} expected)` }),
  };
}

/**
 * runtrace as `register()` sets it up without a destination (`store: false`, no OTLP), with
 * its default content policy (`metadata`; `none` or `full` for the content configurations),
 * optionally with one layer taken out to attribute its cost: the processor's span hooks, or the
 * redactor (every method returns its input).
 */
/** Spans ended while the processor's hooks are taken out (`runtrace-no-processor-hooks`). */
let spansEndedWithoutHooks = 0;

async function runtraceSetup(): Promise<Setup> {
  if (config === 'runtrace-no-processor-hooks') {
    const { RunSpanProcessor } = await import('@runtrace/processor');
    const hooks = RunSpanProcessor.prototype as unknown as Record<string, unknown>;
    hooks.onStart = () => {};
    hooks.onEnding = () => {};
    // Only counted, so the check below still sees every span end.
    hooks.onEnd = () => {
      spansEndedWithoutHooks += 1;
    };
  }
  if (config === 'runtrace-no-redaction') {
    const { Redactor } = await import('@runtrace/core');
    const methods = Redactor.prototype as unknown as Record<string, unknown>;
    const unchanged = (value: unknown) => ({ value, maskedCount: 0, rules: [] });
    for (const name of ['redactHeaders', 'redactText', 'redactAttribute', 'redactUrl', 'redactJson', 'redactValue']) methods[name] = unchanged;
    methods.attributeUnchanged = () => true;
    methods.redactBody = (value: string) => ({ value, maskedCount: 0, rules: [], truncated: false, originalBytes: value.length, kind: 'text' });
  }
  const { register } = await import('runtrace');
  // Calls outside a run pass through untraced (`implicitRuns: false`): they are the baseline.
  const runtrace = register({ store: false, otlp: false, env: {}, implicitRuns: false, ...(config === 'runtrace-content-none' ? { contentPolicy: 'none' as const } : config === 'runtrace-content-full' ? { contentPolicy: 'full' as const } : {}) });
  const { recorder } = runtrace;
  const taken = config === 'runtrace-no-processor-hooks' ? '; the processor span hooks taken out' : config === 'runtrace-no-redaction' ? '; the redactor taken out (returns its input)' : '';
  return {
    description: `register({ store: false, otlp: false }), content policy ${recorder.contentPolicy}; run + step around the call, attempt from fetch${taken}${streamedNote}`,
    traced: () => tracedCall(recorder),
    untraced: plainCall,
    async check(tracedCalls) {
      const stats = runtrace.processor.stats();
      await runtrace.shutdown();
      const open = stats.inFlight.runs + stats.inFlight.steps + stats.inFlight.attempts;
      if (config === 'runtrace-no-processor-hooks') {
        return { ok: spansEndedWithoutHooks === tracedCalls * 3, summary: `${spansEndedWithoutHooks} spans ended (${tracedCalls * 3} expected; the processor's hooks only counted them)` };
      }
      return { ok: open === 0, summary: `${tracedCalls} traced calls; ${open} spans still in flight` };
    },
  };
}

/**
 * runtrace with the local store, as `register()` sets it up with a file (content policy `full`,
 * its default with the store; `metadata` for runtrace-store-metadata). Blocks of 100 calls,
 * each ended by `forceFlush()`: about the store's own flush interval (100 ms) at these call
 * rates, so the writer commits about as often as it would on its own, and its CPU time for the
 * block's rows lands inside the block.
 */
async function storeSetup(): Promise<Setup> {
  const { register } = await import('runtrace');
  const directory = mkdtempSync(join(tmpdir(), 'runtrace-bench-layers-'));
  const path = join(directory, 'runtrace.db');
  if (request.storedRuns) copyFileSync(ensureDataset(), path);
  const stored = request.storedRuns ? DATASET_RUNS : 0;
  const startedMs = Date.now();
  const runtrace = register({ store: path, otlp: false, env: {}, implicitRuns: false, ...(config === 'runtrace-store-metadata' ? { contentPolicy: 'metadata' as const } : {}) });
  const { recorder } = runtrace;
  return {
    description: `register({ store: <temp dir>/runtrace.db, otlp: false }) on a store ${stored === 0 ? 'created empty' : `already holding ${stored.toLocaleString('en-US')} runs`}, content policy ${recorder.contentPolicy}; run + step around the call, attempt from fetch${streamedNote}; blocks of 100 calls, each side ended by forceFlush()`,
    traced: () => tracedCall(recorder),
    untraced: plainCall,
    block: { calls: 100, settle: () => runtrace.forceFlush() },
    async check(tracedCalls) {
      await runtrace.shutdown();
      const db = new Database(path, { readonly: true });
      try {
        const count = (sql: string): number => Number(db.prepare(sql).pluck().get());
        // Only this process's calls (a copied dataset's rows are older).
        const runs = count(`SELECT count(*) FROM runs WHERE status = 'completed' AND start_ms >= ${startedMs}`);
        const attempts = count(`SELECT count(*) FROM attempts WHERE status = 'completed' AND start_ms >= ${startedMs}`);
        return { ok: runs === tracedCalls && attempts === tracedCalls, summary: `${runs} completed runs and ${attempts} completed attempts stored (${tracedCalls} expected)` };
      } finally {
        db.close();
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

const setup = config === 'floor' ? await floorSetup() : config === 'runtrace-store' || config === 'runtrace-store-metadata' ? await storeSetup() : await runtraceSetup();

/** CPU time of the whole process (all threads) over one call, in µs. */
async function cpuOf(call: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await call();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

for (let index = 0; index < request.warmupPairs; index++) {
  await setup.untraced();
  await setup.traced();
}
if (request.oneSide !== undefined) {
  // Calls of one side only, for an instruction count of the process: no timing, no
  // coverage, just the calls (settled block by block as measured below) and the check.
  const { side, calls } = request.oneSide;
  const call = side === 'traced' ? setup.traced : setup.untraced;
  for (let index = 0; index < calls; index++) {
    await call();
    if (setup.block !== undefined && (index + 1) % setup.block.calls === 0) await setup.block.settle();
  }
  await setup.block?.settle();
  const oneSideCheck = await setup.check(request.warmupPairs + (side === 'traced' ? calls : 0));
  const result: LayerResponse = { type: 'result', description: setup.description, untraced: [], traced: [], callsUntraced: {}, callsTraced: {}, ok: oneSideCheck.ok && sink > 0, summary: oneSideCheck.summary };
  // Sent before exiting (the rest of this script measures pairs).
  await new Promise<void>((resolve) => process.send?.(result, undefined, {}, () => resolve()) ?? resolve());
  process.exit(0);
}
if (request.promotion !== undefined) {
  if (config === 'floor') throw new Error('promotion: the floor configuration records one call at a time');
  const { side, calls, inFlight } = request.promotion;
  const call = side === 'traced' ? setup.traced : setup.untraced;
  const inParallel = async (count: number): Promise<void> => {
    let started = 0;
    const lane = async (): Promise<void> => {
      while (started < count) {
        started += 1;
        await call();
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    await setup.block?.settle();
  };
  // Warmed up with as many in flight first: the code paths of many calls at once get compiled unsampled.
  const warm = Math.min(calls, 640);
  await inParallel(warm);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  // Objects a minor (young-generation) collection frees are left out: what remains was promoted or is still alive.
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  await inParallel(calls);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const byPackage: Record<string, number> = {};
  let total = 0;
  const walk = (node: typeof profile.head, owner: string): void => {
    const url = node.callFrame.url;
    const here = url === '' ? owner : packageOf(url);
    if (node.selfSize > 0) {
      byPackage[here] = (byPackage[here] ?? 0) + node.selfSize / calls;
      total += node.selfSize / calls;
    }
    for (const child of node.children) walk(child, here);
  };
  walk(profile.head, 'node');
  const promotionCheck = await setup.check(request.warmupPairs + (side === 'traced' ? warm + calls : 0));
  const result: LayerResponse = {
    type: 'result',
    description: setup.description,
    untraced: [],
    traced: [],
    callsUntraced: {},
    callsTraced: {},
    promoted: { bytesPerCall: total, byPackage },
    ok: promotionCheck.ok && sink > 0,
    summary: promotionCheck.summary,
  };
  await new Promise<void>((resolve) => process.send?.(result, undefined, {}, () => resolve()) ?? resolve());
  process.exit(0);
}
/** Each side's CPU time by kind of thread over its blocks, µs (Linux only; block mode only). */
const threadSums: Record<'traced' | 'untraced', Record<keyof ThreadCpu, number>> = {
  traced: { main: 0, workers: 0, v8Helpers: 0, other: 0 },
  untraced: { main: 0, workers: 0, v8Helpers: 0, other: 0 },
};
let threadsKnown = true;
/** CPU time per call (µs) over a block of `calls` calls of one side, ended by `settle`. */
async function cpuPerCallOf(call: () => Promise<void>, calls: number, settle: () => Promise<void>, side: 'traced' | 'untraced'): Promise<number> {
  const threadsBefore = threadCpu();
  const before = process.cpuUsage();
  for (let index = 0; index < calls; index++) await call();
  await settle();
  const used = process.cpuUsage(before);
  const threads = threadCpuSince(threadsBefore, threadCpu());
  if (threads === undefined) threadsKnown = false;
  else for (const kind of THREAD_KINDS) threadSums[side][kind] += threads[kind];
  return (used.user + used.system) / calls;
}

const untraced: number[] = [];
const traced: number[] = [];
const block = setup.block;
// Call by call, or block by block (as many calls in all); one figure per call or per block.
const measures = block === undefined ? request.pairs : Math.max(10, Math.round(request.pairs / block.calls));
const measure = (call: () => Promise<void>, side: 'traced' | 'untraced'): Promise<number> =>
  block === undefined ? cpuOf(call) : cpuPerCallOf(call, block.calls, block.settle, side);
for (let index = 0; index < measures; index++) {
  // The order within a pair alternates, so neither side always runs right after the other.
  if (index % 2 === 0) {
    traced.push(await measure(setup.traced, 'traced'));
    untraced.push(await measure(setup.untraced, 'untraced'));
  } else {
    untraced.push(await measure(setup.untraced, 'untraced'));
    traced.push(await measure(setup.traced, 'traced'));
  }
}
const measuredTracedCalls = block === undefined ? measures : measures * block.calls;
/** Calls of each side measured in blocks. */
const measuredBlockCalls = block === undefined ? 0 : measures * block.calls;
/**
 * JavaScript function calls per call of each side, by package, counted by V8's precise coverage
 * over `calls` calls: a count rather than a timing, for how many steps a traced call goes through.
 */
async function functionCalls(call: () => Promise<void>, calls: number): Promise<Record<string, number>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    await session.post('Profiler.takePreciseCoverage');
    for (let index = 0; index < calls; index++) await call();
    const { result } = await session.post('Profiler.takePreciseCoverage');
    await session.post('Profiler.stopPreciseCoverage');
    const byPackage: Record<string, number> = {};
    for (const script of result) {
      const owner = packageOf(script.url);
      for (const fn of script.functions) byPackage[owner] = (byPackage[owner] ?? 0) + (fn.ranges[0]?.count ?? 0) / calls;
    }
    return byPackage;
  } finally {
    session.disconnect();
  }
}

/** `runtrace/<package>` for the workspace's packages, the npm package name, or `node` for Node's own modules. */
function packageOf(url: string): string {
  if (url.startsWith('node:') || !url.includes('/')) return 'node';
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace !== null && !url.includes('node_modules')) return `runtrace/${workspace[1]!}`;
  const installed = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return installed === null ? 'benchmark' : installed[1]!;
}

const COUNTED_CALLS = 100;
const callsUntraced = await functionCalls(setup.untraced, COUNTED_CALLS);
const callsTraced = await functionCalls(setup.traced, COUNTED_CALLS);
const check = await setup.check(request.warmupPairs + measuredTracedCalls + COUNTED_CALLS);
/** CPU added per traced call by kind of thread (block mode on Linux), µs. */
const addedOn = (kind: keyof ThreadCpu): number => (threadSums.traced[kind] - threadSums.untraced[kind]) / measuredBlockCalls;
const addedByThread: ThreadCpu | undefined =
  block !== undefined && threadsKnown ? { main: addedOn('main'), workers: addedOn('workers'), v8Helpers: addedOn('v8Helpers'), other: addedOn('other') } : undefined;
send({ type: 'result', description: setup.description, untraced, traced, callsUntraced, callsTraced, ...(addedByThread === undefined ? {} : { addedByThread }), ok: check.ok && sink > 0, summary: check.summary });
process.disconnect?.();
