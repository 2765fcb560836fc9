// Reads OpenAI Responses API responses: one Response object, or its SSE event stream.
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import { openAiUsage } from './openai-usage.js';
import type { ResponseBuilder } from './response-builder.js';
import { REFUSAL_WARNING } from './openai-chat-response.js';
import type { WireMessageHandler } from './wire-body-parser.js';
import { wireResponseError } from './wire-response-error.js';

const TERMINAL_STATUSES = new Set(['completed', 'incomplete', 'failed', 'cancelled']);

/**
 * The Responses handler. Output parts are keyed by `output_index` (and `content_index` or
 * `summary_index`), so the whole items of `response.output_item.done` and of the final response
 * add only what no delta already gave. Usage and the status come from `response.completed`,
 * `response.incomplete` or `response.failed`. The finish reason is the final status, or for an
 * incomplete response its `incomplete_details.reason` (`max_output_tokens`, `content_filter`).
 *
 * @example
 * new WireBodyParser('text/event-stream', { maxTextBytes: 50_000, jsonArrayStream: false, createHandler: (builder) => new OpenAiResponsesResponse(builder) });
 */
export class OpenAiResponsesResponse implements WireMessageHandler {
  readonly #builder: ResponseBuilder;

  constructor(builder: ResponseBuilder) {
    this.#builder = builder;
  }

  message(event: string, data: unknown): void {
    if (!isRecord(data)) return;
    const type = stringField(data, 'type') ?? event;
    const index = String(numberField(data, 'output_index') ?? 0);
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        this.#response(field(data, 'response'), false);
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.#response(field(data, 'response'), true);
        return;
      case 'response.output_item.added':
      case 'response.output_item.done':
        this.#item(index, field(data, 'item'));
        return;
      case 'response.output_text.delta':
        this.#builder.appendText('text', `${index}:${numberField(data, 'content_index') ?? 0}`, stringField(data, 'delta'));
        return;
      case 'response.refusal.delta':
        this.#refusal(`${index}:${numberField(data, 'content_index') ?? 0}`, stringField(data, 'delta'));
        return;
      case 'response.reasoning_summary_text.delta':
        this.#builder.appendText('reasoning', `${index}:s${numberField(data, 'summary_index') ?? 0}`, stringField(data, 'delta'));
        return;
      case 'response.reasoning_text.delta':
        this.#builder.appendText('reasoning', `${index}:c${numberField(data, 'content_index') ?? 0}`, stringField(data, 'delta'));
        return;
      case 'response.function_call_arguments.delta':
        this.#builder.toolCall(index, { argumentsDelta: stringField(data, 'delta') });
        return;
      case 'error': {
        // The event's own `type` is "error"; its `code` names the error.
        const error = isRecord(field(data, 'error')) ? field(data, 'error') : { code: field(data, 'code'), message: field(data, 'message') };
        this.#builder.setError(wireResponseError(error));
        return;
      }
      default:
        return;
    }
  }

  document(value: unknown): void {
    if (!isRecord(value)) return;
    if (stringField(value, 'object') !== 'response' && stringField(value, 'status') === undefined) {
      const error = field(value, 'error');
      if (isRecord(error)) this.#builder.setError(wireResponseError(error));
      return;
    }
    this.#response(value, true);
  }

  /** A Response object; `final` for the terminal events and a non-streamed body. */
  #response(response: unknown, final: boolean): void {
    if (!isRecord(response)) return;
    this.#builder.setId(stringField(response, 'id'));
    this.#builder.setModel(stringField(response, 'model'));
    this.#builder.setUsage(openAiUsage(field(response, 'usage')));
    if (!final) return;
    (arrayField(response, 'output') ?? []).forEach((item, position) => this.#item(String(position), item));
    const error = field(response, 'error');
    if (isRecord(error)) this.#builder.setError(wireResponseError(error));
    const status = stringField(response, 'status');
    if (status === undefined || !TERMINAL_STATUSES.has(status)) return;
    const reason = status === 'incomplete' ? (stringField(field(response, 'incomplete_details'), 'reason') ?? status) : status;
    this.#builder.setFinishReason(reason);
  }

  /** A whole output item: adds the parts no delta gave (deltas are not repeated). */
  #item(index: string, item: unknown): void {
    switch (stringField(item, 'type')) {
      case 'message':
        (arrayField(item, 'content') ?? []).forEach((part, position) => {
          const key = `${index}:${position}`;
          const type = stringField(part, 'type');
          if (type === 'output_text' && !this.#builder.hasText('text', key)) this.#builder.appendText('text', key, stringField(part, 'text'));
          if (type === 'refusal' && !this.#builder.hasText('text', key)) this.#refusal(key, stringField(part, 'refusal'));
        });
        return;
      case 'reasoning':
        (arrayField(item, 'summary') ?? []).forEach((part, position) => {
          const key = `${index}:s${position}`;
          if (!this.#builder.hasText('reasoning', key)) this.#builder.appendText('reasoning', key, stringField(part, 'text'));
        });
        (arrayField(item, 'content') ?? []).forEach((part, position) => {
          const key = `${index}:c${position}`;
          if (!this.#builder.hasText('reasoning', key)) this.#builder.appendText('reasoning', key, stringField(part, 'text'));
        });
        return;
      case 'function_call':
        this.#builder.toolCall(index, {
          id: stringField(item, 'call_id'),
          name: stringField(item, 'name'),
          wholeArguments: field(item, 'arguments'),
        });
        return;
      case undefined:
      default:
        return;
    }
  }

  #refusal(key: string, text: string | undefined): void {
    if (text === undefined || text === '') return;
    this.#builder.appendText('text', key, text);
    this.#builder.warn(REFUSAL_WARNING);
  }
}
