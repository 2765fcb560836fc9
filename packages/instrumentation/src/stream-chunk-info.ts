// What the stream wrapper learns from one chunk; the default inspector understands common chunk shapes.
import type { TokenUsage } from '@runtrace/core';
import { compactUsage } from './internal/wire/compact-usage.js';
import { openAiUsage } from './internal/wire/openai-usage.js';

/**
 * What one stream chunk says. Return it from a custom `inspect` function passed to
 * `step.wrapStream(source, { inspect })`; every field is optional.
 *
 * @example
 * step.wrapStream(myStream, {
 *   inspect: (event) => (event.kind === 'delta' ? { text: event.text } : event.kind === 'end' ? { finishReason: 'stop' } : {}),
 * });
 */
export interface StreamChunkInfo {
  /** Text the chunk adds to the answer. */
  readonly text?: string;
  /** Reasoning text the chunk adds. */
  readonly reasoning?: string;
  /** A finish arrived (the stream completed normally once it ends). */
  readonly finishReason?: string;
  /** Token usage, when the chunk reports it. */
  readonly usage?: TokenUsage;
  /** Model that answered. */
  readonly model?: string;
  /** Provider's response id. */
  readonly id?: string;
  /** An error the stream reported in-band (for example an AI SDK `error` part). */
  readonly error?: unknown;
  /** A complete tool call. */
  readonly toolCall?: { readonly id: string; readonly name: string; readonly arguments?: string };
  /** A tool-call fragment (OpenAI chat deltas), merged by `index`. */
  readonly toolCallDelta?: { readonly index: number; readonly id?: string; readonly name?: string; readonly arguments?: string };
  /** Bytes the chunk carried (defaults to the UTF-8 size of strings and the length of byte arrays). */
  readonly bytes?: number;
}

/** Reads a property of an unknown object. */
function get(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Token usage from an AI SDK usage object (nested v4 shape or flat v2 shape). */
export function aiSdkUsage(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const input = get(usage, 'inputTokens');
  const output = get(usage, 'outputTokens');
  if (typeof input === 'object' || typeof output === 'object') {
    return compactUsage({
      inputTokens: num(get(input, 'total')),
      outputTokens: num(get(output, 'total')),
      reasoningTokens: num(get(output, 'reasoning')),
      cacheReadTokens: num(get(input, 'cacheRead')),
      cacheCreationTokens: num(get(input, 'cacheWrite')),
    });
  }
  return compactUsage({
    inputTokens: num(input),
    outputTokens: num(output),
    reasoningTokens: num(get(usage, 'reasoningTokens')),
    cacheReadTokens: num(get(usage, 'cachedInputTokens')),
    cacheCreationTokens: undefined,
  });
}

/** An AI SDK finish reason (`{ unified, raw }` or a string) as the provider's string. */
export function aiSdkFinishReason(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  return str(get(reason, 'raw')) ?? str(get(reason, 'unified'));
}

/**
 * The default chunk inspector: OpenAI chat-completion chunks, AI SDK stream parts, strings and
 * byte arrays. Returns `undefined` for chunks it does not understand.
 */
export function inspectChunk(chunk: unknown): StreamChunkInfo | undefined {
  if (typeof chunk === 'string') return { text: chunk, bytes: Buffer.byteLength(chunk) };
  if (chunk instanceof Uint8Array) return { bytes: chunk.byteLength };
  if (typeof chunk !== 'object' || chunk === null) return undefined;
  const object = get(chunk, 'object');
  if (object === 'chat.completion.chunk') {
    const choice = (get(chunk, 'choices') as unknown[] | undefined)?.[0];
    const delta = get(choice, 'delta');
    const info: {
      -readonly [K in keyof StreamChunkInfo]: StreamChunkInfo[K];
    } = {};
    const text = str(get(delta, 'content'));
    if (text !== undefined && text !== '') info.text = text;
    const reasoning = str(get(delta, 'reasoning_content')) ?? str(get(delta, 'reasoning'));
    if (reasoning !== undefined && reasoning !== '') info.reasoning = reasoning;
    const finishReason = str(get(choice, 'finish_reason'));
    if (finishReason !== undefined) info.finishReason = finishReason;
    const usage = openAiUsage(get(chunk, 'usage'));
    if (usage !== undefined) info.usage = usage;
    const model = str(get(chunk, 'model'));
    if (model !== undefined) info.model = model;
    const id = str(get(chunk, 'id'));
    if (id !== undefined) info.id = id;
    const call = (get(delta, 'tool_calls') as unknown[] | undefined)?.[0];
    if (call !== undefined) {
      const fn = get(call, 'function');
      const fragment: { index: number; id?: string; name?: string; arguments?: string } = { index: num(get(call, 'index')) ?? 0 };
      const callId = str(get(call, 'id'));
      if (callId !== undefined) fragment.id = callId;
      const name = str(get(fn, 'name'));
      if (name !== undefined) fragment.name = name;
      const args = str(get(fn, 'arguments'));
      if (args !== undefined) fragment.arguments = args;
      info.toolCallDelta = fragment;
    }
    if (info.text !== undefined) info.bytes = Buffer.byteLength(info.text);
    return info;
  }
  switch (get(chunk, 'type')) {
    case 'text-delta': {
      const text = str(get(chunk, 'delta')) ?? str(get(chunk, 'textDelta')) ?? '';
      return { text, bytes: Buffer.byteLength(text) };
    }
    case 'reasoning-delta': {
      const reasoning = str(get(chunk, 'delta')) ?? '';
      return { reasoning, bytes: Buffer.byteLength(reasoning) };
    }
    case 'tool-call': {
      const input = get(chunk, 'input') ?? get(chunk, 'args');
      const toolCall: { id: string; name: string; arguments?: string } = {
        id: str(get(chunk, 'toolCallId')) ?? '',
        name: str(get(chunk, 'toolName')) ?? '',
      };
      if (input !== undefined) toolCall.arguments = typeof input === 'string' ? input : JSON.stringify(input);
      return { toolCall };
    }
    case 'response-metadata': {
      const info: { id?: string; model?: string } = {};
      const id = str(get(chunk, 'id'));
      if (id !== undefined) info.id = id;
      const model = str(get(chunk, 'modelId'));
      if (model !== undefined) info.model = model;
      return info;
    }
    case 'finish': {
      const info: { finishReason: string; usage?: TokenUsage } = {
        finishReason: aiSdkFinishReason(get(chunk, 'finishReason')) ?? 'unknown',
      };
      const usage = aiSdkUsage(get(chunk, 'usage'));
      if (usage !== undefined) info.usage = usage;
      return info;
    }
    case 'error':
      return { error: get(chunk, 'error') ?? new Error('stream error') };
    default:
      return undefined;
  }
}
