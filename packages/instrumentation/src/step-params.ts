// Parameters of a step (one model call) and of a tool call.
import type { Attributes } from '@opentelemetry/api';
import type { Operation, RunStatus } from '@runtrace/core';
import type { NormalizedRequest, NormalizedResponse } from './gen-ai-types.js';
import type { Step } from './step.js';

/** Parameters of a step. */
export interface StepParams {
  /** `stream` or `generate`. */
  readonly operation: Operation;
  /** Requested model. Default: the run's model. */
  readonly model?: string;
  /** Provider name. Default: the run's provider. */
  readonly provider?: string;
  /** The normalized request (messages, tools, options). */
  readonly request?: NormalizedRequest;
  /** Extra span attributes (runtrace's own attributes take precedence). */
  readonly attributes?: Attributes;
}

/** How to finish a run, step or tool call. With nothing given, the outcome is `completed`. */
export interface EndOptions {
  /** The error the work ended with: classified as `interrupted` (abort) or `error` (anything else, timeouts included). */
  readonly error?: unknown;
  /** An explicit terminal status; wins over `error`'s classification. */
  readonly status?: Exclude<RunStatus, 'in_progress'>;
  /** The caller's abort signal: when aborted, the outcome is `interrupted`. */
  readonly signal?: AbortSignal;
  /** A short human-readable reason. */
  readonly message?: string;
}

/** How to finish a step. */
export interface StepEndOptions extends EndOptions {
  /** The response to record before ending. */
  readonly response?: NormalizedResponse;
}

/** Parameters of a tool call. */
export interface ToolCallParams {
  /** Tool name (`gen_ai.tool.name`). */
  readonly name: string;
  /** Tool call id from the model (`gen_ai.tool.call.id`). */
  readonly callId?: string;
  /** Arguments (recorded under the `full` content policy, redacted and bounded). */
  readonly arguments?: unknown;
  /** The step the call belongs to. Default: the step active in the context if it belongs to the run, else the run. */
  readonly step?: Step;
  /** Extra span attributes (runtrace's own attributes take precedence). */
  readonly attributes?: Attributes;
}

/** How to finish a tool call. */
export interface ToolCallEndOptions extends EndOptions {
  /** The tool's result (recorded under the `full` content policy, redacted and bounded). */
  readonly result?: unknown;
}
