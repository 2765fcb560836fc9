// Other instrumentations' GenAI spans made in this process — the AI SDK's telemetry (@ai-sdk/otel,
// both integrations), the Anthropic SDK's call spans, OpenLLMetry's and OpenInference's
// instrumentations of the openai client — through register() into the store: runs, steps and
// tool calls, priced; and counted once when runtrace's fetch instrumentation read the same calls.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import Anthropic from '@anthropic-ai/sdk';
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { trace } from '@opentelemetry/api';
import { RuntraceAttributes } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import type { RunDetail, SqliteStore } from '@runtrace/store';
import { startMockAnthropicServer, startMockOpenAIServer } from '@runtrace/testkit';
import type { MockAnthropicServer, MockOpenAIServer } from '@runtrace/testkit';
import { OpenAIInstrumentation as OpenLLMetryInstrumentation } from '@traceloop/instrumentation-openai';
import { generateText, isStepCount, jsonSchema, streamText, tool } from 'ai';
import type { Telemetry } from 'ai';
import OpenAI from 'openai';
import { register } from 'runtrace';
import type { Runtrace } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const OPENAI_MODEL = 'gpt-4o-mini';
const ANTHROPIC_MODEL = 'claude-sonnet-4-5';
/** Default prices, US dollars per token. */
const PRICE = {
  openai: { input: 0.15e-6, output: 0.6e-6, cacheRead: 0.075e-6 },
  anthropic: { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite: 3.75e-6 },
};
/** The tool loop's two answers: the model asks for the tool, then answers with its result. */
const LOOP_USAGE = [
  { promptTokens: 100, completionTokens: 20, cachedTokens: 40 },
  { promptTokens: 150, completionTokens: 8 },
] as const;
const LOOP_COST = (60 * PRICE.openai.input + 40 * PRICE.openai.cacheRead + 20 * PRICE.openai.output) + (150 * PRICE.openai.input + 8 * PRICE.openai.output);

const weather = tool({
  description: 'The current weather in a city.',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: ({ city }) => ({ city, celsius: 4 }),
});

type Integration = 'legacy' | 'otel';

function integrationOf(kind: Integration): Telemetry {
  // Made after each register(): an integration keeps the tracer of the provider it first used.
  return kind === 'legacy' ? new LegacyOpenTelemetry({ tracer: trace.getTracer('ai') }) : new OpenTelemetry({ tracer: trace.getTracer('gen_ai') });
}

