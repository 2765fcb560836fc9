// Other instrumentations' GenAI spans from a process without runtrace — the AI SDK's telemetry,
// the Anthropic SDK's call spans, OpenInference — sent by the real OTLP exporters (JSON and
// protobuf, a few spans per request) to the collector: runs, steps and tool calls in its store, priced.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import Anthropic from '@anthropic-ai/sdk';
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Collector } from '@runtrace/collector';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockAnthropicServer, startMockOpenAIServer } from '@runtrace/testkit';
import type { MockAnthropicServer, MockOpenAIServer } from '@runtrace/testkit';
import { generateText, isStepCount, jsonSchema, tool } from 'ai';
import type { Telemetry } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const OPENAI_MODEL = 'gpt-4o-mini';
const PRICE = {
  openai: { input: 0.15e-6, output: 0.6e-6, cacheRead: 0.075e-6 },
  anthropic: { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite: 3.75e-6 },
};
const LOOP_COST = 100 * PRICE.openai.input + 20 * PRICE.openai.output + (150 * PRICE.openai.input + 8 * PRICE.openai.output);

const weather = tool({
  description: 'The current weather in a city.',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: ({ city }) => ({ city, celsius: 4 }),
});

describe('the collector turns GenAI spans of other instrumentations into runs, steps and tool calls', () => {
  let dir: string;
  let path: string;
  let collector: Collector;
  let openaiServer: MockOpenAIServer;
  let anthropicServer: MockAnthropicServer;
  const runs: Record<string, RunDetail> = {};
  const all: RunDetail[] = [];

  /** A provider of another service: batches of at most 2 spans, so a trace arrives in several requests. */
  function serviceProvider(exporter: SpanExporter): TracerProvider {
    return new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: 2, scheduledDelayMillis: 5 })] });
  }

  async function toolLoop(telemetry: Telemetry, functionId: string): Promise<void> {
    openaiServer.enqueue(
      { toolCalls: [{ id: `call_${functionId}`, name: 'weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 100, completionTokens: 20 } },
      { reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 150, completionTokens: 8 } },
    );
    await generateText({
      model: createOpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL }).chat(OPENAI_MODEL),
      prompt: 'What is the weather in Oslo?',
      tools: { weather },
      stopWhen: isStepCount(2),
      experimental_telemetry: { isEnabled: true, functionId, integrations: [telemetry] },
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-collector-foreign-'));
    path = join(dir, 'collector.db');
    openaiServer = await startMockOpenAIServer();
    anthropicServer = await startMockAnthropicServer();
    collector = await startStoreCollector(path, { port: 0 });
    const json = serviceProvider(new HttpJsonExporter({ url: collector.url! }));
    const protobuf = serviceProvider(new ProtobufExporter({ url: collector.url! }));
    try {
      await toolLoop(new LegacyOpenTelemetry({ tracer: json.getTracer('ai') }), 'legacy-agent');
      await toolLoop(new OpenTelemetry({ tracer: protobuf.getTracer('gen_ai') }), 'otel-agent');
      const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: anthropicServer.baseURL, maxRetries: 0, openTelemetry: { tracerProvider: json } });
      anthropicServer.enqueue({ reply: 'Cold.', usage: { inputTokens: 1000, cacheReadInputTokens: 2000, cacheCreationInputTokens: 100, outputTokens: 300 } });
      await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Weather in Oslo?' }] });
      const openinference = new OpenInferenceInstrumentation({ tracerProvider: protobuf });
      openinference.manuallyInstrument(OpenAI);
      try {
        openaiServer.enqueue({ reply: 'Cold.', usage: { promptTokens: 120, completionTokens: 7, cachedTokens: 100 } });
        await new OpenAI({ apiKey: 'sk-test', baseURL: openaiServer.baseURL, maxRetries: 0 }).chat.completions.create({ model: OPENAI_MODEL, messages: [{ role: 'user', content: 'Weather in Oslo?' }] });
      } finally {
        openinference.disable();
      }
    } finally {
      await json.shutdown();
      await protobuf.shutdown();
      await collector.close();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const summary of store.listRuns({ limit: 100 }).runs) {
        const detail = store.getRun(summary.runId)!;
        all.push(detail);
        runs[summary.kind ?? ''] = detail;
      }
      runs['anthropic'] = store.getRun(store.listRuns({ provider: 'anthropic' }).runs[0]?.runId ?? '')!;
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await openaiServer?.close();
    await anthropicServer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('received every span, over several requests', () => {
    expect(collector.stats().acceptedSpans).toBeGreaterThanOrEqual(11);
    expect(collector.stats().requests).toBeGreaterThan(4);
  });

  it.each(['legacy-agent', 'otel-agent'])('the AI SDK tool loop (%s): one run, two priced steps, the tool call', (kind) => {
    const detail = runs[kind];
    expect(detail).toBeDefined();
    expect(detail!.run).toMatchObject({ runId: detail!.run.traceId, status: 'completed', provider: 'openai', model: OPENAI_MODEL, stepCount: 2, toolCallCount: 1, inputTokens: 250, outputTokens: 28, costUnknown: false });
    expect(detail!.run.costUsd).toBeCloseTo(LOOP_COST, 12);
    expect(detail!.steps.map((step) => [step.number, step.inputTokens, step.outputTokens])).toEqual([
      [1, 100, 20],
      [2, 150, 8],
    ]);
    expect(detail!.toolCalls.map((call) => [call.name, call.callId])).toEqual([['weather', `call_${kind}`]]);
  });

  it("the Anthropic SDK's call span: one step, its usage split and priced", () => {
    const detail = runs['anthropic']!;
    expect(detail.run).toMatchObject({ kind: 'gen_ai', stepCount: 1, inputTokens: 3100, cacheReadTokens: 2000, cacheCreationTokens: 100, outputTokens: 300 });
    expect(detail.run.costUsd).toBeCloseTo(1000 * PRICE.anthropic.input + 2000 * PRICE.anthropic.cacheRead + 100 * PRICE.anthropic.cacheWrite + 300 * PRICE.anthropic.output, 12);
  });

  it("OpenInference's LLM span: one step, cached tokens priced as such", () => {
    expect(all).toHaveLength(4);
    const detail = all.find((run) => run.steps[0]?.attributes['llm.token_count.prompt'] === 120);
    expect(detail?.steps).toHaveLength(1);
    expect(detail!.steps[0]).toMatchObject({ provider: 'openai', inputTokens: 120, cacheReadTokens: 100, outputTokens: 7, costUnknown: false });
    expect(detail!.run.costUsd).toBeCloseTo(20 * PRICE.openai.input + 100 * PRICE.openai.cacheRead + 7 * PRICE.openai.output, 12);
  });
});
