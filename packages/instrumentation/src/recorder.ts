// The entry point of application code: starts runs, and steps and tool calls in the active run.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { ContentPolicies, DEFAULT_STALE_AFTER_MS, InvalidArgumentError, defaultRedactor } from '@runtrace/core';
import { positiveOption } from '@runtrace/core/internal';
import type { ContentPolicy } from '@runtrace/core';
import type { RecorderClock } from './recorder-clock.js';
import { Run, runInside } from './run.js';
import type { RunParams } from './run-params.js';
import { Step } from './step.js';
import type { StepParams, ToolCallParams } from './step-params.js';
import { ToolCall } from './tool-call.js';
import { DEFAULT_MAX_BODY_BYTES } from './internal/bounds.js';
import { systemClock } from './internal/clock.js';
import { activeRunState, activeStepState } from './internal/context-keys.js';
import { RecorderCore } from './internal/recorder-core.js';
import type { BodiesPolicy } from './bodies-policy.js';
import type { InstrumentationRedactor } from './instrumentation-redactor.js';
import { resolveRun, startRunState, startStepState, startToolState } from './internal/start-entities.js';

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /** The tracer to record with. Default: one from `tracerProvider`. */
  readonly tracer?: Tracer;
  /** The tracer provider. Default: the global one (`trace` from `@opentelemetry/api`), resolved lazily. */
  readonly tracerProvider?: TracerProvider;
  /** Global switch; when `false`, runs execute but nothing is recorded. Default: `true`. */
  readonly enabled?: boolean;
  /** Per-run opt-in (per conversation, per user): a run is recorded only when it returns `true`. Default: every run. */
  readonly shouldRecord?: (params: RunParams) => boolean;
  /**
   * What content is recorded. `none`: shapes and counts only (no text, bodies, headers, tool
   * arguments); `metadata`: plus redacted headers and tool definitions; `full`: plus message
   * text, labels, tool arguments and results, bodies and stream text — all redacted and bounded.
   * Default: `metadata`.
   */
  readonly contentPolicy?: ContentPolicy;
  /** Redaction rules. Default: `@runtrace/core`'s default redactor. */
  readonly redactor?: InstrumentationRedactor;
  /** Idle time after which the processor sweeps an in-flight run. Default: 300000 (5 minutes). */
  readonly staleAfterMs?: number;
  /**
   * Minimum interval between heartbeats of a span; also how long a step whose AI SDK call failed
   * with a retryable error waits for the retry. Default: `staleAfterMs / 2` (150000).
   */
  readonly heartbeatIntervalMs?: number;
  /** Bytes of each request and response body kept on an attempt. Default: 50000. */
  readonly maxBodyBytes?: number;
  /**
   * Which HTTP bodies the `full` policy keeps on attempts. `unread`: those of requests that are
   * not a model call runtrace reads on the wire, and of failed attempts (the error answer and the
   * request behind it); a model call that succeeded is kept as its messages and answer, read from
   * the same bytes. `all`: every attempt's bodies too. Default: `unread`.
   */
  readonly bodies?: BodiesPolicy;
  /** Time source for heartbeats and time to first chunk. Default: wall clock and unref'd timers. */
  readonly clock?: RecorderClock;
}

const POLICIES = new Set<string>(Object.values(ContentPolicies));
const TRACER_NAME = '@runtrace/instrumentation';
/** The package's version, the instrumentation scope's version. */
const TRACER_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function bodiesPolicy(value: BodiesPolicy | undefined): BodiesPolicy {
  if (value === undefined) return 'unread';
  if (value !== 'all' && value !== 'unread') throw new InvalidArgumentError('bodies', value, 'all or unread');
  return value;
}


/**
 * Records runs, steps and tool calls as OpenTelemetry spans through `@opentelemetry/api`, so it
 * works with whatever tracer provider the application registered.
 *
 * @example
 * const recorder = new Recorder({ contentPolicy: 'full' });
 * const answer = await recorder.run({ kind: 'chat_turn', conversationId: 'c1', label: question }, (run) =>
 *   run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => client.chat.completions.create({ ... })),
 * );
 */
export class Recorder {
  readonly #core: RecorderCore;
  readonly #shouldRecord: ((params: RunParams) => boolean) | undefined;
  #enabled: boolean;

  constructor(options: RecorderOptions = {}) {
    const policy = options.contentPolicy ?? 'metadata';
    if (!POLICIES.has(policy)) throw new InvalidArgumentError('contentPolicy', policy, 'one of none, metadata, full');
    const staleAfter = positiveOption('staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS);
    this.#core = new RecorderCore({
      tracer: options.tracer ?? (options.tracerProvider ?? trace).getTracer(TRACER_NAME, TRACER_VERSION),
      contentPolicy: policy,
      redactor: options.redactor ?? defaultRedactor,
      clock: options.clock ?? systemClock,
      heartbeatIntervalMs: positiveOption('heartbeatIntervalMs', options.heartbeatIntervalMs, staleAfter / 2),
      maxBodyBytes: positiveOption('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
      bodies: bodiesPolicy(options.bodies),
    });
    this.#shouldRecord = options.shouldRecord;
    this.#enabled = options.enabled ?? true;
  }

