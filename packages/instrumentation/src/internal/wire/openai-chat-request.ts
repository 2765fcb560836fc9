// Reads an OpenAI Chat Completions request body (also the wire of OpenAI-compatible servers and Azure OpenAI).
import type { Message, MessagePart, NormalizedRequest, ToolDefinition } from '../../gen-ai-types.js';
import { filePart, filePartFromUrl } from './file-part.js';
import { arrayField, asString, field, isRecord, numberField, stringField } from './json-value.js';
import { MessageList } from './message-list.js';
import { parseToolArguments } from './parse-tool-arguments.js';
import { requestOptions, stopSequences } from './request-options.js';
import type { WireRequestBody } from './wire-format.js';

type Role = Message['role'];

function roleOf(role: string | undefined): Role {
  switch (role) {
    case 'system':
    case 'developer':
      return 'system';
    case 'assistant':
      return 'assistant';
    case 'tool':
    case 'function':
      return 'tool';
    case undefined:
    default:
      return 'user';
  }
}

/** One content part of a message; `undefined` for kinds that say nothing recordable. */
function contentPart(part: unknown): MessagePart | undefined {
  if (typeof part === 'string') return { type: 'text', text: part };
  switch (stringField(part, 'type')) {
    case 'text':
      return { type: 'text', text: stringField(part, 'text') ?? '' };
    case 'refusal':
      return { type: 'text', text: stringField(part, 'refusal') ?? '' };
    case 'image_url': {
      const image = field(part, 'image_url');
      const url = stringField(image, 'url') ?? asString(image) ?? '';
      return filePartFromUrl(url, 'image/*');
    }
    case 'input_audio': {
      const audio = field(part, 'input_audio');
      const format = stringField(audio, 'format');
      return filePart(format === undefined ? 'audio/*' : `audio/${format}`, { base64: stringField(audio, 'data') });
    }
    case 'file': {
      const file = field(part, 'file');
      const name = stringField(file, 'filename');
      const data = stringField(file, 'file_data');
      return data === undefined ? filePart('application/octet-stream', { name }) : filePartFromUrl(data, 'application/octet-stream', name);
    }
    case undefined:
    default:
      return undefined;
  }
}

/** The text of a tool message's content (a string, or text parts). */
function toolResult(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? undefined;
  return content.map((part) => (typeof part === 'string' ? part : (stringField(part, 'text') ?? ''))).join('');
}

function addMessage(list: MessageList, message: unknown): void {
  const role = roleOf(stringField(message, 'role'));
  list.begin(role);
  const content = field(message, 'content');
  if (role === 'tool') {
    const id = stringField(message, 'tool_call_id') ?? '';
    const name = stringField(message, 'name');
    const result = toolResult(content);
    const part: { type: 'tool-result'; id: string; name?: string; result?: unknown } = { type: 'tool-result', id };
    if (name !== undefined) part.name = name;
    if (result !== undefined) part.result = result;
    list.add('tool', part);
    return;
  }
  const reasoning = stringField(message, 'reasoning_content') ?? stringField(message, 'reasoning');
  if (role === 'assistant' && reasoning !== undefined && reasoning !== '') list.add(role, { type: 'reasoning', text: reasoning });
  if (typeof content === 'string') {
    list.add(role, { type: 'text', text: content });
  } else if (Array.isArray(content)) {
    for (const item of content) {
      const part = contentPart(item);
      if (part !== undefined) list.add(role, part);
    }
  }
  const refusal = stringField(message, 'refusal');
  if (refusal !== undefined) list.add(role, { type: 'text', text: refusal });
  for (const call of arrayField(message, 'tool_calls') ?? []) {
    const functionSpec = field(call, 'function');
    list.add(role, toolCallPart(stringField(call, 'id') ?? '', stringField(functionSpec, 'name') ?? '', field(functionSpec, 'arguments')));
  }
  const legacyCall = field(message, 'function_call');
  if (isRecord(legacyCall)) list.add(role, toolCallPart('', stringField(legacyCall, 'name') ?? '', field(legacyCall, 'arguments')));
}

function toolCallPart(id: string, name: string, callArguments: unknown): MessagePart {
  const parsed = parseToolArguments(callArguments);
  return parsed === undefined ? { type: 'tool-call', id, name } : { type: 'tool-call', id, name, arguments: parsed };
}

function toolDefinition(functionSpec: unknown): ToolDefinition | undefined {
  const name = stringField(functionSpec, 'name');
  if (name === undefined) return undefined;
  const tool: { name: string; description?: string; parameters?: unknown } = { name };
  const description = stringField(functionSpec, 'description');
  if (description !== undefined) tool.description = description;
  const parameters = field(functionSpec, 'parameters');
  if (parameters !== undefined && parameters !== null) tool.parameters = parameters;
  return tool;
}

/**
 * Reads a Chat Completions request: messages (system and developer as `system`), tools (and the
 * legacy `functions`), and the generation options.
 *
 * @example
 * parseOpenAiChatRequest({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
 * // { model: 'gpt-4o', stream: true, request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] } }
 */
export function parseOpenAiChatRequest(body: unknown): WireRequestBody {
  const request: { -readonly [K in keyof NormalizedRequest]: NormalizedRequest[K] } = {};
  const messages = arrayField(body, 'messages');
  if (messages !== undefined) {
    const list = new MessageList();
    for (const message of messages) addMessage(list, message);
    request.messages = list.messages();
  }
  const tools: ToolDefinition[] = [];
  for (const tool of arrayField(body, 'tools') ?? []) {
    const definition = toolDefinition(field(tool, 'function'));
    if (definition !== undefined) tools.push(definition);
  }
  for (const functionSpec of arrayField(body, 'functions') ?? []) {
    const definition = toolDefinition(functionSpec);
    if (definition !== undefined) tools.push(definition);
  }
  if (tools.length > 0) request.tools = tools;
  const options = requestOptions({
    maxOutputTokens: numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens'),
    temperature: numberField(body, 'temperature'),
    topP: numberField(body, 'top_p'),
    topK: numberField(body, 'top_k'),
    stopSequences: stopSequences(field(body, 'stop')),
    seed: numberField(body, 'seed'),
    presencePenalty: numberField(body, 'presence_penalty'),
    frequencyPenalty: numberField(body, 'frequency_penalty'),
  });
  if (options !== undefined) request.options = options;
  const result: { -readonly [K in keyof WireRequestBody]: WireRequestBody[K] } = { request };
  const model = stringField(body, 'model');
  if (model !== undefined) result.model = model;
  const stream = field(body, 'stream');
  if (typeof stream === 'boolean') result.stream = stream;
  return result;
}
