// Collects what a response body says, event by event, into one bounded WireResponse.
import type { TokenUsage } from '@runtrace/core';
import type { MessagePart } from '../../gen-ai-types.js';
import { BoundedText } from './bounded-text.js';
import type { TextBudget } from './bounded-text.js';
import { parseToolArguments } from './parse-tool-arguments.js';
import type { WireResponse, WireResponseError } from './wire-format.js';

interface TextSlot {
  readonly kind: 'text' | 'reasoning';
  readonly text: BoundedText;
}

interface ToolCallSlot {
  readonly kind: 'tool-call';
  id: string;
  name: string;
  readonly argumentDeltas: BoundedText;
  whole: unknown;
}

/** What one event says about a tool call; every field optional. */
export interface ToolCallUpdate {
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  /** A fragment of the arguments' JSON text. */
  readonly argumentsDelta?: string | undefined;
  /** The whole arguments (an object, or JSON text); used only when no fragment arrived. */
  readonly wholeArguments?: unknown;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The response being read. Output parts keep the order in which their keys first appeared;
 * answer text, reasoning and tool-call arguments each share one budget of `maxTextBytes`.
 *
 * @example
 * const builder = new ResponseBuilder(50_000);
 * builder.appendText('text', '0', 'Hello');
 * builder.setFinishReason('stop');
 * builder.build(); // { content: [{ type: 'text', text: 'Hello' }], finishReason: 'stop', finished: true, usageReported: false }
 */
export class ResponseBuilder {
  readonly #slots = new Map<string, TextSlot | ToolCallSlot>();
  readonly #textBudget: TextBudget;
  readonly #reasoningBudget: TextBudget;
  readonly #argumentsBudget: TextBudget;
  readonly #warnings: string[] = [];
  #usage: TokenUsage | undefined;
  #finishReason: string | undefined;
  #model: string | undefined;
  #id: string | undefined;
  #error: WireResponseError | undefined;
  #finished = false;
  #hasContent = false;

  constructor(maxTextBytes: number) {
    this.#textBudget = { remaining: maxTextBytes };
    this.#reasoningBudget = { remaining: maxTextBytes };
    this.#argumentsBudget = { remaining: maxTextBytes };
  }

  /** Some output content (text, reasoning or a tool call) was seen. */
  get hasContent(): boolean {
    return this.#hasContent;
  }

  /** Appends answer text or reasoning to the part named `key`. */
  appendText(kind: 'text' | 'reasoning', key: string, text: string | undefined): void {
    if (text === undefined || text === '') return;
    const slotKey = `${kind}:${key}`;
    let slot = this.#slots.get(slotKey);
    if (slot === undefined) {
      slot = { kind, text: new BoundedText(kind === 'text' ? this.#textBudget : this.#reasoningBudget) };
      this.#slots.set(slotKey, slot);
    }
    if (slot.kind === 'tool-call') return;
    slot.text.append(text);
    this.#hasContent = true;
  }

  /** Whether the part named `key` already has text (so a later whole copy of it is not added again). */
  hasText(kind: 'text' | 'reasoning', key: string): boolean {
    return this.#slots.has(`${kind}:${key}`);
  }

  /** Updates the tool call named `key`: the first id and name win, argument fragments are concatenated. */
  toolCall(key: string, update: ToolCallUpdate): void {
    const slotKey = `tool-call:${key}`;
    let slot = this.#slots.get(slotKey);
    if (slot === undefined) {
      slot = { kind: 'tool-call', id: '', name: '', argumentDeltas: new BoundedText(this.#argumentsBudget), whole: undefined };
      this.#slots.set(slotKey, slot);
      this.#hasContent = true;
    }
    if (slot.kind !== 'tool-call') return;
    if (slot.id === '' && update.id !== undefined) slot.id = update.id;
    if (slot.name === '' && update.name !== undefined) slot.name = update.name;
    if (update.argumentsDelta !== undefined) slot.argumentDeltas.append(update.argumentsDelta);
    if (update.wholeArguments !== undefined && update.wholeArguments !== '') slot.whole = update.wholeArguments;
  }

  /** Token usage as last reported (providers repeat or complete it; the latest report wins). */
  setUsage(usage: TokenUsage | undefined): void {
    if (usage !== undefined && Object.keys(usage).length > 0) this.#usage = usage;
  }

  /** A finish reason: the answer is finished. */
  setFinishReason(reason: string | undefined): void {
    if (reason === undefined || reason === '') return;
    this.#finishReason = reason;
    this.#finished = true;
  }

  /** A terminal event without a finish reason (`[DONE]`, `message_stop`). */
  markFinished(): void {
    this.#finished = true;
  }

  setModel(model: string | undefined): void {
    if (model !== undefined && model !== '') this.#model = model;
  }

  setId(id: string | undefined): void {
    if (id !== undefined && id !== '') this.#id = id;
  }

  /** An in-band error; the first one is kept (later ones usually follow from it). */
  setError(error: WireResponseError): void {
    this.#error ??= error;
  }

  warn(warning: string): void {
    if (!this.#warnings.includes(warning)) this.#warnings.push(warning);
  }

  build(): WireResponse {
    const content: MessagePart[] = [];
    for (const slot of this.#slots.values()) {
      if (slot.kind === 'tool-call') {
        const callArguments = this.#arguments(slot);
        content.push(callArguments === undefined ? { type: 'tool-call', id: slot.id, name: slot.name } : { type: 'tool-call', id: slot.id, name: slot.name, arguments: callArguments });
      } else {
        content.push({ type: slot.kind, text: slot.text.toString() });
      }
    }
    const response: Mutable<WireResponse> = { finished: this.#finished, usageReported: this.#usage !== undefined };
    if (content.length > 0) response.content = content;
    if (this.#finishReason !== undefined) response.finishReason = this.#finishReason;
    if (this.#usage !== undefined) response.usage = this.#usage;
    if (this.#model !== undefined) response.model = this.#model;
    if (this.#id !== undefined) response.id = this.#id;
    if (this.#error !== undefined) response.error = this.#error;
    if (this.#warnings.length > 0) response.warnings = [...this.#warnings];
    return response;
  }

  #arguments(slot: ToolCallSlot): unknown {
    if (!slot.argumentDeltas.empty) {
      const text = slot.argumentDeltas.toString();
      return slot.argumentDeltas.truncated ? text : parseToolArguments(text);
    }
    if (typeof slot.whole !== 'string') return slot.whole;
    const bounded = new BoundedText(this.#argumentsBudget);
    bounded.append(slot.whole);
    return bounded.truncated ? bounded.toString() : parseToolArguments(slot.whole);
  }
}