describe("other instrumentations' GenAI spans in the store: runs, steps and tool calls, priced, counted once", () => {
  let dir: string;
  let openaiServer: MockOpenAIServer;
  let anthropicServer: MockAnthropicServer;
  /** Store file per phase: with the fetch instrumentation off, and on. */
  const paths = { off: '', on: '' };

  /** A generateText tool loop of two model calls, with the AI SDK's telemetry through `integration`. */
  async function toolLoop(integration: Integration, functionId: string): Promise<string> {
    openaiServer.enqueue(
      { toolCalls: [{ id: `call_${functionId}`, name: 'weather', arguments: '{"city":"Oslo"}' }], usage: LOOP_USAGE[0] },
      { reply: 'It is 4 °C in Oslo.', usage: LOOP_USAGE[1] },
    );
    const model = createOpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL }).chat(OPENAI_MODEL);
    const result = await generateText({
      model,
      prompt: `${functionId}: what is the weather in Oslo?`,
      tools: { weather },
      stopWhen: isStepCount(2),
      experimental_telemetry: { isEnabled: true, functionId, integrations: [integrationOf(integration)] },
    });
    return result.text;
  }

  async function streamedCall(functionId: string): Promise<void> {
    openaiServer.enqueue({ reply: 'Cold and dark.', usage: { promptTokens: 30, completionTokens: 3 } });
    const model = createOpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL }).chat(OPENAI_MODEL);
    const result = streamText({ model, prompt: `${functionId}: and tonight?`, experimental_telemetry: { isEnabled: true, functionId, integrations: [integrationOf('legacy')] } });
    for await (const _piece of result.textStream) {
      // read to the end
    }
  }

  async function anthropicCall(prompt: string): Promise<void> {
    // The SDK's call spans are on by default and use the global tracer provider, read when the client is made.
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: anthropicServer.baseURL, maxRetries: 0 });
    anthropicServer.enqueue({ model: 'claude-sonnet-4-5-20250929', reply: 'Cold.', usage: { inputTokens: 1000, cacheReadInputTokens: 2000, cacheCreationInputTokens: 100, outputTokens: 300 } });
    await client.messages.create({ model: ANTHROPIC_MODEL, max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
  }

  async function openllmetryCall(prompt: string): Promise<void> {
    const instrumentation = new OpenLLMetryInstrumentation({ enrichTokens: false });
    instrumentation.setTracerProvider(trace.getTracerProvider());
    // ES modules are not hooked by require-in-the-middle: the class is instrumented by hand.
    instrumentation.manuallyInstrument(OpenAI);
    try {
      openaiServer.enqueue({ reply: 'Cold.', usage: { promptTokens: 120, completionTokens: 7 } });
      await new OpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL, maxRetries: 0 }).chat.completions.create({ model: OPENAI_MODEL, messages: [{ role: 'user', content: prompt }] });
    } finally {
      // `manuallyInstrument` has no public inverse (`disable()` unpatches hooked modules only), and
      // the next phase must not find the class wrapped twice.
      (instrumentation as unknown as { unpatch(moduleExports: { OpenAI: typeof OpenAI }): void }).unpatch({ OpenAI });
    }
  }

  async function openinferenceCall(prompt: string): Promise<void> {
    const instrumentation = new OpenInferenceInstrumentation({ tracerProvider: trace.getTracerProvider() });
    instrumentation.manuallyInstrument(OpenAI);
    try {
      openaiServer.enqueue({ reply: 'Cold.', usage: { promptTokens: 120, completionTokens: 7, cachedTokens: 100 } });
      await new OpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL, maxRetries: 0 }).chat.completions.create({ model: OPENAI_MODEL, messages: [{ role: 'user', content: prompt }] });
    } finally {
      instrumentation.disable();
    }
  }

  /** Runs `work` with runtrace registered (store at `path`), then shuts it down. */
  async function phase(path: string, fetch: boolean, work: (runtrace: Runtrace) => Promise<void>): Promise<void> {
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full', fetch });
    try {
      await work(runtrace);
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-foreign-gen-ai-'));
    openaiServer = await startMockOpenAIServer();
    anthropicServer = await startMockAnthropicServer();
    paths.off = join(dir, 'fetch-off.db');
    paths.on = join(dir, 'fetch-on.db');
    for (const fetch of [false, true]) {
      const mode = fetch ? 'on' : 'off';
      await phase(fetch ? paths.on : paths.off, fetch, async (runtrace) => {
        await toolLoop('legacy', `legacy-${mode}`);
        await toolLoop('otel', `otel-${mode}`);
        await streamedCall(`stream-${mode}`);
        await runtrace.recorder.run({ kind: 'chat_turn', label: `in a run ${mode}` }, () => toolLoop('legacy', `in-run-${mode}`));
        await anthropicCall(`anthropic ${mode}: what is the weather in Oslo?`);
        await openllmetryCall(`openllmetry ${mode}: what is the weather in Oslo?`);
        await openinferenceCall(`openinference ${mode}: what is the weather in Oslo?`);
      });
    }
  });

  afterAll(async () => {
    await openaiServer?.close();
    await anthropicServer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function withStore<T>(path: string, read: (store: SqliteStore) => T): T {
    const store = openStore({ path, sweepOnOpen: false });
    try {
      return read(store);
    } finally {
      store.close();
    }
  }

  /** The one run of `kind` (a foreign run is of the agent's kind: the AI SDK's functionId). */
  function onlyRun(store: SqliteStore, kind: string): RunDetail {
    const { runs } = store.listRuns({ kind, limit: 100 });
    expect({ kind, runs: runs.length }).toEqual({ kind, runs: 1 });
    return store.getRun(runs[0]!.runId)!;
  }

  function allSteps(store: SqliteStore): RunDetail['steps'] {
    return store.listRuns({ limit: 1000 }).runs.flatMap((run) => store.getRun(run.runId)!.steps);
  }

  it('every call reached the mock servers', () => {
    // Per phase: 3 tool loops of 2 calls, 1 stream, 2 instrumented openai calls; 1 Anthropic call.
    expect(openaiServer.requests).toHaveLength(2 * 9);
    expect(anthropicServer.requests).toHaveLength(2);
  });

  describe('fetch instrumentation off: the other libraries\' spans are the record', () => {
    it.each<Integration>(['legacy', 'otel'])('the AI SDK (%s integration): one run with its two model calls as steps, the tool call, the outer usage not added again', (integration) => {
      withStore(paths.off, (store) => {
        const detail = onlyRun(store, `${integration}-off`);
        expect(detail.run).toMatchObject({
          runId: detail.run.traceId,
          status: 'completed',
          provider: 'openai',
          model: OPENAI_MODEL,
          stepCount: 2,
          toolCallCount: 1,
          inputTokens: 250,
          outputTokens: 28,
          cacheReadTokens: 40,
          costUnknown: false,
        });
        expect(detail.run.costUsd).toBeCloseTo(LOOP_COST, 12);
        expect(detail.steps.map((step) => [step.number, step.inputTokens, step.outputTokens, step.cacheReadTokens, step.finishReasons[0]])).toEqual([
          [1, 100, 20, 40, 'tool-calls'],
          [2, 150, 8, 0, 'stop'],
        ]);
        expect(detail.steps[0]).toMatchObject({ provider: 'openai', requestModel: OPENAI_MODEL, responseModel: OPENAI_MODEL, status: 'completed', costUnknown: false });
        expect(detail.toolCalls).toEqual([expect.objectContaining({ name: 'weather', callId: `call_${integration}-off`, status: 'completed' })]);
        // No runtrace span was made: no attempts, no implicit runs.
        expect(detail.attempts).toEqual([]);
        expect(store.listRuns({ kind: 'llm_call' }).runs).toEqual([]);
      });
    });

    it('streamText: the doStream span is a streamed step', () => {
      withStore(paths.off, (store) => {
        const detail = onlyRun(store, 'stream-off');
        expect(detail.steps).toHaveLength(1);
        expect(detail.steps[0]).toMatchObject({ operation: 'stream', inputTokens: 30, outputTokens: 3, costUnknown: false });
        expect(detail.steps[0]!.timeToFirstChunkMs).toEqual(expect.any(Number));
      });
    });

    it('inside recorder.run, the AI SDK\'s model calls and tool call join the run and its summary', () => {
      withStore(paths.off, (store) => {
        const detail = onlyRun(store, 'chat_turn');
        expect(detail.run).toMatchObject({ stepCount: 2, toolCallCount: 1, inputTokens: 250, outputTokens: 28, costUnknown: false, status: 'completed' });
        expect(detail.run.costUsd).toBeCloseTo(LOOP_COST, 12);
        expect(detail.steps.map((step) => step.inputTokens)).toEqual([100, 150]);
        expect(detail.toolCalls.map((call) => call.callId)).toEqual(['call_in-run-off']);
        expect(store.listRuns({ kind: 'in-run-off' }).runs).toEqual([]);
      });
    });

    it('the Anthropic SDK\'s call span: a step with the split usage (cache writes named its own way), priced', () => {
      withStore(paths.off, (store) => {
        const runs = store.listRuns({ provider: 'anthropic' }).runs;
        expect(runs).toHaveLength(1);
        const detail = store.getRun(runs[0]!.runId)!;
        expect(detail.run).toMatchObject({ kind: 'gen_ai', stepCount: 1, status: 'completed' });
        expect(detail.steps[0]).toMatchObject({
          provider: 'anthropic',
          requestModel: ANTHROPIC_MODEL,
          responseModel: 'claude-sonnet-4-5-20250929',
          inputTokens: 3100,
          cacheReadTokens: 2000,
          cacheCreationTokens: 100,
          outputTokens: 300,
          finishReasons: ['end_turn'],
          costUnknown: false,
        });
        expect(detail.steps[0]!.costUsd).toBeCloseTo(1000 * PRICE.anthropic.input + 2000 * PRICE.anthropic.cacheRead + 100 * PRICE.anthropic.cacheWrite + 300 * PRICE.anthropic.output, 12);
      });
    });

    it('OpenLLMetry and OpenInference spans of the openai client: steps with tokens and cost', () => {
      withStore(paths.off, (store) => {
        const steps = allSteps(store).filter((step) => step.attributes['gen_ai.usage.input_tokens'] === 120 || step.attributes['llm.token_count.prompt'] === 120);
        expect(steps).toHaveLength(2);
        const [openllmetry, openinference] = [steps.find((step) => 'gen_ai.usage.input_tokens' in step.attributes)!, steps.find((step) => 'llm.token_count.prompt' in step.attributes)!];
        expect(openllmetry).toMatchObject({ provider: 'openai', requestModel: OPENAI_MODEL, inputTokens: 120, outputTokens: 7, finishReasons: ['stop'], costUnknown: false });
        expect(openllmetry.costUsd).toBeCloseTo(120 * PRICE.openai.input + 7 * PRICE.openai.output, 12);
        expect(openinference).toMatchObject({ provider: 'openai', responseModel: OPENAI_MODEL, inputTokens: 120, cacheReadTokens: 100, outputTokens: 7, finishReasons: ['stop'], costUnknown: false });
        expect(openinference.costUsd).toBeCloseTo(20 * PRICE.openai.input + 100 * PRICE.openai.cacheRead + 7 * PRICE.openai.output, 12);
      });
    });
  });

  describe('fetch instrumentation on: runtrace read the same calls on the wire, and each is one step', () => {
    it('one step per model call in the whole store, each with the wire\'s attempt', () => {
      withStore(paths.on, (store) => {
        const steps = allSteps(store);
        // 3 tool loops of 2 calls, the stream, the Anthropic call, 2 instrumented openai calls.
        expect(steps).toHaveLength(10);
        for (const step of steps) {
          expect(step.attributes[RuntraceAttributes.SPAN_KIND]).toBe('step');
          expect(step.attributes[RuntraceAttributes.STEP_COVERS_SPAN_ID]).toEqual(expect.any(String));
        }
        const attempts = store.listRuns({ limit: 1000 }).runs.flatMap((run) => store.getRun(run.runId)!.attempts);
        expect(attempts).toHaveLength(10);
      });
    });

    it.each<Integration>(['legacy', 'otel'])('the AI SDK (%s): its model-call spans are kept as generic spans of its run, covered by the wire\'s steps', (integration) => {
      withStore(paths.on, (store) => {
        const detail = onlyRun(store, `${integration}-on`);
        expect(detail.run).toMatchObject({ stepCount: 0, toolCallCount: 1, inputTokens: 0 });
        expect(detail.toolCalls.map((call) => call.callId)).toEqual([`call_${integration}-on`]);
        const covered = detail.spans.filter((span) => span.attributes[RuntraceAttributes.COVERED_BY_STEP_ID] !== undefined);
        expect(covered).toHaveLength(2);
        // Each model call is an llm_call run of its own, whose step stands for the covered span.
        const llmCalls = store.listRuns({ kind: 'llm_call', limit: 100 }).runs.filter((run) => run.label?.startsWith(`${integration}-on`) === true);
        expect(llmCalls).toHaveLength(2);
        const wireSteps = llmCalls.map((run) => store.getRun(run.runId)!.steps[0]!);
        expect(new Set(wireSteps.map((step) => step.stepId))).toEqual(new Set(covered.map((span) => span.attributes[RuntraceAttributes.COVERED_BY_STEP_ID])));
        expect(wireSteps.map((step) => [step.inputTokens, step.outputTokens]).sort()).toEqual([[100, 20], [150, 8]]);
        expect(wireSteps.reduce((sum, step) => sum + (step.costUsd ?? Number.NaN), 0)).toBeCloseTo(LOOP_COST, 12);
      });
    });

    it('inside recorder.run: two wire steps, the tool call once (the AI SDK\'s, not the wire\'s copy)', () => {
      withStore(paths.on, (store) => {
        const detail = onlyRun(store, 'chat_turn');
        expect(detail.run).toMatchObject({ stepCount: 2, toolCallCount: 1, inputTokens: 250, outputTokens: 28, costUnknown: false });
        expect(detail.run.costUsd).toBeCloseTo(LOOP_COST, 12);
        expect(detail.steps.map((step) => [step.number, step.attributes[RuntraceAttributes.STEP_IMPLICIT]])).toEqual([
          [1, true],
          [2, true],
        ]);
        expect(detail.toolCalls).toHaveLength(1);
        expect(detail.toolCalls[0]).toMatchObject({ callId: 'call_in-run-on', name: 'weather' });
        expect(detail.toolCalls[0]!.attributes[RuntraceAttributes.TOOL_FROM_WIRE]).toBeUndefined();
      });
    });

    it('the Anthropic SDK, OpenLLMetry, OpenInference: no run of their own, the llm_call runs carry the calls', () => {
      withStore(paths.on, (store) => {
        expect(store.listRuns({ kind: 'gen_ai' }).runs).toEqual([]);
        const anthropic = store.listRuns({ kind: 'llm_call', limit: 100 }).runs.filter((run) => run.label?.startsWith('anthropic on') === true);
        expect(anthropic).toHaveLength(1);
        expect(store.getRun(anthropic[0]!.runId)!.steps[0]).toMatchObject({ inputTokens: 3100, cacheReadTokens: 2000, cacheCreationTokens: 100, outputTokens: 300 });
      });
    });
  });
});
