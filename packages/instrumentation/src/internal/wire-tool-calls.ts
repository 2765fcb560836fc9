// Tool calls seen on the wire: the model asks for them in one answer, the next request of the run carries their results.
import { SpanKind, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { GenAiAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { Message, MessagePart } from '../gen-ai-types.js';
import { markRedactedContent, redactedJson } from './gen-ai-content.js';
import type { MaskTally } from './gen-ai-content.js';
import { endSpan } from './recorder-core.js';
import type { RunState, StepState } from './recorder-core.js';

/** A run remembers at most this many asked-for tool calls (and explicitly recorded call ids). */
const MAX_REMEMBERED = 128;

/** A tool call the model asked for, waiting for its result to show up in a later request. */
export interface PendingToolCall {
  readonly name: string;
  /** Kept under the `full` content policy only. */
  readonly arguments: unknown;
  /** When the answer asking for it ended (a `performance.now()` reading). */
  readonly askedAt: number;
  readonly step: StepState;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_REMEMBERED) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

/** Notes a tool call id the application records itself (`run.tool({ callId })`): the wire then leaves it alone. */
export function noteExplicitToolCall(run: RunState, callId: string): void {
  run.explicitToolCalls ??= new Map();
  remember(run.explicitToolCalls, callId, true);
}

/**
 * The key of a tool call that has no id (Gemini's function calls may have none): its name and
 * its place among the calls of that name in one answer, which the results of the next request
 * repeat in the same order. Never equal to a real id (ids hold no NUL).
 */
function unnamedCallKey(name: string, ordinals: Map<string, number>): string {
  const ordinal = ordinals.get(name) ?? 0;
  ordinals.set(name, ordinal + 1);
  return `${name}\u0000${ordinal}`;
}

/** Notes the tool calls of an answer; `askedAt` is when it ended. */
export function noteAskedToolCalls(step: StepState, content: readonly MessagePart[] | undefined, askedAt: number): void {
  if (content === undefined || !step.recording) return;
  const full = step.core.settings.contentPolicy === 'full';
  let ordinals: Map<string, number> | undefined;
  for (const part of content) {
    if (part.type !== 'tool-call' || part.name === '') continue;
    const key = part.id !== '' ? part.id : unnamedCallKey(part.name, (ordinals ??= new Map<string, number>()));
    const run = step.run;
    run.pendingToolCalls ??= new Map();
    remember(run.pendingToolCalls, key, { name: part.name, arguments: full ? part.arguments : undefined, askedAt, step });
  }
}

/**
 * Records the tool calls whose results a request carries, for calls the run's model asked for
 * and the application did not record itself: one tool span each, from the answer that asked for
 * it to `sentAt`, the time the request with its result was sent.
 */
export function recordAnsweredToolCalls(run: RunState, messages: readonly Message[] | undefined, sentAt: number): void {
  const pending = run.pendingToolCalls;
  if (messages === undefined || pending === undefined || pending.size === 0 || !run.recording || run.ended) return;
  // Results without an id answer the latest answer only: they follow its message, in its order.
  let latestAnswer = -1;
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]!.role === 'assistant') {
      latestAnswer = index;
      break;
    }
  }
  let ordinals: Map<string, number> | undefined;
  for (let index = 0; index < messages.length; index++) {
    for (const part of messages[index]!.parts) {
      if (part.type !== 'tool-result') continue;
      let key = part.id;
      if (key === '') {
        if (index < latestAnswer || part.name === undefined || part.name === '') continue;
        key = unnamedCallKey(part.name, (ordinals ??= new Map<string, number>()));
      }
      const call = pending.get(key);
      if (call === undefined) continue;
      pending.delete(key);
      if (part.id !== '' && run.explicitToolCalls?.has(part.id) === true) continue;
      recordToolSpan(run, part.id === '' ? undefined : part.id, call, part.result, part.isError === true, sentAt);
    }
  }
}

/** `callId`: the call's id, when it has one. */
function recordToolSpan(run: RunState, callId: string | undefined, call: PendingToolCall, result: unknown, failed: boolean, sentAt: number): void {
  const settings = run.core.settings;
  const attributes: Attributes = {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL,
    [RuntraceAttributes.STATUS]: 'in_progress',
    [RuntraceAttributes.RUN_ID]: run.id,
    [RuntraceAttributes.STEP_ID]: call.step.id,
    [RuntraceAttributes.TOOL_FROM_WIRE]: true,
    [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    [GenAiAttributes.TOOL_NAME]: call.name,
  };
  if (callId !== undefined) attributes[GenAiAttributes.TOOL_CALL_ID] = callId;
  const tally: MaskTally = { masked: 0 };
  if (settings.contentPolicy === 'full') {
    if (call.arguments !== undefined) attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS] = redactedJson(call.arguments, settings.redactor, tally);
    if (result !== undefined) attributes[GenAiAttributes.TOOL_CALL_RESULT] = redactedJson(result, settings.redactor, tally);
  }
  if (tally.masked > 0) attributes[RuntraceAttributes.REDACTION_MASKED_COUNT] = tally.masked;
  const span = run.core.startSpan(
    `execute_tool ${call.name}`,
    { kind: SpanKind.INTERNAL, startTime: call.askedAt },
    attributes,
    undefined,
    trace.setSpan(run.context, call.step.span),
    true,
  );
  markRedactedContent(span, settings.redactor, attributes);
  endSpan(span, failed ? { status: 'error', errorType: 'tool_error' } : { status: 'completed' }, settings.redactor, Math.max(call.askedAt, sentAt));
}

/**
 * A model call made outside any run may carry the results of tool calls that the answer of an
 * earlier such call asked for (an agent loop with no code of runtrace's: the AI SDK's tools,
 * LangChain's, a hand-written loop). The earlier call's run, which waits for them
 * (`RunState.toolWait`), gets its tool calls — from its answer to `sentAt` — and ends; both runs
 * then share one conversation, so the loop reads as one conversation of calls.
 */
export function continueWaitingRuns(step: StepState, messages: readonly Message[] | undefined, sentAt: number): void {
  const waits = step.core.toolWaits;
  if (messages === undefined || waits.size === 0 || !step.recording) return;
  let continued: RunState[] | undefined;
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.type !== 'tool-result' || part.id === '') continue;
      const run = waits.get(part.id);
      if (run === undefined || run === step.run || continued?.includes(run) === true) continue;
      (continued ??= []).push(run);
    }
  }
  if (continued === undefined) return;
  for (const run of continued) {
    recordAnsweredToolCalls(run, messages, sentAt);
    joinConversation(run, step.run);
    run.finishWaiting(sentAt);
  }
}

/** The conversation a run is in: its own, the one it joined, else none. */
function conversationOf(run: RunState): string | undefined {
  return run.conversationId ?? run.linkedConversation;
}

/** Puts `later` in the conversation of `earlier`, which gets one (named after its own id) when it has none. */
function joinConversation(earlier: RunState, later: RunState): void {
  let conversation = conversationOf(earlier);
  if (conversation === undefined) {
    conversation = earlier.id;
    setConversation(earlier, conversation);
  }
  if (conversationOf(later) === undefined) setConversation(later, conversation);
}

function setConversation(run: RunState, conversation: string): void {
  run.linkedConversation = conversation;
  if (!run.recording) return;
  run.span.setAttribute(GenAiAttributes.CONVERSATION_ID, conversation);
  run.span.setAttribute(RuntraceAttributes.RUN_ROOT_CONVERSATION_ID, conversation);
}
