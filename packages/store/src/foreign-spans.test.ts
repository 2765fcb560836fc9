// Other instrumentations' GenAI spans through the exporter into the store: runs of their own,
// spans joining runtrace runs, covered model calls, tool calls recorded twice — on both backends.
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { T0, makeSpan, normalizeForTest, runSpan, testPricing, toolSpan } from './__fixtures__/spans.js';
import { BACKENDS, closeStore, exportAll, freshStorePerTest } from './__fixtures__/store-backends.js';
import type { RunStore } from './open-store.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const clock = (): number => T0 + 60_000;

/**
 * The AI SDK's `LegacyOpenTelemetry` spans of one generateText tool loop (attribute names as
 * @ai-sdk/otel writes them): the outer span with the totals, two model calls and the tool call.
 */
function aiSdkLoop(): ReadableSpan[] {
  const doGenerate = (spanId: string, startMs: number, input: number, output: number, finish: string): ReadableSpan =>
    makeSpan({
      spanId,
      traceId: TRACE,
      parentSpanId: 'b000000000000001',
      name: 'ai.generateText.doGenerate',
      startMs,
      endMs: startMs + 400,
      attributes: {
        'operation.name': 'ai.generateText.doGenerate weather-agent',
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-test',
        'gen_ai.system': 'openai.chat',
        'gen_ai.request.model': 'gpt-test',
        'ai.usage.inputTokens': input,
        'ai.usage.outputTokens': output,
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': output,
        'gen_ai.response.model': 'GPT-Test',
        'gen_ai.response.finish_reasons': [finish],
      },
    });
  return [
    makeSpan({
      spanId: 'b000000000000001',
      traceId: TRACE,
      name: 'ai.generateText',
      startMs: T0,
      endMs: T0 + 1_000,
      attributes: {
        'operation.name': 'ai.generateText weather-agent',
        'ai.operationId': 'ai.generateText',
        'ai.telemetry.functionId': 'weather-agent',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-test',
        // The totals of the whole loop: never added to the model calls' own.
        'ai.usage.inputTokens': 250,
        'ai.usage.outputTokens': 28,
      },
    }),
    doGenerate('b000000000000002', T0 + 10, 100, 20, 'tool-calls'),
    makeSpan({
      spanId: 'b000000000000003',
      traceId: TRACE,
      parentSpanId: 'b000000000000002',
      name: 'ai.toolCall',
      startMs: T0 + 420,
      endMs: T0 + 440,
      attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'weather', 'ai.toolCall.id': 'call_1', 'ai.toolCall.args': '{"city":"Oslo"}' },
    }),
    doGenerate('b000000000000004', T0 + 500, 150, 8, 'stop'),
  ];
}

