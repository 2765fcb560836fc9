// Routes Node's global fetch (and undici's global dispatcher) through the recording interceptor.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { createLegacyRecordingInterceptor } from './internal/legacy-recording-interceptor.js';
import type { Recorder } from './recorder.js';
import { createRecordingInterceptor } from './recording-interceptor.js';

/** Options of {@link installFetchInstrumentation}. */
export interface InstallFetchInstrumentationOptions {
  /**
   * The dispatcher to compose the interceptor with; it becomes the global dispatcher (undici's
   * `setGlobalDispatcher`) of both fetch and undici. Default: none — the interceptor is composed
   * onto the global dispatchers already in place, so an application's proxy or agent settings keep
   * applying.
   */
  readonly dispatcher?: Dispatcher;
  /**
   * Records model calls made outside any run as runs of kind `llm_call` (one step each, retries
   * as its attempts) through this recorder. Default: none — they pass through. Model calls inside
   * a run but outside a step are always recorded as steps of that run.
   */
  readonly recorder?: Recorder;
}

/**
 * The global dispatcher Node's fetch reads (as do undici 6 and 7), for handlers of undici's legacy
 * API. Node's own undici creates its `Agent` there when it first loads, unless the slot is taken.
 */
const FETCH_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
/** The global dispatcher undici 8 reads (its `request`, `fetch` and others), for handlers of the current API. */
const UNDICI_DISPATCHER = Symbol.for('undici.globalDispatcher.2');

const requireModule = createRequire(import.meta.url);

/**
 * undici 8, loaded only when needed: loading it before Node's own undici would put a wrapper of an
 * undici 8 agent in the fetch slot, and every fetch would then run through undici 8 instead of
 * Node's built-in dispatcher.
 */
function undici(): typeof Undici {
  return requireModule('undici') as typeof Undici;
}

/** A dispatcher that takes interceptors: undici's own, of any version. */
interface ComposableDispatcher {
  dispatch(...parameters: never[]): unknown;
  compose(interceptor: (dispatch: never) => unknown): object;
}

function isComposable(value: unknown): value is ComposableDispatcher {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'dispatch' | 'compose', unknown>>;
  return typeof candidate.dispatch === 'function' && typeof candidate.compose === 'function';
}

/**
 * What each dispatcher installed here was composed from. Installing again composes onto that
 * dispatcher, replacing runtrace's layer instead of adding a second one that would record every
 * request twice.
 */
const composedFrom = new WeakMap<object, ComposableDispatcher>();

function composeOnce(dispatcher: ComposableDispatcher, interceptor: (dispatch: never) => unknown): object {
  const base = composedFrom.get(dispatcher) ?? dispatcher;
  const composed = base.compose(interceptor);
  composedFrom.set(composed, base);
  return composed;
}

type Globals = Record<symbol, unknown>;

/** Assigns a global dispatcher slot; `false` when globalThis is frozen or otherwise refuses. */
function writeSlot(slot: symbol, value: unknown): boolean {
  try {
    (globalThis as Globals)[slot] = value;
    return true;
  } catch {
    return false;
  }
}

/** One global dispatcher slot runtrace composed onto: what was there, and what runtrace put there. */
interface SlotInstall {
  readonly slot: symbol;
  readonly interceptor: () => (dispatch: never) => unknown;
  previous: unknown;
  installed: object;
}

/** Composes `install`'s interceptor onto `dispatcher` and puts it in the slot; `false` when that fails. */
function composeInto(install: Pick<SlotInstall, 'slot' | 'interceptor'>, dispatcher: ComposableDispatcher): object | undefined {
  try {
    const composed = composeOnce(dispatcher, install.interceptor());
    return writeSlot(install.slot, composed) ? composed : undefined;
  } catch {
    // Not a dispatcher runtrace can compose onto: its requests pass unrecorded.
    return undefined;
  }
}

/**
 * Composes the interceptors onto the global dispatchers in place; `undefined` when the fetch slot
 * holds nothing that takes interceptors (a runtime without Node's undici, or a hand-made dispatcher).
 */
