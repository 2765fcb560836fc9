// Reads a Gemini generateContent request body (Gemini API and Vertex AI); the model is in the URL, not here.
import type { MessagePart, NormalizedRequest, ToolDefinition } from '../../gen-ai-types.js';
import { filePart } from './file-part.js';
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import { MessageList } from './message-list.js';
import { requestOptions, stopSequences } from './request-options.js';
import type { WireRequestBody } from './wire-format.js';

// Google's JSON accepts lowerCamelCase and snake_case field names alike; both are read.

function addPart(list: MessageList, role: 'system' | 'user' | 'assistant', part: unknown): void {
  const text = stringField(part, 'text');
  if (text !== undefined) {
    list.add(role, field(part, 'thought') === true ? { type: 'reasoning', text } : { type: 'text', text });
    return;
  }
  const inline = field(part, 'inlineData', 'inline_data');
  if (isRecord(inline)) {
    list.add(role, filePart(stringField(inline, 'mimeType', 'mime_type') ?? 'application/octet-stream', { base64: stringField(inline, 'data') }));
    return;
  }
  const file = field(part, 'fileData', 'file_data');
  if (isRecord(file)) {
    list.add(role, filePart(stringField(file, 'mimeType', 'mime_type') ?? 'application/octet-stream'));
    return;
  }
  const call = field(part, 'functionCall', 'function_call');
  if (isRecord(call)) {
    const callArguments = field(call, 'args');
    const id = stringField(call, 'id') ?? '';
    const name = stringField(call, 'name') ?? '';
    list.add(role, callArguments === undefined ? { type: 'tool-call', id, name } : { type: 'tool-call', id, name, arguments: callArguments });
    return;
  }
  const response = field(part, 'functionResponse', 'function_response');
  if (isRecord(response)) {
    const result: { type: 'tool-result'; id: string; name?: string; result?: unknown } = { type: 'tool-result', id: stringField(response, 'id') ?? '' };
    const name = stringField(response, 'name');
    if (name !== undefined) result.name = name;
    const value = field(response, 'response');
    if (value !== undefined) result.result = value;
    list.add('tool', result satisfies MessagePart);
  }
  // executableCode, codeExecutionResult and videoMetadata say nothing recordable here.
}

/**
 * Reads a generateContent request: `systemInstruction` becomes a system message, `contents`
 * (roles `user` and `model`) the rest, with `functionResponse` parts as `tool` messages; the
 * function declarations of `tools`, and `generationConfig`.
 *
 * @example
 * parseGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 256 } });
 * // { request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }], options: { maxOutputTokens: 256 } } }
 */
export function parseGeminiRequest(body: unknown): WireRequestBody {
  const request: { -readonly [K in keyof NormalizedRequest]: NormalizedRequest[K] } = {};
  const list = new MessageList();
  let any = false;
  const system = field(body, 'systemInstruction', 'system_instruction');
  if (typeof system === 'string') {
    list.begin('system');
    list.add('system', { type: 'text', text: system });
    any = true;
  } else if (isRecord(system)) {
    list.begin('system');
    for (const part of arrayField(system, 'parts') ?? []) addPart(list, 'system', part);
    any = true;
  }
  const contents = arrayField(body, 'contents');
  if (contents !== undefined) {
    any = true;
    for (const content of contents) {
      if (!isRecord(content)) continue;
      const role = stringField(content, 'role') === 'model' ? 'assistant' : 'user';
      list.begin(role);
      for (const part of arrayField(content, 'parts') ?? []) addPart(list, role, part);
    }
  }
  if (any) request.messages = list.messages();
  const tools: ToolDefinition[] = [];
  for (const tool of arrayField(body, 'tools') ?? []) {
    for (const declaration of arrayField(tool, 'functionDeclarations', 'function_declarations') ?? []) {
      const name = stringField(declaration, 'name');
      if (name === undefined) continue;
      const definition: { name: string; description?: string; parameters?: unknown } = { name };
      const description = stringField(declaration, 'description');
      if (description !== undefined) definition.description = description;
      const parameters = field(declaration, 'parameters') ?? field(declaration, 'parametersJsonSchema', 'parameters_json_schema');
      if (parameters !== undefined && parameters !== null) definition.parameters = parameters;
      tools.push(definition);
    }
  }
  if (tools.length > 0) request.tools = tools;
  const config = field(body, 'generationConfig', 'generation_config');
  const options = requestOptions({
    maxOutputTokens: numberField(config, 'maxOutputTokens', 'max_output_tokens'),
    temperature: numberField(config, 'temperature'),
    topP: numberField(config, 'topP', 'top_p'),
    topK: numberField(config, 'topK', 'top_k'),
    stopSequences: stopSequences(field(config, 'stopSequences', 'stop_sequences')),
    seed: numberField(config, 'seed'),
    presencePenalty: numberField(config, 'presencePenalty', 'presence_penalty'),
    frequencyPenalty: numberField(config, 'frequencyPenalty', 'frequency_penalty'),
  });
  if (options !== undefined) request.options = options;
  return { request };
}
