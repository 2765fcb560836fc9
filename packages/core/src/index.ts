// Public entry point of @runtrace/core.
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
export { classifyOutcome, isAbortError, isTimeoutError } from './classify-outcome.js';
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
export { addTokenUsage, TOKEN_USAGE_KEYS } from './token-usage.js';
export type { TokenUsage } from './token-usage.js';
