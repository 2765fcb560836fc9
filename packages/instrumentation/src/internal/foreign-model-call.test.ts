import { context, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { RuntraceAttributes } from '@runtrace/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../__fixtures__/otel-harness.js';
import type { OtelHarness } from '../__fixtures__/otel-harness.js';
import { Recorder } from '../recorder.js';
import { activeForeignModelCall } from './foreign-model-call.js';

let otel: OtelHarness;

beforeEach(() => {
  otel = createOtelHarness();
});

afterEach(async () => {
  await otel.close();
});

/** A model-call span as an SDK makes it (the Anthropic SDK's call span: these attributes at its start). */
function sdkCallSpan(): Span {
  return otel.provider.getTracer('sdk').startSpan('anthropic.messages.create', {
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5' },
  });
}

describe('activeForeignModelCall', () => {
  it("names another instrumentation's active model-call span, also through a wrapper that holds it (OpenInference's OISpan)", () => {
    const call = sdkCallSpan();
    expect(activeForeignModelCall(trace.setSpan(context.active(), call))).toBe(call.spanContext().spanId);
    const wrapper = { span: call, spanContext: () => call.spanContext(), isRecording: () => true } as unknown as Span;
    expect(activeForeignModelCall(trace.setSpan(context.active(), wrapper))).toBe(call.spanContext().spanId);
    call.end();
  });

  it('is nothing for no span, a span that is no model call, and a span of unknown shape', () => {
    expect(activeForeignModelCall(context.active())).toBeUndefined();
    const http = otel.provider.getTracer('http').startSpan('GET', { attributes: { 'http.request.method': 'GET' } });
    expect(activeForeignModelCall(trace.setSpan(context.active(), http))).toBeUndefined();
    http.end();
    expect(activeForeignModelCall(trace.setSpan(context.active(), trace.wrapSpanContext(http.spanContext())))).toBeUndefined();
  });

  it('a step started while the call span is active names it at its start; a step under runtrace\'s own spans names none', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const call = sdkCallSpan();
    await recorder.run({ kind: 'chat_turn' }, async (run) => {
      await context.with(trace.setSpan(context.active(), call), () => run.step({ operation: 'generate' }, () => undefined));
      await run.step({ operation: 'generate' }, () => undefined);
    });
    call.end();
    const steps = otel.kind('step');
    expect(steps.map((step) => step.attributes[RuntraceAttributes.STEP_COVERS_SPAN_ID])).toEqual([call.spanContext().spanId, undefined]);
  });
});
