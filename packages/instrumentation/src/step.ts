// The handle of a step: one model call, with its request, response, stream and attempts.
import type { Context } from '@opentelemetry/api';
import type { RunStatus } from '@runtrace/core';
import type { NormalizedResponse } from './gen-ai-types.js';
import type { StepEndOptions } from './step-params.js';
import type { StreamChunkInfo } from './stream-chunk-info.js';
import { inContext } from './internal/start-entities.js';
import { outcomeOf } from './internal/recorder-core.js';
import type { StepState } from './internal/recorder-core.js';
import { applyResponse } from './internal/step-attributes.js';
import { createStreamInspector } from './internal/stream-inspector.js';
import { StreamTracker } from './internal/stream-tracker.js';
import { wrapAsyncIterable, wrapReadableStream } from './internal/wrap-stream.js';

/** Options of {@link Step.wrapStream}. */
export interface WrapStreamOptions<T> {
  /**
   * Reads text, finish, usage and errors from a chunk. Default: understands OpenAI chat-completion
   * chunks, AI SDK stream parts, the Anthropic SDK's stream events, Gemini response chunks, strings
   * and byte arrays.
   */
  readonly inspect?: (chunk: T) => StreamChunkInfo | undefined;
}

/**
 * A step in flight. Get one from `run.step(params, fn)` or `run.startStep(params)`.
 *
 * @example
 * const step = run.startStep({ operation: 'generate', model: 'gpt-4o-mini' });
 * try {
 *   const completion = await step.with(() => client.chat.completions.create({ ... }));
 *   step.end({ response: { finishReason: completion.choices[0]?.finish_reason ?? undefined } });
 * } catch (error) {
 *   step.end({ error });
 *   throw error;
 * }
 */
export class Step {
  readonly #state: StepState;

  private constructor(state: StepState) {
    this.#state = state;
  }

  /** @internal */
  static of(state: StepState): Step {
    state.handle ??= new Step(state);
    return state.handle as Step;
  }

  /** @internal */
  static stateOf(step: Step): StepState {
    return step.#state;
  }

  /** The step span's span id (16 hex digits; zeros when not recording). */
  get id(): string {
    return this.#state.id;
  }

  /** Step number within its run, from 1. */
  get number(): number {
    return this.#state.number;
  }

  /** The id of the run this step belongs to. */
  get runId(): string {
    return this.#state.run.id;
  }

  /** `in_progress` until the step ends. */
  get status(): RunStatus {
    return this.#state.status;
  }

  /** Whether spans are recorded for this step. */
  get recording(): boolean {
    return this.#state.recording;
  }

  /** The OpenTelemetry context in which this step is active. */
  get context(): Context {
    return this.#state.context;
  }

  /** Runs `fn` with this step active, so HTTP requests it makes become this step's attempts. */
  with<T>(fn: () => T): T {
    return inContext(this.#state.context, fn);
  }

  /** Records the response (model, id, finish reason, usage, output messages per content policy). */
  setResponse(response: NormalizedResponse): void {
    try {
      applyResponse(this.#state, response);
    } catch {
      // Recording must never throw into the application.
    }
  }

  /**
   * Wraps a stream so the step stays open while it is read: records the first chunk (time to
   * first token), chunk and text counts, heartbeats, and one close classification, then ends the
   * step. An async iterable keeps its other members (bound to the original); a web
   * `ReadableStream` is replaced by one that pulls on demand. Each pull re-enters the step's
   * context, wherever the stream is read from.
   */
  wrapStream<T>(source: ReadableStream<T>, options?: WrapStreamOptions<T>): ReadableStream<T>;
  wrapStream<S extends AsyncIterable<unknown>>(
    source: S,
    options?: WrapStreamOptions<S extends AsyncIterable<infer T> ? T : unknown>,
  ): S;
  wrapStream(source: ReadableStream<unknown> | AsyncIterable<unknown>, options: WrapStreamOptions<unknown> = {}): ReadableStream<unknown> | AsyncIterable<unknown> {
    const state = this.#state;
    if (!state.recording || state.ended || state.streamOpen) return source;
    const tracker = new StreamTracker(state, options.inspect ?? createStreamInspector());
    if (source instanceof ReadableStream) return wrapReadableStream(state, source, tracker);
    return wrapAsyncIterable(state, source, tracker);
  }

  /**
   * Notes that relaying the stream to your own client failed; the stream's close is then
   * recorded as `client-write-failed`.
   */
  recordClientWriteFailure(error: unknown): void {
    this.#state.clientWriteError = error ?? new Error('writing to the client failed');
  }

  /** Adds a heartbeat (at most one per interval) to the step and its run: call it during long work you drive yourself. */
  touch(): void {
    try {
      this.#state.touch();
    } catch {
      // Recording must never throw into the application.
    }
  }

  /**
   * Ends the step. Write-once: returns `false` (and changes nothing) when it already ended. While
   * a wrapped stream is open, a successful end waits for the stream to close.
   */
  end(options: StepEndOptions = {}): boolean {
    const state = this.#state;
    if (state.ended || state.endRequested) return false;
    try {
      if (options.response !== undefined) applyResponse(state, options.response);
    } catch {
      // Recording must never throw into the application.
    }
    if (state.streamOpen && options.error === undefined && options.status === undefined) {
      state.endRequested = true;
      return true;
    }
    state.finish(outcomeOf(options));
    return true;
  }
}
