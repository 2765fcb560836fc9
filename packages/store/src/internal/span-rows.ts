// Turns OpenTelemetry spans into the store's rows (runs, steps, attempts, tool calls, generic spans).

import type { Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds, isUsageMissing } from '@runtrace/core';
import { endpointPathOf } from '@runtrace/core/internal';
import type { SpanKind } from '@runtrace/core';
import { foreignRowOf } from './foreign-rows.js';
import { UNKNOWN_COST, ZERO_COST, bool, count, events, int, json, normalized, num, parentOf, otelOf, priced, resourceOf, statusMessage, statusOf, str, timing, tokenColumns } from './row-fields.js';
import type { SpanRowContext } from './row-fields.js';
import type { AttemptRow, RowOp, RowValues, RunRow, SpanRow, StepRow, ToolRow } from './row-columns.js';

export type { SpanRowContext } from './row-fields.js';

/** The runtrace span kind of a span, or `undefined` for any other span. */
export function runtraceKind(span: ReadableSpan): SpanKind | undefined {
  const kind = span.attributes[RuntraceAttributes.SPAN_KIND];
  switch (kind) {
    case SpanKinds.RUN:
    case SpanKinds.STEP:
    case SpanKinds.ATTEMPT:
    case SpanKinds.TOOL:
      return kind;
    default:
      return undefined;
  }
}

/** The first string of an array attribute. */
function firstString(attributes: Attributes, key: string): string | null {
  const value = attributes[key];
  if (!Array.isArray(value)) return null;
  const first: unknown = value[0];
  return typeof first === 'string' && first !== '' ? first : null;
}

function runRow(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): RunRow {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const { spanId, traceId } = span.spanContext();
  const resource = resourceOf(span);
  const status = statusOf(span, inProgress);
  // The run's own model and provider, else those its steps used (the processor's summary).
  const model = str(a, GenAiAttributes.REQUEST_MODEL) ?? firstString(a, RuntraceAttributes.SUMMARY_MODELS);
  const provider = str(a, GenAiAttributes.PROVIDER_NAME) ?? firstString(a, RuntraceAttributes.SUMMARY_PROVIDERS);
  const hasSummary =
    a[RuntraceAttributes.SUMMARY_STEP_COUNT] !== undefined ||
    a[RuntraceAttributes.SUMMARY_TOTAL_TOKENS] !== undefined ||
    a[RuntraceAttributes.SUMMARY_INPUT_TOKENS] !== undefined;
  const usage = {
    inputTokens: count(a, RuntraceAttributes.SUMMARY_INPUT_TOKENS),
    outputTokens: count(a, RuntraceAttributes.SUMMARY_OUTPUT_TOKENS),
    reasoningTokens: count(a, RuntraceAttributes.SUMMARY_REASONING_TOKENS),
    cacheReadTokens: count(a, RuntraceAttributes.SUMMARY_CACHE_READ_TOKENS),
    cacheCreationTokens: count(a, RuntraceAttributes.SUMMARY_CACHE_CREATION_TOKENS),
  };
  let cost = ZERO_COST;
  if (hasSummary) {
    const recorded = num(a, RuntraceAttributes.SUMMARY_COST_USD);
    if (recorded !== null) cost = { cost_usd: recorded, cost_unknown: 0 };
    else if (bool(a, RuntraceAttributes.SUMMARY_COST_UNKNOWN)) cost = UNKNOWN_COST;
    else cost = priced(context, model, usage, provider);
  }
  return {
    run_id: spanId,
    trace_id: traceId,
    parent_span_id: parentOf(span),
    parent_run_id: str(a, RuntraceAttributes.RUN_PARENT_RUN_ID),
    name: span.name,
    kind: str(a, RuntraceAttributes.RUN_KIND),
    status,
    status_message: status === 'in_progress' ? null : statusMessage(span),
    error_type: str(a, HttpAttributes.ERROR_TYPE),
    conversation_id: str(a, GenAiAttributes.CONVERSATION_ID),
    root_conversation_id: str(a, RuntraceAttributes.RUN_ROOT_CONVERSATION_ID),
    parent_conversation_id: str(a, RuntraceAttributes.RUN_PARENT_CONVERSATION_ID),
    trigger_message_id: int(a, RuntraceAttributes.RUN_TRIGGER_MESSAGE_ID),
    history_tip_message_id: int(a, RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID),
    assistant_message_id: int(a, RuntraceAttributes.RUN_ASSISTANT_MESSAGE_ID),
    provider,
    model,
    normalized_model: normalized(context, model),
    label: str(a, RuntraceAttributes.RUN_LABEL),
    start_ms: time.start_ms,
    end_ms: time.end_ms,
    duration_ms: time.duration_ms,
    last_activity_ms: time.last_activity_ms,
    has_summary: hasSummary ? 1 : 0,
    step_count: count(a, RuntraceAttributes.SUMMARY_STEP_COUNT),
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    reasoning_tokens: usage.reasoningTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_creation_tokens: usage.cacheCreationTokens,
    total_tokens: num(a, RuntraceAttributes.SUMMARY_TOTAL_TOKENS) ?? usage.inputTokens + usage.outputTokens,
    tool_call_count: count(a, RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT),
    has_error: status === 'error' || bool(a, RuntraceAttributes.SUMMARY_HAS_ERROR) ? 1 : 0,
    endpoint: str(a, RuntraceAttributes.SUMMARY_ENDPOINT),
    first_message: str(a, RuntraceAttributes.SUMMARY_FIRST_MESSAGE),
    cost_usd: cost.cost_usd,
    cost_unknown: cost.cost_unknown,
    stale: bool(a, RuntraceAttributes.STALE) ? 1 : 0,
    attributes: json(a),
    ...resource.service,
    otel: otelOf(span),
    resource_id: resource.id,
  };
}

