// Other instrumentations' GenAI spans through RunSpanProcessor: the run they join, the model calls
// runtrace's steps cover, and the run summary they add to.
import type { Attributes, Span as ApiSpan } from '@opentelemetry/api';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { createProvider, memoryDestination, startRun, startStep, startTool, testPricing } from './__fixtures__/test-spans.js';
import type { Harness } from './__fixtures__/test-spans.js';
import { RunSpanProcessor } from './run-span-processor.js';

/** A model-call span as the GenAI conventions shape it (the Anthropic SDK's call span, the AI SDK's `chat` span). */
function chatAttributes(input: number, output: number): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'known-model',
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    'gen_ai.response.finish_reasons': ['stop'],
  };
}

function setup(): { harness: Harness; processor: RunSpanProcessor; spans: () => ReadableSpan[]; byName: (name: string) => ReadableSpan } {
  const destination = memoryDestination();
  const processor = new RunSpanProcessor({ destinations: [{ processor: destination.processor }], pricing: testPricing, sweepInterval: false });
  const harness = createProvider([processor]);
  const spans = (): ReadableSpan[] => destination.exporter.getFinishedSpans();
  return {
    harness,
    processor,
    spans,
    byName: (name) => {
      const found = spans().find((span) => span.name === name);
      expect(found, name).toBeDefined();
      return found!;
    },
  };
}

function startIn(harness: Harness, parent: ApiSpan | undefined, name: string, attributes: Attributes): ApiSpan {
  const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return harness.tracer.startSpan(name, { attributes }, parentContext);
}

