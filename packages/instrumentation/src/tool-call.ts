// The handle of a tool call.
import type { Context } from '@opentelemetry/api';
import { GenAiAttributes } from '@runtrace/core';
import { markRedacted } from '@runtrace/core/internal';
import type { RunStatus } from '@runtrace/core';
import type { ToolCallEndOptions } from './step-params.js';
import { redactedJson } from './internal/gen-ai-content.js';
import type { MaskTally } from './internal/gen-ai-content.js';
import { outcomeOf } from './internal/recorder-core.js';
import type { ToolState } from './internal/recorder-core.js';
import { inContext } from './internal/start-entities.js';

/**
 * A tool call in flight. Get one from `run.tool(params, fn)` or `run.startTool(params)`.
 *
 * @example
 * const tool = run.startTool({ name: 'weather', callId: 'call_1', arguments: { city: 'Oslo' } });
 * tool.end({ result: { celsius: 4 } });
 */
export class ToolCall {
  readonly #state: ToolState;

  private constructor(state: ToolState) {
    this.#state = state;
  }

  /** @internal */
  static of(state: ToolState): ToolCall {
    state.handle ??= new ToolCall(state);
    return state.handle as ToolCall;
  }

  /** The tool span's span id. */
  get id(): string {
    return this.#state.id;
  }

  /** `in_progress` until the call ends. */
  get status(): RunStatus {
    return this.#state.status;
  }

  /** The OpenTelemetry context in which this tool call is active (a sub-agent run started inside is its child). */
  get context(): Context {
    return this.#state.context;
  }

  /** Runs `fn` with this tool call active. */
  with<T>(fn: () => T): T {
    return inContext(this.#state.context, fn);
  }

  /** Records the result (under the `full` content policy, redacted and bounded). */
  setResult(result: unknown): void {
    const state = this.#state;
    if (!state.recording || state.ended || state.core.settings.contentPolicy !== 'full') return;
    try {
      const tally: MaskTally = { masked: 0 };
      const redacted = redactedJson(result, state.core.settings.redactor, tally);
      state.span.setAttribute(GenAiAttributes.TOOL_CALL_RESULT, redacted);
      markRedacted(state.span, state.core.settings.redactor, GenAiAttributes.TOOL_CALL_RESULT, redacted);
      state.addMasked(tally.masked);
    } catch {
      // Recording must never throw into the application.
    }
  }

  /** Ends the tool call. Write-once: returns `false` when it already ended. */
  end(options: ToolCallEndOptions = {}): boolean {
    const state = this.#state;
    if (state.ended) return false;
    if (options.result !== undefined) this.setResult(options.result);
    state.finish(outcomeOf(options));
    return true;
  }
}
