// The OpenAI Responses API read on the wire: the real openai client (responses.create, streamed and
// not) and the AI SDK's default `openai(model)` → the mock OpenAI server's POST /v1/responses,
// through register() and the store, without any setResponse: each call once with no runtrace code
// at all (an llm_call run), once inside recorder.run + run.step. Models, the usage of
// response.completed, the final status, cost, retries, cut streams and a function-call round trip.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIScenario, MockOpenAIServer } from '@runtrace/testkit';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODEL = 'o4-mini';
/** What the API answers for the alias: a dated model name, priced as `o4-mini`. */
const DATED_MODEL = 'o4-mini-2025-04-16';
/** The AI SDK cases use another model, so their prices are told apart. */
const AI_SDK_MODEL = 'gpt-4.1-mini';
/** On 127.0.0.1 the provider is the host name (see provider-for-host.ts). */
const PROVIDER = '127.0.0.1';
/** Default prices (packages/core/src/internal/default-prices.ts), US dollars per token. */
const PRICE = {
  [MODEL]: { input: 1.1e-6, output: 4.4e-6, cacheRead: 0.275e-6 },
  [AI_SDK_MODEL]: { input: 0.4e-6, output: 1.6e-6, cacheRead: 0.1e-6 },
};

type CaseName = 'json' | 'stream' | 'noUsage' | 'noUsageStream' | 'incomplete' | 'retry' | 'cut' | 'aiSdkGenerate' | 'aiSdkStream';
type Mode = 'explicit' | 'implicit';

interface Clients {
  readonly openai: OpenAI;
  readonly aiSdk: ReturnType<typeof createOpenAI>;
}

interface Case {
  /** The scenarios of the call; `id` is the response id that finds its run in the store. */
  readonly scenarios: (id: string) => readonly MockOpenAIScenario[];
  readonly call: (clients: Clients, prompt: string) => Promise<unknown>;
}

/** `responses.create({ stream: true })`, read to the end as an application would. */
async function readStream(client: OpenAI, params: OpenAI.Responses.ResponseCreateParamsNonStreaming): Promise<string> {
  const stream = await client.responses.create({ ...params, stream: true });
  let text = '';
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  return text;
}

const CASES: Readonly<Record<CaseName, Case>> = {
  json: {
    scenarios: (id) => [{ id, model: DATED_MODEL, reply: 'Sunny.', usage: { promptTokens: 2048, cachedTokens: 1536, completionTokens: 300, reasoningTokens: 200 } }],
    call: ({ openai }, prompt) => openai.responses.create({ model: MODEL, input: prompt }),
  },
  stream: {
    scenarios: (id) => [{ id, reply: 'Cold and dark in Oslo.', usage: { promptTokens: 500, cachedTokens: 100, completionTokens: 120, reasoningTokens: 64 } }],
    call: ({ openai }, prompt) => readStream(openai, { model: MODEL, input: prompt }),
  },
  noUsage: {
    scenarios: (id) => [{ id, reply: 'No usage here.', usage: null }],
    call: ({ openai }, prompt) => openai.responses.create({ model: MODEL, input: prompt }),
  },
  noUsageStream: {
    scenarios: (id) => [{ id, reply: 'No usage streamed.', usage: null }],
    call: ({ openai }, prompt) => readStream(openai, { model: MODEL, input: prompt }),
  },
  incomplete: {
    // Stopped by max_output_tokens: response.incomplete, with its usage.
    scenarios: (id) => [{ id, reply: 'A long answer that', finishReason: 'length', usage: { promptTokens: 40, completionTokens: 64, reasoningTokens: 60 } }],
    call: ({ openai }, prompt) => readStream(openai, { model: MODEL, input: prompt, max_output_tokens: 64 }),
  },
  retry: {
    scenarios: (id) => [{ status: 429, headers: { 'retry-after': '0', 'retry-after-ms': '5' } }, { id, reply: 'After the retry.', usage: { promptTokens: 10, completionTokens: 5 } }],
    call: ({ openai }, prompt) => openai.responses.create({ model: MODEL, input: prompt }),
  },
  cut: {
    // response.created, response.in_progress, output_item.added, content_part.added, one delta, then the socket is destroyed.
    scenarios: (id) => [{ id, reply: 'a b c d e', usage: { promptTokens: 10, completionTokens: 5 }, cutAfterChunks: 5 }],
    call: ({ openai }, prompt) => readStream(openai, { model: MODEL, input: prompt }),
  },
  aiSdkGenerate: {
    scenarios: (id) => [{ id, reply: 'Cold.', usage: { promptTokens: 1000, cachedTokens: 400, completionTokens: 200 } }],
    call: async ({ aiSdk }, prompt) => (await generateText({ model: aiSdk(AI_SDK_MODEL), prompt })).text,
  },
  aiSdkStream: {
    scenarios: (id) => [{ id, reply: 'Cold and windy.', usage: { promptTokens: 700, cachedTokens: 200, completionTokens: 90 } }],
    call: async ({ aiSdk }, prompt) => {
      const result = streamText({ model: aiSdk(AI_SDK_MODEL), prompt });
      let text = '';
      for await (const piece of result.textStream) text += piece;
      return text;
    },
  },
};
const CASE_NAMES = Object.keys(CASES) as CaseName[];

