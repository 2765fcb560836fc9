// Span builders for store tests: plain ReadableSpan objects carrying runtrace's attributes.

import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, RuntraceEvents } from '@runtrace/core';
import type { StorePricing } from '../query-types.js';

export const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

function hr(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export interface SpanSpec {
  readonly spanId: string;
  readonly traceId: string;
  readonly parentSpanId?: string;
  readonly name?: string;
  readonly kind?: SpanKind;
  readonly startMs: number;
  /** Absent: the span has not ended. */
  readonly endMs?: number;
  readonly attributes?: Attributes;
  readonly events?: readonly { readonly name: string; readonly timeMs: number; readonly attributes?: Attributes }[];
  readonly error?: string;
}

export function makeSpan(spec: SpanSpec): ReadableSpan {
  const ended = spec.endMs !== undefined;
  const end = spec.endMs ?? spec.startMs;
  return {
    name: spec.name ?? 'span',
    kind: spec.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId: spec.traceId, spanId: spec.spanId, traceFlags: TraceFlags.SAMPLED }),
    ...(spec.parentSpanId === undefined ? {} : { parentSpanContext: { traceId: spec.traceId, spanId: spec.parentSpanId, traceFlags: TraceFlags.SAMPLED } }),
    startTime: hr(spec.startMs),
    endTime: hr(end),
    duration: hr(end - spec.startMs),
    status: spec.error === undefined ? { code: SpanStatusCode.UNSET } : { code: SpanStatusCode.ERROR, message: spec.error },
    attributes: spec.attributes ?? {},
    links: [],
    events: (spec.events ?? []).map((event) => ({ name: event.name, time: hr(event.timeMs), attributes: event.attributes ?? {} })),
    ended,
    resource: resourceFromAttributes({ 'service.name': 'store-test' }),
    instrumentationScope: { name: 'store-test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** $1/M input and $2/M output for gpt-test; $3/M and $15/M for claude-test; nothing else is known. */
export const testPricing: StorePricing = {
  cost(model, usage) {
    const prices: Record<string, readonly [number, number]> = { 'gpt-test': [1, 2], 'claude-test': [3, 15] };
    const price = prices[model.toLowerCase()];
    if (price === undefined) return { known: false };
    return { known: true, usd: ((usage.inputTokens ?? 0) * price[0] + (usage.outputTokens ?? 0) * price[1]) / 1e6 };
  },
};

export const normalizeForTest = (model: string): string => model.toLowerCase();

export interface RunSpec {
  readonly id: string;
  readonly trace: string;
  readonly startMs: number;
  readonly endMs?: number;
  readonly status: 'completed' | 'error' | 'interrupted' | 'in_progress';
  readonly attributes?: Attributes;
  readonly parentSpanId?: string;
  readonly events?: SpanSpec['events'];
}

export function runSpan(spec: RunSpec): ReadableSpan {
  return makeSpan({
    spanId: spec.id,
    traceId: spec.trace,
    ...(spec.parentSpanId === undefined ? {} : { parentSpanId: spec.parentSpanId }),
    name: 'invoke_agent chat_turn',
    startMs: spec.startMs,
    ...(spec.endMs === undefined ? {} : { endMs: spec.endMs }),
    ...(spec.events === undefined ? {} : { events: spec.events }),
    ...(spec.status === 'error' ? { error: 'run failed' } : {}),
    attributes: {
      [RuntraceAttributes.SPAN_KIND]: 'run',
      [RuntraceAttributes.STATUS]: spec.status,
      [RuntraceAttributes.RUN_ID]: spec.id,
      [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
      ...spec.attributes,
    },
  });
}

export interface ChildSpec {
  readonly id: string;
  readonly run: string;
  readonly trace: string;
  readonly parent: string;
  readonly startMs: number;
  readonly endMs?: number;
  readonly status: 'completed' | 'error' | 'interrupted' | 'in_progress';
  readonly attributes?: Attributes;
  readonly events?: SpanSpec['events'];
}

function child(kind: string, name: string, spec: ChildSpec, extra: Attributes): ReadableSpan {
  return makeSpan({
    spanId: spec.id,
    traceId: spec.trace,
    parentSpanId: spec.parent,
    name,
    startMs: spec.startMs,
    ...(spec.endMs === undefined ? {} : { endMs: spec.endMs }),
    ...(spec.events === undefined ? {} : { events: spec.events }),
    ...(spec.status === 'error' ? { error: `${kind} failed` } : {}),
    attributes: { [RuntraceAttributes.SPAN_KIND]: kind, [RuntraceAttributes.STATUS]: spec.status, [RuntraceAttributes.RUN_ID]: spec.run, ...extra, ...spec.attributes },
  });
}

export function stepSpan(spec: ChildSpec & { readonly number: number; readonly model: string; readonly input: number; readonly output: number }): ReadableSpan {
  return child('step', `chat ${spec.model}`, spec, {
    [RuntraceAttributes.STEP_NUMBER]: spec.number,
    [RuntraceAttributes.STEP_OPERATION]: 'stream',
    [GenAiAttributes.OPERATION_NAME]: 'chat',
    [GenAiAttributes.REQUEST_MODEL]: spec.model,
    [GenAiAttributes.USAGE_INPUT_TOKENS]: spec.input,
    [GenAiAttributes.USAGE_OUTPUT_TOKENS]: spec.output,
    [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
  });
}

export function attemptSpan(spec: ChildSpec & { readonly number: number; readonly statusCode: number }): ReadableSpan {
  return child('attempt', 'POST', spec, {
    [RuntraceAttributes.STEP_ID]: spec.parent,
    [RuntraceAttributes.ATTEMPT_NUMBER]: spec.number,
    [HttpAttributes.REQUEST_METHOD]: 'POST',
    [HttpAttributes.URL_FULL]: 'https://api.example.test/v1/chat/completions',
    [HttpAttributes.RESPONSE_STATUS_CODE]: spec.statusCode,
  });
}

export function toolSpan(spec: ChildSpec & { readonly tool: string }): ReadableSpan {
  return child('tool', `execute_tool ${spec.tool}`, spec, {
    [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    [GenAiAttributes.TOOL_NAME]: spec.tool,
    [GenAiAttributes.TOOL_CALL_ID]: `call-${spec.id}`,
  });
}

const trace = (n: number): string => n.toString(16).padStart(32, '0');

/** Run ids of the seeded fixture. */
export const R = {
  R0: 'a000000000000000',
  R1: 'a100000000000000',
  R2: 'a200000000000000',
  R3: 'a300000000000000',
  R4: 'a400000000000000',
  R5: 'a500000000000000',
} as const;

function summary(steps: number, input: number, output: number, extra: Attributes = {}): Attributes {
  return {
    [RuntraceAttributes.SUMMARY_STEP_COUNT]: steps,
    [RuntraceAttributes.SUMMARY_INPUT_TOKENS]: input,
    [RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]: output,
    [RuntraceAttributes.SUMMARY_TOTAL_TOKENS]: input + output,
    ...extra,
  };
}

function runAttributes(conversation: string, kind: string, provider: string, model: string, label: string, messages: readonly [number, number, number] | undefined): Attributes {
  return {
    [GenAiAttributes.CONVERSATION_ID]: conversation,
    [RuntraceAttributes.RUN_KIND]: kind,
    [GenAiAttributes.PROVIDER_NAME]: provider,
    [GenAiAttributes.REQUEST_MODEL]: model,
    [RuntraceAttributes.RUN_LABEL]: label,
    ...(messages === undefined
      ? {}
      : {
          [RuntraceAttributes.RUN_TRIGGER_MESSAGE_ID]: messages[0],
          [RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID]: messages[1],
          [RuntraceAttributes.RUN_ASSISTANT_MESSAGE_ID]: messages[2],
        }),
  };
}

/**
 * The seeded fixture (finished spans only; R5 is added separately as an in-progress snapshot).
 * Figures are spelled out in the tests that use them.
 */
export function fixtureSpans(): ReadableSpan[] {
  const t1 = trace(1);
  const t2 = trace(2);
  return [
    // R0: previous period, 2026-01-08.
    runSpan({
      id: R.R0, trace: trace(100), startMs: T0 - 2 * DAY - 4 * HOUR, endMs: T0 - 2 * DAY - 4 * HOUR + 5000, status: 'completed',
      attributes: { ...runAttributes('c0', 'chat_turn', 'openai', 'gpt-test', 'Old one', [1, 1, 2]), ...summary(1, 10, 10, { [RuntraceAttributes.SUMMARY_COST_USD]: 0.00003 }) },
    }),
    // R1: summary present; two steps, three attempts (one retry), one tool, one foreign span.
    stepSpan({ id: 'b110000000000000', run: R.R1, trace: t1, parent: R.R1, startMs: T0 + 1000, endMs: T0 + 11_000, status: 'completed', number: 1, model: 'gpt-test', input: 600, output: 300,
      attributes: { [RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS]: 400 }, events: [{ name: RuntraceEvents.FIRST_CHUNK, timeMs: T0 + 1400 }] }),
    attemptSpan({ id: 'c110000000000000', run: R.R1, trace: t1, parent: 'b110000000000000', startMs: T0 + 1000, endMs: T0 + 1200, status: 'error', number: 1, statusCode: 429,
      attributes: { [RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION]: 'rate_limited', [RuntraceAttributes.ATTEMPT_RETRY_DELAY_MS]: 100 } }),
    attemptSpan({ id: 'c120000000000000', run: R.R1, trace: t1, parent: 'b110000000000000', startMs: T0 + 1300, endMs: T0 + 11_000, status: 'completed', number: 2, statusCode: 200 }),
    toolSpan({ id: 'd110000000000000', run: R.R1, trace: t1, parent: 'b110000000000000', startMs: T0 + 11_000, endMs: T0 + 14_000, status: 'completed', tool: 'search' }),
    makeSpan({ spanId: 'e110000000000000', traceId: t1, parentSpanId: 'd110000000000000', name: 'GET', kind: SpanKind.CLIENT, startMs: T0 + 11_500, endMs: T0 + 13_000,
      attributes: { [HttpAttributes.REQUEST_METHOD]: 'GET', [HttpAttributes.URL_FULL]: 'https://search.example.test/q' } }),
    stepSpan({ id: 'b120000000000000', run: R.R1, trace: t1, parent: R.R1, startMs: T0 + 15_000, endMs: T0 + 25_000, status: 'completed', number: 2, model: 'gpt-test', input: 400, output: 200 }),
    attemptSpan({ id: 'c130000000000000', run: R.R1, trace: t1, parent: 'b120000000000000', startMs: T0 + 15_000, endMs: T0 + 25_000, status: 'completed', number: 1, statusCode: 200 }),
    runSpan({
      id: R.R1, trace: t1, startMs: T0, endMs: T0 + 30_000, status: 'completed', events: [{ name: RuntraceEvents.HEARTBEAT, timeMs: T0 + 20_000 }],
      attributes: {
        ...runAttributes('c1', 'chat_turn', 'openai', 'GPT-Test', 'Hello world', [1, 1, 2]),
        ...summary(2, 1000, 500, { [RuntraceAttributes.SUMMARY_COST_USD]: 0.002, [RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT]: 1, [RuntraceAttributes.SUMMARY_ENDPOINT]: 'POST /v1/chat/completions' }),
      },
    }),
    // R2: no summary (aggregated from its step), error, two tools (one failed).
    stepSpan({ id: 'b210000000000000', run: R.R2, trace: t2, parent: R.R2, startMs: T0 + 2 * HOUR, endMs: T0 + 2 * HOUR + 100_000, status: 'completed', number: 1, model: 'gpt-test', input: 2000, output: 1000 }),
    attemptSpan({ id: 'c210000000000000', run: R.R2, trace: t2, parent: 'b210000000000000', startMs: T0 + 2 * HOUR, endMs: T0 + 2 * HOUR + 100_000, status: 'completed', number: 1, statusCode: 200 }),
    toolSpan({ id: 'd210000000000000', run: R.R2, trace: t2, parent: R.R2, startMs: T0 + 2 * HOUR + 100_000, endMs: T0 + 2 * HOUR + 110_000, status: 'error', tool: 'search' }),
    toolSpan({ id: 'd220000000000000', run: R.R2, trace: t2, parent: R.R2, startMs: T0 + 2 * HOUR + 110_000, endMs: T0 + 2 * HOUR + 115_000, status: 'completed', tool: 'fetch' }),
    runSpan({ id: R.R2, trace: t2, startMs: T0 + 2 * HOUR, endMs: T0 + 2 * HOUR + 120_000, status: 'error', attributes: runAttributes('c1', 'chat_turn', 'openai', 'gpt-test', 'Second question', [3, 3, 4]) }),
    // R3: 2026-01-11, unknown model price, interrupted after 10 minutes.
    runSpan({
      id: R.R3, trace: trace(3), startMs: T0 + DAY, endMs: T0 + DAY + 10 * MINUTE, status: 'interrupted',
      attributes: { ...runAttributes('c2', 'title_generation', 'anthropic', 'unknown-model', 'Title please', undefined), ...summary(1, 100, 10, { [RuntraceAttributes.SUMMARY_COST_UNKNOWN]: true }) },
    }),
    // R4: 2026-01-13, two hours, expensive.
    runSpan({
      id: R.R4, trace: trace(4), startMs: T0 + 3 * DAY, endMs: T0 + 3 * DAY + 2 * HOUR, status: 'completed',
      attributes: { ...runAttributes('c2', 'chat_turn', 'anthropic', 'claude-test', 'Long task', undefined), ...summary(1, 100_000, 100_000, { [RuntraceAttributes.SUMMARY_COST_USD]: 1.8 }) },
    }),
  ];
}

/** R5: a run still in progress (2026-01-13 13:00), with one live step. */
export function inProgressSpans(): ReadableSpan[] {
  const t5 = trace(5);
  return [
    runSpan({ id: R.R5, trace: t5, startMs: T0 + 3 * DAY + HOUR, status: 'in_progress', attributes: runAttributes('c3', 'chat_turn', 'openai', 'gpt-test', 'Still running', undefined) }),
    stepSpan({ id: 'b510000000000000', run: R.R5, trace: t5, parent: R.R5, startMs: T0 + 3 * DAY + HOUR + 1000, status: 'in_progress', number: 1, model: 'gpt-test', input: 0, output: 0 }),
  ];
}
