// The rows of other instrumentations' GenAI spans (core's `readForeignGenAi`): steps, tool calls,
// and the run of a trace that has no runtrace run.

import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes, foreignRunId, readForeignGenAi } from '@runtrace/core';
import type { ForeignAgent, ForeignModelCall, ForeignToolCall } from '@runtrace/core';
import { json, normalized, otelOf, parentOf, priced, resourceOf, statusMessage, statusOf, str, timing, tokenColumns, tokens } from './row-fields.js';
import type { SpanRowContext } from './row-fields.js';
import type { RunRow, StepRow, ToolRow } from './row-columns.js';

/** The row of another instrumentation's GenAI span, with its table (see {@link foreignRowOf}). */
export type ForeignRowOf =
  /** A run row, merged into the stored one. */
  | { readonly table: 'runs'; readonly row: RunRow }
  /** `foreignRun`: the row of the trace's own run, which the step or tool call joins (merged likewise). */
  | { readonly table: 'steps'; readonly row: StepRow; readonly foreignRun?: RunRow }
  | { readonly table: 'tool_calls'; readonly row: ToolRow; readonly foreignRun?: RunRow };

/** The kind of a run made of other instrumentations' spans, when no agent span names it. */
export const FOREIGN_RUN_KIND = 'gen_ai';

/**
 * The run row of a trace made of other instrumentations' GenAI spans, as one span of it tells it:
 * an agent span gives the run its name, kind, status and model (`agent`); any other span only its
 * times, status, provider and model (the writer merges these; figures come from the steps).
 */
function foreignRunRow(span: ReadableSpan, context: SpanRowContext, agent: ForeignAgent | undefined, child: ForeignModelCall | ForeignToolCall | undefined): RunRow {
  const time = timing(span, false, context);
  const { traceId } = span.spanContext();
  const status = statusOf(span, false);
  const model = agent?.requestModel ?? (child?.kind === 'model_call' ? (child.requestModel ?? child.responseModel) : undefined) ?? null;
  const provider = agent?.provider ?? (child?.kind === 'model_call' ? child.provider : undefined) ?? null;
  return {
    run_id: foreignRunId(traceId),
    trace_id: traceId,
    parent_span_id: agent === undefined ? null : parentOf(span),
    parent_run_id: null,
    // A name marks the row as named by an agent span (see the writer's merge).
    name: agent === undefined ? null : span.name,
    kind: agent?.name ?? FOREIGN_RUN_KIND,
    status,
    status_message: agent === undefined ? null : statusMessage(span),
    error_type: agent === undefined ? null : (agent.errorType ?? null),
    conversation_id: (agent ?? child)?.conversationId ?? null,
    root_conversation_id: null,
    parent_conversation_id: null,
    trigger_message_id: null,
    history_tip_message_id: null,
    assistant_message_id: null,
    provider,
    model,
    normalized_model: normalized(context, model),
    label: null,
    start_ms: time.start_ms,
    end_ms: time.end_ms,
    duration_ms: time.duration_ms,
    last_activity_ms: time.last_activity_ms,
    has_summary: 0,
    step_count: 0,
    input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cache_read_tokens: 0,
    cache_creation_tokens: 0,
    total_tokens: 0,
    tool_call_count: 0,
    has_error: status === 'error' ? 1 : 0,
    endpoint: null,
    first_message: null,
    cost_usd: null,
    cost_unknown: 0,
    stale: 0,
    attributes: agent === undefined ? '{}' : json(span.attributes),
    ...resourceOf(span).service,
    otel: agent === undefined ? null : otelOf(span),
    resource_id: resourceOf(span).id,
  };
}

