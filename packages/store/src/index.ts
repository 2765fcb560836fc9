// Public entry point of @runtrace/store.
export { SqliteSpanExporter } from './sqlite-span-exporter.js';
export type { SqliteSpanExporterOptions, SqliteSpanExporterStats } from './sqlite-span-exporter.js';
export { SqliteStore, openStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { SCHEMA_VERSION } from './internal/sqlite-writer.js';
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
  RetentionOptions,
  RetentionResult,
  RunAnalytics,
  RunDetail,
  RunEvent,
  RunFilters,
  RunPage,
  RunRow,
  RunSortKey,
  RunSummary,
  StatusCounts,
  StepDetail,
  StorePricing,
  StoreSweepResult,
  SweepOptions,
  TokenTotals,
  ToolCallDetail,
  ToolMetric,
} from './query-types.js';
