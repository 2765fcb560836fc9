// Every attribute, event and span-kind name runtrace emits, in one place.

/** OpenTelemetry GenAI semantic convention attribute names used by runtrace. */
export const GenAiAttributes = {
  OPERATION_NAME: 'gen_ai.operation.name',
  PROVIDER_NAME: 'gen_ai.provider.name',
  REQUEST_MODEL: 'gen_ai.request.model',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  REQUEST_TOP_P: 'gen_ai.request.top_p',
  REQUEST_TOP_K: 'gen_ai.request.top_k',
  REQUEST_SEED: 'gen_ai.request.seed',
  REQUEST_STOP_SEQUENCES: 'gen_ai.request.stop_sequences',
  REQUEST_FREQUENCY_PENALTY: 'gen_ai.request.frequency_penalty',
  REQUEST_PRESENCE_PENALTY: 'gen_ai.request.presence_penalty',
  AGENT_NAME: 'gen_ai.agent.name',
  RESPONSE_ID: 'gen_ai.response.id',
  RESPONSE_MODEL: 'gen_ai.response.model',
  RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation.input_tokens',
  USAGE_REASONING_OUTPUT_TOKENS: 'gen_ai.usage.reasoning.output_tokens',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  TOOL_DEFINITIONS: 'gen_ai.tool.definitions',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
} as const;

/** OpenTelemetry HTTP client semantic convention attribute names used on attempt spans. */
export const HttpAttributes = {
  REQUEST_METHOD: 'http.request.method',
  URL_FULL: 'url.full',
  URL_PATH: 'url.path',
  RESPONSE_STATUS_CODE: 'http.response.status_code',
  REQUEST_RESEND_COUNT: 'http.request.resend_count',
  ERROR_TYPE: 'error.type',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
} as const;

