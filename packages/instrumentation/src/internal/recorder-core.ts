// Run, step and tool state shared by the public handles, the stream wrapper and the HTTP interceptor.
import type { BodiesPolicy } from '../bodies-policy.js';
import { INVALID_SPAN_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanOptions, TimeInput, Tracer } from '@opentelemetry/api';
import { HttpAttributes, RuntraceAttributes, RuntraceEvents, classifyOutcome } from '@runtrace/core';
import type { ContentPolicy, OutcomeClassification, RunStatus, TokenUsage } from '@runtrace/core';
import type { RecorderClock } from '../recorder-clock.js';
import type { InstrumentationRedactor } from '../instrumentation-redactor.js';
import { RUN_KEY, STEP_KEY } from './context-keys.js';
import { linkContext } from './linked-context.js';
import { startOwnSpan } from './span-start.js';
import type { PendingToolCall } from './wire-tool-calls.js';

/** Settings resolved from `RecorderOptions`. */
export interface RecorderSettings {
  readonly tracer: Tracer;
  readonly contentPolicy: ContentPolicy;
  readonly redactor: InstrumentationRedactor;
  readonly clock: RecorderClock;
  readonly heartbeatIntervalMs: number;
  readonly maxBodyBytes: number;
  /** Which attempt bodies the `full` policy keeps (see `RecorderOptions.bodies`). */
  readonly bodies: BodiesPolicy;
}


/** How a caller asks to finish a run, step or tool call. */
export interface FinishRequest {
  readonly status?: Exclude<RunStatus, 'in_progress'> | undefined;
  readonly error?: unknown;
  readonly signal?: AbortSignal | undefined;
  readonly message?: string | undefined;
}

/** A terminal outcome. */
export type Outcome = OutcomeClassification;

const COMPLETED: Outcome = { status: 'completed' };
const NON_RECORDING_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const RECENTLY_FINALIZED_LIMIT = 4096;
/** Most tool calls whose results implicit runs wait for at once. */
const MAX_TOOL_WAITS = 1024;

/** Resolves a finish request into an outcome with the one classification rule. */
export function outcomeOf(request: FinishRequest = {}): Outcome {
  if (request.error === undefined && request.status === undefined && request.signal === undefined && request.message === undefined) {
    return COMPLETED;
  }
  const classified = classifyOutcome(request.error, { signal: request.signal });
  if (request.status === undefined) {
    return request.message === undefined ? classified : { ...classified, message: request.message };
  }
  const outcome: { status: Outcome['status']; errorType?: string; message?: string } = { status: request.status };
  if (request.status === 'error') outcome.errorType = classified.errorType ?? 'error';
  const message = request.message ?? classified.message;
  if (message !== undefined) outcome.message = message;
  return outcome;
}

/** Sets the terminal status attributes and OTel status, then ends the span (now, or at `endTime`). Never throws. */
export function endSpan(span: Span, outcome: Outcome, redactor: InstrumentationRedactor, endTime?: TimeInput): void {
  try {
    span.setAttribute(RuntraceAttributes.STATUS, outcome.status);
    let message = outcome.message;
    if (message !== undefined) message = redactor.redactText(message).value;
    if (outcome.status === 'error') {
      span.setAttribute(HttpAttributes.ERROR_TYPE, outcome.errorType ?? 'error');
      span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
    }
    if (message !== undefined) span.setAttribute(RuntraceAttributes.STATUS_MESSAGE, message);
  } catch {
    // Recording must never throw into the application.
  }
  span.end(endTime);
}

/** What the wire filled in on a step, so later calls add to it and the code's own values win. */
export interface StepWireState {
  /** A request body was read (retries send the same one). */
  requestRead: boolean;
  /**
   * Attribute keys the wire set: it may update these, never a key the code set. A few dozen at
   * most: a list is as quick to search as a set, and smaller while the step lives.
   */
  readonly keys: string[];
  /** Usage summed over the step's answered calls. */
  usage: TokenUsage | undefined;
  /** The model the wire named the step's span after. */
  named: boolean;
}

