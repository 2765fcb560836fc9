// The default inspector of one wrapped stream: OpenAI and AI SDK chunks, and the Anthropic and Gemini SDKs' events read with the wire parsers.
import type { StreamChunkInfo } from '../stream-chunk-info.js';
import { inspectChunk } from '../stream-chunk-info.js';
import { MAX_STREAM_TEXT_BYTES } from './bounds.js';
import { AnthropicMessagesResponse } from './wire/anthropic-messages-response.js';
import { GeminiResponse } from './wire/gemini-response.js';
import { arrayField, field, isRecord, numberField, stringField } from './wire/json-value.js';
import { ResponseBuilder } from './wire/response-builder.js';
import type { WireMessageHandler } from './wire/wire-body-parser.js';

type Info = { -readonly [K in keyof StreamChunkInfo]: StreamChunkInfo[K] };

/** The events of an Anthropic Messages stream, as the `@anthropic-ai/sdk` yields them (the wire's own objects). */
const ANTHROPIC_EVENTS = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping']);

function isAnthropicEvent(chunk: Record<string, unknown>): boolean {
  const type = chunk['type'];
  return typeof type === 'string' && ANTHROPIC_EVENTS.has(type);
}

/** A Gemini GenerateContentResponse (the `@google/genai` SDK's stream chunks, or parsed wire chunks). */
function isGeminiChunk(chunk: Record<string, unknown>): boolean {
  return Array.isArray(chunk['candidates']) || isRecord(chunk['usageMetadata']) || isRecord(chunk['promptFeedback']);
}

function anthropicInfo(chunk: Record<string, unknown>, builder: ResponseBuilder): Info | undefined {
  const info: Info = {};
  switch (chunk['type']) {
    case 'message_start': {
      const message = field(chunk, 'message');
      const model = stringField(message, 'model');
      const id = stringField(message, 'id');
      if (model !== undefined) info.model = model;
      if (id !== undefined) info.id = id;
      break;
    }
    case 'content_block_start': {
      const block = field(chunk, 'content_block');
      const index = numberField(chunk, 'index') ?? 0;
      if (stringField(block, 'type') === 'tool_use') {
        const delta: { index: number; id?: string; name?: string } = { index };
        const id = stringField(block, 'id');
        const name = stringField(block, 'name');
        if (id !== undefined) delta.id = id;
        if (name !== undefined) delta.name = name;
        info.toolCallDelta = delta;
      } else {
        const text = stringField(block, 'text');
        if (text !== undefined && text !== '') info.text = text;
      }
      break;
    }
    case 'content_block_delta': {
      const delta = field(chunk, 'delta');
      switch (stringField(delta, 'type')) {
        case 'text_delta':
          info.text = stringField(delta, 'text') ?? '';
          break;
        case 'thinking_delta':
          info.reasoning = stringField(delta, 'thinking') ?? '';
          break;
        case 'input_json_delta':
          info.toolCallDelta = { index: numberField(chunk, 'index') ?? 0, arguments: stringField(delta, 'partial_json') ?? '' };
          break;
        case undefined:
        default:
          break;
      }
      break;
    }
    case 'message_delta': {
      const reason = stringField(field(chunk, 'delta'), 'stop_reason');
      if (reason !== undefined) info.finishReason = reason;
      break;
    }
    default:
      break;
  }
  // The usage is split over message_start and message_delta: the builder keeps each count's latest value.
  if (chunk['type'] === 'message_start' || chunk['type'] === 'message_delta') {
    const usage = builder.build().usage;
    if (usage !== undefined) info.usage = usage;
  }
  if (info.text !== undefined) info.bytes = Buffer.byteLength(info.text);
  return info;
}

function geminiInfo(chunk: Record<string, unknown>, builder: ResponseBuilder): Info {
  const info: Info = {};
  const candidate = arrayField(chunk, 'candidates')?.[0];
  const parts = arrayField(field(candidate, 'content'), 'parts') ?? [];
  let text = '';
  let reasoning = '';
  for (const part of parts) {
    const partText = stringField(part, 'text');
    if (partText !== undefined) {
      if (field(part, 'thought') === true) reasoning += partText;
      else text += partText;
    }
    const call = field(part, 'functionCall');
    if (isRecord(call) && info.toolCall === undefined) {
      const args = field(call, 'args');
      info.toolCall = { id: stringField(call, 'id') ?? '', name: stringField(call, 'name') ?? '', ...(args === undefined ? {} : { arguments: JSON.stringify(args) }) };
    }
  }
  if (text !== '') {
    info.text = text;
    info.bytes = Buffer.byteLength(text);
  }
  if (reasoning !== '') info.reasoning = reasoning;
  const reason = stringField(candidate, 'finishReason') ?? stringField(field(chunk, 'promptFeedback'), 'blockReason');
  if (reason !== undefined) info.finishReason = reason;
  const model = stringField(chunk, 'modelVersion');
  const id = stringField(chunk, 'responseId');
  if (model !== undefined) info.model = model;
  if (id !== undefined) info.id = id;
  // Cumulative and repeated on every chunk: the builder keeps the last.
  if (isRecord(chunk['usageMetadata'])) {
    const usage = builder.build().usage;
    if (usage !== undefined) info.usage = usage;
  }
  const error = field(chunk, 'error');
  if (isRecord(error)) info.error = new Error(stringField(error, 'message') ?? 'stream error');
  return info;
}

/**
 * An inspector for one stream: what {@link inspectChunk} understands, plus the events of the
 * Anthropic SDK (usage split over `message_start` and `message_delta`, never added) and Gemini
 * response chunks (cumulative usage, never summed), read with the same parsers as the wire, so a
 * stream of either that ends without its finish is recognized as cut short.
 */
export function createStreamInspector(): (chunk: unknown) => StreamChunkInfo | undefined {
  let wire: { readonly builder: ResponseBuilder; readonly handler: WireMessageHandler; readonly anthropic: boolean } | undefined;
  return (chunk) => {
    const known = inspectChunk(chunk);
    if (known !== undefined || !isRecord(chunk)) return known;
    const anthropic = isAnthropicEvent(chunk);
    if (!anthropic && !isGeminiChunk(chunk)) return undefined;
    if (wire === undefined) {
      const builder = new ResponseBuilder(MAX_STREAM_TEXT_BYTES);
      wire = { builder, anthropic, handler: anthropic ? new AnthropicMessagesResponse(builder) : new GeminiResponse(builder) };
    }
    if (wire.anthropic !== anthropic) return undefined;
    wire.handler.message(typeof chunk['type'] === 'string' ? chunk['type'] : 'message', chunk, '');
    return anthropic ? anthropicInfo(chunk, wire.builder) : geminiInfo(chunk, wire.builder);
  };
}