describe.each(BACKENDS.map((make) => [make().name, make] as const))('the %s store', (_name, make) => {
  const location = freshStorePerTest(make());

  /** Exports each batch in turn (one export each), then opens the store. */
  async function seeded(...batches: ReadableSpan[][]): Promise<RunStore> {
    const exporter = location().exporter({ pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
    for (const batch of batches) expect((await exportAll(exporter, batch)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    return location().open({ now: clock, normalizeModel: normalizeForTest });
  }

  describe('other instrumentations\' GenAI spans in the store', () => {
    it.each([
      ['in one batch', (spans: ReadableSpan[]) => [spans]],
      ['one span per batch, last first', (spans: ReadableSpan[]) => [...spans].reverse().map((span) => [span])],
      ['model calls first, the agent span last', (spans: ReadableSpan[]) => [[spans[3]!], [spans[1]!, spans[2]!], [spans[0]!]]],
    ])('a trace without a runtrace run is one run of its own, %s', async (_order, split) => {
      const store = await seeded(...split(aiSdkLoop()));
      try {
        const { runs } = await store.listRuns();
        expect(runs.map((run) => run.runId)).toEqual([TRACE]);
        const detail = (await store.getRun(TRACE))!;
        expect(detail.run).toMatchObject({
          traceId: TRACE,
          kind: 'weather-agent',
          status: 'completed',
          provider: 'openai',
          model: 'gpt-test',
          stepCount: 2,
          toolCallCount: 1,
          inputTokens: 250,
          outputTokens: 28,
          startTimeMs: T0,
          endTimeMs: T0 + 1_000,
          costUnknown: false,
        });
        // 250 input at $1/M and 28 output at $2/M: the model calls' own usage, once.
        expect(detail.run.costUsd).toBeCloseTo((250 * 1 + 28 * 2) / 1e6, 12);
        expect(detail.steps.map((step) => [step.number, step.stepId, step.inputTokens, step.outputTokens, step.finishReasons[0]])).toEqual([
          [1, 'b000000000000002', 100, 20, 'tool-calls'],
          [2, 'b000000000000004', 150, 8, 'stop'],
        ]);
        expect(detail.steps[0]).toMatchObject({ provider: 'openai', requestModel: 'gpt-test', responseModel: 'GPT-Test', operation: 'generate', status: 'completed' });
        expect(detail.toolCalls).toEqual([expect.objectContaining({ name: 'weather', callId: 'call_1', status: 'completed' })]);
        expect(detail.toolCalls[0]!.attributes['ai.toolCall.args']).toBe('{"city":"Oslo"}');
      } finally {
        await closeStore(store);
      }
    });

    it('a failed model call makes the run an error until an agent span names the run\'s own status', async () => {
      const failed = makeSpan({
        spanId: 'c000000000000002',
        traceId: TRACE,
        parentSpanId: 'c000000000000001',
        name: 'chat gpt-test',
        startMs: T0,
        endMs: T0 + 10,
        error: 'rate limited',
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-test', 'error.type': '429' },
      });
      const agent = makeSpan({
        spanId: 'c000000000000001',
        traceId: TRACE,
        name: 'invoke_agent gpt-test',
        startMs: T0 - 5,
        endMs: T0 + 50,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-test' },
      });
      let store = await seeded([failed]);
      try {
        expect((await store.getRun(TRACE))!.run).toMatchObject({ status: 'error', hasError: true, kind: 'gen_ai', costUsd: 0, costUnknown: false });
        expect((await store.getRun(TRACE))!.steps[0]).toMatchObject({ status: 'error', errorType: '429', statusMessage: 'rate limited' });
      } finally {
        await closeStore(store);
      }
      store = await seeded([agent]);
      try {
        // The retry succeeded inside the agent: the agent's status is the run's; the failed step still shows,
        // counted from the step rows wherever runs are listed (the run has no summary of runtrace's).
        expect((await store.getRun(TRACE))!.run).toMatchObject({ status: 'completed', hasError: true, kind: 'gen_ai', startTimeMs: T0 - 5, endTimeMs: T0 + 50, stepCount: 1, failedStepCount: 1, interruptedStepCount: 0 });
        expect((await store.listRuns()).runs.map((run) => [run.runId, run.failedStepCount, run.interruptedStepCount])).toEqual([[TRACE, 1, 0]]);
      } finally {
        await closeStore(store);
      }
    });

    it('an answer without usage (deprecated names) has an unknown cost, and says why', async () => {
      const store = await seeded([
        makeSpan({
          spanId: 'd000000000000001',
          traceId: TRACE,
          name: 'openai.chat',
          startMs: T0,
          endMs: T0 + 10,
          attributes: { 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-test', 'gen_ai.response.model': 'gpt-test' },
        }),
      ]);
      try {
        const detail = (await store.getRun(TRACE))!;
        expect(detail.steps[0]).toMatchObject({ provider: 'openai', costUsd: null, costUnknown: true, costUnknownReason: 'no usage in the response' });
        expect(detail.run).toMatchObject({ costUsd: null, costUnknown: true });
        expect(detail.costUnknownReasons).toEqual(['no usage in the response']);
      } finally {
        await closeStore(store);
      }
    });

    it('a model call a runtrace step covers stays a generic span; spans placed in a runtrace run join it', async () => {
      const runId = 'e000000000000001';
      const runTrace = 'e'.repeat(32);
      const covered = makeSpan({
        spanId: 'e000000000000002',
        traceId: runTrace,
        parentSpanId: runId,
        name: 'anthropic.messages.create',
        startMs: T0 + 1,
        endMs: T0 + 90,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-test',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 5,
          [RuntraceAttributes.COVERED_BY_STEP_ID]: 'e000000000000009',
        },
      });
      const joined = makeSpan({
        spanId: 'e000000000000003',
        traceId: runTrace,
        parentSpanId: runId,
        name: 'chat claude-test',
        startMs: T0 + 100,
        endMs: T0 + 150,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-test',
          'gen_ai.usage.input_tokens': 20,
          'gen_ai.usage.output_tokens': 7,
          [RuntraceAttributes.RUN_ID]: runId,
        },
      });
      const run = runSpan({ id: runId, trace: runTrace, startMs: T0, endMs: T0 + 200, status: 'completed' });
      const store = await seeded([covered, joined, run]);
      try {
        expect((await store.listRuns()).runs.map((summary) => summary.runId)).toEqual([runId]);
        const detail = (await store.getRun(runId))!;
        expect(detail.steps.map((step) => [step.stepId, step.number, step.inputTokens])).toEqual([['e000000000000003', null, 20]]);
        expect(detail.spans.map((span) => span.spanId)).toEqual(['e000000000000002']);
      } finally {
        await closeStore(store);
      }
    });

    it.each([
      ['the tool span first', false],
      ['the wire\'s first', true],
    ])('a tool call recorded by a library and on the wire is one tool call (%s)', async (_order, wireFirst) => {
      const runId = 'f000000000000001';
      const runTrace = 'f'.repeat(32);
      const run = runSpan({ id: runId, trace: runTrace, startMs: T0, endMs: T0 + 1_000, status: 'completed' });
      const wire = toolSpan({ id: 'f000000000000002', run: runId, trace: runTrace, parent: runId, startMs: T0 + 10, endMs: T0 + 60, status: 'completed', tool: 'weather', attributes: { [RuntraceAttributes.TOOL_FROM_WIRE]: true, 'gen_ai.tool.call.id': 'call_1' } });
      const library = makeSpan({
        spanId: 'f000000000000003',
        traceId: runTrace,
        parentSpanId: runId,
        name: 'execute_tool weather',
        startMs: T0 + 20,
        endMs: T0 + 40,
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'weather', 'gen_ai.tool.call.id': 'call_1', [RuntraceAttributes.RUN_ID]: runId },
      });
      const store = await seeded(...(wireFirst ? [[wire], [library], [run]] : [[library], [wire], [run]]));
      try {
        const detail = (await store.getRun(runId))!;
        expect(detail.toolCalls.map((tool) => tool.toolCallSpanId)).toEqual(['f000000000000003']);
      } finally {
        await closeStore(store);
      }
    });
  });
});
