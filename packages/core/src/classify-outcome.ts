// The single rule that turns the outcome of a run, step, attempt or tool call into a status.
import type { RunStatus } from './status.js';

/** The result of {@link classifyOutcome}. */
export interface OutcomeClassification {
  /** `completed`, `interrupted` or `error`. */
  readonly status: Exclude<RunStatus, 'in_progress'>;
  /**
   * Value for the `error.type` attribute: `timeout` for timeouts, otherwise the error's code or
   * class name. Absent for success and for interruptions.
   */
  readonly errorType?: string;
  /** A short message describing the failure, when there is one. */
  readonly message?: string;
}

/** Options of {@link classifyOutcome}. */
export interface ClassifyOutcomeOptions {
  /** An abort signal that belongs to the caller; when it is aborted the outcome is `interrupted`. */
  readonly signal?: AbortSignal | undefined;
}

const ABORT_NAMES = new Set(['AbortError']);
const ABORT_CODES = new Set(['ABORT_ERR', 'UND_ERR_ABORTED', 'ERR_STREAM_PREMATURE_CLOSE_BY_CALLER']);
/** Classes of the caller's abort whose `name` is plain `Error`: the OpenAI and Anthropic SDKs' `APIUserAbortError`. */
const ABORT_CLASS_NAMES = new Set(['APIUserAbortError']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'HeadersTimeoutError', 'BodyTimeoutError', 'ConnectTimeoutError']);
/** Timeout classes whose `name` may be plain `Error`: the OpenAI and Anthropic SDKs' `APIConnectionTimeoutError`. */
const TIMEOUT_CLASS_NAMES = new Set(['APIConnectionTimeoutError']);
/** How deep `cause` chains are followed: an SDK wraps the network error, which wraps the socket's. */
const MAX_CAUSE_DEPTH = 4;
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_TIMEOUT',
  '23', // DOMException.TIMEOUT_ERR
]);

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  if (typeof field === 'string') return field;
  if (typeof field === 'number') return String(field);
  return undefined;
}

/**
 * Whether an error means the caller cancelled the work (abort signal, `AbortError`, the
 * `APIUserAbortError` that the OpenAI and Anthropic SDKs throw when the caller's signal aborts),
 * itself or anywhere in its `cause` chain (an SDK's error wrapping the abort).
 *
 * @example
 * isAbortError(new DOMException('stop', 'AbortError')); // true
 */
export function isAbortError(error: unknown): boolean {
  return someInCauses(error, (link) => {
    const name = readString(link, 'name');
    const code = readString(link, 'code');
    return (
      (name !== undefined && ABORT_NAMES.has(name)) ||
      (code !== undefined && ABORT_CODES.has(code)) ||
      (link instanceof Error && ABORT_CLASS_NAMES.has(link.constructor.name))
    );
  });
}

/** Whether `test` holds for the error or an error in its `cause` chain. */
function someInCauses(error: unknown, test: (link: unknown) => boolean): boolean {
  let link = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof link === 'object' && link !== null; depth++) {
    if (test(link)) return true;
    link = (link as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Whether an error is a timeout (reported as `error` with `error.type = timeout`): undici's and
 * the platform's timeout errors and codes, the OpenAI and Anthropic SDKs'
 * `APIConnectionTimeoutError`, itself or anywhere in its `cause` chain.
 *
 * @example
 * isTimeoutError(AbortSignal.timeout(0).reason); // true once the signal fired
 */
export function isTimeoutError(error: unknown): boolean {
  return someInCauses(error, (link) => {
    const name = readString(link, 'name');
    const code = readString(link, 'code');
    return (
      (name !== undefined && (TIMEOUT_NAMES.has(name) || TIMEOUT_CLASS_NAMES.has(name))) ||
      (code !== undefined && TIMEOUT_CODES.has(code)) ||
      (link instanceof Error && TIMEOUT_CLASS_NAMES.has(link.constructor.name))
    );
  });
}

function errorTypeOf(error: unknown): string {
  const code = readString(error, 'code');
  if (code !== undefined && code !== '') return code;
  const name = readString(error, 'name');
  if (name !== undefined && name !== '' && name !== 'Error') return name;
  if (error instanceof Error) return error.constructor.name === '' ? 'Error' : error.constructor.name;
  return typeof error === 'object' ? 'Error' : typeof error;
}

function messageOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.message;
  const message = readString(error, 'message');
  if (message !== undefined) return message;
  if (typeof error === 'string') return error;
  return undefined;
}

/**
 * Classifies how a piece of work ended, the same way everywhere in runtrace:
 * success → `completed`; cancelled by the caller (abort) → `interrupted`; a timeout → `error`
 * with `errorType: 'timeout'`; anything else → `error`.
 *
 * A timeout is checked before an abort: `AbortSignal.timeout()` aborts with a `TimeoutError`,
 * which is a failure, not the caller's choice.
 *
 * @example
 * classifyOutcome(undefined); // { status: 'completed' }
 * classifyOutcome(new DOMException('stop', 'AbortError')); // { status: 'interrupted', ... }
 * classifyOutcome(new Error('boom')); // { status: 'error', errorType: 'Error', message: 'boom' }
 */
export function classifyOutcome(error?: unknown, options: ClassifyOutcomeOptions = {}): OutcomeClassification {
  const signal = options.signal;
  if (error === undefined || error === null) {
    if (signal?.aborted === true) {
      return isTimeoutError(signal.reason)
        ? withMessage({ status: 'error', errorType: 'timeout' }, messageOf(signal.reason))
        : { status: 'interrupted' };
    }
    return { status: 'completed' };
  }
  const message = messageOf(error);
  if (isTimeoutError(error) || (signal?.aborted === true && isTimeoutError(signal.reason))) {
    return withMessage({ status: 'error', errorType: 'timeout' }, message);
  }
  if (isAbortError(error) || signal?.aborted === true) {
    return withMessage({ status: 'interrupted' }, message);
  }
  return withMessage({ status: 'error', errorType: errorTypeOf(error) }, message);
}

function withMessage(
  base: { status: OutcomeClassification['status']; errorType?: string },
  message: string | undefined,
): OutcomeClassification {
  return message === undefined || message === '' ? base : { ...base, message };
}