  /** @internal */
  static coreOf(recorder: Recorder): RecorderCore {
    return recorder.#core;
  }

  /** The global switch; runs started while it is `false` are not recorded. */
  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(value: boolean) {
    this.#enabled = value;
  }

  /** The content policy in force. */
  get contentPolicy(): ContentPolicy {
    return this.#core.settings.contentPolicy;
  }

  /**
   * Runs `fn` as a run: a new trace (or a sub-agent child when a run is active), ended from
   * `fn`'s outcome — completed, interrupted (abort) or error — and returned or rethrown.
   *
   * @example
   * await recorder.run({ kind: 'chat_turn', conversationId: 'c1', provider: 'openai', model: 'gpt-4o-mini' }, async (run) => {
   *   await run.step({ operation: 'generate' }, () => client.chat.completions.create({ ... }));
   * });
   */
  async run<T>(params: RunParams, fn: (run: Run) => T | Promise<T>): Promise<T> {
    const run = this.startRun(params);
    const signal = params.signal;
    return runInside(Run.stateOf(run), run, fn, (options) => run.end(signal === undefined ? options : { ...options, signal }), false);
  }

  /**
   * Starts a run to end explicitly with `run.end()` — for work that spans callbacks. Use
   * `run.with(fn)` (or the run's methods) to make it active.
   *
   * @example
   * const run = recorder.startRun({ kind: 'batch_job' });
   * queue.on('item', (item) => run.step({ operation: 'generate' }, () => handle(item)));
   * queue.on('drain', () => run.end());
   */
  startRun(params: RunParams): Run {
    if (typeof params.kind !== 'string' || params.kind === '') {
      throw new InvalidArgumentError('params.kind', params.kind, 'a non-empty string');
    }
    const parent = params.parentRun === null ? undefined : params.parentRun !== undefined ? Run.stateOf(params.parentRun) : activeRunState();
    let recording = this.#enabled;
    if (recording && this.#shouldRecord !== undefined) {
      try {
        recording = this.#shouldRecord(params);
      } catch {
        recording = false;
      }
    }
    return Run.of(startRunState(this.#core, params, parent, recording));
  }

  /**
   * Records a step in a run: the run with `runId`, else the run active in the context.
   *
   * @throws {RunNotFoundError} for an unknown run id, no active run, or a run of another recorder.
   * @throws {RunFinalizedError} when the run has already ended.
   * @example
   * await recorder.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => client.chat.completions.create({ ... }));
   */
  async step<T>(params: StepParams & { readonly runId?: string }, fn: (step: Step) => T | Promise<T>): Promise<T> {
    return Run.of(resolveRun(this.#core, params.runId)).step(params, fn);
  }

  /**
   * Starts a step in a run (by `runId`, else the active run) to end explicitly.
   *
   * @example
   * const step = recorder.startStep({ runId, operation: 'stream', model: 'gpt-4o-mini' });
   */
  startStep(params: StepParams & { readonly runId?: string }): Step {
    return Step.of(startStepState(resolveRun(this.#core, params.runId), params));
  }

  /**
   * Records a tool call in a run (by `runId`, else the active run).
   *
   * @example
   * await recorder.tool({ name: 'search', callId: 'call_1', arguments: { q } }, () => search(q));
   */
  async tool<T>(params: ToolCallParams & { readonly runId?: string }, fn: (tool: ToolCall) => T | Promise<T>): Promise<T> {
    return Run.of(resolveRun(this.#core, params.runId)).tool(params, fn);
  }

  /**
   * Starts a tool call in a run (by `runId`, else the active run) to end explicitly.
   *
   * @example
   * const tool = recorder.startTool({ name: 'search' });
   * tool.end({ result });
   */
  startTool(params: ToolCallParams & { readonly runId?: string }): ToolCall {
    const run = resolveRun(this.#core, params.runId);
    return ToolCall.of(startToolState(run, params, params.step === undefined ? undefined : Step.stateOf(params.step)));
  }

  /** The run active in the current context, if it belongs to this recorder. */
  activeRun(): Run | undefined {
    const state = activeRunState();
    return state !== undefined && state.core === this.#core ? Run.of(state) : undefined;
  }

  /** The step active in the current context, if it belongs to this recorder. */
  activeStep(): Step | undefined {
    const state = activeStepState();
    return state !== undefined && state.core === this.#core ? Step.of(state) : undefined;
  }

  /** An in-flight run of this recorder by id. */
  getRun(runId: string): Run | undefined {
    const state = this.#core.openRuns.get(runId);
    return state === undefined ? undefined : Run.of(state);
  }

  /** Ends every run still in flight as `interrupted` and stops the heartbeat timer. Idempotent. */
  close(): void {
    for (const run of [...this.#core.openRuns.values()]) {
      Run.of(run).end({ status: 'interrupted', message: 'recorder closed' });
    }
    this.#core.stop();
  }
}

/**
 * Creates a {@link Recorder}.
 *
 * @example
 * const recorder = createRecorder({ contentPolicy: 'metadata', shouldRecord: (run) => run.conversationId !== undefined });
 */
export function createRecorder(options: RecorderOptions = {}): Recorder {
  return new Recorder(options);
}
