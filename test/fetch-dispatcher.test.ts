// installFetchInstrumentation with Node's global fetch: composed onto the global dispatchers the
// application already has (Node's built-in agent, or an undici ProxyAgent), each request recorded
// once, and both global slots restored by uninstall — through the built packages.
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { installFetchInstrumentation, Recorder } from '@runtrace/instrumentation';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import type * as Undici from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const FETCH_SLOT = Symbol.for('undici.globalDispatcher.1');
const UNDICI_SLOT = Symbol.for('undici.globalDispatcher.2');
const globals = globalThis as Record<symbol, unknown>;

// As in an application that has not imported undici: Node's own undici loads first and creates
// its agent for fetch. (Loaded first, undici 8 would take that slot with a wrapper of its own agent.)
void globalThis.Response;
const builtin = globals[FETCH_SLOT];
const undici: typeof Undici = await import('undici');
// Node 22's undici leaves undici 8's slot empty, so undici 8, loading, takes fetch's slot too:
// put Node's agent back, as installFetchInstrumentation does when it loads undici there.
globals[FETCH_SLOT] = builtin;
const original = { fetch: globals[FETCH_SLOT], undici: globals[UNDICI_SLOT] };

const messages = [{ role: 'user' as const, content: 'What is the weather in Oslo?' }];

