// Reads OpenAI Chat Completions responses: one JSON completion, or SSE chunks ending with `[DONE]`.
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import { openAiUsage } from './openai-usage.js';
import type { ResponseBuilder } from './response-builder.js';
import type { WireMessageHandler } from './wire-body-parser.js';
import { wireResponseError } from './wire-response-error.js';

/** The warning recorded when the model refused (its refusal is the answer text). */
export const REFUSAL_WARNING = 'refusal';

/** The first choice (`index` 0, else the first listed); other choices of `n > 1` are not recorded. */
function firstChoice(value: unknown): unknown {
  const choices = arrayField(value, 'choices');
  if (choices === undefined) return undefined;
  for (const choice of choices) {
    if (numberField(choice, 'index') === 0) return choice;
  }
  return choices.length > 0 && numberField(choices[0], 'index') === undefined ? choices[0] : undefined;
}

/**
 * The Chat Completions handler. Usage is the last non-null `usage` (chunks carry `usage: null`
 * until the usage-only final chunk of `stream_options.include_usage`, whose `choices` is empty;
 * Groq's older streams put it under `x_groq`). Tool-call fragments merge by `index`.
 *
 * @example
 * new WireBodyParser('text/event-stream', { maxTextBytes: 50_000, jsonArrayStream: false, createHandler: (builder) => new OpenAiChatResponse(builder) });
 */
export class OpenAiChatResponse implements WireMessageHandler {
  readonly #builder: ResponseBuilder;

  constructor(builder: ResponseBuilder) {
    this.#builder = builder;
  }

  message(event: string, data: unknown, rawData: string): void {
    if (!isRecord(data)) {
      // `[DONE]` is not JSON, so only data that did not parse can be it.
      if (data === undefined && rawData.trim() === '[DONE]') this.#builder.markFinished();
      return;
    }
    if (this.#error(event, data)) return;
    this.#common(data);
    this.#builder.setUsage(openAiUsage(field(field(data, 'x_groq'), 'usage')));
    const choice = firstChoice(data);
    const delta = field(choice, 'delta');
    this.#reasoning(delta);
    this.#builder.appendText('text', 'text', stringField(delta, 'content'));
    this.#refusal(stringField(delta, 'refusal'));
    const calls = arrayField(delta, 'tool_calls');
    if (calls !== undefined) {
      for (let position = 0; position < calls.length; position++) {
        const call = calls[position];
        const functionSpec = field(call, 'function');
        this.#builder.toolCall(String(numberField(call, 'index') ?? position), {
          id: stringField(call, 'id'),
          name: stringField(functionSpec, 'name'),
          argumentsDelta: stringField(functionSpec, 'arguments'),
        });
      }
    }
    this.#builder.setFinishReason(stringField(choice, 'finish_reason'));
  }

  document(value: unknown): void {
    if (!isRecord(value)) return;
    if (this.#error('message', value)) return;
    this.#common(value);
    const choice = firstChoice(value);
    const message = field(choice, 'message');
    this.#reasoning(message);
    const content = field(message, 'content');
    if (typeof content === 'string') {
      this.#builder.appendText('text', 'text', content);
    } else if (Array.isArray(content)) {
      for (const part of content) this.#builder.appendText('text', 'text', stringField(part, 'text'));
    }
    this.#refusal(stringField(message, 'refusal'));
    (arrayField(message, 'tool_calls') ?? []).forEach((call, position) => {
      const functionSpec = field(call, 'function');
      this.#builder.toolCall(String(position), { id: stringField(call, 'id'), name: stringField(functionSpec, 'name'), wholeArguments: field(functionSpec, 'arguments') });
    });
    const legacyCall = field(message, 'function_call');
    if (isRecord(legacyCall)) {
      this.#builder.toolCall('function_call', { id: '', name: stringField(legacyCall, 'name'), wholeArguments: field(legacyCall, 'arguments') });
    }
    this.#builder.setFinishReason(stringField(choice, 'finish_reason'));
  }

  /** Fields every chunk and completion carries (`system_fingerprint` is not recorded). */
  #common(value: Record<string, unknown>): void {
    this.#builder.setId(stringField(value, 'id'));
    this.#builder.setModel(stringField(value, 'model'));
    this.#builder.setUsage(openAiUsage(field(value, 'usage')));
  }

  /** DeepSeek and vLLM send `reasoning_content`; OpenRouter and Groq send `reasoning`. */
  #reasoning(message: unknown): void {
    this.#builder.appendText('reasoning', 'reasoning', stringField(message, 'reasoning_content') ?? stringField(message, 'reasoning'));
  }

  #refusal(refusal: string | undefined): void {
    if (refusal === undefined || refusal === '') return;
    this.#builder.appendText('text', 'refusal', refusal);
    this.#builder.warn(REFUSAL_WARNING);
  }

  /** `{ error: {...} }` (OpenAI and most servers) or vLLM's `{ object: 'error', ... }`. */
  #error(event: string, value: Record<string, unknown>): boolean {
    const error = field(value, 'error');
    if (isRecord(error) || typeof error === 'string') {
      this.#builder.setError(wireResponseError(error));
      return true;
    }
    if (stringField(value, 'object') === 'error' || event === 'error') {
      this.#builder.setError(wireResponseError(value));
      return true;
    }
    return false;
  }
}
