// The handle of a run: one agent turn or job, the root of its trace.
import type { Context } from '@opentelemetry/api';
import { RuntraceAttributes } from '@runtrace/core';
import type { RunStatus } from '@runtrace/core';
import type { StepParams, EndOptions, ToolCallParams } from './step-params.js';
import { Step } from './step.js';
import { ToolCall } from './tool-call.js';
import { labelOf } from './internal/bounds.js';
import { outcomeOf } from './internal/recorder-core.js';
import type { RunState, StepState, ToolState } from './internal/recorder-core.js';
import { inContext, startStepState, startToolState } from './internal/start-entities.js';

/** Fields of a run that may change while it is in flight. */
export interface RunUpdate {
  /** The first user message, recorded as the label under the `full` content policy. */
  readonly label?: string;
  /** The last message of the history the model saw. */
  readonly historyTipMessageId?: number;
  /** The assistant message the run produced. */
  readonly assistantMessageId?: number;
}

/** Runs `fn` inside an entity's context; ends it from the outcome (a returned stream keeps a step open). */
export async function runInside<T, H>(
  state: StepState | ToolState | RunState,
  handle: H,
  fn: (handle: H) => T | Promise<T>,
  end: (options: EndOptions & { readonly result?: unknown }) => boolean,
  recordResult: boolean,
): Promise<T> {
  state.busy += 1;
  let result: T;
  try {
    result = await inContext(state.context, () => fn(handle));
  } catch (error: unknown) {
    state.busy -= 1;
    end({ error });
    throw error;
  }
  state.busy -= 1;
  end(recordResult ? { result } : {});
  return result;
}

/**
 * A run in flight. Get one from `recorder.run(params, fn)` or `recorder.startRun(params)`.
 *
 * @example
 * await recorder.run({ kind: 'chat_turn', conversationId: 'c1' }, async (run) => {
 *   const answer = await run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => callModel());
 *   await run.tool({ name: 'search', callId: 'call_1', arguments: { q: 'x' } }, () => search('x'));
 * });
 */
export class Run {
  readonly #state: RunState;

  private constructor(state: RunState) {
    this.#state = state;
  }

  /** @internal */
  static of(state: RunState): Run {
    state.handle ??= new Run(state);
    return state.handle as Run;
  }

  /** @internal */
  static stateOf(run: Run): RunState {
    return run.#state;
  }

  /** The run id: the run span's span id (16 hex digits; zeros when not recording). */
  get id(): string {
    return this.#state.id;
  }

  /** The parent run's id for a sub-agent run. */
  get parentRunId(): string | undefined {
    return this.#state.parent?.id;
  }

  /** `in_progress` until the run ends. */
  get status(): RunStatus {
    return this.#state.status;
  }

  /** Whether spans are recorded for this run (the recorder is enabled and the predicate accepted it). */
  get recording(): boolean {
    return this.#state.recording;
  }

  /** The OpenTelemetry context in which this run is active. */
  get context(): Context {
    return this.#state.context;
  }

  /** Runs `fn` with this run active (for the handle form: steps, tools and sub-agent runs find it). */
  with<T>(fn: () => T): T {
    return inContext(this.#state.context, fn);
  }

  /**
   * Records one model call as a step: numbered 1..n, ended from `fn`'s outcome — or, when `fn`
   * wrapped a stream with `step.wrapStream`, when that stream closes.
   *
   * @throws {RunFinalizedError} when the run has already ended.
   * @example
   * const stream = await run.step({ operation: 'stream', model: 'gpt-4o-mini' }, async (step) =>
   *   step.wrapStream(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })),
   * );
   * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
   */
  async step<T>(params: StepParams, fn: (step: Step) => T | Promise<T>): Promise<T> {
    const state = startStepState(this.#state, params);
    const step = Step.of(state);
    return runInside(state, step, fn, (options) => step.end(options), false);
  }

  /**
   * Starts a step to end explicitly with `step.end()` (or by closing a wrapped stream).
   *
   * @throws {RunFinalizedError} when the run has already ended.
   * @example
   * const step = run.startStep({ operation: 'stream', model: 'gpt-4o-mini' });
   * const stream = step.wrapStream(await step.with(() => client.chat.completions.create({ ..., stream: true })));
   */
  startStep(params: StepParams): Step {
    return Step.of(startStepState(this.#state, params));
  }

  /**
   * Records a tool call, ended from `fn`'s outcome; its return value is the recorded result.
   *
   * @example
   * const weather = await run.tool({ name: 'weather', callId: 'call_1', arguments: { city: 'Oslo' } }, () => getWeather('Oslo'));
   */
  async tool<T>(params: ToolCallParams, fn: (tool: ToolCall) => T | Promise<T>): Promise<T> {
    const state = startToolState(this.#state, params, params.step === undefined ? undefined : Step.stateOf(params.step));
    const tool = ToolCall.of(state);
    return runInside(state, tool, fn, (options) => tool.end(options), true);
  }

  /**
   * Starts a tool call to end explicitly with `tool.end({ result })`.
   *
   * @example
   * const tool = run.startTool({ name: 'search', callId: 'call_2' });
   * tool.end({ result: hits });
   */
  startTool(params: ToolCallParams): ToolCall {
    return ToolCall.of(startToolState(this.#state, params, params.step === undefined ? undefined : Step.stateOf(params.step)));
  }

  /** Updates fields of the run while it is in flight; ignored once it ended. */
  update(update: RunUpdate): void {
    const state = this.#state;
    if (!state.recording || state.ended) return;
    try {
      const settings = state.core.settings;
      if (update.label !== undefined && settings.contentPolicy === 'full') {
        const redacted = settings.redactor.redactText(update.label);
        state.addMasked(redacted.maskedCount);
        const label = labelOf(redacted.value);
        if (label !== undefined) state.span.setAttribute(RuntraceAttributes.RUN_LABEL, label);
      }
      if (update.historyTipMessageId !== undefined && Number.isSafeInteger(update.historyTipMessageId)) {
        state.span.setAttribute(RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID, update.historyTipMessageId);
      }
      if (update.assistantMessageId !== undefined && Number.isSafeInteger(update.assistantMessageId)) {
        state.span.setAttribute(RuntraceAttributes.RUN_ASSISTANT_MESSAGE_ID, update.assistantMessageId);
      }
    } catch {
      // Recording must never throw into the application.
    }
  }

  /** Adds a heartbeat (at most one per interval): call it during long work you drive yourself. */
  touch(): void {
    try {
      this.#state.touch(this.#state.core.settings.clock.now());
    } catch {
      // Recording must never throw into the application.
    }
  }

  /**
   * Ends the run. Write-once and idempotent: returns `false` (and changes nothing) when it was
   * already ended. Open tool calls and steps end as `interrupted`, except steps whose wrapped
   * stream is still being read: a successful run ends when the last of them closes.
   */
  end(options: EndOptions = {}): boolean {
    try {
      return this.#state.requestEnd(outcomeOf(options));
    } catch {
      return false;
    }
  }
}
