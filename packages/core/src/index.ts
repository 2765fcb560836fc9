// Public entry point of @runtrace/core. Helpers only runtrace's own packages use are in `@runtrace/core/internal` (internal-api.ts).
export {
  GenAiAttributes,
  HttpAttributes,
  RuntraceAttributes,
  RuntraceEvents,
  StreamCloseEventAttributes,
  SpanKinds,
  StreamCloseKinds,
  RetryClassifications,
  RunKinds,
  Operations,
  ContentPolicies,
  REDACTED,
  DEFAULT_STALE_AFTER_MS,
} from './attributes.js';
export type {
  SpanKind,
  StreamCloseKind,
  RetryClassification,
  BuiltInRunKind,
  RunKind,
  Operation,
  ContentPolicy,
} from './attributes.js';
export { RunStatuses, ALL_STATUSES, statusPriority, isTerminal, isRunStatus, worstStatus } from './status.js';
export type { RunStatus } from './status.js';
export { classifyOutcome } from './classify-outcome.js';
export type { OutcomeClassification, ClassifyOutcomeOptions } from './classify-outcome.js';
export {
  ErrorCodes,
  RuntraceError,
  RunFinalizedError,
  RunNotFoundError,
  InvalidArgumentError,
  StoreWriteError,
  StoreSchemaError,
  OtlpDecodeError,
  ConfigError,
  ShutDownError,
} from './errors.js';
export type { ErrorCode, RuntraceErrorOptions } from './errors.js';
export { isUsageMissing } from './is-usage-missing.js';
export { readForeignGenAi, foreignRunId, normalizeProviderName } from './read-foreign-gen-ai.js';
export type { ForeignGenAi, ForeignModelCall, ForeignToolCall, ForeignAgent, ForeignConvention } from './read-foreign-gen-ai.js';
export type { TokenUsage } from './token-usage.js';
export { Redactor, defaultRedactor } from './redactor.js';
export type {
  RedactorOptions,
  RedactionPattern,
  RedactionResult,
  BodyRedactionResult,
  BodyKind,
  RedactBodyOptions,
  HeadersInput,
  HeaderValue,
} from './redactor.js';
export {
  SECRET_HEADER_NAMES,
  SECRET_HEADER_FRAGMENTS,
  SECRET_JSON_KEYS,
  SECRET_JSON_KEY_FRAGMENTS,
  NEVER_SECRET_JSON_KEYS,
  SECRET_QUERY_PARAMS,
} from './secret-names.js';
export { Limits } from './limits.js';
export { truncateText, ELLIPSIS } from './truncate-text.js';
export { truncateBytes } from './truncate-bytes.js';
export type { TruncateBytesOptions } from './truncate-bytes.js';
export { makeLabel } from './make-label.js';
export { normalizeModel } from './normalize-model.js';
export { PricingTable, defaultPricingTable } from './pricing-table.js';
export type { ModelPrice, PricingTableOptions, CostResult } from './pricing-table.js';
export { loadPricingFile, loadPricingFileSync, parsePricingFile } from './load-pricing-file.js';
export type { PricingFile } from './load-pricing-file.js';
export type { DiagnosticSink, DiagnosticReporterStats } from './diagnostic-reporter.js';
