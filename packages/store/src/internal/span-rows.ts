// Turns OpenTelemetry spans into the store's rows (runs, steps, attempts, tool calls, generic spans).

import type { Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds, isUsageMissing } from '@runtrace/core';
import { endpointPathOf } from '@runtrace/core/internal';
import type { SpanKind } from '@runtrace/core';
import { foreignRowOf } from './foreign-rows.js';
import { UNKNOWN_COST, ZERO_COST, bool, count, events, int, json, normalized, num, parentOf, otelOf, priced, resourceOf, statusMessage, statusOf, str, timing } from './row-fields.js';
import type { SpanRowContext } from './row-fields.js';
import { RUN_COLUMNS } from './row-columns.js';
import type { RowOp, RowValues, RunRow, SpanRow, StepRow, ToolRow } from './row-columns.js';

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

// The builders of runtrace's own rows return the row's values in its table's column order (one
// line per column, named in its comment), not an object: these rows are written for every model
// call, and an object per row, its spread parts and the array of its values cost more than the
// row itself (a test reads each builder's values back by column name).

function runValues(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): RowValues {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const { spanId, traceId } = span.spanContext();
  const resource = resourceOf(span);
  const service = resource.service;
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
  return [
    spanId, // run_id
    traceId, // trace_id
    parentOf(span), // parent_span_id
    str(a, RuntraceAttributes.RUN_PARENT_RUN_ID), // parent_run_id
    span.name, // name
    str(a, RuntraceAttributes.RUN_KIND), // kind
    status, // status
    status === 'in_progress' ? null : statusMessage(span), // status_message
    str(a, HttpAttributes.ERROR_TYPE), // error_type
    str(a, GenAiAttributes.CONVERSATION_ID), // conversation_id
    str(a, RuntraceAttributes.RUN_ROOT_CONVERSATION_ID), // root_conversation_id
    str(a, RuntraceAttributes.RUN_PARENT_CONVERSATION_ID), // parent_conversation_id
    int(a, RuntraceAttributes.RUN_TRIGGER_MESSAGE_ID), // trigger_message_id
    int(a, RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID), // history_tip_message_id
    int(a, RuntraceAttributes.RUN_ASSISTANT_MESSAGE_ID), // assistant_message_id
    provider, // provider
    model, // model
    normalized(context, model), // normalized_model
    str(a, RuntraceAttributes.RUN_LABEL), // label
    time.start_ms, // start_ms
    time.end_ms, // end_ms
    time.duration_ms, // duration_ms
    time.last_activity_ms, // last_activity_ms
    hasSummary ? 1 : 0, // has_summary
    count(a, RuntraceAttributes.SUMMARY_STEP_COUNT), // step_count
    usage.inputTokens, // input_tokens
    usage.outputTokens, // output_tokens
    usage.reasoningTokens, // reasoning_tokens
    usage.cacheReadTokens, // cache_read_tokens
    usage.cacheCreationTokens, // cache_creation_tokens
    num(a, RuntraceAttributes.SUMMARY_TOTAL_TOKENS) ?? usage.inputTokens + usage.outputTokens, // total_tokens
    count(a, RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT), // tool_call_count
    status === 'error' || bool(a, RuntraceAttributes.SUMMARY_HAS_ERROR) ? 1 : 0, // has_error
    str(a, RuntraceAttributes.SUMMARY_ENDPOINT), // endpoint
    str(a, RuntraceAttributes.SUMMARY_FIRST_MESSAGE), // first_message
    cost.cost_usd, // cost_usd
    cost.cost_unknown, // cost_unknown
    bool(a, RuntraceAttributes.STALE) ? 1 : 0, // stale
    json(a), // attributes
    service.service_name, // service_name
    service.service_version, // service_version
    service.deployment_environment, // deployment_environment
    service.resource, // resource
    otelOf(span), // otel
    resource.id, // resource_id
  ];
}

/** The `has_summary` column of a run row's values: a run with its summary on its span needs no aggregation. */
const RUN_HAS_SUMMARY = RUN_COLUMNS.indexOf('has_summary');

function runIdOf(span: ReadableSpan, spanId: string): string {
  return str(span.attributes, RuntraceAttributes.RUN_ID) ?? parentOf(span) ?? spanId;
}

function finishReasons(attributes: Attributes): string {
  const value = attributes[GenAiAttributes.RESPONSE_FINISH_REASONS];
  if (Array.isArray(value)) return json(value.filter((reason) => typeof reason === 'string'));
  if (typeof value === 'string') return json([value]);
  return '[]';
}

function stepValues(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): RowValues {
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
  return [
    spanId, // step_id
    runIdOf(span, spanId), // run_id
    traceId, // trace_id
    parentOf(span), // parent_span_id
    int(a, RuntraceAttributes.STEP_NUMBER), // number
    str(a, RuntraceAttributes.STEP_OPERATION), // operation
    status, // status
    status === 'in_progress' ? null : statusMessage(span), // status_message
    str(a, HttpAttributes.ERROR_TYPE), // error_type
    provider, // provider
    requestModel, // request_model
    responseModel, // response_model
    str(a, GenAiAttributes.RESPONSE_ID), // response_id
    finishReasons(a), // finish_reasons
    usage.inputTokens, // input_tokens
    usage.outputTokens, // output_tokens
    usage.reasoningTokens, // reasoning_tokens
    usage.cacheReadTokens, // cache_read_tokens
    usage.cacheCreationTokens, // cache_creation_tokens
    usage.inputTokens + usage.outputTokens, // total_tokens
    num(a, RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS), // time_to_first_chunk_ms
    time.start_ms, // start_ms
    time.end_ms, // end_ms
    time.duration_ms, // duration_ms
    time.last_activity_ms, // last_activity_ms
    cost.cost_usd, // cost_usd
    cost.cost_unknown, // cost_unknown
    json(a), // attributes
    otelOf(span), // otel
    resourceOf(span).id, // resource_id
  ];
}