/** runtrace's own attribute names; everything not covered by a convention lives under `runtrace.`. */
export const RuntraceAttributes = {
  /** Which runtrace entity a span is: see {@link SpanKinds}. */
  SPAN_KIND: 'runtrace.span.kind',
  /** Lifecycle status: see {@link RunStatus}. */
  STATUS: 'runtrace.status',
  /** Human-readable reason attached to a terminal status. */
  STATUS_MESSAGE: 'runtrace.status.message',

  /** The run a span belongs to: the run span's span id (set on run, step, attempt and tool spans). */
  RUN_ID: 'runtrace.run.id',
  /** The step an attempt or tool span belongs to: the step span's span id. */
  STEP_ID: 'runtrace.step.id',

  RUN_KIND: 'runtrace.run.kind',
  RUN_LABEL: 'runtrace.run.label',
  RUN_ROOT_CONVERSATION_ID: 'runtrace.run.root_conversation_id',
  RUN_PARENT_CONVERSATION_ID: 'runtrace.run.parent_conversation_id',
  RUN_PARENT_RUN_ID: 'runtrace.run.parent_run_id',
  RUN_TRIGGER_MESSAGE_ID: 'runtrace.run.trigger_message_id',
  RUN_HISTORY_TIP_MESSAGE_ID: 'runtrace.run.history_tip_message_id',
  RUN_ASSISTANT_MESSAGE_ID: 'runtrace.run.assistant_message_id',

  SUMMARY_STEP_COUNT: 'runtrace.summary.step_count',
  SUMMARY_INPUT_TOKENS: 'runtrace.summary.input_tokens',
  SUMMARY_OUTPUT_TOKENS: 'runtrace.summary.output_tokens',
  SUMMARY_REASONING_TOKENS: 'runtrace.summary.reasoning_tokens',
  SUMMARY_CACHE_READ_TOKENS: 'runtrace.summary.cache_read_tokens',
  SUMMARY_CACHE_CREATION_TOKENS: 'runtrace.summary.cache_creation_tokens',
  SUMMARY_TOTAL_TOKENS: 'runtrace.summary.total_tokens',
  SUMMARY_HAS_ERROR: 'runtrace.summary.has_error',
  SUMMARY_ENDPOINT: 'runtrace.summary.endpoint',
  SUMMARY_FIRST_MESSAGE: 'runtrace.summary.first_message',
  /** Cost in US dollars; absent when the model's price is unknown. */
  SUMMARY_COST_USD: 'runtrace.summary.cost_usd',
  /** `true` when a cost could not be computed because a model's price is unknown. */
  SUMMARY_COST_UNKNOWN: 'runtrace.summary.cost_unknown',
  SUMMARY_TOOL_CALL_COUNT: 'runtrace.summary.tool_call_count',
  /** Steps of the run that ended `error` (written when there are any). */
  SUMMARY_FAILED_STEP_COUNT: 'runtrace.summary.failed_step_count',
  /** Steps of the run that ended `interrupted` (written when there are any). */
  SUMMARY_INTERRUPTED_STEP_COUNT: 'runtrace.summary.interrupted_step_count',
  /** The distinct models the run's steps called (requested, else answering), in order of first use. */
  SUMMARY_MODELS: 'runtrace.summary.models',
  /** The distinct providers of the run's steps, in order of first use. */
  SUMMARY_PROVIDERS: 'runtrace.summary.providers',

  STEP_NUMBER: 'runtrace.step.number',
  /** How the model was called: see {@link Operations}. */
  STEP_OPERATION: 'runtrace.step.operation',
  /** `true` on a step runtrace started itself for a model call made outside any step. */
  STEP_IMPLICIT: 'runtrace.step.implicit',
  /** `true` on a tool call runtrace recorded from the wire: asked for in one answer, its result sent in the next request. */
  TOOL_FROM_WIRE: 'runtrace.tool.from_wire',
  /**
   * On a step: the span id of another instrumentation's span of the same model call (an SDK's call
   * span active when the step started), which the step stands for. Set when the step starts.
   */
  STEP_COVERS_SPAN_ID: 'runtrace.step.covers_span_id',
  /**
   * On another instrumentation's model-call span: the runtrace step that recorded the same call, so
   * the span is kept as a generic span and not counted as a second step.
   */
  COVERED_BY_STEP_ID: 'runtrace.covered_by_step_id',
  STEP_TIME_TO_FIRST_CHUNK_MS: 'runtrace.step.time_to_first_chunk_ms',
  STEP_WARNINGS: 'runtrace.step.warnings',
  STEP_REQUEST_OPTIONS: 'runtrace.step.request_options',
  /** Under the `none` and `metadata` policies: the shape of the input messages (roles, part types, text lengths), no text. */
  STEP_INPUT_SHAPES: 'runtrace.step.input_shapes',
  /** The same for the answer. */
  STEP_OUTPUT_SHAPES: 'runtrace.step.output_shapes',
  STREAM_CHUNK_COUNT: 'runtrace.stream.chunk_count',
  STREAM_TEXT_LENGTH: 'runtrace.stream.text_length',
  STREAM_TEXT: 'runtrace.stream.text',
  STREAM_CLOSE_KIND: 'runtrace.stream.close_kind',

  ATTEMPT_NUMBER: 'runtrace.attempt.number',
  ATTEMPT_RETRY_CLASSIFICATION: 'runtrace.attempt.retry_classification',
  ATTEMPT_RETRY_DELAY_MS: 'runtrace.attempt.retry_delay_ms',
  ATTEMPT_REQUEST_HEADERS: 'runtrace.attempt.request_headers',
  ATTEMPT_RESPONSE_HEADERS: 'runtrace.attempt.response_headers',
  ATTEMPT_REQUEST_BODY: 'runtrace.attempt.request_body',
  ATTEMPT_RESPONSE_BODY: 'runtrace.attempt.response_body',
  ATTEMPT_REQUEST_BODY_SIZE: 'runtrace.attempt.request_body_size',
  ATTEMPT_RESPONSE_BODY_SIZE: 'runtrace.attempt.response_body_size',
  ATTEMPT_ERROR: 'runtrace.attempt.error',

  CONTENT_POLICY: 'runtrace.content.policy',
  STALE: 'runtrace.stale',
  LATE_WRITES: 'runtrace.late_writes',
  ORPHANED: 'runtrace.orphaned',
  REDACTION_MASKED_COUNT: 'runtrace.redaction.masked_count',
  REDACTION_RULES: 'runtrace.redaction.rules',
  /** Epoch milliseconds of the last heartbeat, kept current on in-flight spans. */
  LAST_ACTIVITY_MS: 'runtrace.last_activity_ms',
} as const;

