// Builds OpenAI Responses API documents and stream events for the mock server.
import type { MockToolCall, MockUsage } from './chat-completion-wire.js';
import { toolCallId, usageCounts } from './chat-completion-wire.js';
import { field } from './scripted-server.js';

/** Everything needed to write one Response, resolved from a scenario and the request. */
export interface ResponsePlan {
  /** `resp_…`; the output items' ids reuse what follows `resp_`. */
  readonly id: string;
  readonly createdAt: number;
  readonly model: string;
  /** Text pieces: one `response.output_text.delta` each. No message item when empty. */
  readonly pieces: readonly string[];
  readonly toolCalls: readonly MockToolCall[];
  /** `undefined`: `completed`; else the response is `incomplete` for this `incomplete_details.reason`. */
  readonly incompleteReason: string | undefined;
  /** `null`: the final response carries no `usage`. */
  readonly usage: MockUsage | null;
  /** The request body, for the fields a Response repeats (instructions, tools, options). */
  readonly request: unknown;
}

/** One server-sent event: its `event` name and its `data` object (whose `type` repeats the name). */
export interface ResponseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * The `incomplete_details.reason` a chat-style `finishReason` stands for: `length` (or
 * `max_output_tokens`) and `content_filter` end the response `incomplete`; anything else completes it.
 *
 * @example
 * incompleteReasonOf('length'); // 'max_output_tokens'
 */
export function incompleteReasonOf(finishReason: string | undefined): string | undefined {
  if (finishReason === 'length' || finishReason === 'max_output_tokens') return 'max_output_tokens';
  return finishReason === 'content_filter' ? 'content_filter' : undefined;
}

function itemSuffix(plan: ResponsePlan): string {
  return plan.id.startsWith('resp_') ? plan.id.slice('resp_'.length) : plan.id;
}

function messageId(plan: ResponsePlan): string {
  return `msg_${itemSuffix(plan)}`;
}

function functionCallId(plan: ResponsePlan, index: number): string {
  return `fc_${itemSuffix(plan)}_${index + 1}`;
}

function usageDocument(plan: ResponsePlan): Record<string, unknown> | undefined {
  if (plan.usage === null) return undefined;
  const counts = usageCounts(plan.usage, plan.pieces.length);
  return {
    input_tokens: counts.input,
    input_tokens_details: { cached_tokens: counts.cached },
    output_tokens: counts.output,
    output_tokens_details: { reasoning_tokens: counts.reasoning },
    total_tokens: counts.input + counts.output,
  };
}

/** A field of the request, or `fallback` when the request does not give it. */
function echo(plan: ResponsePlan, key: string, fallback: unknown): unknown {
  return field(plan.request, key) ?? fallback;
}

type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function messageItem(plan: ResponsePlan, status: ItemStatus, content: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { id: messageId(plan), type: 'message', status, role: 'assistant', content };
}

function functionCallItem(plan: ResponsePlan, index: number, status: ItemStatus, callArguments: string): Record<string, unknown> {
  const call = plan.toolCalls[index]!;
  return { id: functionCallId(plan, index), type: 'function_call', status, arguments: callArguments, call_id: toolCallId(call, index), name: call.name };
}

/** The finished output items; in an incomplete response the last one is `incomplete` (the output stopped there). */
function outputItems(plan: ResponsePlan): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const text = plan.pieces.join('');
  if (plan.pieces.length > 0) items.push(messageItem(plan, 'completed', [outputText(text)]));
  plan.toolCalls.forEach((call, index) => items.push(functionCallItem(plan, index, 'completed', call.arguments ?? '{}')));
  const last = items.at(-1);
  if (last !== undefined && plan.incompleteReason !== undefined) items[items.length - 1] = { ...last, status: 'incomplete' };
  return items;
}