function attemptValues(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): RowValues {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const { spanId, traceId } = span.spanContext();
  return [
    spanId, // attempt_id
    runIdOf(span, spanId), // run_id
    str(a, RuntraceAttributes.STEP_ID) ?? parentOf(span), // step_id
    traceId, // trace_id
    parentOf(span), // parent_span_id
    int(a, RuntraceAttributes.ATTEMPT_NUMBER), // number
    statusOf(span, inProgress), // status
    str(a, HttpAttributes.REQUEST_METHOD), // method
    str(a, HttpAttributes.URL_FULL), // url
    endpointPathOf(a) ?? null, // url_path
    int(a, HttpAttributes.RESPONSE_STATUS_CODE), // status_code
    // Set only on a resend, as the HTTP conventions say: absent means none.
    int(a, HttpAttributes.REQUEST_RESEND_COUNT) ?? 0, // resend_count
    str(a, RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION), // retry_classification
    num(a, RuntraceAttributes.ATTEMPT_RETRY_DELAY_MS), // retry_delay_ms
    str(a, HttpAttributes.ERROR_TYPE), // error_type
    str(a, RuntraceAttributes.ATTEMPT_ERROR), // error
    time.start_ms, // start_ms
    time.end_ms, // end_ms
    time.duration_ms, // duration_ms
    time.last_activity_ms, // last_activity_ms
    json(a), // attributes
    otelOf(span), // otel
    resourceOf(span).id, // resource_id
  ];
}

function toolValues(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): RowValues {
  const a = span.attributes;
  const time = timing(span, inProgress, context);
  const status = statusOf(span, inProgress);
  const { spanId, traceId } = span.spanContext();
  return [
    spanId, // span_id
    runIdOf(span, spanId), // run_id
    str(a, RuntraceAttributes.STEP_ID), // step_id
    traceId, // trace_id
    parentOf(span), // parent_span_id
    str(a, GenAiAttributes.TOOL_NAME), // name
    str(a, GenAiAttributes.TOOL_CALL_ID), // call_id
    status, // status
    status === 'in_progress' ? null : statusMessage(span), // status_message
    str(a, HttpAttributes.ERROR_TYPE), // error_type
    time.start_ms, // start_ms
    time.end_ms, // end_ms
    time.duration_ms, // duration_ms
    time.last_activity_ms, // last_activity_ms
    json(a), // attributes
    otelOf(span), // otel
    resourceOf(span).id, // resource_id
  ];
}

/** The row of a span that is neither runtrace's nor another instrumentation's model call, agent or tool. */
export function genericRow(span: ReadableSpan): SpanRow {
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

/** A span's row as its values in its table's column order, with its table (see {@link spanToOp}). */
export type SpanRowOf =
  /** `foreignRun`: the row of a run made of other instrumentations' spans, merged into the stored one. */
  | { readonly table: 'runs'; readonly values: RowValues; readonly foreignRun?: true }
  /** `foreignRun`: the values of the trace's foreign run, which the step or tool call joins (merged likewise). */
  | { readonly table: 'steps' | 'tool_calls'; readonly values: RowValues; readonly foreignRun?: RowValues }
  | { readonly table: 'attempts' | 'spans'; readonly values: RowValues };

/** The row for one span; `undefined` for a live snapshot of a span that is not runtrace's. */
export function spanToRow(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): SpanRowOf | undefined {
  switch (runtraceKind(span)) {
    case SpanKinds.RUN:
      return { table: 'runs', values: runValues(span, inProgress, context) };
    case SpanKinds.STEP:
      return { table: 'steps', values: stepValues(span, inProgress, context) };
    case SpanKinds.ATTEMPT:
      return { table: 'attempts', values: attemptValues(span, inProgress, context) };
    case SpanKinds.TOOL:
      return { table: 'tool_calls', values: toolValues(span, inProgress, context) };
    case undefined: {
      if (inProgress) return undefined;
      const foreign = foreignRowOf(span, context);
      if (foreign === undefined) return { table: 'spans', values: valuesOf(genericRow(span)) };
      if (foreign.table === 'runs') return { table: 'runs', values: valuesOf(foreign.row), foreignRun: true };
      return foreign.foreignRun === undefined
        ? { table: foreign.table, values: valuesOf(foreign.row) }
        : { table: foreign.table, values: valuesOf(foreign.row), foreignRun: valuesOf(foreign.foreignRun) };
    }
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
    values: found.values,
    events: found.table === 'spans' ? [] : events(span),
    // A run with its summary on its span needs no aggregation; other spans' rows are not runs'.
    aggregate: found.table === 'runs' ? found.values[RUN_HAS_SUMMARY] === 0 : found.table !== 'spans',
  };
  if (found.table === 'runs') {
    if (found.foreignRun === true) op.foreignRun = true;
  } else if ((found.table === 'steps' || found.table === 'tool_calls') && found.foreignRun !== undefined) {
    op.foreignRun = true;
    op.runValues = found.foreignRun;
  }
  const resource = resourceOf(span).values;
  if (resource !== undefined) op.resource = resource;
  return op;
}

/**
 * A row object's values in its table's column order. The builders of other instrumentations'
 * rows and of generic spans list their fields in that order (a test checks it), so the object's
 * own order is the column order.
 */
function valuesOf(row: RunRow | StepRow | ToolRow | SpanRow): RowValues {
  return Object.values(row);
}
