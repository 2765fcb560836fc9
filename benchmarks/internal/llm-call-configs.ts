// The tracing configurations benchmarks/llm-call.ts compares: how each one is set up, how it
// wraps one OpenAI chat-completions call, and how it checks afterwards that nothing it traced was
// lost. Each is loaded in a child process of its own (modules are imported only by the
// configuration that uses them), so no global registration leaks from one into another.
import { join } from 'node:path';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { SweepCounts } from '@runtrace/processor';
import OpenAI from 'openai';
import { Database } from './baseline-sqlite.ts';
import { MODEL, conversationMessages } from './llm-call-protocol.ts';
import type { CallMode, ConfigName, Verification } from './llm-call-protocol.ts';

/** What the child needs to build a configuration. */
export interface ConfigOptions {
  readonly baseURL: string;
  /** A fresh directory the configuration may write into (the store's file). */
  readonly directory: string;
  /** runtrace's content policy. */
  /** `default`: the option is left out (register() chooses). */
  readonly contentPolicy: 'default' | 'none' | 'metadata' | 'full';
  /** Earlier messages each request re-sends (0: the short request alone). */
  readonly history: number;
}

/** One configuration, set up and ready to call. */
export interface TracingSetup {
  /** What was set up, for the report. */
  readonly description: string;
  /** One chat-completions call, traced the way this configuration traces it. */
  call(mode: CallMode): Promise<void>;
  /** Waits until the telemetry of every finished call has reached its destination. */
  flush(): Promise<void>;
  /** Shuts tracing down and checks that every call made so far was kept. */
  finish(totalCalls: number): Promise<Verification>;
}

/** A configuration that cannot run here, with the reason. */
export class Unavailable extends Error {}

let sink = 0;
/** Earlier messages per request, set by {@link createSetup}; and calls made so far. */
let history = 0;
let turn = 0;

/** The next call's messages (every configuration sends the same sequence). */
function nextMessages(): ReturnType<typeof conversationMessages> {
  turn += 1;
  return conversationMessages(history, turn);
}

/** Characters of reply text read so far, by every call of this process (each must read the whole reply). */
export function charactersRead(): number {
  return sink;
}

function newClient(baseURL: string): OpenAI {
  return new OpenAI({ apiKey: 'sk-bench-0000000000000000', baseURL, maxRetries: 0 });
}

