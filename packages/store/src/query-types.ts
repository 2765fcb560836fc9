// Public types of the store's query API: what each query takes and what it returns.

import type { RunStatus, TokenUsage } from '@runtrace/core';

/** An instant: epoch milliseconds or a `Date`. */
export type Instant = number | Date;

/** Token totals by kind. `inputTokens` includes cached input; `outputTokens` includes reasoning. */
export interface TokenTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheCreationTokens: number;
  /** Input plus output tokens. */
  readonly totalTokens: number;
}

/** One run as listed by {@link SqliteStore.listRuns}. Times are epoch milliseconds. */
export interface RunSummary extends TokenTotals {
  /** The run span's span id (16 hex characters). */
  readonly runId: string;
  readonly traceId: string;
  /** The parent run's id for a sub-agent run, else `null`. */
  readonly parentRunId: string | null;
  readonly kind: string | null;
  readonly status: RunStatus;
  /** The message of a terminal status (the error message for `error`), else `null`. */
  readonly statusMessage: string | null;
  /** `error.type` of a failed run, else `null`. */
  readonly errorType: string | null;
  readonly conversationId: string | null;
  readonly rootConversationId: string | null;
  readonly parentConversationId: string | null;
  readonly triggerMessageId: number | null;
  readonly historyTipMessageId: number | null;
  readonly assistantMessageId: number | null;
  readonly provider: string | null;
  /** The requested model, as recorded. */
  readonly model: string | null;
  /** The model name after pricing-table normalization (what the `model` filter matches). */
  readonly normalizedModel: string | null;
  /** First user message, at most 200 characters. */
  readonly label: string | null;
  readonly startTimeMs: number;
  /** `null` while the run is in progress. */
  readonly endTimeMs: number | null;
  /** `null` while the run is in progress. */
  readonly durationMs: number | null;
  /** Last sign of life: heartbeat, in-progress update or end. */
  readonly lastActivityMs: number;
  readonly stepCount: number;
  readonly toolCallCount: number;
  readonly hasError: boolean;
  /**
   * Steps that ended `error` / `interrupted`. A run's `status` is its own (how its code ended it);
   * these say when some of its steps did not complete. From the processor's run summary (0 without one).
   */
  readonly failedStepCount: number;
  readonly interruptedStepCount: number;
  /** "METHOD /path" of the first completed attempt, else `null`. */
  readonly endpoint: string | null;
  /** US dollars; `null` when unknown (see `costUnknown`). */
  readonly costUsd: number | null;
  /** `true` when the cost could not be computed because a model's price is unknown. */
  readonly costUnknown: boolean;
  /** `true` when the run was finalized by a stale sweep (its process stopped reporting). */
  readonly stale: boolean;
  /** `service.name` of the resource the run was recorded under (its run span's), else `null`. */
  readonly service: string | null;
  /** `service.version` of that resource, else `null`. */
  readonly serviceVersion: string | null;
  /** `deployment.environment.name` (or the older `deployment.environment`) of that resource, else `null`. */
  readonly environment: string | null;
}

/** Alias kept for readers who think in rows. */
export type RunRow = RunSummary;

