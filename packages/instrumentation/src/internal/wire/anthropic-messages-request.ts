// Reads an Anthropic Messages request body: system, messages of content blocks, tools and options.
import { Buffer } from 'node:buffer';
import type { MessagePart, NormalizedRequest, ToolDefinition } from '../../gen-ai-types.js';
import { filePart, filePartFromUrl } from './file-part.js';
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import { MessageList } from './message-list.js';
import { requestOptions, stopSequences } from './request-options.js';
import type { WireRequestBody } from './wire-format.js';

/** An image or document block's source as a file part (base64 payloads are measured, not kept). */
function sourcePart(block: unknown, fallbackType: string): MessagePart {
  const source = field(block, 'source');
  const name = stringField(block, 'title');
  const mediaType = stringField(source, 'media_type');
  switch (stringField(source, 'type')) {
    case 'base64':
      return filePart(mediaType ?? fallbackType, { name, base64: stringField(source, 'data') });
    case 'text': {
      const data = stringField(source, 'data');
      const part = filePart(mediaType ?? 'text/plain', { name });
      return data === undefined ? part : { ...part, sizeBytes: Buffer.byteLength(data, 'utf8') };
    }
    case 'url':
      return filePartFromUrl(stringField(source, 'url') ?? '', fallbackType, name);
    case undefined:
    default:
      return filePart(mediaType ?? fallbackType, { name });
  }
}

/** A tool result's content: the string, or the text of its blocks. */
function toolResult(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? undefined;
  return content.map((block) => stringField(block, 'text') ?? '').join('');
}

function addBlock(list: MessageList, role: 'user' | 'assistant', block: unknown): void {
  if (typeof block === 'string') {
    list.add(role, { type: 'text', text: block });
    return;
  }
  switch (stringField(block, 'type')) {
    case 'text':
      list.add(role, { type: 'text', text: stringField(block, 'text') ?? '' });
      return;
    case 'thinking':
      list.add(role, { type: 'reasoning', text: stringField(block, 'thinking') ?? '' });
      return;
    case 'image':
      list.add(role, sourcePart(block, 'image/*'));
      return;
    case 'document':
      list.add(role, sourcePart(block, 'application/pdf'));
      return;
    case 'tool_use':
    case 'server_tool_use': {
      const input = field(block, 'input');
      const id = stringField(block, 'id') ?? '';
      const name = stringField(block, 'name') ?? '';
      list.add(role, input === undefined ? { type: 'tool-call', id, name } : { type: 'tool-call', id, name, arguments: input });
      return;
    }
    case 'tool_result': {
      const part: { type: 'tool-result'; id: string; result?: unknown; isError?: boolean } = { type: 'tool-result', id: stringField(block, 'tool_use_id') ?? '' };
      const result = toolResult(field(block, 'content'));
      if (result !== undefined) part.result = result;
      if (field(block, 'is_error') === true) part.isError = true;
      list.add('tool', part);
      return;
    }
    case undefined:
    default:
      // redacted_thinking, search results and server tool results say nothing recordable here.
      return;
  }
}

/**
 * Reads a Messages request: `system` (text or text blocks) becomes a system message; a user
 * message's `tool_result` blocks become a `tool` message.
 *
 * @example
 * parseAnthropicMessagesRequest({ model: 'claude-sonnet-4-5', max_tokens: 1024, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
 * // { model: 'claude-sonnet-4-5', request: { messages: [system, user], options: { maxOutputTokens: 1024 } } }
 */
export function parseAnthropicMessagesRequest(body: unknown): WireRequestBody {
  const request: { -readonly [K in keyof NormalizedRequest]: NormalizedRequest[K] } = {};
  const list = new MessageList();
  let any = false;
  const system = field(body, 'system');
  if (typeof system === 'string') {
    list.begin('system');
    list.add('system', { type: 'text', text: system });
    any = true;
  } else if (Array.isArray(system)) {
    list.begin('system');
    for (const block of system) list.add('system', { type: 'text', text: stringField(block, 'text') ?? '' });
    any = true;
  }
  const messages = arrayField(body, 'messages');
  if (messages !== undefined) {
    any = true;
    for (const message of messages) {
      if (!isRecord(message)) continue;
      const role = stringField(message, 'role') === 'assistant' ? 'assistant' : 'user';
      list.begin(role);
      const content = field(message, 'content');
      if (typeof content === 'string') list.add(role, { type: 'text', text: content });
      else if (Array.isArray(content)) for (const block of content) addBlock(list, role, block);
    }
  }
  if (any) request.messages = list.messages();
  const tools: ToolDefinition[] = [];
  for (const tool of arrayField(body, 'tools') ?? []) {
    const name = stringField(tool, 'name');
    if (name === undefined) continue;
    const definition: { name: string; description?: string; parameters?: unknown } = { name };
    const description = stringField(tool, 'description');
    if (description !== undefined) definition.description = description;
    const schema = field(tool, 'input_schema');
    if (schema !== undefined && schema !== null) definition.parameters = schema;
    tools.push(definition);
  }
  if (tools.length > 0) request.tools = tools;
  const options = requestOptions({
    maxOutputTokens: numberField(body, 'max_tokens'),
    temperature: numberField(body, 'temperature'),
    topP: numberField(body, 'top_p'),
    topK: numberField(body, 'top_k'),
    stopSequences: stopSequences(field(body, 'stop_sequences')),
  });
  if (options !== undefined) request.options = options;
  const result: { -readonly [K in keyof WireRequestBody]: WireRequestBody[K] } = { request };
  const model = stringField(body, 'model');
  if (model !== undefined) result.model = model;
  const stream = field(body, 'stream');
  if (typeof stream === 'boolean') result.stream = stream;
  return result;
}