function installOnGlobals(recorder: Recorder | undefined): SlotInstall[] | undefined {
  const globals = globalThis as Globals;
  if (globals[FETCH_DISPATCHER] === undefined) {
    try {
      // Reading `Response` loads Node's own undici, which creates its agent in the empty slot.
      void globalThis.Response;
    } catch {
      // A frozen globalThis: Node's undici could not define the slot.
    }
  }
  const fetchDispatcher = globals[FETCH_DISPATCHER];
  if (!isComposable(fetchDispatcher)) return undefined;
  if (globals[UNDICI_DISPATCHER] === undefined) {
    // Node 22's undici fills only the fetch slot. undici 8, when it first loads and finds its own
    // slot empty, fills it and replaces the fetch slot with a wrapper of its new agent: were that to
    // happen when the application first imports undici, fetch would silently stop being recorded.
    // Loading it now lets that happen here, where the fetch slot is put back; any copy of undici 8
    // loaded later finds its slot taken and leaves both alone.
    try {
      undici();
    } catch {
      // undici does not load: nothing can replace the fetch slot either.
    }
    if (globals[FETCH_DISPATCHER] !== fetchDispatcher && !writeSlot(FETCH_DISPATCHER, fetchDispatcher)) return undefined;
  }
  const installs: SlotInstall[] = [];
  const fetchSlot = { slot: FETCH_DISPATCHER, interceptor: () => createLegacyRecordingInterceptor(recorder) };
  const legacyComposed = composeInto(fetchSlot, fetchDispatcher);
  if (legacyComposed === undefined) return undefined;
  installs.push({ ...fetchSlot, previous: fetchDispatcher, installed: legacyComposed });
  // Both slots are composed even when the fetch slot holds undici 8's `Dispatcher1Wrapper` of the
  // dispatcher in the undici slot (what undici 8's `setGlobalDispatcher` leaves): the wrapper keeps
  // the dispatcher it was made with, not the slot, so fetch passes the legacy interceptor and then
  // the wrapped, uncomposed dispatcher, and undici's own calls pass the other interceptor — each
  // request meets exactly one of them. (Node 24's undici puts one agent in both slots: composing
  // returns a new dispatcher per slot and leaves the agent as it is, so the same holds.) Pointing
  // the fetch slot at a new wrapper of the composed undici dispatcher would also record once, but it
  // would have to recognise undici 8's class, and would take fetch off the path the application set.
  const undiciSlot = { slot: UNDICI_DISPATCHER, interceptor: () => createRecordingInterceptor(recorder === undefined ? {} : { recorder }) };
  const undiciDispatcher = globals[UNDICI_DISPATCHER];
  if (isComposable(undiciDispatcher)) {
    const composed = composeInto(undiciSlot, undiciDispatcher);
    if (composed !== undefined) installs.push({ ...undiciSlot, previous: undiciDispatcher, installed: composed });
  }
  return installs;
}

/** How often the slots are checked for a dispatcher the application installed after runtrace. */
const WATCH_INTERVAL_MS = 1000;

/**
 * An application that installs its own global dispatcher after runtrace (`setGlobalDispatcher`
 * after `register()`, or anywhere in an app run with `--import runtrace/register`) would otherwise
 * silently stop being recorded: runtrace composes onto the new dispatcher once it sees it, so the
 * application's agent or proxy is used and its requests are recorded again.
 */
function rewatch(installs: SlotInstall[]): void {
  const globals = globalThis as Globals;
  for (const install of installs) {
    try {
      const current = globals[install.slot];
      if (current === install.installed || !isComposable(current) || composedFrom.has(current)) continue;
      const composed = composeInto(install, current);
      if (composed === undefined) continue;
      install.previous = current;
      install.installed = composed;
    } catch {
      // A timer's exception would end the application: a dispatcher that cannot be read is left as it is.
    }
  }
}

/** Sets `base`, composed with the interceptor, as undici's global dispatcher (and, through undici, fetch's). */
function installDispatcher(base: Dispatcher, owned: boolean, recorder: Recorder | undefined): () => void {
  const { getGlobalDispatcher, setGlobalDispatcher } = undici();
  const globals = globalThis as Globals;
  const previous = getGlobalDispatcher();
  const previousLegacy = globals[FETCH_DISPATCHER];
  const composed = base.compose(createRecordingInterceptor(recorder === undefined ? {} : { recorder }));
  setGlobalDispatcher(composed);
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    if (owned) {
      // Our own agent: let in-flight requests finish, then release its sockets.
      base.close().catch(() => undefined);
    }
    if (getGlobalDispatcher() !== composed) return;
    setGlobalDispatcher(previous);
    if (previousLegacy === undefined) return;
    // The exact previous object, where undici left a new wrapper of it (on a frozen global that
    // wrapper stays, which behaves the same).
    writeSlot(FETCH_DISPATCHER, previousLegacy);
  };
}

/**
 * Composes the recording interceptor onto the global dispatchers already in place — the one
 * Node's global `fetch` uses (Node's built-in agent, or whatever the application installed, such
 * as undici's `ProxyAgent`, which keeps working) and, when set, the one undici 8's own calls use —
 * so every SDK built on `fetch` (OpenAI, Anthropic, the AI SDK providers) has its round trips
 * recorded inside steps. A dispatcher the application installs after this call is composed onto
 * within about a second (the slots are checked once a second; requests in between pass
 * unrecorded), so install yours first where you can. With `dispatcher`, that dispatcher, composed with the
 * interceptor, becomes the global dispatcher of both instead. Returns a function that restores the
 * previous dispatchers (each only if it was not replaced meanwhile).
 *
 * @example
 * const uninstall = installFetchInstrumentation();
 * // ... application runs ...
 * uninstall();
 */
export function installFetchInstrumentation(options: InstallFetchInstrumentationOptions = {}): () => void {
  if (options.dispatcher !== undefined) return installDispatcher(options.dispatcher, false, options.recorder);
  const installs = installOnGlobals(options.recorder);
  if (installs === undefined) return installDispatcher(new (undici().Agent)(), true, options.recorder);
  const watch = setInterval(() => rewatch(installs), WATCH_INTERVAL_MS);
  // Watching must never keep the process alive.
  watch.unref();
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    clearInterval(watch);
    const globals = globalThis as Globals;
    for (const { slot, previous, installed: value } of installs) {
      if (globals[slot] === value) writeSlot(slot, previous);
    }
  };
}