/** State shared by runs, steps and tool calls. */
abstract class EntityState {
  readonly core: RecorderCore;
  readonly span: Span;
  readonly id: string;
  readonly recording: boolean;
  /** The context the entity was started from (the caller's active one, or its run's). */
  protected readonly base: Context;
  #context: Context | undefined;
  status: RunStatus = 'in_progress';
  /** An end was requested (the entity accepts no new children). */
  endRequested = false;
  lastHeartbeat: number;
  /** In-flight work that deserves heartbeats (a callback running, a pending stream pull). */
  busy = 0;
  maskedCount = 0;
  /** The public handle (Run, Step or ToolCall), created on first use. */
  handle: unknown;

  constructor(core: RecorderCore, span: Span, ctx: Context, now: number = core.settings.clock.now()) {
    this.core = core;
    this.span = span;
    this.recording = span.isRecording();
    this.id = span.spanContext().spanId;
    this.base = ctx;
    this.lastHeartbeat = now;
  }

  /**
   * The context in which the entity is active, made on first use: each OpenTelemetry context
   * derivation copies a map, and most steps and tool calls recorded through handles are never entered.
   */
  get context(): Context {
    return (this.#context ??= this.enter(this.base));
  }

  /** The context in which the entity is active, derived from the one it was started from. */
  protected abstract enter(base: Context): Context;

  get ended(): boolean {
    return this.status !== 'in_progress';
  }

  addMasked(count: number): void {
    if (count <= 0 || !this.recording) return;
    this.maskedCount += count;
    this.span.setAttribute(RuntraceAttributes.REDACTION_MASKED_COUNT, this.maskedCount);
  }

  /** Adds a heartbeat event when the last one is at least one interval old. */
  heartbeat(now: number): boolean {
    if (this.ended || now - this.lastHeartbeat < this.core.settings.heartbeatIntervalMs) return false;
    this.lastHeartbeat = now;
    if (this.recording) {
      this.span.addEvent(RuntraceEvents.HEARTBEAT);
      this.span.setAttribute(RuntraceAttributes.LAST_ACTIVITY_MS, now);
    }
    return true;
  }

  protected finishSpan(outcome: Outcome, endTime?: TimeInput): void {
    this.status = outcome.status;
    this.endRequested = true;
    if (this.recording) endSpan(this.span, outcome, this.core.settings.redactor, endTime);
  }
}

/** A run in flight. */
export class RunState extends EntityState {
  readonly parent: RunState | undefined;
  readonly conversationId: string | undefined;
  readonly rootConversationId: string | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  stepCounter = 0;
  readonly openSteps = new Set<StepState>();
  /** Tool calls in flight; made at the first (most runs record none). */
  openTools: Set<ToolState> | undefined;
  /**
   * Steps whose call failed with an error its caller retries: they wait for the retry (see
   * StepState.retryPending). Made at the first.
   */
  awaitingRetry: Set<StepState> | undefined;
  pendingOutcome: Outcome | undefined;
  /** An implicit run (a model call made outside any run): it ends with its last step. */
  endsWithSteps = false;
  /** Tool calls the run's model asked for, by call id, until a request carries their results (see `wire-tool-calls.ts`). */
  pendingToolCalls: Map<string, PendingToolCall> | undefined;
  /** Tool call ids the application recorded itself. */
  explicitToolCalls: Map<string, true> | undefined;
  /**
   * An implicit run whose last answer asked for tool calls: it stays open until a later model
   * call carries their results (see `wire-tool-calls.ts`) or the heartbeat interval passes.
   */
  toolWait: ToolWait | undefined;
  /** The conversation an implicit run joined when a later call continued it (its attribute is set then). */
  linkedConversation: string | undefined;

  constructor(
    core: RecorderCore,
    span: Span,
    ctx: Context,
    identity: {
      parent: RunState | undefined;
      conversationId: string | undefined;
      rootConversationId: string | undefined;
      provider: string | undefined;
      model: string | undefined;
    },
  ) {
    super(core, span, ctx);
    this.parent = identity.parent;
    this.conversationId = identity.conversationId;
    this.rootConversationId = identity.rootConversationId;
    this.provider = identity.provider;
    this.model = identity.model;
  }

  protected enter(base: Context): Context {
    const entered = linkContext(base, RUN_KEY, this);
    return this.recording ? trace.setSpan(entered, this.span) : entered;
  }

