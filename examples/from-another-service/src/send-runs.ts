// "Another service": records LLM calls with plain OpenTelemetry (no runtrace packages at run time) and sends them over OTLP.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
// Only the attribute names come from runtrace: a service in any language writes the same strings.
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';

/** One request the service handled. */
export interface ServiceCall {
  readonly conversationId: string;
  readonly question: string;
  /** HTTP status of the first attempt; a 429 or 5xx is followed by a successful retry. */
  readonly firstStatus: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

function child(tracer: Tracer, parent: Span, name: string, kind: SpanKind, attributes: Record<string, string | number | boolean | string[]>, startTime: number): Span {
  return tracer.startSpan(name, { kind, attributes, startTime }, trace.setSpan(context.active(), parent));
}

/** Records one run (a step with one or two HTTP attempts) with explicit times, so the example is deterministic. */
function recordCall(tracer: Tracer, call: ServiceCall, startMs: number): string {
  const run = tracer.startSpan(
    'invoke_agent support_reply',
    {
      startTime: startMs,
      attributes: {
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN,
        [RuntraceAttributes.STATUS]: 'in_progress',
        [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
        [RuntraceAttributes.RUN_KIND]: 'support_reply',
        [GenAiAttributes.CONVERSATION_ID]: call.conversationId,
        [GenAiAttributes.PROVIDER_NAME]: 'openai',
        [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        [RuntraceAttributes.RUN_LABEL]: call.question,
      },
    },
    context.active(),
  );
  const runId = run.spanContext().spanId;
  run.setAttribute(RuntraceAttributes.RUN_ID, runId);
  const step = child(tracer, run, 'chat gpt-4o-mini', SpanKind.INTERNAL, {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP,
    [RuntraceAttributes.STATUS]: 'in_progress',
    [RuntraceAttributes.RUN_ID]: runId,
    [GenAiAttributes.OPERATION_NAME]: 'chat',
    [RuntraceAttributes.STEP_NUMBER]: 1,
    [RuntraceAttributes.STEP_OPERATION]: 'generate',
    [GenAiAttributes.PROVIDER_NAME]: 'openai',
    [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
  }, startMs + 2);
  const stepId = step.spanContext().spanId;
  let at = startMs + 3;
  const statuses = call.firstStatus === 200 ? [200] : [call.firstStatus, 200];
  statuses.forEach((status, index) => {
    const attempt = child(tracer, step, 'POST', SpanKind.CLIENT, {
      [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT,
      [RuntraceAttributes.STATUS]: 'in_progress',
      [RuntraceAttributes.RUN_ID]: runId,
      [RuntraceAttributes.STEP_ID]: stepId,
      [RuntraceAttributes.ATTEMPT_NUMBER]: index + 1,
      [HttpAttributes.REQUEST_METHOD]: 'POST',
      [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions',
      [HttpAttributes.SERVER_ADDRESS]: 'api.openai.com',
    }, at);
    attempt.setAttribute(HttpAttributes.RESPONSE_STATUS_CODE, status);
    if (status === 200) {
      attempt.setAttribute(RuntraceAttributes.STATUS, 'completed');
    } else {
      attempt.setAttribute(RuntraceAttributes.STATUS, 'error');
      attempt.setAttribute(HttpAttributes.ERROR_TYPE, String(status));
      attempt.setAttribute(RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION, status === 429 ? 'rate_limited' : 'server_error');
      attempt.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    }
    at += status === 200 ? 180 : 40;
    attempt.end(at);
    at += 5;
  });
  step.setAttributes({
    [GenAiAttributes.RESPONSE_MODEL]: 'gpt-4o-mini-2024-07-18',
    [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
    [GenAiAttributes.USAGE_INPUT_TOKENS]: call.inputTokens,
    [GenAiAttributes.USAGE_OUTPUT_TOKENS]: call.outputTokens,
    [RuntraceAttributes.STATUS]: 'completed',
  });
  step.end(at + 1);
  run.setAttribute(RuntraceAttributes.STATUS, 'completed');
  run.end(at + 3);
  return runId;
}

/**
 * Sends the calls as runs over OTLP/HTTP protobuf to `url` (a collector's `/v1/traces`), then
 * flushes; returns the run ids.
 */
export async function sendRuns(url: string, calls: readonly ServiceCall[], startMs = Date.now()): Promise<string[]> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-service' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
  });
  const tracer = provider.getTracer('support-service');
  const ids = calls.map((call, index) => recordCall(tracer, call, startMs + index * 1000));
  await provider.forceFlush();
  await provider.shutdown();
  return ids;
}