function runIdOf(span: ReadableSpan, spanId: string): string {
  return str(span.attributes, RuntraceAttributes.RUN_ID) ?? parentOf(span) ?? spanId;
}

function finishReasons(attributes: Attributes): string {
  const value = attributes[GenAiAttributes.RESPONSE_FINISH_REASONS];
  if (Array.isArray(value)) return json(value.filter((reason) => typeof reason === 'string'));
  if (typeof value === 'string') return json([value]);
  return '[]';
}

function stepRow(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): StepRow {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const status = statusOf(span, inProgress);
  const provider = str(a, GenAiAttributes.PROVIDER_NAME);
  const requestModel = str(a, GenAiAttributes.REQUEST_MODEL);
  const responseModel = str(a, GenAiAttributes.RESPONSE_MODEL);
  const usage = {
    inputTokens: count(a, GenAiAttributes.USAGE_INPUT_TOKENS),
    outputTokens: count(a, GenAiAttributes.USAGE_OUTPUT_TOKENS),
    reasoningTokens: count(a, GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS),
    cacheReadTokens: count(a, GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS),
    cacheCreationTokens: count(a, GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS),
  };
  // A model that answered without reporting usage may still have billed: unknown, not zero.
  const cost = priced(context, responseModel ?? requestModel, usage, provider, isUsageMissing(a));
  const { spanId, traceId } = span.spanContext();
  return {
    step_id: spanId,
    run_id: runIdOf(span, spanId),
    trace_id: traceId,
    parent_span_id: parentOf(span),
    number: int(a, RuntraceAttributes.STEP_NUMBER),
    operation: str(a, RuntraceAttributes.STEP_OPERATION),
    status,
    status_message: status === 'in_progress' ? null : statusMessage(span),
    error_type: str(a, HttpAttributes.ERROR_TYPE),
    provider,
    request_model: requestModel,
    response_model: responseModel,
    response_id: str(a, GenAiAttributes.RESPONSE_ID),
    finish_reasons: finishReasons(a),
    ...tokenColumns(usage),
    time_to_first_chunk_ms: num(a, RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS),
    ...time,
    ...cost,
    attributes: json(a),
    otel: otelOf(span),
    resource_id: resourceOf(span).id,
  };
}


function attemptRow(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): AttemptRow {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const { spanId, traceId } = span.spanContext();
  return {
    attempt_id: spanId,
    run_id: runIdOf(span, spanId),
    step_id: str(a, RuntraceAttributes.STEP_ID) ?? parentOf(span),
    trace_id: traceId,
    parent_span_id: parentOf(span),
    number: int(a, RuntraceAttributes.ATTEMPT_NUMBER),
    status: statusOf(span, inProgress),
    method: str(a, HttpAttributes.REQUEST_METHOD),
    url: str(a, HttpAttributes.URL_FULL),
    url_path: endpointPathOf(a) ?? null,
    status_code: int(a, HttpAttributes.RESPONSE_STATUS_CODE),
    // Set only on a resend, as the HTTP conventions say: absent means none.
    resend_count: int(a, HttpAttributes.REQUEST_RESEND_COUNT) ?? 0,
    retry_classification: str(a, RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION),
    retry_delay_ms: num(a, RuntraceAttributes.ATTEMPT_RETRY_DELAY_MS),
    error_type: str(a, HttpAttributes.ERROR_TYPE),
    error: str(a, RuntraceAttributes.ATTEMPT_ERROR),
    start_ms: time.start_ms,
    end_ms: time.end_ms,
    duration_ms: time.duration_ms,
    last_activity_ms: time.last_activity_ms,
    attributes: json(a),
    otel: otelOf(span),
    resource_id: resourceOf(span).id,
  };
}

