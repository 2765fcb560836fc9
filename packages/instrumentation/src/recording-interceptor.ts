// An undici interceptor that records every HTTP round trip made inside an active step as an attempt span.
import type { Dispatcher } from 'undici';
import { AttemptHandler } from './internal/attempt-handler.js';
import { activeStepState } from './internal/context-keys.js';

/**
 * Creates an undici interceptor (for `dispatcher.compose(...)`). Inside an active step, each
 * round trip becomes an attempt span (numbered per step, retries included) with the redacted URL,
 * status, headers and bounded bodies per the step's recorder settings. Outside a step, requests
 * pass straight through.
 *
 * @example
 * import { Agent, request } from 'undici';
 * const dispatcher = new Agent().compose(createRecordingInterceptor());
 * await run.step({ operation: 'generate' }, () => request(url, { dispatcher, method: 'POST', body }));
 */
export function createRecordingInterceptor(): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    function recordingDispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const step = activeStepState();
      if (step === undefined || !step.recording || step.ended) return dispatch(options, handler);
      let attempt: AttemptHandler;
      try {
        attempt = new AttemptHandler(step, options, handler);
      } catch {
        return dispatch(options, handler);
      }
      try {
        return dispatch(attempt.options, attempt);
      } catch (error: unknown) {
        attempt.fail(error);
        throw error;
      }
    };
}