interface ForwardProxy {
  readonly url: string;
  /** `METHOD absolute-url` of each request it forwarded. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

/** A minimal HTTP forward proxy (what undici's ProxyAgent speaks for http: targets). */
async function startForwardProxy(): Promise<ForwardProxy> {
  const forwarded: string[] = [];
  const proxy = createServer((incoming, outgoing) => {
    forwarded.push(`${incoming.method} ${incoming.url}`);
    const upstream = httpRequest(incoming.url!, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    forwarded,
    async close() {
      proxy.closeAllConnections();
      proxy.close();
      await once(proxy, 'close');
    },
  };
}

describe('installFetchInstrumentation on the global dispatchers in place', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  let exporter: InMemorySpanExporter;
  let provider: TracerProvider;
  let recorder: Recorder;
  let server: MockOpenAIServer;

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });

  afterAll(() => {
    context.disable();
  });

  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    recorder = new Recorder({ tracerProvider: provider, contentPolicy: 'full', bodies: 'all' });
    server = await startMockOpenAIServer();
  });

  afterEach(async () => {
    globals[FETCH_SLOT] = original.fetch;
    globals[UNDICI_SLOT] = original.undici;
    await server.close();
    await provider.shutdown();
  });

  function client(): OpenAI {
    return new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 2 });
  }

  function kind(name: string): ReadableSpan[] {
    return exporter.getFinishedSpans().filter((span) => span.attributes['runtrace.span.kind'] === name);
  }

  /** One step in a run of `kind` that calls the model through fetch (the openai client), then through undici's request(). */
  function callThroughFetchAndRequest(kind: string): Promise<void> {
    return recorder.run({ kind }, (run) =>
      run.step({ operation: 'generate', model: 'm' }, async () => {
        await client().chat.completions.create({ model: 'm', messages });
        const response = await undici.request(`${server.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }) });
        await response.body.text();
      }),
    );
  }

  function attempts(): ReadableSpan[] {
    return kind('attempt').sort((a, b) => (a.attributes['runtrace.attempt.number'] as number) - (b.attributes['runtrace.attempt.number'] as number));
  }

  it("starts from Node's built-in agent in fetch's slot", () => {
    // What the tests below compose onto; were it undici 8's, they would not test Node's fetch path.
    expect(original.fetch).toBeTypeOf('object');
    expect(original.fetch).not.toBeInstanceOf(undici.Dispatcher1Wrapper);
    expect(original.fetch).not.toBeInstanceOf(undici.Agent);
  });

  it("keeps the application's agent for fetch, stays on Node's built-in undici, and records the call with its request body", async () => {
    const appDispatches: string[] = [];
    // The application's own agent, of the class of Node's built-in one, installed before runtrace.
    const NodeAgent = (original.fetch as { constructor: new () => Undici.Dispatcher }).constructor;
    class CountingAgent extends NodeAgent {
      override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
        appDispatches.push(`${options.method} ${options.path}`);
        return super.dispatch(options, handler);
      }
    }
    const appAgent = new CountingAgent();
    globals[FETCH_SLOT] = appAgent;
    const uninstall = installFetchInstrumentation();
    try {
      const installed = globals[FETCH_SLOT];
      expect(installed).not.toBe(appAgent);
      // fetch does not move to undici 8 (npm): it stays on the undici Node's fetch came with.
      expect(installed).not.toBeInstanceOf(undici.Dispatcher1Wrapper);
      expect(installed).not.toBeInstanceOf(undici.Agent);
      const completion = await recorder.run({ kind: 'chat_turn' }, (run) =>
        run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages })),
      );
      expect(completion.choices[0]?.message.content).toBe('Hello from the mock server.');
      expect(appDispatches).toEqual(['POST /v1/chat/completions']);
      const [attempt] = attempts();
      expect(attempts()).toHaveLength(1);
      expect(attempt!.attributes).toMatchObject({ 'runtrace.status': 'completed', 'http.response.status_code': 200 });
      // fetch streams the body: it is captured chunk by chunk as it is sent.
      expect(JSON.parse(attempt!.attributes['runtrace.attempt.request_body'] as string)).toMatchObject({ model: 'gpt-4o-mini', messages });
      expect(attempt!.attributes['runtrace.attempt.request_body_size']).toBe(Buffer.byteLength(server.requests[0]!.body));
    } finally {
      uninstall();
      await appAgent.close();
    }
    expect(globals[FETCH_SLOT]).toBe(appAgent);
    expect(globals[UNDICI_SLOT]).toBe(original.undici);
  });

  it("keeps an application's interceptor composed onto Node's agent, and records the call (on undici 7 its streamed request body by size only)", async () => {
    const appDispatches: string[] = [];
    const appDispatcher = (original.fetch as Undici.Dispatcher).compose((dispatch) => (options, handler) => {
      appDispatches.push(`${options.method} ${options.path}`);
      return dispatch(options, handler);
    });
    globals[FETCH_SLOT] = appDispatcher;
    const uninstall = installFetchInstrumentation();
    await recorder.run({ kind: 'chat_turn' }, (run) =>
      run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => client().chat.completions.create({ model: 'gpt-4o-mini', messages })),
    );
    uninstall();
    expect(appDispatches).toEqual(['POST /v1/chat/completions']);
    const [attempt] = attempts();
    expect(attempts()).toHaveLength(1);
    expect(attempt!.attributes).toMatchObject({ 'runtrace.status': 'completed', 'http.response.status_code': 200 });
    expect(attempt!.attributes['runtrace.attempt.response_body']).toContain('Hello from the mock server.');
    expect(attempt!.attributes['runtrace.attempt.request_body_size']).toBe(Buffer.byteLength(server.requests[0]!.body));
    // undici 7 (Node 24) does not pass onBodySent through the application's interceptor; undici 6 (Node 22) does.
    const bodyCaptured = Number(process.versions.undici?.split('.')[0]) < 7;
    expect(attempt!.attributes['runtrace.attempt.request_body'] === undefined).toBe(!bodyCaptured);
    expect(globals[FETCH_SLOT]).toBe(appDispatcher);
  });

  it("records a call through undici's own request() (its global slot) exactly once, beside fetch", async () => {
    const uninstall = installFetchInstrumentation();
    await recorder.run({ kind: 'both' }, (run) =>
      run.step({ operation: 'generate', model: 'm' }, async () => {
        const response = await undici.request(`${server.baseURL}/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'm', messages }),
          headers: { 'content-type': 'application/json' },
        });
        await response.body.text();
        await client().chat.completions.create({ model: 'm', messages });
      }),
    );
    uninstall();
    expect(server.requests).toHaveLength(2);
    expect(attempts().map((span) => [span.attributes['runtrace.attempt.number'], span.attributes['runtrace.status']])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    expect(globals[FETCH_SLOT]).toBe(original.fetch);
    expect(globals[UNDICI_SLOT]).toBe(original.undici);
  });

  it("keeps an undici ProxyAgent set with setGlobalDispatcher before, for fetch and request(), each call recorded once", async () => {
    const proxy = await startForwardProxy();
    const proxyAgent = new undici.ProxyAgent(proxy.url);
    try {
      undici.setGlobalDispatcher(proxyAgent);
      // undici 8 leaves a Dispatcher1Wrapper of the ProxyAgent in fetch's slot.
      const before = { fetch: globals[FETCH_SLOT], undici: globals[UNDICI_SLOT] };
      expect(before.undici).toBe(proxyAgent);
      expect(before.fetch).toBeInstanceOf(undici.Dispatcher1Wrapper);
      const uninstall = installFetchInstrumentation();
      await callThroughFetchAndRequest('proxied');
      expect(proxy.forwarded).toEqual([`POST ${server.baseURL}/chat/completions`, `POST ${server.baseURL}/chat/completions`]);
      expect(server.requests).toHaveLength(2);
      const recorded = attempts();
      expect(recorded.map((span) => [span.attributes['runtrace.attempt.number'], span.attributes['runtrace.status']])).toEqual([
        [1, 'completed'],
        [2, 'completed'],
      ]);
      expect(JSON.parse(recorded[0]!.attributes['runtrace.attempt.request_body'] as string)).toMatchObject({ model: 'm', messages });
      uninstall();
      expect(globals[FETCH_SLOT]).toBe(before.fetch);
      expect(globals[UNDICI_SLOT]).toBe(before.undici);
    } finally {
      await proxyAgent.close();
      await proxy.close();
    }
  });

  it('records a 429 then a streamed 200 through the openai client as one step with two attempts', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '5' } }, { reply: 'one two three', usage: { promptTokens: 7, completionTokens: 3 } });
    const uninstall = installFetchInstrumentation();
    let text = '';
    try {
      await recorder.run({ kind: 'chat_turn' }, async (run) => {
        const stream = await run.step({ operation: 'stream', model: 'gpt-4o-mini' }, async (step) =>
          step.wrapStream(await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } })),
        );
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      });
    } finally {
      uninstall();
    }
    expect(text).toBe('one two three');
    const steps = kind('step');
    expect(steps).toHaveLength(1);
    expect(steps[0]!.attributes).toMatchObject({ 'runtrace.status': 'completed', 'runtrace.stream.close_kind': 'completed', 'gen_ai.usage.output_tokens': 3 });
    const [first, second] = attempts();
    expect(attempts()).toHaveLength(2);
    for (const attempt of [first!, second!]) expect(attempt.parentSpanContext?.spanId).toBe(steps[0]!.spanContext().spanId);
    expect(first!.attributes).toMatchObject({ 'runtrace.attempt.number': 1, 'runtrace.status': 'error', 'http.response.status_code': 429, 'runtrace.attempt.retry_classification': 'rate_limited' });
    expect(second!.attributes).toMatchObject({ 'runtrace.attempt.number': 2, 'runtrace.status': 'completed', 'http.response.status_code': 200 });
    expect(second!.attributes['runtrace.attempt.response_body'] as string).toContain('data: [DONE]');
  });

  it("replaces runtrace's own layer when installed twice (each request recorded once), and each uninstall restores what it found", async () => {
    const uninstallFirst = installFetchInstrumentation();
    const first = { fetch: globals[FETCH_SLOT], undici: globals[UNDICI_SLOT] };
    const uninstallSecond = installFetchInstrumentation();
    await recorder.run({ kind: 'twice' }, (run) => run.step({ operation: 'generate', model: 'm' }, () => client().chat.completions.create({ model: 'm', messages })));
    expect(attempts()).toHaveLength(1);
    uninstallSecond();
    expect(globals[FETCH_SLOT]).toBe(first.fetch);
    expect(globals[UNDICI_SLOT]).toBe(first.undici);
    uninstallFirst();
    expect(globals[FETCH_SLOT]).toBe(original.fetch);
    expect(globals[UNDICI_SLOT]).toBe(original.undici);
  });

  it('composes onto a ProxyAgent the application sets after it, within about a second: its calls go through the proxy and are recorded once', async () => {
    const proxy = await startForwardProxy();
    const proxyAgent = new undici.ProxyAgent(proxy.url);
    const uninstall = installFetchInstrumentation();
    try {
      undici.setGlobalDispatcher(proxyAgent);
      const set = { fetch: globals[FETCH_SLOT], undici: globals[UNDICI_SLOT] };
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(globals[FETCH_SLOT]).not.toBe(set.fetch);
      expect(globals[UNDICI_SLOT]).not.toBe(set.undici);
      await callThroughFetchAndRequest('proxied-later');
      expect(proxy.forwarded).toEqual([`POST ${server.baseURL}/chat/completions`, `POST ${server.baseURL}/chat/completions`]);
      expect(attempts().map((span) => span.attributes['runtrace.attempt.number'])).toEqual([1, 2]);
      uninstall();
      expect(globals[FETCH_SLOT]).toBe(set.fetch);
      expect(globals[UNDICI_SLOT]).toBe(set.undici);
    } finally {
      uninstall();
      await proxyAgent.close();
      await proxy.close();
    }
  });

  it('leaves alone a dispatcher it cannot read, set after it, without an exception from its watch', async () => {
    const uninstall = installFetchInstrumentation();
    const unreadable = new Proxy({}, {
      get() {
        throw new Error('no reading here');
      },
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      globals[UNDICI_SLOT] = unreadable;
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(globals[UNDICI_SLOT]).toBe(unreadable);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      uninstall();
    }
  });

  it('leaves a dispatcher installed after it in place on uninstall', () => {
    const uninstall = installFetchInstrumentation();
    const later = new undici.Agent();
    undici.setGlobalDispatcher(later);
    const after = { fetch: globals[FETCH_SLOT], undici: globals[UNDICI_SLOT] };
    uninstall();
    expect(globals[FETCH_SLOT]).toBe(after.fetch);
    expect(globals[UNDICI_SLOT]).toBe(later);
    return later.close();
  });
});
