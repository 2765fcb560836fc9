// Reads Anthropic Messages responses: one Message object, or its SSE event stream.
import { compactUsage, sumPresent } from './compact-usage.js';
import { arrayField, field, isRecord, numberField, stringField } from './json-value.js';
import type { ResponseBuilder } from './response-builder.js';
import type { WireMessageHandler } from './wire-body-parser.js';
import { wireResponseError } from './wire-response-error.js';

/** The usage counts as last reported, one by one. */
interface AnthropicCounts {
  input: number | undefined;
  cacheRead: number | undefined;
  cacheCreation: number | undefined;
  output: number | undefined;
  thinking: number | undefined;
}

/**
 * The Messages handler. Usage arrives split: `message_start` carries the input and cache counts
 * (and a first output count), each `message_delta` the cumulative output count (newer servers
 * repeat the input counts there). Counts are never added across events: each keeps its latest
 * reported value. Anthropic's `input_tokens` excludes cache reads and writes, so the input total
 * is their sum.
 *
 * @example
 * new WireBodyParser('text/event-stream', { maxTextBytes: 50_000, jsonArrayStream: false, createHandler: (builder) => new AnthropicMessagesResponse(builder) });
 */
export class AnthropicMessagesResponse implements WireMessageHandler {
  readonly #builder: ResponseBuilder;
  readonly #counts: AnthropicCounts = { input: undefined, cacheRead: undefined, cacheCreation: undefined, output: undefined, thinking: undefined };

  constructor(builder: ResponseBuilder) {
    this.#builder = builder;
  }

  message(event: string, data: unknown): void {
    if (!isRecord(data)) return;
    const type = stringField(data, 'type') ?? event;
    const key = String(numberField(data, 'index') ?? 0);
    switch (type) {
      case 'message_start':
        this.#message(field(data, 'message'));
        return;
      case 'content_block_start':
        this.#block(key, field(data, 'content_block'));
        return;
      case 'content_block_delta':
        this.#delta(key, field(data, 'delta'));
        return;
      case 'message_delta':
        this.#builder.setFinishReason(stringField(field(data, 'delta'), 'stop_reason'));
        this.#usage(field(data, 'usage'));
        return;
      case 'message_stop':
        this.#builder.markFinished();
        return;
      case 'error':
        this.#builder.setError(wireResponseError(field(data, 'error')));
        return;
      default:
        // ping, content_block_stop and future events.
        return;
    }
  }

  document(value: unknown): void {
    if (!isRecord(value)) return;
    if (stringField(value, 'type') === 'error') {
      this.#builder.setError(wireResponseError(field(value, 'error')));
      return;
    }
    this.#message(value);
    (arrayField(value, 'content') ?? []).forEach((block, index) => this.#block(String(index), block));
    this.#builder.setFinishReason(stringField(value, 'stop_reason'));
  }

  #message(message: unknown): void {
    this.#builder.setId(stringField(message, 'id'));
    this.#builder.setModel(stringField(message, 'model'));
    this.#usage(field(message, 'usage'));
  }

  #block(key: string, block: unknown): void {
    switch (stringField(block, 'type')) {
      case 'text':
        this.#builder.appendText('text', key, stringField(block, 'text'));
        return;
      case 'thinking':
        this.#builder.appendText('reasoning', key, stringField(block, 'thinking'));
        return;
      case 'tool_use':
      case 'server_tool_use':
      case 'mcp_tool_use':
        // A streamed block starts with `input: {}` and fills it through input_json_delta.
        this.#builder.toolCall(key, { id: stringField(block, 'id'), name: stringField(block, 'name'), wholeArguments: field(block, 'input') });
        return;
      case undefined:
      default:
        return;
    }
  }

  #delta(key: string, delta: unknown): void {
    switch (stringField(delta, 'type')) {
      case 'text_delta':
        this.#builder.appendText('text', key, stringField(delta, 'text'));
        return;
      case 'thinking_delta':
        this.#builder.appendText('reasoning', key, stringField(delta, 'thinking'));
        return;
      case 'input_json_delta':
        this.#builder.toolCall(key, { argumentsDelta: stringField(delta, 'partial_json') });
        return;
      case undefined:
      default:
        // signature_delta and citations_delta carry no output text.
        return;
    }
  }

  #usage(usage: unknown): void {
    if (!isRecord(usage)) return;
    const counts = this.#counts;
    // null means "not reported in this event", not zero.
    counts.input = numberField(usage, 'input_tokens') ?? counts.input;
    counts.cacheRead = numberField(usage, 'cache_read_input_tokens') ?? counts.cacheRead;
    counts.cacheCreation = numberField(usage, 'cache_creation_input_tokens') ?? counts.cacheCreation;
    counts.output = numberField(usage, 'output_tokens') ?? counts.output;
    counts.thinking = numberField(field(usage, 'output_tokens_details'), 'thinking_tokens') ?? counts.thinking;
    this.#builder.setUsage(
      compactUsage({
        inputTokens: sumPresent(counts.input, counts.cacheRead, counts.cacheCreation),
        outputTokens: counts.output,
        reasoningTokens: counts.thinking,
        cacheReadTokens: counts.cacheRead,
        cacheCreationTokens: counts.cacheCreation,
      }),
    );
  }
}
