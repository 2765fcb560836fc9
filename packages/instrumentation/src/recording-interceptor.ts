// An undici interceptor that records every HTTP round trip made inside an active step as an attempt span.
import type { Dispatcher } from 'undici';
import { AttemptHandler } from './internal/attempt-handler.js';
import { activeStepState } from './internal/context-keys.js';
import { IMPLICIT_RUN_KIND, implicitStep } from './internal/implicit-model-call.js';
import type { ImplicitRuns } from './internal/implicit-model-call.js';
import { Recorder } from './recorder.js';
import { Run } from './run.js';

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
  const recorder = options.recorder;
  const implicit: ImplicitRuns | undefined =
    recorder === undefined
      ? undefined
      : {
          core: Recorder.coreOf(recorder),
          startRun() {
            const run = Run.stateOf(recorder.startRun({ kind: IMPLICIT_RUN_KIND, parentRun: null }));
            if (!run.recording) {
              run.finish({ status: 'completed' });
              return undefined;
            }
            run.endsWithSteps = true;
            return run;
          },
        };
  return (dispatch) =>
    function recordingDispatch(dispatchOptions: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      let step = activeStepState();
      let headers: Readonly<Record<string, string>> | undefined;
      if (step === undefined) {
        const call = implicitStep(dispatchOptions, implicit);
        step = call?.step;
        headers = call?.headers;
      }
      if (step === undefined || !step.recording || step.ended) return dispatch(dispatchOptions, handler);
      let attempt: AttemptHandler;
      try {
        attempt = new AttemptHandler(step, dispatchOptions, handler, headers);
      } catch {
        return dispatch(dispatchOptions, handler);
      }
      try {
        return dispatch(attempt.options, attempt);
      } catch (error: unknown) {
        attempt.fail(error);
        throw error;
      }
    };
}