  /** Requests the end of the run; returns false when an end was already requested. */
  requestEnd(outcome: Outcome): boolean {
    if (this.endRequested) return false;
    if (this.toolWait !== undefined) {
      // Its own work is done: it ends as its last step did, whatever stops the wait.
      this.finishWaiting();
      return true;
    }
    if (this.endsWithSteps) {
      // An implicit run ends with its step's own outcome: a call parked for a retry that can no
      // longer come ends with its failure, and the run with it.
      for (const step of [...(this.awaitingRetry ?? [])]) step.finishAwaitingRetry();
      if (this.ended) return true;
    }
    this.endRequested = true;
    for (const tool of [...(this.openTools ?? [])]) tool.finish({ status: 'interrupted', message: 'run ended before the tool call' });
    // A step waiting for a retry that never came ends with its own failure, at the time it failed.
    for (const step of [...(this.awaitingRetry ?? [])]) step.finishAwaitingRetry();
    for (const step of [...this.openSteps]) {
      if (!step.streamOpen || outcome.status !== 'completed') {
        step.finish({ status: 'interrupted', message: 'run ended before the step' });
      }
    }
    if (this.openSteps.size > 0) {
      this.pendingOutcome = outcome;
      return true;
    }
    this.finish(outcome);
    return true;
  }

  /** A child step ended: a deferred end completes once the last streaming step closes. */
  childEnded(step: StepState): void {
    this.openSteps.delete(step);
    if (this.endsWithSteps && this.openSteps.size === 0 && !this.endRequested) {
      const outcome = step.outcome ?? COMPLETED;
      if (outcome.status === 'completed' && this.#awaitToolResults(outcome)) return;
      this.requestEnd(outcome);
      return;
    }
    if (this.pendingOutcome === undefined) return;
    // The run keeps its own outcome (as when the stream is read inside the callback); the steps'
    // outcomes are counted in its summary.
    if (this.openSteps.size === 0) {
      const outcome = this.pendingOutcome;
      this.pendingOutcome = undefined;
      this.finish(outcome);
    }
  }

  finish(outcome: Outcome, endTime?: TimeInput): void {
    if (this.ended) return;
    this.#stopWaiting();
    this.finishSpan(outcome, endTime);
    this.core.runEnded(this);
  }

  /**
   * Ends a run that waits for tool results with the outcome of its last step: at `endTime`
   * (a later call carried results), else at the end of that step.
   */
  finishWaiting(endTime?: number): void {
    const wait = this.toolWait;
    if (wait === undefined) return;
    this.finish(wait.outcome, Math.max(wait.endTime, endTime ?? wait.endTime));
  }

  /** Parks an implicit run whose answer asked for tool calls with ids; returns false when there are none. */
  #awaitToolResults(outcome: Outcome): boolean {
    const pending = this.pendingToolCalls;
    if (pending === undefined || !this.recording) return false;
    const ids = [...pending.keys()].filter(isCallId);
    if (ids.length === 0) return false;
    this.toolWait = { outcome, endTime: performance.now(), since: this.core.settings.clock.now(), ids };
    for (const id of ids) this.core.awaitToolResult(id, this);
    return true;
  }

  #stopWaiting(): void {
    const wait = this.toolWait;
    if (wait === undefined) return;
    this.toolWait = undefined;
    for (const id of wait.ids) this.core.forgetToolResult(id, this);
  }

  /** The heartbeat of a child also touches its run. */
  touch(now: number): void {
    this.heartbeat(now);
    this.parent?.touch(now);
  }
}

/** A step (one model call) in flight. */
export class StepState extends EntityState {
  readonly run: RunState;
  readonly number: number;
  readonly startedAt: number;
  attemptCounter = 0;
  /**
   * The step's call failed with an error that its caller retries (an AI SDK retry): the step stays
   * open so the retry's round trips become further attempts of it. It ends with this outcome, at
   * this end time, when no retry comes (the run ends, or `heartbeatIntervalMs` passes).
   */
  retryPending: RetryPending | undefined;
  /** A stream wrapper owns the end of this step. */
  streamOpen = false;
  outcome: Outcome | undefined;
  /** Relaying the stream to the application's own client failed. */
  clientWriteError: unknown;
  /** What the LLM wire told this step so far (see `wire-capture.ts`); created by the first model call read. */
  wire: StepWireState | undefined;
  /**
   * An implicit step (a model call made outside any step): it ends with its attempt, or waits for
   * the retry of a failed one, found by this key in `RecorderCore.parkedCalls`.
   */
  implicitCall: string | undefined;

