// The store's tables as the writer sees them: each table's columns in order, the row types span
// conversion fills, and the write operation that carries one row (with its events, and the run or
// resource row it brings along) to the writer. Loaded by the writer thread: no imports.

export const RUN_COLUMNS = [
  'run_id', 'trace_id', 'parent_span_id', 'parent_run_id', 'name', 'kind', 'status', 'status_message',
  'error_type', 'conversation_id', 'root_conversation_id', 'parent_conversation_id', 'trigger_message_id',
  'history_tip_message_id', 'assistant_message_id', 'provider', 'model', 'normalized_model', 'label',
  'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'has_summary', 'step_count', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'tool_call_count', 'has_error', 'endpoint', 'first_message', 'cost_usd', 'cost_unknown', 'stale', 'attributes',
  'service_name', 'service_version', 'deployment_environment', 'resource', 'otel', 'resource_id',
] as const;

export const STEP_COLUMNS = [
  'step_id', 'run_id', 'trace_id', 'parent_span_id', 'number', 'operation', 'status', 'status_message',
  'error_type', 'provider', 'request_model', 'response_model', 'response_id', 'finish_reasons', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'time_to_first_chunk_ms', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'cost_usd', 'cost_unknown',
  'attributes', 'otel', 'resource_id',
] as const;

export const ATTEMPT_COLUMNS = [
  'attempt_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'number', 'status', 'method', 'url', 'url_path',
  'status_code', 'resend_count', 'retry_classification', 'retry_delay_ms', 'error_type', 'error', 'start_ms',
  'end_ms', 'duration_ms', 'last_activity_ms', 'attributes', 'otel', 'resource_id',
] as const;

export const TOOL_COLUMNS = [
  'span_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'name', 'call_id', 'status', 'status_message',
  'error_type', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'attributes', 'otel', 'resource_id',
] as const;

export const SPAN_COLUMNS = [
  'span_id', 'trace_id', 'parent_span_id', 'name', 'span_kind', 'start_ms', 'end_ms', 'duration_ms', 'status_code',
  'status_message', 'scope', 'attributes', 'events', 'otel', 'resource_id',
] as const;

export type RunRow = Record<(typeof RUN_COLUMNS)[number], string | number | null>;
export type StepRow = Record<(typeof STEP_COLUMNS)[number], string | number | null>;
export type AttemptRow = Record<(typeof ATTEMPT_COLUMNS)[number], string | number | null>;
export type ToolRow = Record<(typeof TOOL_COLUMNS)[number], string | number | null>;
export type SpanRow = Record<(typeof SPAN_COLUMNS)[number], string | number | null>;

/** The \`resources\` table: one row per distinct resource, named by the spans' \`resource_id\`. */
export const RESOURCE_COLUMNS = ['resource_id', 'service_name', 'service_version', 'deployment_environment', 'attributes'] as const;

export interface EventRow {
  readonly name: string;
  readonly time_ms: number;
  readonly attributes: string;
}

/** A row's values in the column order of its table. */
export type RowValues = readonly (string | number | null)[];

/**
 * One row to write, as span conversion produces it. `events` are written (by sequence number,
 * so a finished span's superset overwrites a snapshot's) when the row is written; `aggregate`
 * re-derives the run's figures from its steps when the run has no summary. `foreignRun` marks a
 * row of a run made of other instrumentations' spans: a `runs` row is merged into the stored one
 * (see {@link MERGE_FOREIGN_RUN_SQL}); a step or tool call brings its run's row in `runValues`,
 * merged likewise.
 */
export interface RowOp {
  readonly table: 'runs' | 'steps' | 'attempts' | 'tool_calls' | 'spans';
  readonly values: RowValues;
  readonly events: readonly EventRow[];
  readonly aggregate: boolean;
  readonly foreignRun?: boolean;
  readonly runValues?: RowValues;
  /** The row's resource (see {@link RESOURCE_COLUMNS}), stored once per distinct resource. */
  readonly resource?: RowValues;
}

/** A row to write with the keys of its events, read from its values by {@link decodeOps}. */
export interface WriteOp extends RowOp {
  readonly spanId: string;
  readonly traceId: string;
  readonly runId: string | null;
}
