// The recording interceptor for dispatchers that hand their interceptors legacy-API handlers, as Node's built-in fetch does.
import type { Recorder } from '../recorder.js';
import { createAttemptInterceptor } from './create-attempt-interceptor.js';
import type { Dispatch } from './create-attempt-interceptor.js';
import { LegacyAttemptHandler } from './legacy-attempt-handler.js';
import type { LegacyDispatchHandler } from './legacy-attempt-handler.js';

/** An interceptor for `compose` on a dispatcher whose handlers speak undici's legacy API. */
export type LegacyInterceptor = (dispatch: Dispatch<LegacyDispatchHandler>) => Dispatch<LegacyDispatchHandler>;

/**
 * Records as `createRecordingInterceptor` does, with handlers of the legacy API, for the global
 * dispatcher Node's fetch reads (its own undici's `Agent` on Node 22 and 24, or an undici 8
 * `Dispatcher1Wrapper`); those pass every legacy callback, `onBodySent` included, straight on.
 */
export function createLegacyRecordingInterceptor(recorder: Recorder | undefined): LegacyInterceptor {
  return createAttemptInterceptor<LegacyDispatchHandler>(recorder, (recording, handler) => new LegacyAttemptHandler(recording, handler));
}