describe('RunSpanProcessor and other instrumentations\' GenAI spans', () => {
  it('marks a model-call span covered by the step that started while it was active (runtrace.step.covers_span_id)', () => {
    const { harness, byName } = setup();
    const call = startIn(harness, undefined, 'anthropic.messages.create', chatAttributes(10, 5));
    const run = startRun(harness);
    const step = startStep(harness, run, { attributes: { [RuntraceAttributes.STEP_COVERS_SPAN_ID]: call.spanContext().spanId } });
    step.end();
    run.end();
    call.end();
    expect(byName('anthropic.messages.create').attributes).toMatchObject({ [RuntraceAttributes.COVERED_BY_STEP_ID]: step.spanContext().spanId });
    expect(byName('anthropic.messages.create').attributes[RuntraceAttributes.RUN_ID]).toBeUndefined();
  });

  it('marks a model-call span covered by the step it started in, under other spans of its library too', () => {
    const { harness, byName } = setup();
    const run = startRun(harness);
    const step = startStep(harness, run);
    const agent = startIn(harness, step, 'invoke_agent known-model', { 'gen_ai.operation.name': 'invoke_agent' });
    const call = startIn(harness, agent, 'chat known-model', chatAttributes(10, 5));
    const tool = startIn(harness, agent, 'execute_tool weather', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'weather', 'gen_ai.tool.call.id': 'call_1' });
    call.end();
    tool.end();
    agent.end();
    step.end();
    run.end();
    const stepId = step.spanContext().spanId;
    const runId = run.spanContext().spanId;
    expect(byName('chat known-model').attributes[RuntraceAttributes.COVERED_BY_STEP_ID]).toBe(stepId);
    // A tool call in the step is no model call: it joins the run, under the step.
    expect(byName('execute_tool weather').attributes).toMatchObject({ [RuntraceAttributes.RUN_ID]: runId, [RuntraceAttributes.STEP_ID]: stepId });
    expect(byName('invoke_agent known-model').attributes[RuntraceAttributes.RUN_ID]).toBe(runId);
    expect(byName('invoke_agent chat_turn').attributes).toMatchObject({
      [RuntraceAttributes.SUMMARY_STEP_COUNT]: 1,
      [RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT]: 1,
      [RuntraceAttributes.SUMMARY_INPUT_TOKENS]: 0,
    });
  });

  it('adds a model call and a tool call made in a run (outside any step) to the run and its summary, a call id once', () => {
    const { harness, byName } = setup();
    const run = startRun(harness);
    const call = startIn(harness, run, 'chat known-model', chatAttributes(100, 20));
    call.end();
    const tool = startIn(harness, run, 'ai.toolCall', { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search', 'ai.toolCall.id': 'call-1' });
    tool.end();
    // The same call read on the wire later (runtrace's own tool span, same call id).
    const wire = startTool(harness, run, run);
    wire.end();
    const failed = startIn(harness, run, 'chat other-model', { ...chatAttributes(7, 0), 'gen_ai.request.model': 'other-model' });
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    run.end();
    const runId = run.spanContext().spanId;
    expect(byName('chat known-model').attributes[RuntraceAttributes.RUN_ID]).toBe(runId);
    expect(byName('ai.toolCall').attributes[RuntraceAttributes.RUN_ID]).toBe(runId);
    expect(byName('invoke_agent chat_turn').attributes).toMatchObject({
      [RuntraceAttributes.SUMMARY_STEP_COUNT]: 2,
      [RuntraceAttributes.SUMMARY_INPUT_TOKENS]: 107,
      [RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]: 20,
      [RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT]: 1,
      [RuntraceAttributes.SUMMARY_FAILED_STEP_COUNT]: 1,
      [RuntraceAttributes.SUMMARY_HAS_ERROR]: true,
      // other-model has no price.
      [RuntraceAttributes.SUMMARY_COST_UNKNOWN]: true,
      [RuntraceAttributes.SUMMARY_MODELS]: ['known-model', 'other-model'],
      [RuntraceAttributes.SUMMARY_PROVIDERS]: ['openai'],
    });
  });

  it('leaves GenAI spans of a trace without a runtrace run, and every other span, as they are', () => {
    const { harness, byName } = setup();
    const agent = startIn(harness, undefined, 'invoke_agent known-model', { 'gen_ai.operation.name': 'invoke_agent' });
    const call = startIn(harness, agent, 'chat known-model', chatAttributes(1, 1));
    call.end();
    agent.end();
    const run = startRun(harness);
    const http = startIn(harness, run, 'GET', { 'http.request.method': 'GET' });
    http.end();
    run.end();
    for (const name of ['invoke_agent known-model', 'chat known-model', 'GET']) {
      const attributes = byName(name).attributes;
      expect(attributes[RuntraceAttributes.RUN_ID], name).toBeUndefined();
      expect(attributes[RuntraceAttributes.COVERED_BY_STEP_ID], name).toBeUndefined();
    }
  });

  it('ingest: learns the covered calls from the steps of a batch, and keeps what an upstream processor decided', () => {
    // The SDK's call span, made in a process without runtrace's processor.
    const plainExporter = new InMemorySpanExporter();
    const plain = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: plainExporter })] });
    const call = plain.getTracer('sdk').startSpan('covered call', { attributes: chatAttributes(5, 5) });
    call.end();
    // runtrace's step of the same call, from a process with runtrace's processor.
    const upstream = setup();
    const run = startRun(upstream.harness);
    const step = startStep(upstream.harness, run, { attributes: { [RuntraceAttributes.STEP_COVERS_SPAN_ID]: call.spanContext().spanId } });
    step.end();
    const placed = startIn(upstream.harness, run, 'chat placed', chatAttributes(3, 1));
    placed.end();
    run.end();

    const downstream = setup();
    downstream.processor.ingest([...plainExporter.getFinishedSpans(), ...upstream.spans()]);
    expect(downstream.byName('covered call').attributes[RuntraceAttributes.COVERED_BY_STEP_ID]).toBe(step.spanContext().spanId);
    // Placed upstream: forwarded as it came, and counted once (in the upstream summary).
    expect(downstream.byName('chat placed').attributes[RuntraceAttributes.RUN_ID]).toBe(run.spanContext().spanId);
    expect(downstream.byName('invoke_agent chat_turn').attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(2);
  });
});
