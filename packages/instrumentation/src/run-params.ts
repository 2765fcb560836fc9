// The identity of a run, given when it starts.
import type { Attributes } from '@opentelemetry/api';
import type { RunKind } from '@runtrace/core';
import type { Run } from './run.js';

/** Identity of a run. Only `kind` is required. */
export interface RunParams {
  /** What the run is: `chat_turn`, `title_generation`, `quickgen`, `compaction`, or your own kind. */
  readonly kind: RunKind;
  /** The conversation (chat) this run belongs to: `gen_ai.conversation.id`. */
  readonly conversationId?: string;
  /** The root conversation of a tree of conversations. Default: the parent run's root, else `conversationId`. */
  readonly rootConversationId?: string;
  /** The conversation that spawned this one. Default: the parent run's conversation for a sub-agent run. */
  readonly parentConversationId?: string;
  /** The message that triggered the run (a safe integer). */
  readonly triggerMessageId?: number;
  /** The last message of the history the model saw (a safe integer). */
  readonly historyTipMessageId?: number;
  /** Provider name, e.g. `openai` (`gen_ai.provider.name`). Default for the run's steps. */
  readonly provider?: string;
  /** Requested model (`gen_ai.request.model`). Default for the run's steps. */
  readonly model?: string;
  /**
   * The agent's name (`gen_ai.agent.name`); the run span is then named `invoke_agent {name}`, as
   * the GenAI conventions say (`invoke_agent` alone without it). Default: none.
   */
  readonly agentName?: string;
  /** The first user message; recorded as the run label (≤ 200 characters) under the `full` content policy. */
  readonly label?: string;
  /** The parent run of a sub-agent run. Default: the run active in the current context; `null` forces a new trace. */
  readonly parentRun?: Run | null;
  /** Extra span attributes (runtrace's own attributes take precedence). */
  readonly attributes?: Attributes;
  /**
   * The caller's abort signal for this run (the "stop" button of a chat turn). With
   * `recorder.run(params, fn)`, when it has aborted by the time `fn` settles the run ends
   * `interrupted` — even when `fn` caught the abort and returned normally — or `error` with
   * `error.type = timeout` when its reason is a timeout. Default: none.
   */
  readonly signal?: AbortSignal;
}
