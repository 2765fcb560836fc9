// The entry point `@runtrace/core/internal`: helpers runtrace's own packages share (one rule each, written once), not part of the public API — they may change in any release.
export { errorMessage } from './errors.js';
export { addTokenUsage, TOKEN_USAGE_KEYS } from './token-usage.js';
export { unknownCostReason } from './is-usage-missing.js';
export { isMarkedRedacted, markRedacted } from './redaction-mark.js';
export { truncationMarker } from './truncate-bytes.js';
export { DiagnosticReporter } from './diagnostic-reporter.js';
export type { DiagnosticReporterOptions } from './diagnostic-reporter.js';
export { describeNetworkError, networkErrorCode } from './describe-network-error.js';
export { parseDuration } from './parse-duration.js';
export { DEFAULT_STORE_PATH, maskUrlPassword, storeUrlScheme } from './store-location.js';
export { positiveOption } from './option-checks.js';
export type { NumberKind } from './option-checks.js';
export { decodeHeaderBytes, headerRecord } from './header-record.js';
export { endpointLabel, endpointPathOf } from './endpoint.js';
export { stepCost } from './step-cost.js';
export type { StepCost, StepCostInput, StepPricing } from './step-cost.js';
export { isAbortError, isTimeoutError } from './classify-outcome.js';
