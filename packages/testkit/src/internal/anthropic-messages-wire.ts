// Builds Anthropic Messages response documents and stream events for the mock server.

/** A `tool_use` block the mock model answers with. */
export interface MockAnthropicToolUse {
  /** Block id. Default: `toolu_mock_<n>`. */
  readonly id?: string;
  /** Tool name. */
  readonly name: string;
  /** The tool input. Default: `{}`. */
  readonly input?: Readonly<Record<string, unknown>>;
  /** The `partial_json` pieces of a streamed input. Default: `''`, then the input's JSON split in two. */
  readonly partialJson?: readonly string[];
}

/** Token usage the mock server reports, split as the Messages API splits it. */
export interface MockAnthropicUsage {
  /** `input_tokens`: input that was neither read from nor written to the cache. Default: 10. */
  readonly inputTokens?: number;
  /** `output_tokens` at the end of the answer. Default: one per thinking or text piece and per tool use (at least 1). */
  readonly outputTokens?: number;
  /** `cache_read_input_tokens`. Default: 0. */
  readonly cacheReadInputTokens?: number;
  /** `cache_creation_input_tokens`. Default: 0. */
  readonly cacheCreationInputTokens?: number;
  /** `output_tokens` in `message_start` (the API sends a small first count). Default: 1. */
  readonly initialOutputTokens?: number;
  /**
   * `message_delta` repeats the input and cache counts beside the output count, as the current
   * API does (the counts are cumulative, never increments). `false` sends `output_tokens` only,
   * as older API versions did. Default: `true`.
   */
  readonly repeatInputInDelta?: boolean;
}

/** Everything needed to write one message, resolved from a scenario and the request. */
export interface MessagePlan {
  readonly id: string;
  readonly model: string;
  readonly thinking: readonly string[];
  readonly pieces: readonly string[];
  readonly toolUses: readonly MockAnthropicToolUse[];
  readonly stopReason: string;
  /** `null`: the answer carries no usage at all. */
  readonly usage: MockAnthropicUsage | null;
  /** Send a `ping` event after the first `content_block_start`, as the API does. */
  readonly ping: boolean;
}

const SIGNATURE = 'EqQBCkYIBxgCKkBtb2NrLXNpZ25hdHVyZQ==';

function toolUseId(tool: MockAnthropicToolUse, index: number): string {
  return tool.id ?? `toolu_mock_${index + 1}`;
}

function outputTokens(plan: MessagePlan, usage: MockAnthropicUsage): number {
  return usage.outputTokens ?? Math.max(1, plan.thinking.length + plan.pieces.length + plan.toolUses.length);
}

function usageDocument(plan: MessagePlan, output: number): Record<string, unknown> | undefined {
  const usage = plan.usage;
  if (usage === null) return undefined;
  return {
    input_tokens: usage.inputTokens ?? 10,
    cache_creation_input_tokens: usage.cacheCreationInputTokens ?? 0,
    cache_read_input_tokens: usage.cacheReadInputTokens ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheCreationInputTokens ?? 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  };
}

function deltaUsage(plan: MessagePlan): Record<string, unknown> | undefined {
  const usage = plan.usage;
  if (usage === null) return undefined;
  const output = outputTokens(plan, usage);
  if (usage.repeatInputInDelta === false) return { output_tokens: output };
  return {
    input_tokens: usage.inputTokens ?? 10,
    cache_creation_input_tokens: usage.cacheCreationInputTokens ?? 0,
    cache_read_input_tokens: usage.cacheReadInputTokens ?? 0,
    output_tokens: output,
  };
}

function withUsage(document: Record<string, unknown>, usage: Record<string, unknown> | undefined): Record<string, unknown> {
  return usage === undefined ? document : { ...document, usage };
}

/** The JSON document of a non-streamed message. */
export function messageDocument(plan: MessagePlan): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (plan.thinking.length > 0) content.push({ type: 'thinking', thinking: plan.thinking.join(''), signature: SIGNATURE });
  const text = plan.pieces.join('');
  if (text !== '') content.push({ type: 'text', text });
  plan.toolUses.forEach((tool, index) => {
    content.push({ type: 'tool_use', id: toolUseId(tool, index), name: tool.name, input: tool.input ?? {} });
  });
  const document = { id: plan.id, type: 'message', role: 'assistant', model: plan.model, content, stop_reason: plan.stopReason, stop_sequence: null };
  return withUsage(document, plan.usage === null ? undefined : usageDocument(plan, outputTokens(plan, plan.usage)));
}

/** One server-sent event: its `event` name and its `data` object (whose `type` repeats the name). */
export interface MessageEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

function partialJson(tool: MockAnthropicToolUse): readonly string[] {
  if (tool.partialJson !== undefined) return tool.partialJson;
  const json = JSON.stringify(tool.input ?? {});
  const middle = Math.floor(json.length / 2);
  return ['', json.slice(0, middle), json.slice(middle)];
}

/** The events of a streamed message, in the order the API sends them. */
export function messageEvents(plan: MessagePlan): MessageEvent[] {
  const events: MessageEvent[] = [];
  const add = (data: Record<string, unknown> & { readonly type: string }): void => {
    events.push({ event: data.type, data });
  };
  const start = { id: plan.id, type: 'message', role: 'assistant', model: plan.model, content: [], stop_reason: null, stop_sequence: null };
  add({ type: 'message_start', message: withUsage(start, plan.usage === null ? undefined : usageDocument(plan, plan.usage.initialOutputTokens ?? 1)) });
  let index = 0;
  const block = (contentBlock: Record<string, unknown>, deltas: readonly Record<string, unknown>[]): void => {
    add({ type: 'content_block_start', index, content_block: contentBlock });
    if (index === 0 && plan.ping) add({ type: 'ping' });
    for (const delta of deltas) add({ type: 'content_block_delta', index, delta });
    add({ type: 'content_block_stop', index });
    index += 1;
  };
  if (plan.thinking.length > 0) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...plan.thinking.map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature: SIGNATURE },
    ]);
  }
  if (plan.pieces.length > 0) {
    block(
      { type: 'text', text: '' },
      plan.pieces.map((text) => ({ type: 'text_delta', text })),
    );
  }
  plan.toolUses.forEach((tool, toolIndex) => {
    block(
      { type: 'tool_use', id: toolUseId(tool, toolIndex), name: tool.name, input: {} },
      partialJson(tool).map((partial) => ({ type: 'input_json_delta', partial_json: partial })),
    );
  });
  add(withUsage({ type: 'message_delta', delta: { stop_reason: plan.stopReason, stop_sequence: null } }, deltaUsage(plan)) as { type: string });
  add({ type: 'message_stop' });
  return events;
}

/** The error `type` the API uses for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
