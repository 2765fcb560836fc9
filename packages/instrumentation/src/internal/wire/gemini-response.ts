// Reads Gemini GenerateContentResponse objects: one JSON body, SSE (`alt=sse`), or a streamed JSON array.
import { compactUsage, sumPresent } from './compact-usage.js';
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import type { ResponseBuilder } from './response-builder.js';
import type { WireMessageHandler } from './wire-body-parser.js';
import { wireResponseError } from './wire-response-error.js';

/**
 * The Gemini handler; every stream message and a whole body are the same GenerateContentResponse
 * shape. `usageMetadata` is cumulative and repeated, so the last one is the usage (never a sum):
 * `promptTokenCount` already includes `cachedContentTokenCount`, `toolUsePromptTokenCount` is
 * added to the input, and `candidatesTokenCount` excludes `thoughtsTokenCount`, which is added to
 * the output. Only the first candidate is recorded.
 *
 * @example
 * new WireBodyParser('application/json', { maxTextBytes: 50_000, jsonArrayStream: true, createHandler: (builder) => new GeminiResponse(builder) });
 */
export class GeminiResponse implements WireMessageHandler {
  readonly #builder: ResponseBuilder;
  /** Each functionCall part is one whole call; they are numbered in order. */
  #calls = 0;

  constructor(builder: ResponseBuilder) {
    this.#builder = builder;
  }

  message(_event: string, data: unknown): void {
    this.#chunk(data);
  }

  document(value: unknown): void {
    if (Array.isArray(value)) for (const chunk of value) this.#chunk(chunk);
    else this.#chunk(value);
  }

  #chunk(chunk: unknown): void {
    if (!isRecord(chunk)) return;
    const error = field(chunk, 'error');
    if (isRecord(error)) {
      this.#builder.setError(wireResponseError(error));
      return;
    }
    this.#builder.setId(stringField(chunk, 'responseId'));
    this.#builder.setModel(stringField(chunk, 'modelVersion'));
    this.#usage(field(chunk, 'usageMetadata'));
    const candidates = arrayField(chunk, 'candidates') ?? [];
    const candidate = candidates.find((item) => (numberField(item, 'index') ?? 0) === 0);
    for (const part of arrayField(field(candidate, 'content'), 'parts') ?? []) {
      const text = stringField(part, 'text');
      if (text !== undefined) {
        if (field(part, 'thought') === true) this.#builder.appendText('reasoning', 'reasoning', text);
        else this.#builder.appendText('text', 'text', text);
        continue;
      }
      const call = field(part, 'functionCall');
      if (isRecord(call)) {
        this.#builder.toolCall(String(this.#calls), { id: stringField(call, 'id') ?? '', name: stringField(call, 'name'), wholeArguments: field(call, 'args') });
        this.#calls += 1;
      }
    }
    this.#builder.setFinishReason(stringField(candidate, 'finishReason'));
    // A blocked prompt gets no candidate; its block reason ends the answer.
    if (candidates.length === 0) this.#builder.setFinishReason(stringField(field(chunk, 'promptFeedback'), 'blockReason'));
  }

  #usage(metadata: unknown): void {
    if (!isRecord(metadata)) return;
    const prompt = numberField(metadata, 'promptTokenCount');
    const toolPrompt = numberField(metadata, 'toolUsePromptTokenCount');
    const candidates = numberField(metadata, 'candidatesTokenCount');
    const thoughts = numberField(metadata, 'thoughtsTokenCount');
    this.#builder.setUsage(
      compactUsage({
        inputTokens: sumPresent(prompt, toolPrompt),
        outputTokens: sumPresent(candidates, thoughts),
        reasoningTokens: thoughts,
        cacheReadTokens: numberField(metadata, 'cachedContentTokenCount'),
        cacheCreationTokens: undefined,
      }),
    );
  }
}
