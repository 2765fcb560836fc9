// Routes Node's global fetch (and undici's default dispatcher) through the recording interceptor.
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import type { Dispatcher } from 'undici';
import type { Recorder } from './recorder.js';
import { createRecordingInterceptor } from './recording-interceptor.js';

/** Options of {@link installFetchInstrumentation}. */
export interface InstallFetchInstrumentationOptions {
  /** The dispatcher to compose the interceptor with. Default: a new undici `Agent` with default options. */
  readonly dispatcher?: Dispatcher;
  /**
   * Records model calls made outside any run as runs of kind `llm_call` (one step each, retries
   * as its attempts) through this recorder. Default: none — they pass through. Model calls inside
   * a run but outside a step are always recorded as steps of that run.
   */
  readonly recorder?: Recorder;
}

const LEGACY_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Installs the recording interceptor as the global undici dispatcher, which Node's global `fetch`
 * uses — so every SDK built on `fetch` (OpenAI, Anthropic, the AI SDK providers) has its round
 * trips recorded inside steps. Returns a function that restores the previous dispatcher.
 *
 * @example
 * const uninstall = installFetchInstrumentation();
 * // ... application runs ...
 * uninstall();
 */
export function installFetchInstrumentation(options: InstallFetchInstrumentationOptions = {}): () => void {
  const globals = globalThis as Record<symbol, unknown>;
  const previous = getGlobalDispatcher();
  const previousLegacy = globals[LEGACY_GLOBAL_DISPATCHER];
  const base = options.dispatcher ?? new Agent();
  const composed = base.compose(createRecordingInterceptor(options.recorder === undefined ? {} : { recorder: options.recorder }));
  setGlobalDispatcher(composed);
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    if (options.dispatcher === undefined) {
      // Our own agent: let in-flight requests finish, then release its sockets.
      base.close().catch(() => undefined);
    }
    if (getGlobalDispatcher() !== composed) return;
    setGlobalDispatcher(previous);
    if (previousLegacy === undefined) return;
    try {
      globals[LEGACY_GLOBAL_DISPATCHER] = previousLegacy;
    } catch {
      // A frozen global: the wrapped previous dispatcher stays, which behaves the same.
    }
  };
}