function responseIdOf(mode: Mode, name: CaseName): string {
  return `resp_${mode}_${name}`;
}

const WEATHER_TOOL: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

/**
 * A hand-written function-call round trip inside a run, with no step and no tool span: the first
 * answer asks for get_weather, the next request carries its function_call_output by call_id.
 */
async function weatherRoundTrip(client: OpenAI, stream: boolean): Promise<string> {
  const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: 'What is the weather in Oslo?' }];
  const asked = stream ? await client.responses.stream({ model: MODEL, input, tools: [WEATHER_TOOL] }).finalResponse() : await client.responses.create({ model: MODEL, input, tools: [WEATHER_TOOL] });
  const output: readonly OpenAI.Responses.ResponseOutputItem[] = asked.output;
  const call = output.find((item) => item.type === 'function_call');
  if (call?.type !== 'function_call') throw new Error('no function_call in the first answer');
  input.push(call, { type: 'function_call_output', call_id: call.call_id, output: '{"celsius":4}' });
  const answered = await client.responses.create({ model: MODEL, input, tools: [WEATHER_TOOL] });
  return answered.output_text;
}

describe('the OpenAI Responses API read on the wire: the real openai client and the AI SDK, register() and the store', () => {
  let dir: string;
  let server: MockOpenAIServer;
  const errors: Record<Mode, Partial<Record<CaseName, unknown>>> = { explicit: {}, implicit: {} };
  const results: Record<Mode, Partial<Record<CaseName, unknown>>> = { explicit: {}, implicit: {} };
  const explicitRunIds: Partial<Record<CaseName, string>> = {};
  const details: Record<Mode, Partial<Record<CaseName, RunDetail>>> = { explicit: {}, implicit: {} };
  /** How many llm_call runs each implicit call left (found by the response id of their step). */
  const implicitRunCounts: Partial<Record<CaseName, number>> = {};
  const toolRunIds: Record<'json' | 'stream', string> = { json: '', stream: '' };
  const toolRuns: Partial<Record<'json' | 'stream', RunDetail>> = {};
  const toolTexts: Partial<Record<'json' | 'stream', string>> = {};
  let llmCallRunCount = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-wire-responses-'));
    server = await startMockOpenAIServer();
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {} });
    const clients: Clients = {
      openai: new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 2 }),
      aiSdk: createOpenAI({ apiKey: 'sk-test', baseURL: server.baseURL }),
    };
    try {
      for (const name of CASE_NAMES) {
        const testCase = CASES[name];
        server.enqueue(...testCase.scenarios(responseIdOf('implicit', name)));
        await testCase.call(clients, `implicit ${name}: what is the weather in Oslo?`).then(
          (result) => {
            results.implicit[name] = result;
          },
          (error: unknown) => {
            errors.implicit[name] = error;
          },
        );
      }
      for (const name of CASE_NAMES) {
        const testCase = CASES[name];
        server.enqueue(...testCase.scenarios(responseIdOf('explicit', name)));
        await runtrace.recorder
          .run({ kind: 'chat_turn', label: name }, async (run) => {
            explicitRunIds[name] = run.id;
            results.explicit[name] = await run.step({ operation: 'generate' }, () => testCase.call(clients, `explicit ${name}: what is the weather in Oslo?`));
          })
          .catch((error: unknown) => {
            errors.explicit[name] = error;
          });
      }
      for (const kind of ['json', 'stream'] as const) {
        server.enqueue(
          { id: `resp_tools_${kind}_1`, toolCalls: [{ id: `call_weather_${kind}`, name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } },
          { id: `resp_tools_${kind}_2`, reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 150, completionTokens: 8 } },
        );
        await runtrace.recorder.run({ kind: 'chat_turn', label: `tools ${kind}` }, async (run) => {
          toolRunIds[kind] = run.id;
          toolTexts[kind] = await weatherRoundTrip(clients.openai, kind === 'stream');
        });
      }
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const name of CASE_NAMES) {
        const detail = store.getRun(explicitRunIds[name] ?? '');
        if (detail !== undefined) details.explicit[name] = detail;
      }
      const llmCalls = store.listRuns({ kind: 'llm_call', limit: 100 }).runs.map((summary) => store.getRun(summary.runId)!);
      llmCallRunCount = llmCalls.length;
      for (const name of CASE_NAMES) {
        const matching = llmCalls.filter((detail) => detail.steps.some((step) => step.responseId === responseIdOf('implicit', name)));
        implicitRunCounts[name] = matching.length;
        if (matching[0] !== undefined) details.implicit[name] = matching[0];
      }
      for (const kind of ['json', 'stream'] as const) {
        const detail = store.getRun(toolRunIds[kind]);
        if (detail !== undefined) toolRuns[kind] = detail;
      }
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the calls reached POST /v1/responses as the clients send them; only the cut stream failed', () => {
    // 9 cases, the retry case twice, in both modes; two round trips of two calls.
    expect(server.requests).toHaveLength(24);
    expect(server.requests.every((request) => request.method === 'POST' && request.path === '/v1/responses')).toBe(true);
    expect(errors.implicit).toEqual({ cut: expect.any(Error) });
    expect(errors.explicit).toEqual({ cut: expect.any(Error) });
    for (const mode of ['implicit', 'explicit'] as const) {
      expect(results[mode]).toMatchObject({ stream: 'Cold and dark in Oslo.', aiSdkGenerate: 'Cold.', aiSdkStream: 'Cold and windy.', incomplete: 'A long answer that' });
    }
    // The AI SDK's streamText streams; its generateText does not.
    const aiSdkStream = server.requests.find((request) => JSON.stringify(request.json).includes('implicit aiSdkStream'));
    expect(aiSdkStream?.json).toMatchObject({ model: AI_SDK_MODEL, stream: true });
    // The round trip sent the function call's output back by its call_id.
    expect(server.requests.at(-1)?.json).toMatchObject({ input: expect.arrayContaining([{ type: 'function_call_output', call_id: 'call_weather_stream', output: '{"celsius":4}' }]) });
  });

  it('a call outside any run is the one step of its own llm_call run', () => {
    expect(llmCallRunCount).toBe(CASE_NAMES.length);
    for (const name of CASE_NAMES) {
      expect({ name, runs: implicitRunCounts[name] }).toEqual({ name, runs: 1 });
      const detail = details.implicit[name]!;
      const model = name.startsWith('aiSdk') ? AI_SDK_MODEL : MODEL;
      expect({ name, ...detail.run }).toMatchObject({ name, kind: 'llm_call', provider: PROVIDER, model, stepCount: 1 });
      expect(detail.steps[0]!.attributes['runtrace.step.implicit']).toBe(true);
    }
  });

  describe.each<Mode>(['implicit', 'explicit'])('%s', (mode) => {
    function step(name: CaseName): RunDetail['steps'][number] {
      const detail = details[mode][name];
      expect(detail?.steps).toHaveLength(1);
      return detail!.steps[0]!;
    }

    it('responses.create: models, input tokens with the cached ones, output tokens with the reasoning ones, the final status, a priced cost', () => {
      expect(step('json')).toMatchObject({
        requestModel: MODEL,
        responseModel: DATED_MODEL,
        responseId: responseIdOf(mode, 'json'),
        provider: PROVIDER,
        inputTokens: 2048,
        outputTokens: 300,
        cacheReadTokens: 1536,
        reasoningTokens: 200,
        finishReasons: ['completed'],
        costUnknown: false,
        status: 'completed',
      });
      const price = PRICE[MODEL];
      const cost = 512 * price.input + 1536 * price.cacheRead + 300 * price.output;
      expect(step('json').costUsd).toBeCloseTo(cost, 12);
      expect(details[mode].json!.run).toMatchObject({ inputTokens: 2048, outputTokens: 300, cacheReadTokens: 1536, reasoningTokens: 200, costUnknown: false });
      expect(details[mode].json!.run.costUsd).toBeCloseTo(cost, 12);
    });

    it('responses.create({ stream: true }) read to the end: the usage of response.completed once, the time to first chunk', () => {
      expect(step('stream')).toMatchObject({
        requestModel: MODEL,
        responseModel: MODEL,
        inputTokens: 500,
        outputTokens: 120,
        cacheReadTokens: 100,
        reasoningTokens: 64,
        finishReasons: ['completed'],
        costUnknown: false,
        status: 'completed',
        timeToFirstChunkMs: expect.any(Number),
      });
      const price = PRICE[MODEL];
      expect(step('stream').costUsd).toBeCloseTo(400 * price.input + 100 * price.cacheRead + 120 * price.output, 12);
    });

    it('an answer without usage, streamed or not: cost unknown (no usage in the response), never $0', () => {
      for (const name of ['noUsage', 'noUsageStream'] as const) {
        expect({ name, ...step(name) }).toMatchObject({ name, responseModel: MODEL, finishReasons: ['completed'], status: 'completed', costUsd: null, costUnknown: true, costUnknownReason: 'no usage in the response' });
        expect(details[mode][name]!.run).toMatchObject({ costUsd: null, costUnknown: true });
        expect(details[mode][name]!.costUnknownReasons).toEqual(['no usage in the response']);
      }
    });

    it('response.incomplete (max_output_tokens): its reason as the finish reason, its usage priced', () => {
      expect(step('incomplete')).toMatchObject({ inputTokens: 40, outputTokens: 64, reasoningTokens: 60, finishReasons: ['max_output_tokens'], costUnknown: false });
      const price = PRICE[MODEL];
      expect(step('incomplete').costUsd).toBeCloseTo(40 * price.input + 64 * price.output, 12);
    });

    it('a 429 then a 200 (the client retries by itself) is one step with two attempts, usage counted once', () => {
      const detail = details[mode].retry!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.steps[0]).toMatchObject({ inputTokens: 10, outputTokens: 5, status: 'completed', costUnknown: false, finishReasons: ['completed'] });
      const attempts = detail.attempts.filter((attempt) => attempt.stepId === detail.steps[0]!.stepId);
      expect(attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status, attempt.resendCount])).toEqual([
        [1, 429, 'error', 0],
        [2, 200, 'completed', 1],
      ]);
      expect(attempts[0]).toMatchObject({ retryClassification: 'rate_limited', retryDelayMs: 5, url: `${server.baseURL}/responses` });
      const price = PRICE[MODEL];
      expect(detail.run.costUsd).toBeCloseTo(10 * price.input + 5 * price.output, 12);
    });

    it('a stream cut after 5 events: neither the step nor its attempt is completed, and the cost is unknown', () => {
      const detail = details[mode].cut!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.steps[0]!.status).not.toBe('completed');
      const attempts = detail.attempts.filter((attempt) => attempt.stepId === detail.steps[0]!.stepId);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]!.statusCode).toBe(200);
      expect(attempts[0]!.status).not.toBe('completed');
      // What was read before the cut: the model and the id of response.created; no usage, so no cost.
      expect(detail.steps[0]).toMatchObject({ responseModel: MODEL, responseId: responseIdOf(mode, 'cut'), finishReasons: [], costUsd: null, costUnknown: true });
      expect(detail.run).toMatchObject({ costUsd: null, costUnknown: true, status: 'error' });
    });

    it("the AI SDK's default openai(model), generateText and streamText: tokens and cost from the wire, no code", () => {
      const price = PRICE[AI_SDK_MODEL];
      expect(step('aiSdkGenerate')).toMatchObject({ requestModel: AI_SDK_MODEL, responseModel: AI_SDK_MODEL, inputTokens: 1000, outputTokens: 200, cacheReadTokens: 400, finishReasons: ['completed'], status: 'completed', costUnknown: false });
      expect(details[mode].aiSdkGenerate!.run.costUsd).toBeCloseTo(600 * price.input + 400 * price.cacheRead + 200 * price.output, 12);
      expect(step('aiSdkStream')).toMatchObject({ requestModel: AI_SDK_MODEL, responseModel: AI_SDK_MODEL, inputTokens: 700, outputTokens: 90, cacheReadTokens: 200, finishReasons: ['completed'], status: 'completed', costUnknown: false, timeToFirstChunkMs: expect.any(Number) });
      expect(details[mode].aiSdkStream!.run.costUsd).toBeCloseTo(500 * price.input + 200 * price.cacheRead + 90 * price.output, 12);
    });
  });

  describe('a function-call round trip inside a run (no step, no tool span): two steps and the tool call from the wire', () => {
    it.each(['json', 'stream'] as const)('first answer %s', (kind) => {
      expect(toolTexts[kind]).toBe('It is 4 °C in Oslo.');
      const detail = toolRuns[kind]!;
      expect(detail.steps.map((step) => [step.number, step.requestModel, step.responseId, step.status, step.inputTokens, step.outputTokens, step.finishReasons])).toEqual([
        [1, MODEL, `resp_tools_${kind}_1`, 'completed', 100, 20, ['completed']],
        [2, MODEL, `resp_tools_${kind}_2`, 'completed', 150, 8, ['completed']],
      ]);
      expect(detail.toolCalls).toHaveLength(1);
      expect(detail.toolCalls[0]).toMatchObject({ name: 'get_weather', callId: `call_weather_${kind}`, status: 'completed', stepId: detail.steps[0]!.stepId });
      expect(detail.toolCalls[0]!.attributes['runtrace.tool.from_wire']).toBe(true);
      const price = PRICE[MODEL];
      expect(detail.run).toMatchObject({ kind: 'chat_turn', status: 'completed', stepCount: 2, toolCallCount: 1, inputTokens: 250, outputTokens: 28, costUnknown: false });
      expect(detail.run.costUsd).toBeCloseTo(250 * price.input + 28 * price.output, 12);
    });
  });
});
