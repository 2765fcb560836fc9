// Tool calls seen on the wire: the model asks for them in one answer, the next request of the run carries their results.
import { SpanKind, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { GenAiAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { Message, MessagePart } from '../gen-ai-types.js';
import { redactedJson } from './gen-ai-content.js';
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

/** Notes the tool calls of an answer; `askedAt` is when it ended. */
export function noteAskedToolCalls(step: StepState, content: readonly MessagePart[] | undefined, askedAt: number): void {
  if (content === undefined || !step.recording) return;
  const full = step.core.settings.contentPolicy === 'full';
  for (const part of content) {
    if (part.type !== 'tool-call' || part.id === '' || part.name === '') continue;
    const run = step.run;
    run.pendingToolCalls ??= new Map();
    remember(run.pendingToolCalls, part.id, { name: part.name, arguments: full ? part.arguments : undefined, askedAt, step });
  }
}

/**
 * Records the tool calls whose results a request carries, for calls the run's model asked for
 * and the application did not record itself: one tool span each, from the answer that asked for
 * it to `sentAt`, the time the request with its result was sent.
 */
export function recordAnsweredToolCalls(step: StepState, messages: readonly Message[] | undefined, sentAt: number): void {
  const run = step.run;
  const pending = run.pendingToolCalls;
  if (messages === undefined || pending === undefined || pending.size === 0 || !run.recording || run.ended) return;
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.type !== 'tool-result') continue;
      const call = pending.get(part.id);
      if (call === undefined) continue;
      pending.delete(part.id);
      if (run.explicitToolCalls?.has(part.id) === true) continue;
      recordToolSpan(run, part.id, call, part.result, part.isError === true, sentAt);
    }
  }
}

function recordToolSpan(run: RunState, callId: string, call: PendingToolCall, result: unknown, failed: boolean, sentAt: number): void {
  const settings = run.core.settings;
  const attributes: Attributes = {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL,
    [RuntraceAttributes.STATUS]: 'in_progress',
    [RuntraceAttributes.RUN_ID]: run.id,
    [RuntraceAttributes.STEP_ID]: call.step.id,
    [RuntraceAttributes.TOOL_FROM_WIRE]: true,
    [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    [GenAiAttributes.TOOL_NAME]: call.name,
    [GenAiAttributes.TOOL_CALL_ID]: callId,
  };
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
  endSpan(span, failed ? { status: 'error', errorType: 'tool_error' } : { status: 'completed' }, settings.redactor, Math.max(call.askedAt, sentAt));
}
