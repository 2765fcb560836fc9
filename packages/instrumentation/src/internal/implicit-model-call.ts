// Turns a model call made outside any step into a step of its own: in the active run, or in an implicit run.
import type { Dispatcher } from 'undici';
import { GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import { headerRecord } from '@runtrace/core/internal';
import type { Outcome, RecorderCore, RunState, StepState } from './recorder-core.js';
import { activeRunState } from './context-keys.js';
import { startStepState } from './start-entities.js';
import { wireFormatOf } from './wire-capture.js';

/** The kind of the run a model call made outside any run gets. */
export const IMPLICIT_RUN_KIND = 'llm_call';
/** At most this many failed calls wait for their retry at once (the oldest is forgotten first). */
const MAX_PARKED_CALLS = 1024;
/** A cheap first look at the path before headers and URL are read. */
const MODEL_CALL_PATH = /(?:\/chat\/completions|\/responses|\/messages|:generateContent|:streamGenerateContent)\/?$/;

/** Where model calls outside a run go. */
export interface ImplicitRuns {
  /** The recorder's state, for finding a parked call before any run exists. */
  readonly core: RecorderCore;
  /** Starts an implicit run (respecting the recorder's `enabled` and `shouldRecord`); `undefined` when it is not recorded. */
  readonly startRun: () => RunState | undefined;
}

/** The request body's size: its own, else its `content-length` (fetch hands the body over as a stream). */
function bodySize(body: Dispatcher.DispatchOptions['body'], headers: Readonly<Record<string, string>>): string {
  if (typeof body === 'string') return String(Buffer.byteLength(body));
  if (body instanceof Uint8Array) return String(body.byteLength);
  return headers['content-length'] ?? '?';
}

/** A model call made outside any step: the step it is recorded in, and its request headers (read once). */
export interface ImplicitCall {
  readonly step: StepState;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The step a model call made outside any step is recorded in, or `undefined` to let it pass:
 * not a model call runtrace reads, or no run to record it in. A retry of a call that failed
 * (same URL and body size, within the heartbeat interval) continues that call's step. Never throws.
 */
export function implicitStep(options: Dispatcher.DispatchOptions, implicit: ImplicitRuns | undefined): ImplicitCall | undefined {
  try {
    if ((options.method ?? 'GET').toUpperCase() !== 'POST') return undefined;
    const path = String(options.path);
    const query = path.indexOf('?');
    if (!MODEL_CALL_PATH.test(query === -1 ? path : path.slice(0, query))) return undefined;
    const active = activeRunState();
    const run = active !== undefined && active.recording && !active.endRequested ? active : undefined;
    const core = run?.core ?? implicit?.core;
    if (core === undefined) return undefined;
    const origin = options.origin === undefined ? '' : String(options.origin);
    const url = origin.endsWith('/') ? `${origin.slice(0, -1)}${path}` : `${origin}${path}`;
    const headers = headerRecord(options.headers);
    const format = wireFormatOf('POST', url, headers);
    if (format === undefined) return undefined;
    // A retry sends the same body: a call of the same URL and body size after a retryable failure
    // continues that call. (SDK retry headers cannot tell: a caller that retries an SDK itself,
    // as LangChain does, sends `x-stainless-retry-count: 0` every time.)
    const key = `${format.name} ${url} ${bodySize(options.body, headers)}`;
    const parked = core.parkedCalls.get(key);
    if (parked !== undefined) {
      core.parkedCalls.delete(key);
      if (!parked.ended && parked.retryPending !== undefined) {
        parked.resumeRetry();
        return { step: parked, headers };
      }
    }
    const target = run ?? implicit?.startRun();
    if (target === undefined) return undefined;
    const step = startStepState(target, { operation: 'generate' });
    step.implicitCall = key;
    if (step.recording) {
      step.span.setAttribute(GenAiAttributes.OPERATION_NAME, format.operation);
      step.span.setAttribute(RuntraceAttributes.STEP_IMPLICIT, true);
      step.span.updateName(format.operation);
    }
    return { step, headers };
  } catch {
    return undefined;
  }
}

/**
 * Ends an implicit step with its attempt's outcome, or — for a failure its caller may retry
 * (429, 408, 5xx, a network error or a timeout) — parks it until the retry comes or the heartbeat
 * interval passes (then it ends with this failure, at this time).
 */
export function endImplicitStep(step: StepState, outcome: Outcome, retryable: boolean): void {
  const key = step.implicitCall;
  if (key === undefined || step.ended) return;
  if (outcome.status === 'error' && retryable) {
    const core = step.core;
    step.awaitRetry({ outcome, endTime: performance.now(), since: core.settings.clock.now(), call: key });
    if (core.parkedCalls.size >= MAX_PARKED_CALLS) {
      const oldest = core.parkedCalls.keys().next();
      if (oldest.done !== true) core.parkedCalls.delete(oldest.value);
    }
    core.parkedCalls.set(key, step);
    return;
  }
  step.finish(outcome);
}
