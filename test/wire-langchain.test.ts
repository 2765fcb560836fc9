// LangChain's ChatOpenAI (@langchain/openai) → the mock OpenAI server, through register() and the
// store, with no runtrace code around the calls: invoke and stream with no run (llm_call runs),
// and inside recorder.run (steps of that run, a tool round trip read from the wire).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODEL = 'gpt-4o-mini';
/** On 127.0.0.1 the provider is the host name (see provider-for-host.ts). */
const PROVIDER = '127.0.0.1';
/** Default prices of gpt-4o-mini, US dollars per token. */
const PRICE = { input: 0.15e-6, output: 0.6e-6, cacheRead: 0.075e-6 };

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'weather', description: 'The current weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

function promptOf(name: string): string {
  return `${name}: what is the weather in Oslo?`;
}

async function readStream(model: ChatOpenAI, prompt: string): Promise<string> {
  let text = '';
  for await (const chunk of await model.stream(prompt)) text += chunk.text;
  return text;
}

describe("LangChain's ChatOpenAI read on the wire: register() and the store", () => {
  let dir: string;
  let server: MockOpenAIServer;
  const implicit: Record<string, RunDetail[]> = {};
  let inRun: RunDetail | undefined;
  let retryRun: RunDetail | undefined;
  let toolRun: RunDetail | undefined;
  const texts: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-wire-langchain-'));
    server = await startMockOpenAIServer();
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full' });
    const model = new ChatOpenAI({ model: MODEL, apiKey: 'sk-test', configuration: { baseURL: server.baseURL } });
    let inRunId = '';
    let toolRunId = '';
    let retryRunId = '';
    try {
      // No run: each call is an llm_call run of its own.
      server.enqueue({ reply: 'Cold.', usage: { promptTokens: 1000, completionTokens: 200 } }, { reply: 'Cold and dark.', usage: { promptTokens: 500, completionTokens: 50, cachedTokens: 100 } });
      texts.invoke = (await model.invoke(promptOf('invoke'))).text;
      texts.stream = await readStream(model, promptOf('stream'));
      // LangChain's own retry (its AsyncCaller; the OpenAI client inside it has maxRetries 0) after a 429.
      server.enqueue({ status: 429, headers: { 'retry-after-ms': '5', 'retry-after': '0' } }, { reply: 'After the retry.', usage: { promptTokens: 10, completionTokens: 5 } });
      texts.retry = (await model.invoke(promptOf('retry'))).text;

      // Inside a run: both calls are steps of it.
      server.enqueue({ reply: 'One.', usage: { promptTokens: 30, completionTokens: 3 } }, { reply: 'Two more.', usage: { promptTokens: 40, completionTokens: 4 } });
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'in a run' }, async (run) => {
        inRunId = run.id;
        texts.inRunInvoke = (await model.invoke(promptOf('in a run, invoke'))).text;
        texts.inRunStream = await readStream(model, promptOf('in a run, stream'));
      });

      // Inside a run: the same retry.
      server.enqueue({ status: 429, headers: { 'retry-after-ms': '5', 'retry-after': '0' } }, { reply: 'After the retry.', usage: { promptTokens: 10, completionTokens: 5 } });
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'retry in a run' }, async (run) => {
        retryRunId = run.id;
        texts.inRunRetry = (await model.invoke(promptOf('in a run, retry'))).text;
      });

      // Inside a run: a tool round trip the application drives itself, with no runtrace code around the tool.
      server.enqueue({ toolCalls: [{ id: 'call_lc_1', name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } }, { reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 150, completionTokens: 8 } });
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'tools' }, async (run) => {
        toolRunId = run.id;
        const withTools = model.bindTools([WEATHER_TOOL]);
        const history: BaseMessage[] = [new HumanMessage(promptOf('tools'))];
        const asked = await withTools.invoke(history);
        history.push(asked);
        for (const call of asked.tool_calls ?? []) history.push(new ToolMessage({ tool_call_id: call.id ?? '', content: JSON.stringify({ celsius: 4 }) }));
        texts.tools = (await withTools.invoke(history)).text;
      });

      // The same round trip with no run: two llm_call runs in one conversation, the tool call in the first.
      server.enqueue({ toolCalls: [{ id: 'call_lc_2', name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } }, { reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 150, completionTokens: 8 } });
      {
        const withTools = model.bindTools([WEATHER_TOOL]);
        const history: BaseMessage[] = [new HumanMessage(promptOf('no-run tools'))];
        const asked = await withTools.invoke(history);
        history.push(asked);
        for (const call of asked.tool_calls ?? []) history.push(new ToolMessage({ tool_call_id: call.id ?? '', content: JSON.stringify({ celsius: 4 }) }));
        texts.noRunTools = (await withTools.invoke(history)).text;
      }
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const summary of store.listRuns({ kind: 'llm_call', limit: 100 }).runs) {
        const name = summary.label?.split(':')[0] ?? '';
        (implicit[name] ??= []).push(store.getRun(summary.runId)!);
      }
      inRun = store.getRun(inRunId);
      toolRun = store.getRun(toolRunId);
      retryRun = store.getRun(retryRunId);
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  function onlyLlmCall(name: string): RunDetail {
    expect({ name, runs: implicit[name]?.length ?? 0 }).toEqual({ name, runs: 1 });
    return implicit[name]![0]!;
  }

  it('the calls reached the server as chat completions; stream asks for the final usage chunk', () => {
    expect(texts).toEqual({ invoke: 'Cold.', stream: 'Cold and dark.', retry: 'After the retry.', inRunInvoke: 'One.', inRunStream: 'Two more.', inRunRetry: 'After the retry.', tools: 'It is 4 °C in Oslo.', noRunTools: 'It is 4 °C in Oslo.' });
    expect(server.requests).toHaveLength(12);
    // LangChain retries by calling the OpenAI client again (built with maxRetries 0): the retry
    // is the same request, and says it is a first attempt.
    const retried = server.requests.filter((request) => request.body.includes('"retry: '));
    expect(retried.map((request) => [request.body === retried[0]!.body, request.headers['x-stainless-retry-count']])).toEqual([
      [true, '0'],
      [true, '0'],
    ]);
    expect(server.requests.every((request) => request.path === '/v1/chat/completions')).toBe(true);
    expect(server.requests[0]!.json).not.toHaveProperty('stream', true);
    // LangChain's streamUsage (default true) sets stream_options.include_usage.
    expect(server.requests[1]!.json).toMatchObject({ model: MODEL, stream: true, stream_options: { include_usage: true } });
    // Only the runs of the calls made outside any run are llm_call runs.
    expect(Object.keys(implicit).sort()).toEqual(['invoke', 'no-run tools', 'retry', 'stream']);
  });

  it('invoke with no run: an llm_call run with model, tokens and a priced cost', () => {
    const detail = onlyLlmCall('invoke');
    expect(detail.run).toMatchObject({ kind: 'llm_call', provider: PROVIDER, model: MODEL, status: 'completed', stepCount: 1, inputTokens: 1000, outputTokens: 200, costUnknown: false });
    expect(detail.steps[0]).toMatchObject({ requestModel: MODEL, responseModel: MODEL, finishReasons: ['stop'], status: 'completed' });
    expect(detail.run.costUsd).toBeCloseTo(1000 * PRICE.input + 200 * PRICE.output, 12);
  });

  it('stream with no run: the usage chunk counts once, cached tokens priced as such', () => {
    const detail = onlyLlmCall('stream');
    expect(detail.run).toMatchObject({ kind: 'llm_call', provider: PROVIDER, model: MODEL, status: 'completed', stepCount: 1, inputTokens: 500, outputTokens: 50, costUnknown: false });
    expect(detail.steps[0]).toMatchObject({ cacheReadTokens: 100, finishReasons: ['stop'], timeToFirstChunkMs: expect.any(Number), status: 'completed' });
    expect(detail.run.costUsd).toBeCloseTo(400 * PRICE.input + 100 * PRICE.cacheRead + 50 * PRICE.output, 12);
  });

  // These two fail today: runtrace never takes a request with `x-stainless-retry-count: 0` for a
  // retry (implicit-model-call.ts), and every LangChain retry is sent so. The 429 and the 200 are
  // two llm_call runs (two steps in a run) instead of one step with two attempts.
  it("LangChain's own retry after a 429, with no run: one llm_call run, one step, two attempts", () => {
    const detail = onlyLlmCall('retry');
    expect(detail.run).toMatchObject({ kind: 'llm_call', status: 'completed', stepCount: 1, inputTokens: 10, outputTokens: 5, costUnknown: false });
    expect(detail.attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status, attempt.resendCount, attempt.retryClassification])).toEqual([
      [1, 429, 'error', 0, 'rate_limited'],
      [2, 200, 'completed', 1, 'none'],
    ]);
  });

  it("LangChain's own retry after a 429, inside recorder.run: one step, two attempts", () => {
    expect(retryRun?.steps.map((step) => [step.number, step.status, step.inputTokens, step.outputTokens])).toEqual([[1, 'completed', 10, 5]]);
    expect(retryRun?.attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status])).toEqual([
      [1, 429, 'error'],
      [2, 200, 'completed'],
    ]);
  });

  it('invoke and stream inside recorder.run: two steps of that run', () => {
    expect(inRun?.steps.map((step) => [step.number, step.requestModel, step.status, step.inputTokens, step.outputTokens, step.attributes['runtrace.step.implicit']])).toEqual([
      [1, MODEL, 'completed', 30, 3, true],
      [2, MODEL, 'completed', 40, 4, true],
    ]);
    expect(inRun?.run).toMatchObject({ kind: 'chat_turn', status: 'completed', stepCount: 2, inputTokens: 70, outputTokens: 7, model: MODEL, costUnknown: false });
  });

  it('a tool round trip with no run: two llm_call runs in one conversation, the tool call, by its id, in the first', () => {
    const runs = [...(implicit['no-run tools'] ?? [])].sort((a, b) => a.run.startTimeMs - b.run.startTimeMs);
    expect(runs).toHaveLength(2);
    const [asking, answering] = runs as [RunDetail, RunDetail];
    expect([asking.run.conversationId, answering.run.conversationId]).toEqual([asking.run.runId, asking.run.runId]);
    expect(asking.run).toMatchObject({ status: 'completed', stepCount: 1, toolCallCount: 1, inputTokens: 100, outputTokens: 20 });
    expect(answering.run).toMatchObject({ status: 'completed', stepCount: 1, toolCallCount: 0, inputTokens: 150, outputTokens: 8 });
    expect(asking.toolCalls[0]).toMatchObject({ name: 'weather', callId: 'call_lc_2', status: 'completed', stepId: asking.steps[0]!.stepId });
  });

  it('a tool round trip inside recorder.run: two steps and the tool call, by its id, from the wire', () => {
    expect(toolRun?.steps.map((step) => [step.number, step.status, step.finishReasons])).toEqual([
      [1, 'completed', ['tool_calls']],
      [2, 'completed', ['stop']],
    ]);
    expect(toolRun?.toolCalls).toHaveLength(1);
    expect(toolRun?.toolCalls[0]).toMatchObject({ name: 'weather', callId: 'call_lc_1', status: 'completed', stepId: toolRun!.steps[0]!.stepId });
    expect(toolRun?.run).toMatchObject({ stepCount: 2, toolCallCount: 1, inputTokens: 250, outputTokens: 28 });
  });
});