  constructor(run: RunState, span: Span, ctx: Context, number: number) {
    const now = run.core.settings.clock.now();
    super(run.core, span, ctx, now);
    this.run = run;
    this.number = number;
    this.startedAt = now;
  }

  protected enter(base: Context): Context {
    // `base` carries the step's run under RUN_KEY already (it is the run's context or an active context of the run).
    const entered = linkContext(base, STEP_KEY, this);
    return this.run.recording ? trace.setSpan(entered, this.span) : entered;
  }

  /** Activity on the step: heartbeat it and its run at most once per interval. */
  touch(now: number = this.core.settings.clock.now()): void {
    if (this.heartbeat(now)) this.run.touch(now);
  }

  /** Parks the step until its caller retries the call (see `retryPending`). */
  awaitRetry(pending: RetryPending): void {
    if (this.ended) return;
    this.retryPending = pending;
    (this.run.awaitingRetry ??= new Set()).add(this);
  }

  /** Takes the step back for the retry of its call. */
  resumeRetry(): void {
    this.retryPending = undefined;
    this.run.awaitingRetry?.delete(this);
  }

  /** Ends a parked step with the failure it is parked with. */
  finishAwaitingRetry(): void {
    const pending = this.retryPending;
    if (pending === undefined) return;
    this.finish(pending.outcome, pending.endTime);
  }

  finish(outcome: Outcome, endTime?: TimeInput): void {
    if (this.ended) return;
    if (this.implicitCall !== undefined && this.core.parkedCalls.get(this.implicitCall) === this) this.core.parkedCalls.delete(this.implicitCall);
    this.outcome = outcome;
    this.streamOpen = false;
    this.retryPending = undefined;
    this.run.awaitingRetry?.delete(this);
    this.finishSpan(outcome, endTime);
    this.run.childEnded(this);
  }
}

/** Whether a pending tool call key is a real call id (id-less calls are keyed by name and order, with a NUL). */
function isCallId(key: string): boolean {
  return !key.includes('\u0000');
}

/** What an implicit run waiting for tool results ends with. */
export interface ToolWait {
  /** The outcome of its last step. */
  readonly outcome: Outcome;
  /** When that step ended (a `performance.now()` reading). */
  readonly endTime: number;
  /** When the wait began, on the recorder's clock (for the wait limit). */
  readonly since: number;
  /** The ids of the tool calls it waits for. */
  readonly ids: readonly string[];
}

/** Why and since when a step waits for the retry of its call. */
export interface RetryPending {
  /** The failure, recorded if no retry comes. */
  readonly outcome: Outcome;
  /** When the call failed (a `performance.now()` reading, so the span's end matches its own clock). */
  readonly endTime: number;
  /** When the call failed, on the recorder's clock (for the wait limit). */
  readonly since: number;
  /** What identifies the retried call (compared by the integration that parked the step). */
  readonly call: unknown;
}

/** A tool call in flight. */
export class ToolState extends EntityState {
  readonly run: RunState;

  constructor(run: RunState, span: Span, ctx: Context) {
    super(run.core, span, ctx);
    this.run = run;
  }

  protected enter(base: Context): Context {
    // Requests made by a tool are not attempts of a model call: the step is not active inside a tool.
    let entered = base.getValue(RUN_KEY) === this.run ? base : linkContext(base, RUN_KEY, this.run);
    if (entered.getValue(STEP_KEY) !== undefined) entered = linkContext(entered, STEP_KEY, undefined);
    return this.run.recording ? trace.setSpan(entered, this.span) : entered;
  }

  finish(outcome: Outcome): void {
    if (this.ended) return;
    this.finishSpan(outcome);
    this.run.openTools?.delete(this);
  }
}

