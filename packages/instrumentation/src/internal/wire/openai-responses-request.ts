// Reads an OpenAI Responses API request body: `input` as text or items, `instructions`, tools and options.
import type { Message, MessagePart, NormalizedRequest, ToolDefinition } from '../../gen-ai-types.js';
import { filePart, filePartFromUrl } from './file-part.js';
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import { MessageList } from './message-list.js';
import { parseToolArguments } from './parse-tool-arguments.js';
import { requestOptions } from './request-options.js';
import type { WireRequestBody } from './wire-format.js';

function roleOf(role: string | undefined): Message['role'] {
  if (role === 'system' || role === 'developer') return 'system';
  return role === 'assistant' ? 'assistant' : 'user';
}

/** One content part of an input message; `undefined` for kinds that say nothing recordable. */
function contentPart(part: unknown): MessagePart | undefined {
  switch (stringField(part, 'type')) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: stringField(part, 'text') ?? '' };
    case 'refusal':
      return { type: 'text', text: stringField(part, 'refusal') ?? '' };
    case 'input_image': {
      const url = stringField(part, 'image_url');
      return url === undefined ? filePart('image/*') : filePartFromUrl(url, 'image/*');
    }
    case 'input_file': {
      const name = stringField(part, 'filename');
      const data = stringField(part, 'file_data');
      if (data === undefined) return filePart('application/octet-stream', { name });
      return data.startsWith('data:') ? filePartFromUrl(data, 'application/octet-stream', name) : filePart('application/octet-stream', { name, base64: data });
    }
    case 'input_audio': {
      const audio = field(part, 'input_audio');
      const format = stringField(audio, 'format');
      return filePart(format === undefined ? 'audio/*' : `audio/${format}`, { base64: stringField(audio, 'data') });
    }
    case undefined:
    default:
      return undefined;
  }
}

/** A function call's output: the string, or the text of its parts. */
function callOutput(output: unknown): unknown {
  if (!Array.isArray(output)) return output ?? undefined;
  return output.map((part) => stringField(part, 'text') ?? '').join('');
}

/** Adds one input item; calls, outputs and reasoning continue the message before them when the role matches. */
function addItem(list: MessageList, item: unknown): void {
  if (typeof item === 'string') {
    list.begin('user');
    list.add('user', { type: 'text', text: item });
    return;
  }
  if (!isRecord(item)) return;
  const type = stringField(item, 'type');
  switch (type) {
    case 'function_call': {
      const callArguments = parseToolArguments(field(item, 'arguments'));
      const id = stringField(item, 'call_id') ?? stringField(item, 'id') ?? '';
      const name = stringField(item, 'name') ?? '';
      list.add('assistant', callArguments === undefined ? { type: 'tool-call', id, name } : { type: 'tool-call', id, name, arguments: callArguments });
      return;
    }
    case 'function_call_output': {
      const part: { type: 'tool-result'; id: string; name?: string; result?: unknown } = { type: 'tool-result', id: stringField(item, 'call_id') ?? '' };
      const name = stringField(item, 'name');
      if (name !== undefined) part.name = name;
      const result = callOutput(field(item, 'output'));
      if (result !== undefined) part.result = result;
      list.add('tool', part);
      return;
    }
    case 'reasoning': {
      for (const summary of arrayField(item, 'summary') ?? []) {
        const text = stringField(summary, 'text');
        if (text !== undefined && text !== '') list.add('assistant', { type: 'reasoning', text });
      }
      return;
    }
    case 'message':
    case undefined: {
      const role = roleOf(stringField(item, 'role'));
      list.begin(role);
      const content = field(item, 'content');
      if (typeof content === 'string') {
        list.add(role, { type: 'text', text: content });
        return;
      }
      for (const entry of Array.isArray(content) ? content : []) {
        const part = contentPart(entry);
        if (part !== undefined) list.add(role, part);
      }
      return;
    }
    default:
      // Built-in tool calls and item references say nothing recordable here.
      return;
  }
}

/**
 * Reads a Responses request: `instructions` becomes a system message, `input` (text or items:
 * messages, `function_call`, `function_call_output` by `call_id`, reasoning summaries) the rest.
 * Only function tools are listed (built-in tools have no name).
 *
 * @example
 * parseOpenAiResponsesRequest({ model: 'gpt-4.1', instructions: 'Be brief.', input: 'Hi' });
 * // messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Hi' }] }]
 */
export function parseOpenAiResponsesRequest(body: unknown): WireRequestBody {
  const request: { -readonly [K in keyof NormalizedRequest]: NormalizedRequest[K] } = {};
  const list = new MessageList();
  let any = false;
  const instructions = stringField(body, 'instructions');
  if (instructions !== undefined) {
    list.begin('system');
    list.add('system', { type: 'text', text: instructions });
    any = true;
  }
  const input = field(body, 'input');
  if (typeof input === 'string') {
    addItem(list, input);
    any = true;
  } else if (Array.isArray(input)) {
    for (const item of input) addItem(list, item);
    any = true;
  }
  if (any) request.messages = list.messages();
  const tools: ToolDefinition[] = [];
  for (const tool of arrayField(body, 'tools') ?? []) {
    const name = stringField(tool, 'name');
    if (stringField(tool, 'type') !== 'function' || name === undefined) continue;
    const definition: { name: string; description?: string; parameters?: unknown } = { name };
    const description = stringField(tool, 'description');
    if (description !== undefined) definition.description = description;
    const parameters = field(tool, 'parameters');
    if (parameters !== undefined && parameters !== null) definition.parameters = parameters;
    tools.push(definition);
  }
  if (tools.length > 0) request.tools = tools;
  const options = requestOptions({
    maxOutputTokens: numberField(body, 'max_output_tokens'),
    temperature: numberField(body, 'temperature'),
    topP: numberField(body, 'top_p'),
  });
  if (options !== undefined) request.options = options;
  const result: { -readonly [K in keyof WireRequestBody]: WireRequestBody[K] } = { request };
  const model = stringField(body, 'model');
  if (model !== undefined) result.model = model;
  const stream = field(body, 'stream');
  if (typeof stream === 'boolean') result.stream = stream;
  return result;
}