/** Span event names runtrace records. */
export const RuntraceEvents = {
  FIRST_CHUNK: 'runtrace.first_chunk',
  HEARTBEAT: 'runtrace.heartbeat',
  STREAM_CLOSE: 'runtrace.stream.close',
  RETRY: 'runtrace.retry',
} as const;

/** Attributes carried by the {@link RuntraceEvents.STREAM_CLOSE} event. */
export const StreamCloseEventAttributes = {
  KIND: 'runtrace.stream.close.kind',
  EVENT_COUNT: 'runtrace.stream.close.event_count',
  BYTES: 'runtrace.stream.close.bytes',
  REASON: 'runtrace.stream.close.reason',
} as const;

/** Values of the {@link RuntraceAttributes.SPAN_KIND} attribute. */
export const SpanKinds = {
  RUN: 'run',
  STEP: 'step',
  ATTEMPT: 'attempt',
  TOOL: 'tool',
} as const;
export type SpanKind = (typeof SpanKinds)[keyof typeof SpanKinds];

/** Close kinds of a stream, as recorded on the close event. */
export const StreamCloseKinds = {
  COMPLETED: 'completed',
  CLIENT_ABORT: 'client-abort',
  CLIENT_WRITE_FAILED: 'client-write-failed',
  UPSTREAM_ERROR: 'upstream-error',
  UPSTREAM_PREMATURE: 'upstream-premature',
} as const;
export type StreamCloseKind = (typeof StreamCloseKinds)[keyof typeof StreamCloseKinds];

/** Retry classification of an attempt. */
export const RetryClassifications = {
  RATE_LIMITED: 'rate_limited',
  SERVER_ERROR: 'server_error',
  TIMEOUT: 'timeout',
  NETWORK: 'network',
  NONE: 'none',
} as const;
export type RetryClassification = (typeof RetryClassifications)[keyof typeof RetryClassifications];

/** Built-in run kinds; any other non-empty string is a user-defined kind. */
export const RunKinds = {
  CHAT_TURN: 'chat_turn',
  TITLE_GENERATION: 'title_generation',
  QUICKGEN: 'quickgen',
  COMPACTION: 'compaction',
} as const;
export type BuiltInRunKind = (typeof RunKinds)[keyof typeof RunKinds];
/** A run kind: one of {@link RunKinds} or a user-defined string. */
export type RunKind = BuiltInRunKind | (string & Record<never, never>);

/** Model-call operations (`gen_ai.operation.name` is `chat`; this is how the call was made). */
export const Operations = {
  STREAM: 'stream',
  GENERATE: 'generate',
} as const;
export type Operation = (typeof Operations)[keyof typeof Operations];

/** Content capture policies. `none`: shapes and counts only; `metadata`: no message text or bodies; `full`: redacted and bounded content. */
export const ContentPolicies = {
  NONE: 'none',
  METADATA: 'metadata',
  FULL: 'full',
} as const;
export type ContentPolicy = (typeof ContentPolicies)[keyof typeof ContentPolicies];

/** The placeholder that replaces every masked value. */
export const REDACTED = '[REDACTED]';

/** Default idle time after which an in-flight run is finalized as interrupted (5 minutes). */
export const DEFAULT_STALE_AFTER_MS = 5 * 60 * 1000;