/** Everything a recorder owns: settings, open runs, the heartbeat ticker. */
export class RecorderCore {
  readonly settings: RecorderSettings;
  readonly openRuns = new Map<string, RunState>();
  /** Implicit steps whose model call failed and may be retried, by call key (see `implicit-model-call.ts`). */
  readonly parkedCalls = new Map<string, StepState>();
  /** Implicit runs waiting for the results of their tool calls, by tool call id (see `RunState.toolWait`). */
  readonly toolWaits = new Map<string, RunState>();
  // Two generations of recently finalized run ids: O(1) to add, bounded, no iteration to evict.
  #finalizedCurrent = new Set<string>();
  #finalizedPrevious = new Set<string>();
  #stopTicker: (() => void) | undefined;

  constructor(settings: RecorderSettings) {
    this.settings = settings;
  }

  /** Starts a span with the attributes runtrace built (`own`) and the caller's (`extra`; runtrace's win on a clash). */
  startSpan(name: string, options: SpanOptions, own: Attributes, extra: Attributes | undefined, parent: Context, recording: boolean): Span {
    if (!recording) return NON_RECORDING_SPAN;
    return startOwnSpan(this.settings.tracer, name, options, own, extra, parent);
  }

  runStarted(run: RunState): void {
    if (!run.recording) return;
    this.openRuns.set(run.id, run);
    if (this.#stopTicker === undefined) {
      // Tick twice per interval so timer jitter never stretches the gap between heartbeats past one interval and a half.
      const interval = Math.max(1, Math.floor(this.settings.heartbeatIntervalMs / 2));
      this.#stopTicker = this.settings.clock.setInterval(() => this.tick(), interval);
    }
  }

  runEnded(run: RunState): void {
    if (!run.recording) return;
    this.openRuns.delete(run.id);
    this.#finalizedCurrent.add(run.id);
    if (this.#finalizedCurrent.size >= RECENTLY_FINALIZED_LIMIT) {
      this.#finalizedPrevious = this.#finalizedCurrent;
      this.#finalizedCurrent = new Set();
    }
  }

  /** Notes that `run` waits for the result of tool call `id` (the oldest waits are forgotten beyond a bound). */
  awaitToolResult(id: string, run: RunState): void {
    if (this.toolWaits.size >= MAX_TOOL_WAITS) {
      const oldest = this.toolWaits.keys().next();
      if (oldest.done !== true) this.toolWaits.delete(oldest.value);
    }
    this.toolWaits.set(id, run);
  }

  forgetToolResult(id: string, run: RunState): void {
    if (this.toolWaits.get(id) === run) this.toolWaits.delete(id);
  }

  wasFinalized(runId: string): boolean {
    return this.#finalizedCurrent.has(runId) || this.#finalizedPrevious.has(runId);
  }

  /** Heartbeats every busy step and tool (and their runs); stops once no run is open. */
  tick(): void {
    try {
      if (this.openRuns.size === 0) {
        this.#stopTicker?.();
        this.#stopTicker = undefined;
        return;
      }
      const now = this.settings.clock.now();
      for (const run of [...this.openRuns.values()]) {
        if (run.toolWait !== undefined) {
          // No later call carried the results within the interval: the run ends as its last step did.
          if (now - run.toolWait.since >= this.settings.heartbeatIntervalMs) run.finishWaiting();
          continue;
        }
        if (run.awaitingRetry !== undefined && run.awaitingRetry.size > 0) {
          for (const step of [...run.awaitingRetry]) {
            if (step.retryPending !== undefined && now - step.retryPending.since >= this.settings.heartbeatIntervalMs) step.finishAwaitingRetry();
          }
        }
        let busy = run.busy > 0;
        for (const step of run.openSteps) {
          if (step.busy > 0) {
            busy = true;
            step.heartbeat(now);
          }
        }
        for (const tool of run.openTools ?? []) {
          if (tool.busy > 0) {
            busy = true;
            tool.heartbeat(now);
          }
        }
        if (busy) run.touch(now);
      }
    } catch {
      // A heartbeat must never throw out of a timer.
    }
  }

  /** Stops the heartbeat ticker. */
  stop(): void {
    this.#stopTicker?.();
    this.#stopTicker = undefined;
  }
}

