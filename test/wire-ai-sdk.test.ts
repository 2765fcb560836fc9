// The Vercel AI SDK's own providers (@ai-sdk/openai, @ai-sdk/anthropic) → the mock servers, through
// register() and the store, with no runtrace code around the calls: generateText and streamText
// with no run (llm_call runs), inside recorder.run with a tool loop (steps and the tool call read
// from the wire, `execute` not wrapped), and the SDK's own retry after a 429.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockAnthropicServer, startMockOpenAIServer } from '@runtrace/testkit';
import type { MockAnthropicServer, MockOpenAIServer } from '@runtrace/testkit';
import { generateText, isStepCount, jsonSchema, streamText, tool } from 'ai';
import type { LanguageModel } from 'ai';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const OPENAI_MODEL = 'gpt-4o-mini';
const ANTHROPIC_MODEL = 'claude-sonnet-4-5';
/** On 127.0.0.1 the provider is the host name (see provider-for-host.ts). */
const PROVIDER = '127.0.0.1';
/** Default prices, US dollars per token. */
const PRICE = {
  openai: { input: 0.15e-6, output: 0.6e-6, cacheRead: 0.075e-6 },
  anthropic: { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite: 3.75e-6 },
};

type Vendor = 'openai' | 'anthropic';
type Call = 'generate' | 'stream';

/** Reads a whole generateText or streamText call, as an application would. */
async function complete(call: Call, options: Parameters<typeof generateText>[0]): Promise<string> {
  if (call === 'generate') return (await generateText(options)).text;
  const result = streamText(options);
  let text = '';
  for await (const piece of result.textStream) text += piece;
  return text;
}

const weather = tool({
  description: 'The current weather in a city.',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: ({ city }) => ({ city, celsius: 4 }),
});

function promptOf(name: string): string {
  return `${name}: what is the weather in Oslo?`;
}

