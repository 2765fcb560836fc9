// Public entry point of @runtrace/store.
export { SqliteSpanExporter } from './sqlite-span-exporter.js';
export type { SqliteSpanExporterOptions, SqliteSpanExporterStats, StoreLossCause } from './sqlite-span-exporter.js';
export { SqliteStore } from './sqlite-store.js';
export { PostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { inspectPostgresStore } from './inspect-postgres-store.js';
export type { PostgresStoreInspection } from './inspect-postgres-store.js';
export { openStore, openStoreAt } from './open-store.js';
export type { RunStore } from './open-store.js';
export { StoreSpanProcessor } from './store-span-processor.js';
export type { SpanWriteTarget } from './store-span-processor.js';
export { PostgresSpanExporter } from './postgres-span-exporter.js';
export type { PostgresSpanExporterOptions, PostgresSpanExporterStats, PostgresLossCause } from './postgres-span-exporter.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { SCHEMA_VERSION } from './schema-version.js';
export type {
  Analytics,
  AnalyticsOptions,
  AttemptDetail,
  Bucket,
  DayActivity,
  DeleteAfterMessageOptions,
  DeleteConversationOptions,
  DeleteResult,
  GenericSpan,
  Instant,
  ListRunsOptions,
  ModelCost,
  ModelPerformance,
  Overview,
  OverviewFigures,
  OverviewOptions,
  PriceResult,
  ProviderBreakdown,
  ServiceBreakdown,
  SpanLink,
  SpanOtel,
  RetentionOptions,
  RetentionResult,
  RunAnalytics,
  RunDetail,
  RunEvent,
  RunFilters,
  RunLookupOptions,
  RunPage,
  RunRow,
  RunSortKey,
  RunSummary,
  StatusCounts,
  StepDetail,
  StoredResource,
  StorePricing,
  StoreSweepResult,
  SweepOptions,
  TokenTotals,
  ToolCallDetail,
  ToolMetric,
} from './query-types.js';