/** A span event recorded on a run, step, attempt or tool span. */
export interface RunEvent {
  /** The span the event belongs to. */
  readonly spanId: string;
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** One model call of a run. */
export interface StepDetail extends TokenTotals {
  readonly stepId: string;
  /** What OTLP says of the span beyond its attributes: scope, trace state, links, dropped counts. */
  readonly otel: SpanOtel;
  /** The span's resource: a key of {@link RunDetail.resources}; `null` when it had none or was stored before schema 3. */
  readonly resourceId: string | null;
  readonly runId: string;
  readonly number: number | null;
  /** `stream` or `generate`. */
  readonly operation: string | null;
  readonly status: RunStatus;
  readonly statusMessage: string | null;
  readonly errorType: string | null;
  readonly provider: string | null;
  readonly requestModel: string | null;
  readonly responseModel: string | null;
  readonly responseId: string | null;
  readonly finishReasons: readonly string[];
  readonly timeToFirstChunkMs: number | null;
  readonly startTimeMs: number;
  readonly endTimeMs: number | null;
  readonly durationMs: number | null;
  readonly costUsd: number | null;
  readonly costUnknown: boolean;
  /** Why the cost is unknown (`no usage in the response`, `no price for model "x"`, `no model recorded`), else `null`. */
  readonly costUnknownReason: string | null;
  /** Every attribute of the step span, as recorded (content, options, stream summary…). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** One HTTP round trip of a step. */
export interface AttemptDetail {
  readonly attemptId: string;
  /** What OTLP says of the span beyond its attributes: scope, trace state, links, dropped counts. */
  readonly otel: SpanOtel;
  /** The span's resource: a key of {@link RunDetail.resources}; `null` when it had none or was stored before schema 3. */
  readonly resourceId: string | null;
  readonly runId: string;
  readonly stepId: string | null;
  readonly number: number | null;
  readonly status: RunStatus;
  readonly method: string | null;
  /** Redacted URL. */
  readonly url: string | null;
  readonly statusCode: number | null;
  readonly resendCount: number | null;
  readonly retryClassification: string | null;
  readonly retryDelayMs: number | null;
  readonly errorType: string | null;
  readonly error: string | null;
  readonly startTimeMs: number;
  readonly endTimeMs: number | null;
  readonly durationMs: number | null;
  /** Every attribute of the attempt span (headers, bodies and sizes…). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** One tool call of a run. */
export interface ToolCallDetail {
  readonly toolCallSpanId: string;
  /** What OTLP says of the span beyond its attributes: scope, trace state, links, dropped counts. */
  readonly otel: SpanOtel;
  /** The span's resource: a key of {@link RunDetail.resources}; `null` when it had none or was stored before schema 3. */
  readonly resourceId: string | null;
  readonly runId: string;
  readonly stepId: string | null;
  readonly name: string | null;
  readonly callId: string | null;
  readonly status: RunStatus;
  readonly statusMessage: string | null;
  readonly errorType: string | null;
  readonly startTimeMs: number;
  readonly endTimeMs: number | null;
  readonly durationMs: number | null;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Any other span of a run's trace (http, db, framework spans), kept generically. */
export interface GenericSpan {
  readonly spanId: string;
  /** What OTLP says of the span beyond its attributes: scope, trace state, links, dropped counts. */
  readonly otel: SpanOtel;
  /** The span's resource: a key of {@link RunDetail.resources}; `null` when it had none or was stored before schema 3. */
  readonly resourceId: string | null;
  readonly traceId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  /** OpenTelemetry SpanKind number (0 internal, 1 server, 2 client, 3 producer, 4 consumer). */
  readonly spanKind: number;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  readonly durationMs: number;
  /** OpenTelemetry status code (0 unset, 1 ok, 2 error). */
  readonly statusCode: number;
  readonly statusMessage: string | null;
  readonly scope: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly { readonly name: string; readonly timeMs: number; readonly attributes: Readonly<Record<string, unknown>> }[];
}

/** A resource spans were recorded under: the service and the process, host or container that produced them. */
export interface StoredResource {
  /** A digest of the resource's attributes: spans with the same resource share it. */
  readonly resourceId: string;
  /** \`service.name\`, else \`null\`. */
  readonly service: string | null;
  /** \`service.version\`, else \`null\`. */
  readonly serviceVersion: string | null;
  /** \`deployment.environment.name\` (or the older \`deployment.environment\`), else \`null\`. */
  readonly environment: string | null;
  /** Every attribute of the resource, redacted like span attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Which run {@link SqliteStore.getRun} and {@link SqliteStore.runAnalytics} return when runs of several traces have the id. */
export interface RunLookupOptions {
  /** The run's trace id; without it, the newest run with the id. */
  readonly traceId?: string;
}

/** One run with everything recorded under it, as returned by {@link SqliteStore.getRun}. */
export interface RunDetail {
  readonly run: RunSummary;
  /** Every attribute of the run span, as recorded. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** What OTLP says of the run span beyond its attributes: scope, trace state, links, dropped counts. */
  readonly otel: SpanOtel;
  /** The attributes of the resource the run span was recorded under (`service.name`, host, process, …); `null` when it had none or the run was stored before schema 2. */
  readonly resource: Readonly<Record<string, unknown>> | null;
  /** The run span's resource: a key of {@link resources}; \`null\` when it had none or was stored before schema 3. */
  readonly resourceId: string | null;
  /**
   * Every resource the run's spans and the other spans of its trace were recorded under, by
   * resource id (a trace crossing services has one per service). Spans name theirs by \`resourceId\`.
   */
  readonly resources: Readonly<Record<string, StoredResource>>;
  /** In step-number order (then start time). */
  readonly steps: readonly StepDetail[];
  /** Why the run's cost is unknown: the distinct reasons of its steps (empty when it is known). */
  readonly costUnknownReasons: readonly string[];
  /** In start order. */
  readonly attempts: readonly AttemptDetail[];
  /** In start order. */
  readonly toolCalls: readonly ToolCallDetail[];
  /** Events of the run and of its steps, attempts and tool calls, in time order. */
  readonly events: readonly RunEvent[];
  /** Other spans of the run's trace, in start order. */
  readonly spans: readonly GenericSpan[];
  /** Sub-agent runs started under this run. */
  readonly childRuns: readonly RunSummary[];
}

/** Filters shared by listing and aggregating queries. Every field is optional. */
export interface RunFilters {
  /** Runs of this conversation (`gen_ai.conversation.id`). */
  readonly conversationId?: string;
  /** Run kind, such as `chat_turn`. */
  readonly kind?: string;
  /** One status or several. */
  readonly status?: RunStatus | readonly RunStatus[];
  readonly provider?: string;
  /** Runs of this service (`service.name` of their resource). */
  readonly service?: string;
  /** Model name; normalized the same way as stored names before matching. */
  readonly model?: string;
  /** Case-insensitive text that the label must contain. */
  readonly labelContains?: string;
  /** Start of the time range (inclusive). */
  readonly from?: Instant;
  /** End of the time range (exclusive). */
  readonly to?: Instant;
}

/** Sort keys of {@link SqliteStore.listRuns}. */
export type RunSortKey = 'start' | 'duration' | 'tokens' | 'cost';

/** Options of {@link SqliteStore.listRuns}. */
export interface ListRunsOptions extends RunFilters {
  /** Sort key. Default `start`. */
  readonly sort?: RunSortKey;
  /** Sort direction. Default `desc`. */
  readonly direction?: 'asc' | 'desc';
  /** Page size, 1..1000. Default 50. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** One page of runs. */
export interface RunPage {
  readonly runs: readonly RunSummary[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** Runs by status. */
export interface StatusCounts {
  readonly in_progress: number;
  readonly completed: number;
  readonly interrupted: number;
  readonly error: number;
}

/** Cost of one model over a period. */
export interface ModelCost {
  readonly model: string;
  readonly provider: string | null;
  readonly runs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Sum of the known costs; `null` when every run of this model has an unknown cost. */
  readonly costUsd: number | null;
  /** Runs of this model whose cost is unknown. */
  readonly costUnknownRuns: number;
}

/** The figures of one period. */
export interface OverviewFigures extends TokenTotals {
  /** The period (epoch ms); `null` bounds when the query had none. */
  readonly from: number | null;
  readonly to: number | null;
  readonly runs: number;
  /** Sum of known costs in US dollars. */
  readonly costUsd: number;
  /** Runs whose cost is unknown (not included in `costUsd`). */
  readonly costUnknownRuns: number;
  /** Sum of finished runs' durations. */
  readonly durationMs: number;
  readonly toolCalls: number;
  readonly byStatus: StatusCounts;
  /** completed / finished runs; `null` when no run finished. */
  readonly successRate: number | null;
  /** Highest cost first. */
  readonly costByModel: readonly ModelCost[];
}

/** Result of {@link SqliteStore.overview}. */
export interface Overview extends OverviewFigures {
  /** The same figures for the period of equal length just before; `null` without `from` and `to`. */
  readonly previousPeriod: OverviewFigures | null;
}

/** Options of {@link SqliteStore.overview}: filters; runs count in a period by start time. */
export type OverviewOptions = RunFilters;

/** Options of {@link SqliteStore.analytics}. */
export interface AnalyticsOptions extends RunFilters {
  /** How many tools to list in `topTools`. Default 10. */
  readonly topToolsLimit?: number;
}

/** One day of activity (UTC). */
export interface DayActivity {
  /** `YYYY-MM-DD` (UTC). */
  readonly date: string;
  readonly runs: number;
  readonly errors: number;
  readonly totalTokens: number;
  readonly costUsd: number;
}

/** One histogram bucket: `min` inclusive, `max` exclusive (`null` = unbounded). */
export interface Bucket {
  readonly label: string;
  readonly min: number;
  readonly max: number | null;
  readonly count: number;
}

/** How one model performed. */
export interface ModelPerformance {
  readonly model: string;
  readonly provider: string | null;
  readonly runs: number;
  readonly completed: number;
  /** completed / finished runs; `null` when none finished. */
  readonly successRate: number | null;
  /** Over runs with a known cost; `null` when none. */
  readonly averageCostUsd: number | null;
  readonly totalCostUsd: number;
  /** Over finished runs; `null` when none. */
  readonly averageDurationMs: number | null;
  readonly averageTokens: number;
}

/** Runs per provider. */
export interface ProviderBreakdown {
  readonly provider: string;
  readonly runs: number;
  readonly totalTokens: number;
  readonly costUsd: number;
}

/** A link of a span to another span (its attributes redacted like the span's). */
export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState?: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** What OTLP says of a span beyond its attributes (empty for spans stored before schema 2). */
export interface SpanOtel {
  /** The instrumentation scope that made it. */
  readonly scope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string } | null;
  /** W3C trace state of its context, serialized. */
  readonly traceState: string | null;
  readonly links: readonly SpanLink[];
  /** Attributes, events and links its SDK (or the collector's limits) left out. */
  readonly dropped: { readonly attributes: number; readonly events: number; readonly links: number };
}

/** Runs per service (`service.name`; `unknown` for runs recorded without one). */
export interface ServiceBreakdown {
  readonly service: string;
  readonly runs: number;
  readonly errors: number;
  readonly totalTokens: number;
  readonly costUsd: number;
  /** Start of its latest run, epoch ms. */
  readonly lastRunMs: number;
}

/** Use of one tool. */
export interface ToolMetric {
  readonly name: string;
  readonly calls: number;
  readonly errors: number;
  readonly averageDurationMs: number | null;
}

/** Result of {@link SqliteStore.analytics}. */
export interface Analytics {
  readonly from: number | null;
  readonly to: number | null;
  readonly totalRuns: number;
  /** Over runs with a known cost; `null` when none. */
  readonly averageCostUsd: number | null;
  /** Over finished runs; `null` when none. */
  readonly averageDurationMs: number | null;
  /** Every day of the range, including days without runs, oldest first. */
  readonly activityByDay: readonly DayActivity[];
  /** Always six buckets: <1m, 1–5m, 5–15m, 15–30m, 30–60m, >1h (finished runs). */
  readonly durationBuckets: readonly Bucket[];
  /** Always six buckets: <$0.01, $0.01–0.10, $0.10–0.50, $0.50–1.00, $1.00–5.00, >$5.00 (known costs). */
  readonly costBuckets: readonly Bucket[];
  /** Runs left out of `costBuckets` because their cost is unknown. */
  readonly costUnknownRuns: number;
  /** Most runs first. */
  readonly modelPerformance: readonly ModelPerformance[];
  /** Most runs first. */
  readonly providerBreakdown: readonly ProviderBreakdown[];
  /** The services seen, most runs first. */
  readonly serviceBreakdown: readonly ServiceBreakdown[];
  /** Most calls first. */
  readonly topTools: readonly ToolMetric[];
}

/** Result of {@link SqliteStore.runAnalytics}. */
export interface RunAnalytics {
  readonly runId: string;
  readonly steps: number;
  readonly attempts: number;
  /** Attempts beyond the first of each step. */
  readonly retries: number;
  /** Time to first chunk of the first step that has one; `null` when none. */
  readonly timeToFirstTokenMs: number | null;
  /** Output tokens per second of model-call time (sum of finished step durations); `null` when not measurable. */
  readonly tokensPerSecond: number | null;
  /** The longest gap between one step or tool call ending and the next starting; 0 without gaps. */
  readonly longestPauseMs: number;
  readonly averageStepDurationMs: number | null;
  readonly toolCalls: number;
  readonly uniqueTools: number;
  readonly toolErrors: number;
  /** Calls by tool name. */
  readonly toolFrequency: Readonly<Record<string, number>>;
}

/** Rows removed by a delete, retention or sweep operation. */
export interface DeleteResult {
  readonly runs: number;
  readonly steps: number;
  readonly attempts: number;
  readonly toolCalls: number;
  readonly events: number;
  readonly spans: number;
}

/** Options of {@link SqliteStore.deleteConversation}. */
export interface DeleteConversationOptions {
  /** Runs whose conversation or root conversation is this one. */
  readonly conversationId: string;
  /** Only runs that started before this instant (a retried cleanup never deletes a newer turn). */
  readonly startedBefore: Instant;
}

/** Options of {@link SqliteStore.deleteAfterMessage}. */
export interface DeleteAfterMessageOptions {
  readonly conversationId: string;
  /** Runs whose trigger, history-tip or assistant message id is greater than this are deleted. */
  readonly messageId: number;
  /** Only runs that started before this instant. */
  readonly startedBefore: Instant;
}

/** Options of {@link SqliteStore.applyRetention}; give at least one bound. */
export interface RetentionOptions {
  /** Delete runs (and orphan spans) that started more than this long ago. */
  readonly maxAgeMs?: number;
  /** Delete oldest runs until the database's used size is at most this many bytes. */
  readonly maxBytes?: number;
  /** Clock for `maxAgeMs`. Default `Date.now`. */
  readonly now?: number;
}

/** Result of {@link SqliteStore.applyRetention}. */
export interface RetentionResult extends DeleteResult {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** Options of a stale sweep. */
export interface SweepOptions {
  /** Rows in progress with no activity for this long are finalized. Default: the store's `staleAfterMs`. */
  readonly staleAfterMs?: number;
  /** The current time, epoch ms. Default: the store's clock. */
  readonly now?: number;
}

/** Rows finalized as interrupted by a stale sweep. */
export interface StoreSweepResult {
  readonly runs: number;
  readonly steps: number;
  readonly attempts: number;
  readonly toolCalls: number;
}

/** Result of a pricing lookup, as the core pricing table returns it. */
export type PriceResult = { readonly known: true; readonly usd: number } | { readonly known: false };

/** What the store needs from a pricing table (the core `PricingTable` satisfies it). */
export interface StorePricing {
  cost(model: string, usage: TokenUsage, provider?: string): PriceResult;
}