/** A Response object: `in_progress` with no output nor usage, or final (completed or incomplete). */
function responseObject(plan: ResponsePlan, final: boolean): Record<string, unknown> {
  const incomplete = final && plan.incompleteReason !== undefined;
  const status = final ? (incomplete ? 'incomplete' : 'completed') : 'in_progress';
  const document: Record<string, unknown> = {
    id: plan.id,
    object: 'response',
    created_at: plan.createdAt,
    status,
    background: false,
    access_programs: null,
    error: null,
    incomplete_details: incomplete ? { reason: plan.incompleteReason } : null,
    instructions: echo(plan, 'instructions', null),
    max_output_tokens: echo(plan, 'max_output_tokens', null),
    model: plan.model,
    output: final ? outputItems(plan) : [],
    parallel_tool_calls: echo(plan, 'parallel_tool_calls', true),
    previous_response_id: echo(plan, 'previous_response_id', null),
    reasoning: { effort: field(field(plan.request, 'reasoning'), 'effort') ?? null, summary: null },
    service_tier: 'default',
    store: echo(plan, 'store', true),
    temperature: echo(plan, 'temperature', 1),
    text: { format: { type: 'text' } },
    tool_choice: echo(plan, 'tool_choice', 'auto'),
    tools: echo(plan, 'tools', []),
    top_p: echo(plan, 'top_p', 1),
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: echo(plan, 'metadata', {}),
  };
  if (!final) return document;
  const usage = usageDocument(plan);
  // An answer without usage leaves the field out, as the API's types allow (`usage?`).
  if (usage === undefined) delete document['usage'];
  else document['usage'] = usage;
  return document;
}

/** The JSON document of a non-streamed Response. */
export function responseDocument(plan: ResponsePlan): Record<string, unknown> {
  return responseObject(plan, true);
}

/** A tool call's arguments as the deltas a stream sends: the JSON cut in two. */
function argumentPieces(callArguments: string): string[] {
  const middle = Math.floor(callArguments.length / 2);
  return middle === 0 ? [callArguments] : [callArguments.slice(0, middle), callArguments.slice(middle)];
}

/**
 * The events of a streamed Response, in the API's order, each with its `sequence_number`:
 * `response.created`, `response.in_progress`, per output item `response.output_item.added` …
 * `response.output_item.done` (a message's content part and text deltas, a function call's
 * argument deltas), then `response.completed` or `response.incomplete` with the usage.
 */
export function responseEvents(plan: ResponsePlan): ResponseEvent[] {
  const events: ResponseEvent[] = [];
  const add = (type: string, fields: Record<string, unknown>): void => {
    events.push({ event: type, data: { type, sequence_number: events.length, ...fields } });
  };
  add('response.created', { response: responseObject(plan, false) });
  add('response.in_progress', { response: responseObject(plan, false) });
  const done = outputItems(plan);
  let outputIndex = 0;
  if (plan.pieces.length > 0) {
    const text = plan.pieces.join('');
    const position = { item_id: messageId(plan), output_index: outputIndex, content_index: 0 };
    add('response.output_item.added', { output_index: outputIndex, item: messageItem(plan, 'in_progress', []) });
    add('response.content_part.added', { ...position, part: outputText('') });
    for (const delta of plan.pieces) add('response.output_text.delta', { ...position, delta, logprobs: [] });
    add('response.output_text.done', { ...position, text, logprobs: [] });
    add('response.content_part.done', { ...position, part: outputText(text) });
    add('response.output_item.done', { output_index: outputIndex, item: done[outputIndex] });
    outputIndex += 1;
  }
  plan.toolCalls.forEach((call, index) => {
    const callArguments = call.arguments ?? '{}';
    const position = { item_id: functionCallId(plan, index), output_index: outputIndex };
    add('response.output_item.added', { output_index: outputIndex, item: functionCallItem(plan, index, 'in_progress', '') });
    for (const delta of argumentPieces(callArguments)) add('response.function_call_arguments.delta', { ...position, delta });
    add('response.function_call_arguments.done', { ...position, arguments: callArguments });
    add('response.output_item.done', { output_index: outputIndex, item: done[outputIndex] });
    outputIndex += 1;
  });
  add(plan.incompleteReason === undefined ? 'response.completed' : 'response.incomplete', { response: responseObject(plan, true) });
  return events;
}