describe('the AI SDK read on the wire: @ai-sdk/openai and @ai-sdk/anthropic, register() and the store', () => {
  let dir: string;
  let openaiServer: MockOpenAIServer;
  let anthropicServer: MockAnthropicServer;
  /** Runs with no runtrace code, found by their label (the last user message, policy `full`). */
  const implicit: Record<string, RunDetail[]> = {};
  /** Runs made with recorder.run, by name. */
  const explicit: Record<string, RunDetail> = {};
  const explicitIds: Record<string, string> = {};
  const texts: Record<string, string> = {};
  const errors: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-wire-ai-sdk-'));
    openaiServer = await startMockOpenAIServer();
    anthropicServer = await startMockAnthropicServer();
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full' });
    const openai = createOpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL });
    // The AI SDK's Anthropic provider wants the base with /v1; the mock's baseURL is the origin (for @anthropic-ai/sdk).
    const anthropic = createAnthropic({ apiKey: 'sk-ant-test', baseURL: `${anthropicServer.url}/v1` });
    const models: Record<Vendor, LanguageModel> = { openai: openai.chat(OPENAI_MODEL), anthropic: anthropic(ANTHROPIC_MODEL) };

    async function record(name: string, work: () => Promise<string>): Promise<void> {
      try {
        texts[name] = await work();
      } catch (error: unknown) {
        errors[name] = error;
      }
    }

    try {
      // No run: each call is an llm_call run of its own.
      openaiServer.enqueue({ usage: { promptTokens: 1000, completionTokens: 200 } }, { reply: 'Cold.', usage: { promptTokens: 500, completionTokens: 50, cachedTokens: 100 } });
      await record('openai generate', () => complete('generate', { model: models.openai, prompt: promptOf('openai generate') }));
      await record('openai stream', () => complete('stream', { model: models.openai, prompt: promptOf('openai stream') }));
      anthropicServer.enqueue(
        { reply: 'Cold.', usage: { inputTokens: 1000, cacheReadInputTokens: 2000, cacheCreationInputTokens: 100, outputTokens: 300 } },
        { reply: 'Cold and dark.', usage: { inputTokens: 50, cacheReadInputTokens: 400, outputTokens: 120 } },
      );
      await record('anthropic generate', () => complete('generate', { model: models.anthropic, prompt: promptOf('anthropic generate') }));
      await record('anthropic stream', () => complete('stream', { model: models.anthropic, prompt: promptOf('anthropic stream') }));

      // The default `openai(model)` speaks the Responses API (POST /v1/responses; its answers are
      // tested in wire-openai-responses.test.ts). Here the server refuses the call with a 404.
      openaiServer.enqueue({ status: 404, error: { message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found' } });
      await record('openai responses', () => complete('generate', { model: openai(OPENAI_MODEL), prompt: promptOf('openai responses'), maxRetries: 0 }));

      // The AI SDK's own retry (maxRetries, default 2) after a 429 with retry-after-ms.
      function enqueueRetry(vendor: Vendor): void {
        const rateLimited = { status: 429, headers: { 'retry-after-ms': '5', 'retry-after': '0' } };
        if (vendor === 'openai') openaiServer.enqueue(rateLimited, { reply: 'After the retry.', usage: { promptTokens: 10, completionTokens: 5 } });
        else anthropicServer.enqueue(rateLimited, { reply: 'After the retry.', usage: { inputTokens: 10, outputTokens: 5 } });
      }
      for (const vendor of ['openai', 'anthropic'] as const) {
        for (const call of ['generate', 'stream'] as const) {
          const name = `${vendor} retry ${call}`;
          enqueueRetry(vendor);
          await record(name, () => complete(call, { model: models[vendor], prompt: promptOf(name) }));
          await runtrace.recorder.run({ kind: 'chat_turn', label: `${name} in a run` }, async (run) => {
            explicitIds[name] = run.id;
            enqueueRetry(vendor);
            await record(`${name} in a run`, () => complete(call, { model: models[vendor], prompt: promptOf(`${name} in a run`) }));
          });
        }
      }

      // Inside a run: a tool loop of two model calls, the tool's execute not wrapped.
      for (const vendor of ['openai', 'anthropic'] as const) {
        for (const call of ['generate', 'stream'] as const) {
          const name = `${vendor} tools ${call}`;
          const callId = `call_${vendor}_${call}`;
          if (vendor === 'openai') {
            openaiServer.enqueue({ toolCalls: [{ id: callId, name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } }, { reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 150, completionTokens: 8 } });
          } else {
            anthropicServer.enqueue({ toolUses: [{ id: callId, name: 'weather', input: { city: 'Oslo' } }], usage: { inputTokens: 100, outputTokens: 20 } }, { reply: 'It is 4 °C in Oslo.', usage: { inputTokens: 150, outputTokens: 8 } });
          }
          await runtrace.recorder.run({ kind: 'chat_turn', label: name }, async (run) => {
            explicitIds[name] = run.id;
            await record(name, () => complete(call, { model: models[vendor], prompt: promptOf(name), tools: { weather }, stopWhen: isStepCount(2) }));
          });
        }
      }

      // With no run: the same tool loop, its two model calls two llm_call runs in one conversation.
      for (const vendor of ['openai', 'anthropic'] as const) {
        for (const call of ['generate', 'stream'] as const) {
          const name = `${vendor} no-run tools ${call}`;
          const callId = `call_${vendor}_${call}_no_run`;
          if (vendor === 'openai') {
            openaiServer.enqueue({ toolCalls: [{ id: callId, name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } }, { reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 150, completionTokens: 8 } });
          } else {
            anthropicServer.enqueue({ toolUses: [{ id: callId, name: 'weather', input: { city: 'Oslo' } }], usage: { inputTokens: 100, outputTokens: 20 } }, { reply: 'It is 4 °C in Oslo.', usage: { inputTokens: 150, outputTokens: 8 } });
          }
          await record(name, () => complete(call, { model: models[vendor], prompt: promptOf(name), tools: { weather }, stopWhen: isStepCount(2) }));
        }
      }
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      const llmCalls = store.listRuns({ kind: 'llm_call', limit: 100 }).runs;
      for (const summary of llmCalls) {
        const name = summary.label?.split(':')[0] ?? '';
        (implicit[name] ??= []).push(store.getRun(summary.runId)!);
      }
      for (const [name, runId] of Object.entries(explicitIds)) {
        const detail = store.getRun(runId);
        if (detail !== undefined) explicit[name] = detail;
      }
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await openaiServer.close();
    await anthropicServer.close();
    await rm(dir, { recursive: true, force: true });
  });

  function onlyStep(detail: RunDetail | undefined): RunDetail['steps'][number] {
    expect(detail?.steps).toHaveLength(1);
    return detail!.steps[0]!;
  }

  function onlyLlmCall(name: string): RunDetail {
    expect({ name, runs: implicit[name]?.length ?? 0 }).toEqual({ name, runs: 1 });
    return implicit[name]![0]!;
  }

  it('every call reached its server as the providers send it, and only the Responses call failed', () => {
    expect(Object.keys(errors)).toEqual(['openai responses']);
    // Each: 2 plain calls, 4 retried calls twice each, 4 tool loops of 2 calls; OpenAI also the Responses call.
    expect(openaiServer.requests).toHaveLength(19);
    expect(anthropicServer.requests).toHaveLength(18);
    expect(texts['openai stream']).toBe('Cold.');
    expect(texts['anthropic stream']).toBe('Cold and dark.');
    const openaiPaths = new Set(openaiServer.requests.map((request) => request.path));
    expect(openaiPaths).toEqual(new Set(['/v1/chat/completions', '/v1/responses']));
    expect(anthropicServer.requests.every((request) => request.path === '/v1/messages' && request.headers['anthropic-version'] !== undefined)).toBe(true);
    // streamText on the chat model asks for the final usage chunk.
    const streamed = openaiServer.requests.find((request) => JSON.stringify(request.json).includes('openai stream'));
    expect(streamed?.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // No run names the tools: the mock saw them, and the tool results went back by call id.
    expect(JSON.stringify(openaiServer.requests.at(-1)?.json)).toContain('call_openai_stream_no_run');
    expect(JSON.stringify(anthropicServer.requests.at(-1)?.json)).toContain('call_anthropic_stream_no_run');
  });

  describe('with no run: one llm_call run per call, model, tokens and cost from the wire', () => {
    it('OpenAI chat, generateText', () => {
      const detail = onlyLlmCall('openai generate');
      expect(detail.run).toMatchObject({ kind: 'llm_call', provider: PROVIDER, model: OPENAI_MODEL, status: 'completed', inputTokens: 1000, outputTokens: 200, costUnknown: false, stepCount: 1 });
      expect(onlyStep(detail)).toMatchObject({ requestModel: OPENAI_MODEL, responseModel: OPENAI_MODEL, finishReasons: ['stop'], status: 'completed' });
      expect(detail.run.costUsd).toBeCloseTo(1000 * PRICE.openai.input + 200 * PRICE.openai.output, 12);
    });

    it('OpenAI chat, streamText: the final usage chunk counts once, cached tokens priced as such', () => {
      const detail = onlyLlmCall('openai stream');
      expect(detail.run).toMatchObject({ kind: 'llm_call', model: OPENAI_MODEL, status: 'completed', inputTokens: 500, outputTokens: 50, costUnknown: false });
      expect(onlyStep(detail)).toMatchObject({ cacheReadTokens: 100, finishReasons: ['stop'], timeToFirstChunkMs: expect.any(Number) });
      expect(detail.run.costUsd).toBeCloseTo(400 * PRICE.openai.input + 100 * PRICE.openai.cacheRead + 50 * PRICE.openai.output, 12);
    });

    it('Anthropic, generateText: the split usage once (input = uncached + cache reads + writes)', () => {
      const detail = onlyLlmCall('anthropic generate');
      expect(detail.run).toMatchObject({ kind: 'llm_call', provider: PROVIDER, model: ANTHROPIC_MODEL, status: 'completed', inputTokens: 3100, outputTokens: 300, costUnknown: false });
      expect(onlyStep(detail)).toMatchObject({ cacheReadTokens: 2000, cacheCreationTokens: 100, finishReasons: ['end_turn'] });
      const price = PRICE.anthropic;
      expect(detail.run.costUsd).toBeCloseTo(1000 * price.input + 2000 * price.cacheRead + 100 * price.cacheWrite + 300 * price.output, 12);
    });

    it('Anthropic, streamText: message_start and message_delta count once', () => {
      const detail = onlyLlmCall('anthropic stream');
      expect(detail.run).toMatchObject({ kind: 'llm_call', model: ANTHROPIC_MODEL, status: 'completed', inputTokens: 450, outputTokens: 120, costUnknown: false });
      expect(onlyStep(detail)).toMatchObject({ cacheReadTokens: 400, finishReasons: ['end_turn'], timeToFirstChunkMs: expect.any(Number) });
      expect(detail.run.costUsd).toBeCloseTo(50 * PRICE.anthropic.input + 400 * PRICE.anthropic.cacheRead + 120 * PRICE.anthropic.output, 12);
    });

    it("the provider's default model speaks the Responses API; a 404 from the server: a failed llm_call with the model and the prompt read from the request", () => {
      const detail = onlyLlmCall('openai responses');
      // Nothing was answered, so nothing was billed: $0, known (not an answer without usage).
      expect(detail.run).toMatchObject({ kind: 'llm_call', model: OPENAI_MODEL, status: 'error', errorType: '404', inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false });
      const step = onlyStep(detail);
      expect(step).toMatchObject({ requestModel: OPENAI_MODEL, responseModel: null, status: 'error' });
      expect(step.attributes['gen_ai.input.messages']).toContain(promptOf('openai responses'));
      expect(detail.attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status, attempt.url])).toEqual([[1, 404, 'error', `${openaiServer.baseURL}/responses`]]);
    });
  });

  describe("the AI SDK's own retry after a 429: one step, two attempts", () => {
    for (const vendor of ['openai', 'anthropic'] as const) {
      for (const call of ['generate', 'stream'] as const) {
        for (const where of ['no run', 'in a run'] as const) {
          it(`${vendor}, ${call}Text, ${where}`, () => {
            const name = `${vendor} retry ${call}`;
            const detail = where === 'no run' ? onlyLlmCall(name) : explicit[name];
            const step = onlyStep(detail);
            expect(step).toMatchObject({ requestModel: vendor === 'openai' ? OPENAI_MODEL : ANTHROPIC_MODEL, status: 'completed', inputTokens: 10, outputTokens: 5, costUnknown: false });
            const attempts = detail!.attempts.filter((attempt) => attempt.stepId === step.stepId);
            expect(attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status, attempt.resendCount])).toEqual([
              [1, 429, 'error', 0],
              [2, 200, 'completed', 1],
            ]);
            expect(attempts[0]).toMatchObject({ retryClassification: 'rate_limited', retryDelayMs: 5 });
            expect(detail!.run).toMatchObject({ status: 'completed', stepCount: 1, inputTokens: 10, outputTokens: 5 });
          });
        }
      }
    }
  });

  describe('inside recorder.run, a tool loop (isStepCount(2)): two steps and the tool call from the wire', () => {
    for (const vendor of ['openai', 'anthropic'] as const) {
      for (const call of ['generate', 'stream'] as const) {
        it(`${vendor}, ${call}Text`, () => {
          const name = `${vendor} tools ${call}`;
          expect(texts[name]).toBe('It is 4 °C in Oslo.');
          const detail = explicit[name]!;
          const model = vendor === 'openai' ? OPENAI_MODEL : ANTHROPIC_MODEL;
          const toolFinish = vendor === 'openai' ? 'tool_calls' : 'tool_use';
          const stopFinish = vendor === 'openai' ? 'stop' : 'end_turn';
          expect(detail.steps.map((step) => [step.number, step.requestModel, step.status, step.inputTokens, step.outputTokens, step.finishReasons])).toEqual([
            [1, model, 'completed', 100, 20, [toolFinish]],
            [2, model, 'completed', 150, 8, [stopFinish]],
          ]);
          expect(detail.toolCalls).toHaveLength(1);
          expect(detail.toolCalls[0]).toMatchObject({ name: 'weather', callId: `call_${vendor}_${call}`, status: 'completed', stepId: detail.steps[0]!.stepId });
          expect(detail.toolCalls[0]!.attributes['runtrace.tool.from_wire']).toBe(true);
          expect(detail.run).toMatchObject({ kind: 'chat_turn', status: 'completed', stepCount: 2, toolCallCount: 1, inputTokens: 250, outputTokens: 28, costUnknown: false });
        });
      }
    }
  });

  describe('with no run, a tool loop (isStepCount(2)): two llm_call runs in one conversation, the tool call in the first', () => {
    for (const vendor of ['openai', 'anthropic'] as const) {
      for (const call of ['generate', 'stream'] as const) {
        it(`${vendor}, ${call}Text`, () => {
          const name = `${vendor} no-run tools ${call}`;
          expect(texts[name]).toBe('It is 4 °C in Oslo.');
          const runs = [...(implicit[name] ?? [])].sort((a, b) => a.run.startTimeMs - b.run.startTimeMs);
          expect(runs).toHaveLength(2);
          const [asking, answering] = runs as [RunDetail, RunDetail];
          expect(asking.run.conversationId).toBe(asking.run.runId);
          expect(answering.run.conversationId).toBe(asking.run.runId);
          expect(asking.run).toMatchObject({ kind: 'llm_call', status: 'completed', stepCount: 1, toolCallCount: 1, inputTokens: 100, outputTokens: 20, costUnknown: false });
          expect(answering.run).toMatchObject({ kind: 'llm_call', status: 'completed', stepCount: 1, toolCallCount: 0, inputTokens: 150, outputTokens: 8, costUnknown: false });
          const [toolCall] = asking.toolCalls;
          expect(toolCall).toMatchObject({ name: 'weather', callId: `call_${vendor}_${call}_no_run`, status: 'completed', stepId: asking.steps[0]!.stepId });
          expect(toolCall!.attributes['runtrace.tool.from_wire']).toBe(true);
          // The tool ran between the answer that asked for it (read on the wire as the step ends)
          // and the call that carried its result; the first run lasts until then. The SDK anchors
          // each span's clock to Date.now(), in whole milliseconds, so the times of two spans can
          // disagree by up to 2 ms.
          expect(toolCall!.startTimeMs).toBeGreaterThan(asking.steps[0]!.startTimeMs);
          expect(Math.abs(toolCall!.startTimeMs - asking.steps[0]!.endTimeMs!)).toBeLessThan(50);
          expect(toolCall!.endTimeMs!).toBeLessThanOrEqual(answering.steps[0]!.startTimeMs + 2);
          expect(asking.run.endTimeMs!).toBeGreaterThanOrEqual(toolCall!.endTimeMs! - 2);
        });
      }
    }
  });
});
