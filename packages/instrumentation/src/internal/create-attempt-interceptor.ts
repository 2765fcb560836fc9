// The dispatch logic every recording interceptor shares, whichever undici handler API it speaks.
import type { Dispatcher } from 'undici';
import { Recorder } from '../recorder.js';
import { Run } from '../run.js';
import { AttemptRecording } from './attempt-recording.js';
import { activeStepState } from './context-keys.js';
import { IMPLICIT_RUN_KIND, implicitStep } from './implicit-model-call.js';
import type { ImplicitRuns } from './implicit-model-call.js';

/** A dispatcher's `dispatch`, for handlers of one API. */
export type Dispatch<Handler> = (options: Dispatcher.DispatchOptions, handler: Handler) => boolean;

/** Where model calls outside any run go: a run of their own through `recorder`, else nowhere. */
function implicitRunsOf(recorder: Recorder | undefined): ImplicitRuns | undefined {
  if (recorder === undefined) return undefined;
  return {
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
}

/**
 * An undici interceptor: inside an active step, each round trip is recorded as an attempt of it;
 * a model call outside a step gets a step of its own (in the active run, else through `recorder`
 * in a run of its own); any other request passes straight through. `handlerFor` wraps the real
 * handler in one of the same API that feeds the recording.
 */
export function createAttemptInterceptor<Handler>(
  recorder: Recorder | undefined,
  handlerFor: (recording: AttemptRecording, handler: Handler) => Handler,
): (dispatch: Dispatch<Handler>) => Dispatch<Handler> {
  const implicit = implicitRunsOf(recorder);
  return (dispatch) =>
    function recordingDispatch(dispatchOptions: Dispatcher.DispatchOptions, handler: Handler): boolean {
      let step = activeStepState();
      let headers: Readonly<Record<string, string>> | undefined;
      if (step === undefined) {
        const call = implicitStep(dispatchOptions, implicit);
        step = call?.step;
        headers = call?.headers;
      }
      if (step === undefined || !step.recording || step.ended) return dispatch(dispatchOptions, handler);
      let recording: AttemptRecording;
      let recordingHandler: Handler;
      try {
        recording = new AttemptRecording(step, dispatchOptions, headers);
        recordingHandler = handlerFor(recording, handler);
      } catch {
        return dispatch(dispatchOptions, handler);
      }
      try {
        return dispatch(dispatchOptions, recordingHandler);
      } catch (error: unknown) {
        recording.fail(error);
        throw error;
      }
    };
}
