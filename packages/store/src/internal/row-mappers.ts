// Maps SQLite rows (snake_case columns) to the query API's camelCase results.

import { RuntraceAttributes, isRunStatus } from '@runtrace/core';
import { unknownCostReason } from '@runtrace/core/internal';
import type { RunStatus } from '@runtrace/core';
import type { AttemptDetail, GenericSpan, RunEvent, RunSummary, SpanLink, SpanOtel, StepDetail, StoredResource, ToolCallDetail } from '../query-types.js';

export type Row = Readonly<Record<string, unknown>>;

function s(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A column's number (SQLite integers may arrive as bigint), or null. */
export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
}

/** A column's number, or 0. */
export function numberOrZero(value: unknown): number {
  return numberOrNull(value) ?? 0;
}

function status(value: unknown): RunStatus {
  return isRunStatus(value) ? value : 'completed';
}

export function parseObject(value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseArray(value: unknown): readonly unknown[] {
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function tokens(row: Row): Pick<RunSummary, 'inputTokens' | 'outputTokens' | 'reasoningTokens' | 'cacheReadTokens' | 'cacheCreationTokens' | 'totalTokens'> {
  return {
    inputTokens: numberOrZero(row.input_tokens),
    outputTokens: numberOrZero(row.output_tokens),
    reasoningTokens: numberOrZero(row.reasoning_tokens),
    cacheReadTokens: numberOrZero(row.cache_read_tokens),
    cacheCreationTokens: numberOrZero(row.cache_creation_tokens),
    totalTokens: numberOrZero(row.total_tokens),
  };
}

/** A run's failed and interrupted step counts. */
export interface StepProblems {
  readonly failedStepCount: number;
  readonly interruptedStepCount: number;
}

const NO_PROBLEMS: StepProblems = { failedStepCount: 0, interruptedStepCount: 0 };

/**
 * The failed and interrupted step counts: the run summary's, read from the run's attributes when
 * it has them, else `counted` (what the store counted from the run's step rows).
 */
function stepProblems(attributes: unknown, counted: StepProblems | undefined): StepProblems {
  if (typeof attributes !== 'string' || !attributes.includes('_step_count"')) return counted ?? NO_PROBLEMS;
  const parsed = parseObject(attributes);
  return {
    failedStepCount: numberOrZero(parsed[RuntraceAttributes.SUMMARY_FAILED_STEP_COUNT]),
    interruptedStepCount: numberOrZero(parsed[RuntraceAttributes.SUMMARY_INTERRUPTED_STEP_COUNT]),
  };
}

/** A runs row as a summary; `counted`: its step problems counted from its step rows, for a run without a summary. */
export function toRunSummary(row: Row, counted?: StepProblems): RunSummary {
  return {
    runId: String(row.run_id),
    traceId: String(row.trace_id),
    parentRunId: s(row.parent_run_id),
    kind: s(row.kind),
    status: status(row.status),
    statusMessage: s(row.status_message),
    errorType: s(row.error_type),
    conversationId: s(row.conversation_id),
    rootConversationId: s(row.root_conversation_id),
    parentConversationId: s(row.parent_conversation_id),
    triggerMessageId: numberOrNull(row.trigger_message_id),
    historyTipMessageId: numberOrNull(row.history_tip_message_id),
    assistantMessageId: numberOrNull(row.assistant_message_id),
    provider: s(row.provider),
    model: s(row.model),
    normalizedModel: s(row.normalized_model),
    label: s(row.label),
    startTimeMs: numberOrZero(row.start_ms),
    endTimeMs: numberOrNull(row.end_ms),
    durationMs: numberOrNull(row.duration_ms),
    lastActivityMs: numberOrZero(row.last_activity_ms),
    stepCount: numberOrZero(row.step_count),
    toolCallCount: numberOrZero(row.tool_call_count),
    ...tokens(row),
    hasError: row.has_error === 1,
    ...stepProblems(row.attributes, counted),
    endpoint: s(row.endpoint),
    costUsd: row.cost_unknown === 1 ? null : numberOrNull(row.cost_usd),
    costUnknown: row.cost_unknown === 1,
    stale: row.stale === 1,
    service: s(row.service_name),
    serviceVersion: s(row.service_version),
    environment: s(row.deployment_environment),
  };
}

export function toStep(row: Row): StepDetail {
  const attributes = parseObject(row.attributes);
  return {
    stepId: String(row.step_id),
    otel: toOtel(row.otel),
    resourceId: s(row.resource_id),
    runId: String(row.run_id),
    number: numberOrNull(row.number),
    operation: s(row.operation),
    status: status(row.status),
    statusMessage: s(row.status_message),
    errorType: s(row.error_type),
    provider: s(row.provider),
    requestModel: s(row.request_model),
    responseModel: s(row.response_model),
    responseId: s(row.response_id),
    finishReasons: parseArray(row.finish_reasons).filter((reason): reason is string => typeof reason === 'string'),
    timeToFirstChunkMs: numberOrNull(row.time_to_first_chunk_ms),
    startTimeMs: numberOrZero(row.start_ms),
    endTimeMs: numberOrNull(row.end_ms),
    durationMs: numberOrNull(row.duration_ms),
    ...tokens(row),
    costUsd: row.cost_unknown === 1 ? null : numberOrNull(row.cost_usd),
    costUnknown: row.cost_unknown === 1,
    costUnknownReason: row.cost_unknown === 1 ? unknownCostReason(attributes, s(row.response_model) ?? s(row.request_model)) : null,
    attributes,
  };
}

export function toAttempt(row: Row): AttemptDetail {
  return {
    attemptId: String(row.attempt_id),
    otel: toOtel(row.otel),
    resourceId: s(row.resource_id),
    runId: String(row.run_id),
    stepId: s(row.step_id),
    number: numberOrNull(row.number),
    status: status(row.status),
    method: s(row.method),
    url: s(row.url),
    statusCode: numberOrNull(row.status_code),
    resendCount: numberOrNull(row.resend_count),
    retryClassification: s(row.retry_classification),
    retryDelayMs: numberOrNull(row.retry_delay_ms),
    errorType: s(row.error_type),
    error: s(row.error),
    startTimeMs: numberOrZero(row.start_ms),
    endTimeMs: numberOrNull(row.end_ms),
    durationMs: numberOrNull(row.duration_ms),
    attributes: parseObject(row.attributes),
  };
}

export function toToolCall(row: Row): ToolCallDetail {
  return {
    toolCallSpanId: String(row.span_id),
    otel: toOtel(row.otel),
    resourceId: s(row.resource_id),
    runId: String(row.run_id),
    stepId: s(row.step_id),
    name: s(row.name),
    callId: s(row.call_id),
    status: status(row.status),
    statusMessage: s(row.status_message),
    errorType: s(row.error_type),
    startTimeMs: numberOrZero(row.start_ms),
    endTimeMs: numberOrNull(row.end_ms),
    durationMs: numberOrNull(row.duration_ms),
    attributes: parseObject(row.attributes),
  };
}

export function toEvent(row: Row): RunEvent {
  return {
    spanId: String(row.span_id),
    name: String(row.name),
    timeMs: numberOrZero(row.time_ms),
    attributes: parseObject(row.attributes),
  };
}

export function toGenericSpan(row: Row): GenericSpan {
  const events = parseArray(row.events).flatMap((event) => {
    if (typeof event !== 'object' || event === null) return [];
    const e = event as Record<string, unknown>;
    const attributes = typeof e.attributes === 'object' && e.attributes !== null ? (e.attributes as Record<string, unknown>) : {};
    return [{ name: String(e.name), timeMs: numberOrZero(e.timeMs), attributes }];
  });
  return {
    otel: toOtel(row.otel),
    resourceId: s(row.resource_id),
    spanId: String(row.span_id),
    traceId: String(row.trace_id),
    parentSpanId: s(row.parent_span_id),
    name: String(row.name),
    spanKind: numberOrZero(row.span_kind),
    startTimeMs: numberOrZero(row.start_ms),
    endTimeMs: numberOrZero(row.end_ms),
    durationMs: numberOrZero(row.duration_ms),
    statusCode: numberOrZero(row.status_code),
    statusMessage: s(row.status_message),
    scope: s(row.scope),
    attributes: parseObject(row.attributes),
    events,
  };
}

/** A row of the \`resources\` table. */
export function toStoredResource(row: Row): StoredResource {
  return {
    resourceId: String(row.resource_id),
    service: s(row.service_name),
    serviceVersion: s(row.service_version),
    environment: s(row.deployment_environment),
    attributes: parseObject(row.attributes),
  };
}

const NO_OTEL: SpanOtel = { scope: null, traceState: null, links: [], dropped: { attributes: 0, events: 0, links: 0 } };

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** The \`otel\` column read back (see \`otelOf\`); anything unreadable is left out. */
export function toOtel(value: unknown): SpanOtel {
  if (typeof value !== 'string') return NO_OTEL;
  const parsed = parseObject(value);
  const scope = typeof parsed['scope'] === 'object' && parsed['scope'] !== null ? (parsed['scope'] as Record<string, unknown>) : undefined;
  const dropped = typeof parsed['dropped'] === 'object' && parsed['dropped'] !== null ? (parsed['dropped'] as Record<string, unknown>) : {};
  const links = Array.isArray(parsed['links']) ? (parsed['links'] as unknown[]) : [];
  return {
    scope:
      scope === undefined || typeof scope['name'] !== 'string'
        ? null
        : {
            name: scope['name'],
            ...(typeof scope['version'] === 'string' ? { version: scope['version'] } : {}),
            ...(typeof scope['schemaUrl'] === 'string' ? { schemaUrl: scope['schemaUrl'] } : {}),
          },
    traceState: typeof parsed['traceState'] === 'string' ? parsed['traceState'] : null,
    links: links.flatMap((link): SpanLink[] => {
      if (typeof link !== 'object' || link === null) return [];
      const l = link as Record<string, unknown>;
      if (typeof l['traceId'] !== 'string' || typeof l['spanId'] !== 'string') return [];
      return [
        {
          traceId: l['traceId'],
          spanId: l['spanId'],
          ...(typeof l['traceState'] === 'string' ? { traceState: l['traceState'] } : {}),
          ...(typeof l['attributes'] === 'object' && l['attributes'] !== null ? { attributes: l['attributes'] as Record<string, unknown> } : {}),
        },
      ];
    }),
    dropped: { attributes: count(dropped['attributes']), events: count(dropped['events']), links: count(dropped['links']) },
  };
}