/** The call without any tracing: what every configuration does inside its own wrapping. */
async function plainCall(client: OpenAI, mode: CallMode): Promise<void> {
  if (mode === 'json') {
    const reply = await client.chat.completions.create({ model: MODEL, messages: nextMessages() });
    sink += reply.choices[0]?.message.content?.length ?? 0;
    return;
  }
  const stream = await client.chat.completions.create({ model: MODEL, messages: nextMessages(), stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) sink += chunk.choices[0]?.delta.content?.length ?? 0;
}

/** Spans handed to it are counted and discarded: the cheapest destination a peer can have. */
class CountingExporter {
  spans = 0;
  export(spans: readonly unknown[], done: (result: { code: 0 }) => void): void {
    this.spans += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const PEER_DESTINATION = 'TracerProvider + BatchSpanProcessor (defaults) → counting no-op exporter (spans discarded); W3C propagator; AsyncLocalStorage context';

/** A TracerProvider set up as an application using OpenTelemetry directly would set it up. */
async function peerProvider(): Promise<{ readonly provider: TracerProvider; readonly exporter: CountingExporter }> {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const sdk = await import('@opentelemetry/sdk-trace');
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new CountingExporter();
  const provider = new sdk.TracerProvider({ spanProcessors: [new sdk.BatchSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  return { provider, exporter };
}

function peerSetup(description: string, client: OpenAI, peer: { readonly provider: TracerProvider; readonly exporter: CountingExporter }, spansPerCall: number, disable: () => void): TracingSetup {
  return {
    description,
    call: (mode) => plainCall(client, mode),
    flush: () => peer.provider.forceFlush(),
    async finish(totalCalls) {
      await peer.provider.forceFlush();
      disable();
      await peer.provider.shutdown();
      const expected = totalCalls * spansPerCall;
      return { ok: peer.exporter.spans === expected, summary: `${peer.exporter.spans} spans exported (${expected} expected)` };
    },
  };
}

async function runtraceSetup(options: ConfigOptions, withStore: boolean): Promise<TracingSetup> {
  const { register } = await import('runtrace');
  const storePath = join(options.directory, 'runtrace.db');
  // `env: {}`: the benchmark's settings only, whatever the shell exports (no OTLP, no RUNTRACE_*).
  const content = options.contentPolicy === 'default' ? {} : { contentPolicy: options.contentPolicy };
  const runtrace = register({ store: withStore ? storePath : false, otlp: false, env: {}, ...content });
  const client = newClient(options.baseURL);
  const { recorder } = runtrace;
  // The README's wrapping: a run and a step around the call (model, usage and finish are read
  // from the wire); a stream is wrapped by its step and read inside the run.
  const call = async (mode: CallMode): Promise<void> => {
    if (mode === 'json') {
      await recorder.run({ kind: 'chat_turn' }, (run) =>
        run.step({ operation: 'generate' }, async () => {
          const reply = await client.chat.completions.create({ model: MODEL, messages: nextMessages() });
          sink += reply.choices[0]?.message.content?.length ?? 0;
          return reply;
        }),
      );
      return;
    }
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      const stream = await run.step({ operation: 'stream', model: MODEL }, async (step) =>
        step.wrapStream(await client.chat.completions.create({ model: MODEL, messages: nextMessages(), stream: true, stream_options: { include_usage: true } })),
      );
      for await (const chunk of stream) sink += chunk.choices[0]?.delta.content?.length ?? 0;
    });
  };
  const description = withStore
    ? `register({ store: <temp dir>/runtrace.db, otlp: false }), content policy ${runtrace.recorder.contentPolicy}${options.contentPolicy === 'default' ? ' (the default)' : ''}; run + step (+ attempt from fetch) per call`
    : `register({ store: false, otlp: false }), content policy ${runtrace.recorder.contentPolicy}${options.contentPolicy === 'default' ? ' (the default)' : ''}; run + step (+ attempt from fetch) per call, no destination`;
  return {
    description,
    call,
    flush: () => runtrace.forceFlush(),
    async finish(totalCalls) {
      const processorStats = runtrace.processor.stats();
      await runtrace.shutdown();
      if (!withStore) {
        // No destination keeps anything; what can be checked is that every run, step and attempt was finalized.
        const total = (counts: SweepCounts): number => counts.runs + counts.steps + counts.attempts + counts.tools;
        const open = total(processorStats.inFlight);
        const interrupted = total(runtrace.processor.stats().interruptedAtShutdown);
        return { ok: open === 0 && interrupted === 0, summary: `no destination; ${open} spans still in flight before shutdown, ${interrupted} interrupted by it` };
      }
      const exporterStats = runtrace.storeExporter!.stats();
      const db = new Database(storePath, { readonly: true });
      const count = (sql: string): number => Number(db.prepare(sql).pluck().get());
      const runs = count('SELECT count(*) FROM runs');
      const completed = count("SELECT count(*) FROM runs WHERE status = 'completed'");
      const steps = count("SELECT count(*) FROM steps WHERE status = 'completed'");
      const attempts = count("SELECT count(*) FROM attempts WHERE status = 'completed'");
      const inProgress = count("SELECT (SELECT count(*) FROM runs WHERE status = 'in_progress') + (SELECT count(*) FROM steps WHERE status = 'in_progress') + (SELECT count(*) FROM attempts WHERE status = 'in_progress')");
      db.close();
      const ok = runs === totalCalls && completed === totalCalls && steps === totalCalls && attempts === totalCalls && inProgress === 0 && exporterStats.droppedSpans === 0 && exporterStats.failedSpans === 0;
      return {
        ok,
        summary: `store after shutdown: ${runs} runs (${completed} completed), ${steps} completed steps, ${attempts} completed attempts, ${inProgress} rows in progress; ${totalCalls} of each expected; exporter dropped ${exporterStats.droppedSpans}, failed ${exporterStats.failedSpans}`,
      };
    },
  };
}

/** Builds one configuration; throws {@link Unavailable} when it cannot run here. */
export async function createSetup(name: ConfigName, options: ConfigOptions): Promise<TracingSetup> {
  history = options.history;
  switch (name) {
    case 'none': {
      const client = newClient(options.baseURL);
      return {
        description: 'no tracing (Node fetch with its built-in dispatcher)',
        call: (mode) => plainCall(client, mode),
        flush: () => Promise.resolve(),
        finish: () => Promise.resolve({ ok: true, summary: 'nothing recorded' }),
      };
    }
    case 'undici-agent': {
      // An application that sets undici 8's Agent (npm) as the global dispatcher itself, untraced:
      // the cost of that dispatcher against Node's built-in one, which runtrace's fetch
      // instrumentation composes onto by default.
      const { Agent, setGlobalDispatcher } = await import('undici');
      setGlobalDispatcher(new Agent());
      const client = newClient(options.baseURL);
      return {
        description: 'no tracing; fetch through a new Agent() of undici 8 (npm) as global dispatcher',
        call: (mode) => plainCall(client, mode),
        flush: () => Promise.resolve(),
        finish: () => Promise.resolve({ ok: true, summary: 'nothing recorded' }),
      };
    }
    case 'runtrace-store':
      return runtraceSetup(options, true);
    case 'runtrace-nostore':
      return runtraceSetup(options, false);
    case 'otel-undici': {
      const peer = await peerProvider();
      const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
      const instrumentation = new UndiciInstrumentation();
      instrumentation.setTracerProvider(peer.provider);
      instrumentation.enable();
      return peerSetup(`@opentelemetry/instrumentation-undici (one CLIENT span per request); ${PEER_DESTINATION}`, newClient(options.baseURL), peer, 1, () => instrumentation.disable());
    }
    case 'openllmetry': {
      const peer = await peerProvider();
      const module = await import('@traceloop/instrumentation-openai').catch((error: unknown) => {
        throw new Unavailable(`@traceloop/instrumentation-openai does not load: ${String(error)}`);
      });
      const instrumentation = new module.OpenAIInstrumentation({ enrichTokens: false });
      instrumentation.setTracerProvider(peer.provider);
      // An ES module import is not hooked by require-in-the-middle: instrument the class by hand, as its README says for ESM.
      instrumentation.manuallyInstrument(OpenAI);
      return peerSetup(`@traceloop/instrumentation-openai (one span per create(), prompts and completions recorded: its default); ${PEER_DESTINATION}`, newClient(options.baseURL), peer, 1, () => instrumentation.disable());
    }
    case 'openinference': {
      const peer = await peerProvider();
      const module = await import('@arizeai/openinference-instrumentation-openai').catch((error: unknown) => {
        throw new Unavailable(`@arizeai/openinference-instrumentation-openai does not load: ${String(error)}`);
      });
      const instrumentation = new module.OpenAIInstrumentation({ tracerProvider: peer.provider });
      instrumentation.manuallyInstrument(OpenAI);
      return peerSetup(`@arizeai/openinference-instrumentation-openai (one span per create(), input and output recorded: its default); ${PEER_DESTINATION}`, newClient(options.baseURL), peer, 1, () => instrumentation.disable());
    }
    default: {
      const unknown: never = name;
      throw new Unavailable(`unknown configuration ${String(unknown)}`);
    }
  }
}
