// Builders of store query results for formatting tests.
import type { AttemptDetail, RunDetail, RunSummary, SpanOtel, StepDetail, ToolCallDetail } from '@runtrace/store';

const T0 = Date.parse('2026-11-21T10:00:00Z');
/** A span with nothing to say beyond its attributes. */
const NO_OTEL: SpanOtel = { scope: null, traceState: null, links: [], dropped: { attributes: 0, events: 0, links: 0 } };

export function runSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: 'c063140c97b2c0c2',
    traceId: 'ec0899776747663997628e388f8f3aff',
    parentRunId: null,
    kind: 'chat_turn',
    status: 'completed',
    statusMessage: null,
    errorType: null,
    conversationId: 'conv-weather',
    rootConversationId: 'conv-weather',
    parentConversationId: null,
    triggerMessageId: 1,
    historyTipMessageId: 1,
    assistantMessageId: null,
    provider: 'openai',
    model: 'gpt-4o-mini',
    normalizedModel: 'gpt-4o-mini',
    label: 'What is the weather in Oslo?',
    startTimeMs: T0,
    endTimeMs: T0 + 1000,
    durationMs: 1000,
    lastActivityMs: T0 + 1000,
    stepCount: 2,
    toolCallCount: 1,
    hasError: false,
    failedStepCount: 0,
    interruptedStepCount: 0,
    endpoint: 'POST /v1/chat/completions',
    costUsd: 0.000023,
    costUnknown: false,
    stale: false,
    service: null,
    serviceVersion: null,
    environment: null,
    inputTokens: 154,
    outputTokens: 31,
    reasoningTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    totalTokens: 185,
    ...overrides,
  };
}

function step(number: number, start: number, end: number, overrides: Partial<StepDetail> = {}): StepDetail {
  return {
    stepId: `step${number}`.padEnd(16, '0'),
    otel: NO_OTEL,
    resourceId: null,
    runId: 'c063140c97b2c0c2',
    number,
    operation: 'stream',
    status: 'completed',
    statusMessage: null,
    errorType: null,
    provider: 'openai',
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini',
    responseId: `chatcmpl-${number}`,
    finishReasons: [number === 1 ? 'tool_calls' : 'stop'],
    timeToFirstChunkMs: 40,
    startTimeMs: T0 + start,
    endTimeMs: T0 + end,
    durationMs: end - start,
    costUsd: null,
    costUnknown: false,
    costUnknownReason: null,
    attributes: {},
    inputTokens: 77,
    outputTokens: 15,
    reasoningTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    totalTokens: 92,
    ...overrides,
  };
}

function attempt(id: string, stepNumber: number, number: number, start: number, end: number, overrides: Partial<AttemptDetail> = {}): AttemptDetail {
  return {
    attemptId: id.padEnd(16, '0'),
    otel: NO_OTEL,
    resourceId: null,
    runId: 'c063140c97b2c0c2',
    stepId: `step${stepNumber}`.padEnd(16, '0'),
    number,
    status: 'completed',
    method: 'POST',
    url: 'http://127.0.0.1:4000/v1/chat/completions',
    statusCode: 200,
    resendCount: number > 1 ? number - 1 : null,
    retryClassification: null,
    retryDelayMs: null,
    errorType: null,
    error: null,
    startTimeMs: T0 + start,
    endTimeMs: T0 + end,
    durationMs: end - start,
    attributes: {
      'runtrace.attempt.request_body': '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}',
      'runtrace.attempt.request_body_size': 70,
      'runtrace.attempt.response_body': 'data: {"choices":[]}\n\ndata: [DONE]\n\n',
      'runtrace.attempt.response_body_size': 2048,
    },
    ...overrides,
  };
}

function tool(start: number, end: number, overrides: Partial<ToolCallDetail> = {}): ToolCallDetail {
  return {
    toolCallSpanId: 'tool100000000000',
    otel: NO_OTEL,
    resourceId: null,
    runId: 'c063140c97b2c0c2',
    stepId: null,
    name: 'get_weather',
    callId: 'call_weather_1',
    status: 'completed',
    statusMessage: null,
    errorType: null,
    startTimeMs: T0 + start,
    endTimeMs: T0 + end,
    durationMs: end - start,
    attributes: { 'gen_ai.tool.call.arguments': '{"city":"Oslo"}', 'gen_ai.tool.call.result': '{"temperatureC":12}' },
    ...overrides,
  };
}

/** A run of two steps: step 1 retried after a 429, a tool call, step 2 answers. */
export function retriedRunDetail(): RunDetail {
  return {
    run: runSummary(),
    attributes: {},
    resource: null,
    resourceId: null,
    resources: {},
    otel: NO_OTEL,
    steps: [step(1, 10, 500), step(2, 600, 990)],
    costUnknownReasons: [],
    attempts: [
      attempt('att1', 1, 1, 20, 60, { status: 'error', statusCode: 429, errorType: '429', retryClassification: 'rate_limited', retryDelayMs: 20 }),
      attempt('att2', 1, 2, 90, 490),
      attempt('att3', 2, 1, 610, 980),
    ],
    toolCalls: [tool(520, 560)],
    events: [],
    spans: [],
    childRuns: [],
  };
}

export { T0 };