function foreignStepRow(span: ReadableSpan, call: ForeignModelCall, runId: string, context: SpanRowContext): StepRow {
  const time = timing(span, false, context);
  const status = statusOf(span, false);
  const usage = {
    inputTokens: tokens(call.usage.inputTokens),
    outputTokens: tokens(call.usage.outputTokens),
    reasoningTokens: tokens(call.usage.reasoningTokens),
    cacheReadTokens: tokens(call.usage.cacheReadTokens),
    cacheCreationTokens: tokens(call.usage.cacheCreationTokens),
  };
  const requestModel = call.requestModel ?? null;
  const responseModel = call.responseModel ?? null;
  const provider = call.provider ?? null;
  const cost = priced(context, responseModel ?? requestModel, usage, provider, call.usageMissing);
  const { spanId, traceId } = span.spanContext();
  return {
    step_id: spanId,
    run_id: runId,
    trace_id: traceId,
    parent_span_id: parentOf(span),
    // A run of foreign spans is numbered by the writer in start order; in a runtrace run they have none.
    number: null,
    operation: call.streamed ? 'stream' : 'generate',
    status,
    status_message: statusMessage(span),
    error_type: call.errorType ?? null,
    provider,
    request_model: requestModel,
    response_model: responseModel,
    response_id: call.responseId ?? null,
    finish_reasons: json(call.finishReasons),
    ...tokenColumns(usage),
    time_to_first_chunk_ms: call.timeToFirstChunkMs ?? null,
    ...time,
    ...cost,
    attributes: json(span.attributes),
    otel: otelOf(span),
    resource_id: resourceOf(span).id,
  };
}

function foreignToolRow(span: ReadableSpan, tool: ForeignToolCall, runId: string, context: SpanRowContext): ToolRow {
  const time = timing(span, false, context);
  const status = statusOf(span, false);
  const { spanId, traceId } = span.spanContext();
  return {
    span_id: spanId,
    run_id: runId,
    step_id: str(span.attributes, RuntraceAttributes.STEP_ID),
    trace_id: traceId,
    parent_span_id: parentOf(span),
    name: tool.name ?? null,
    call_id: tool.callId ?? null,
    status,
    status_message: statusMessage(span),
    error_type: tool.errorType ?? null,
    start_ms: time.start_ms,
    end_ms: time.end_ms,
    duration_ms: time.duration_ms,
    last_activity_ms: time.last_activity_ms,
    attributes: json(span.attributes),
    otel: otelOf(span),
    resource_id: resourceOf(span).id,
  };
}

/**
 * The row of another instrumentation's ended GenAI span, or `undefined` for one kept as a generic
 * span: a model call that a runtrace step covers, an agent span inside a runtrace run, and every
 * span that is no GenAI span. A span the processor placed in a runtrace run (`runtrace.run.id`)
 * joins it; any other joins its trace's own run ({@link foreignRunId}), whose row comes along.
 */
export function foreignRowOf(span: ReadableSpan, context: SpanRowContext): ForeignRowOf | undefined {
  const attributes = span.attributes;
  if (attributes[RuntraceAttributes.COVERED_BY_STEP_ID] !== undefined) return undefined;
  const foreign = readForeignGenAi(span.name, attributes);
  if (foreign === undefined) return undefined;
  const placed = str(attributes, RuntraceAttributes.RUN_ID) ?? undefined;
  const runId = placed ?? foreignRunId(span.spanContext().traceId);
  switch (foreign.kind) {
    case 'agent':
      return placed === undefined ? { table: 'runs', row: foreignRunRow(span, context, foreign, undefined) } : undefined;
    case 'model_call': {
      const row = foreignStepRow(span, foreign, runId, context);
      return placed === undefined ? { table: 'steps', row, foreignRun: foreignRunRow(span, context, undefined, foreign) } : { table: 'steps', row };
    }
    case 'tool': {
      const row = foreignToolRow(span, foreign, runId, context);
      return placed === undefined ? { table: 'tool_calls', row, foreignRun: foreignRunRow(span, context, undefined, foreign) } : { table: 'tool_calls', row };
    }
  }
}
