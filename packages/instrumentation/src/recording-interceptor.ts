// An undici interceptor that records every HTTP round trip made inside an active step as an attempt span.
import type { Dispatcher } from 'undici';
import { AttemptHandler } from './internal/attempt-handler.js';
import { createAttemptInterceptor } from './internal/create-attempt-interceptor.js';
import type { Recorder } from './recorder.js';

/** Options of {@link createRecordingInterceptor}. */
export interface RecordingInterceptorOptions {
  /**
   * Records model calls made outside any run (a call runtrace reads on the wire: see the README)
   * as a run of kind `llm_call` with one step, through this recorder. Default: none — such calls
   * pass through. Calls made inside a run but outside a step are always recorded as steps of it.
   */
  readonly recorder?: Recorder;
}

/**
 * Creates an undici interceptor (for `dispatcher.compose(...)`). Inside an active step, each
 * round trip becomes an attempt span (numbered per step, retries included) with the redacted URL,
 * status, headers and bounded bodies per the step's recorder settings. A model call made outside
 * a step becomes a step of its own, in the active run, else (with `recorder`) in a run of its own.
 * Other requests outside a step pass straight through.
 *
 * @example
 * import { Agent, request } from 'undici';
 * const dispatcher = new Agent().compose(createRecordingInterceptor());
 * await run.step({ operation: 'generate' }, () => request(url, { dispatcher, method: 'POST', body }));
 */
export function createRecordingInterceptor(options: RecordingInterceptorOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  return createAttemptInterceptor<Dispatcher.DispatchHandler>(options.recorder, (recording, handler) => new AttemptHandler(recording, handler));
}