function toolRow(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): ToolRow {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const status = statusOf(span, inProgress);
  const { spanId, traceId } = span.spanContext();
  return {
    span_id: spanId,
    run_id: runIdOf(span, spanId),
    step_id: str(a, RuntraceAttributes.STEP_ID),
    trace_id: traceId,
    parent_span_id: parentOf(span),
    name: str(a, GenAiAttributes.TOOL_NAME),
    call_id: str(a, GenAiAttributes.TOOL_CALL_ID),
    status,
    status_message: status === 'in_progress' ? null : statusMessage(span),
    error_type: str(a, HttpAttributes.ERROR_TYPE),
    start_ms: time.start_ms,
    end_ms: time.end_ms,
    duration_ms: time.duration_ms,
    last_activity_ms: time.last_activity_ms,
    attributes: json(a),
    otel: otelOf(span),
    resource_id: resourceOf(span).id,
  };
}

function genericRow(span: ReadableSpan): SpanRow {
  const start = hrTimeToMilliseconds(span.startTime);
  const end = Math.max(start, hrTimeToMilliseconds(span.endTime));
  const { spanId, traceId } = span.spanContext();
  return {
    span_id: spanId,
    trace_id: traceId,
    parent_span_id: parentOf(span),
    name: span.name,
    span_kind: span.kind,
    start_ms: start,
    end_ms: end,
    duration_ms: end - start,
    status_code: span.status.code,
    status_message: span.status.message ?? null,
    scope: span.instrumentationScope.name,
    attributes: json(span.attributes),
    events: json(span.events.map((event) => ({ name: event.name, timeMs: hrTimeToMilliseconds(event.time), attributes: event.attributes ?? {} }))),
    otel: otelOf(span),
    resource_id: resourceOf(span).id,
  };
}

/** A span's row and its table, before it is flattened into values (see {@link spanToOp}). */
export type SpanRowOf =
  /** `foreignRun`: the row of a run made of other instrumentations' spans, merged into the stored one. */
  | { readonly table: 'runs'; readonly row: RunRow; readonly foreignRun?: true }
  /** `foreignRun`: the row of the trace's foreign run, which the step or tool joins (merged likewise). */
  | { readonly table: 'steps'; readonly row: StepRow; readonly foreignRun?: RunRow }
  | { readonly table: 'attempts'; readonly row: AttemptRow }
  | { readonly table: 'tool_calls'; readonly row: ToolRow; readonly foreignRun?: RunRow }
  | { readonly table: 'spans'; readonly row: SpanRow };

/** The row for one span; `undefined` for a live snapshot of a span that is not runtrace's. */
export function spanToRow(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): SpanRowOf | undefined {
  switch (runtraceKind(span)) {
    case SpanKinds.RUN:
      return { table: 'runs', row: runRow(span, inProgress, context) };
    case SpanKinds.STEP:
      return { table: 'steps', row: stepRow(span, inProgress, context) };
    case SpanKinds.ATTEMPT:
      return { table: 'attempts', row: attemptRow(span, inProgress, context) };
    case SpanKinds.TOOL:
      return { table: 'tool_calls', row: toolRow(span, inProgress, context) };
    case undefined:
      if (inProgress) return undefined;
      return foreignRowOf(span, context) ?? { table: 'spans', row: genericRow(span) };
  }
}

/**
 * The write operation for one span. `inProgress` marks a live snapshot of a span that has not
 * ended; only runtrace spans have one (`undefined` otherwise).
 */
export function spanToOp(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): RowOp | undefined {
  const found = spanToRow(span, inProgress, context);
  if (found === undefined) return undefined;
  const op: { -readonly [K in keyof RowOp]: RowOp[K] } = {
    table: found.table,
    values: valuesOf(found.row),
    events: found.table === 'spans' ? [] : events(span),
    // A run with its summary on its span needs no aggregation; other spans' rows are not runs'.
    aggregate: found.table === 'runs' ? found.row.has_summary === 0 : found.table !== 'spans',
  };
  if (found.table === 'runs') {
    if (found.foreignRun === true) op.foreignRun = true;
  } else if ((found.table === 'steps' || found.table === 'tool_calls') && found.foreignRun !== undefined) {
    op.foreignRun = true;
    op.runValues = valuesOf(found.foreignRun);
  }
  const resource = resourceOf(span).values;
  if (resource !== undefined) op.resource = resource;
  return op;
}

/**
 * A row's values in its table's column order. Each row builder above lists its fields in that
 * order (a test checks it), so the object's own order is the column order.
 */
function valuesOf(row: RunRow | StepRow | AttemptRow | ToolRow | SpanRow): RowValues {
  return Object.values(row);
}
