// Reads a model call's request and response as they cross the wire, and fills its step with what the code did not set.
import type { Attributes } from '@opentelemetry/api';
import { GenAiAttributes, RuntraceAttributes, RuntraceEvents } from '@runtrace/core';
import { addTokenUsage } from '@runtrace/core/internal';
import type { TokenUsage } from '@runtrace/core';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Message, NormalizedResponse } from '../gen-ai-types.js';
import { markRedactedContent } from './gen-ai-content.js';
import type { MaskTally } from './gen-ai-content.js';
import type { StepState, StepWireState } from './recorder-core.js';
import { requestAttributes, responseAttributes } from './step-attributes.js';
import { setOwnAttributes } from './span-start.js';
import { detectWireFormat } from './wire/detect-wire-format.js';
import type { WireFormat, WireRequest, WireResponse, WireResponseParser } from './wire/wire-format.js';
import { labelOf } from './bounds.js';
import { continueWaitingRuns, noteAskedToolCalls, recordAnsweredToolCalls } from './wire-tool-calls.js';

/**
 * Request bytes kept for reading at most. The model and options are read from a cut body too; a
 * conversation longer than this loses only its last messages.
 */
export const WIRE_REQUEST_BYTES = 1_048_576;
/** A compressed answer is kept up to this size and decompressed at its end (bounded too). */
const MAX_ENCODED_BYTES = 8 * 1_048_576;
const MAX_DECODED_BYTES = 16 * 1_048_576;
const FORMAT_CACHE_LIMIT = 256;

/** SDKs call the same few URLs: the format of each (or `null`, not a model call) is remembered. */
const formats = new Map<string, WireFormat | null>();

/** The wire format of a request, or `undefined` when it is not a model call runtrace reads. Never throws. */
export function wireFormatOf(method: string, url: string, headers: Readonly<Record<string, string>>): WireFormat | undefined {
  if (method !== 'POST') return undefined;
  // Anthropic's path is recognized on other hosts by its version header.
  const key = headers['anthropic-version'] === undefined ? url : `anthropic ${url}`;
  let format = formats.get(key);
  if (format === undefined) {
    format = detectWireFormat({ method, url, headers }) ?? null;
    if (formats.size >= FORMAT_CACHE_LIMIT) formats.clear();
    formats.set(key, format);
  }
  return format ?? undefined;
}

const DECODERS: Readonly<Record<string, (input: Buffer) => Buffer>> = {
  gzip: (input) => gunzipSync(input, { maxOutputLength: MAX_DECODED_BYTES }),
  'x-gzip': (input) => gunzipSync(input, { maxOutputLength: MAX_DECODED_BYTES }),
  deflate: (input) => inflateSync(input, { maxOutputLength: MAX_DECODED_BYTES }),
  br: (input) => brotliDecompressSync(input, { maxOutputLength: MAX_DECODED_BYTES }),
};

/** The text of the last user message (what an implicit run is labelled with). */
function lastUserText(messages: readonly Message[] | undefined): string | undefined {
  if (messages === undefined) return undefined;
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'user') continue;
    const text = message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(' ');
    return text === '' ? undefined : text;
  }
  return undefined;
}

function wireState(step: StepState): StepWireState {
  step.wire ??= { requestRead: false, keys: [], usage: undefined, named: false };
  return step.wire;
}

/**
 * One attempt of a model call, read on the wire: the request body once per step (retries send the
 * same), the answer of each successful attempt. What it learns goes on the step span, key by key,
 * only where the code has not set the key itself; usage adds up over the step's answered calls.
 * Every method is safe to call in any order and never throws.
 */
export class WireCapture {
  readonly #step: StepState;
  readonly #format: WireFormat;
  #parser: WireResponseParser | undefined;
  #decode: ((input: Buffer) => Buffer) | undefined;
  #contentType = '';
  #encoded: Buffer[] | undefined;
  #encodedBytes = 0;
  #done = false;
  /** When the request was sent (a `performance.now()` reading): the end of the tool calls whose results it carries. */
  readonly #sentAt = performance.now();

  constructor(step: StepState, format: WireFormat) {
    this.#step = step;
    this.#format = format;
  }

  /**
   * Reads the request body (`truncated`: only its start was kept): the tool results it carries
   * every time, the rest into the step once (a retry sends the same body).
   */
  request(body: Uint8Array, truncated: boolean): void {
    try {
      const step = this.#step;
      if (!step.recording || step.ended) return;
      const wire = wireState(step);
      const format = this.#format;
      const parsed = format.parseRequest(body, { truncated });
      recordAnsweredToolCalls(step.run, parsed.request.messages, this.#sentAt);
      if (step.implicitCall !== undefined && step.run.endsWithSteps) continueWaitingRuns(step, parsed.request.messages, this.#sentAt);
      if (wire.requestRead) return;
      wire.requestRead = true;
      const tally: MaskTally = { masked: 0 };
      const attributes: Attributes = { [GenAiAttributes.PROVIDER_NAME]: format.provider };
      if (parsed.model !== undefined) attributes[GenAiAttributes.REQUEST_MODEL] = parsed.model;
      // Messages and tool definitions only under `full`: their metadata (roles, sizes) is not worth
      // its cost on every call; what the code passes still follows the policy.
      const settings = step.core.settings;
      const request = settings.contentPolicy === 'full' ? parsed.request : parsed.request.options === undefined ? {} : { options: parsed.request.options };
      Object.assign(attributes, requestAttributes(request, settings, tally));
      const filled = this.#fill(attributes);
      step.addMasked(tally.masked);
      const model = filled[GenAiAttributes.REQUEST_MODEL];
      if (typeof model === 'string' && !wire.named) {
        wire.named = true;
        step.span.updateName(`${format.operation} ${model}`);
      }
      if (step.implicitCall !== undefined) this.#describeImplicit(parsed);
    } catch {
      // Reading the wire must never break the request.
    }
  }

  /** An implicit step says whether it streams; an implicit run takes its model, provider and label from its first call. */
  #describeImplicit(parsed: WireRequest): void {
    const step = this.#step;
    const format = this.#format;
    if (parsed.stream === true || format.pathStreaming === true) step.span.setAttribute(RuntraceAttributes.STEP_OPERATION, 'stream');
    const run = step.run;
    if (!run.endsWithSteps || run.stepCounter !== 1) return;
    const attributes: Attributes = { [GenAiAttributes.PROVIDER_NAME]: format.provider };
    if (parsed.model !== undefined) attributes[GenAiAttributes.REQUEST_MODEL] = parsed.model;
    const settings = step.core.settings;
    const text = settings.contentPolicy === 'full' ? lastUserText(parsed.request.messages) : undefined;
    if (text !== undefined) {
      const redacted = settings.redactor.redactText(text);
      const label = labelOf(redacted.value);
      if (label !== undefined) attributes[RuntraceAttributes.RUN_LABEL] = label;
      run.addMasked(redacted.maskedCount);
    }
    run.span.setAttributes(attributes);
  }

  /** The response started: a successful one is read (decompressed at its end when encoded). */
  responseStart(status: number, contentType: string, encoding: string): void {
    try {
      if (status < 200 || status >= 300) return;
      this.#contentType = contentType;
      if (encoding === '' || encoding === 'identity') {
        this.#parser = this.#format.createResponseParser(contentType, { maxTextBytes: this.#step.core.settings.maxBodyBytes });
        return;
      }
      const decode = DECODERS[encoding];
      if (decode === undefined) return;
      this.#decode = decode;
      this.#encoded = [];
    } catch {
      // Reading the wire must never break the request.
    }
  }

  /** The next bytes of the answer. */
  data(chunk: Uint8Array): void {
    if (this.#parser !== undefined) {
      if (this.#parser.push(chunk)) this.#firstContent();
      return;
    }
    const encoded = this.#encoded;
    if (encoded === undefined) return;
    this.#encodedBytes += chunk.byteLength;
    if (this.#encodedBytes > MAX_ENCODED_BYTES) {
      this.#encoded = undefined;
      return;
    }
    // Copied: the caller may reuse its buffer.
    encoded.push(Buffer.from(chunk));
  }

  /** Whether the answer is read as one JSON document, so that {@link documentComplete} can tell whether it was one. */
  get readsDocument(): boolean {
    return this.#parser?.readsDocument === true;
  }

  /**
   * Once the body's last byte arrived, when {@link readsDocument}: whether the body was exactly
   * one complete JSON document (the body is read here, once; {@link end} then uses what was read).
   */
  documentComplete(): boolean | undefined {
    try {
      const parser = this.#parser;
      if (parser === undefined || !parser.readsDocument) return undefined;
      parser.end();
      return parser.documentComplete();
    } catch {
      return undefined;
    }
  }

  /** The answer ended (`complete`) or was cut: what was read goes on the step. */
  end(complete: boolean): void {
    if (this.#done) return;
    this.#done = true;
    try {
      let parser = this.#parser;
      if (parser === undefined && this.#encoded !== undefined && this.#decode !== undefined && complete) {
        parser = this.#format.createResponseParser(this.#contentType, { maxTextBytes: this.#step.core.settings.maxBodyBytes });
        parser.push(this.#decode(Buffer.concat(this.#encoded)));
      }
      this.#encoded = undefined;
      if (parser !== undefined) this.#apply(parser.end(), complete);
    } catch {
      // A body that does not decode is not read.
    }
  }

  /** The answer is a stream (SSE, or Gemini's streamed array): only its terminal event makes it whole. */
  #streamed(): boolean {
    return this.#contentType.includes('event-stream') || this.#format.pathStreaming === true;
  }

  #apply(response: WireResponse, complete: boolean): void {
    const step = this.#step;
    if (!step.recording || step.ended) return;
    const wire = wireState(step);
    let usage: TokenUsage | undefined;
    // An answer cut before its end reported only running counts: they are not its usage (its
    // cost is unknown, not understated).
    if (response.usage !== undefined && (response.finished || (complete && !this.#streamed()))) {
      usage = wire.usage === undefined ? response.usage : addTokenUsage(wire.usage, response.usage);
      wire.usage = usage;
    }
    const normalized: { -readonly [K in keyof NormalizedResponse]: NormalizedResponse[K] } = {};
    if (response.model !== undefined) normalized.model = response.model;
    if (response.id !== undefined) normalized.id = response.id;
    if (response.finishReason !== undefined) normalized.finishReason = response.finishReason;
    if (usage !== undefined) normalized.usage = usage;
    if (response.content !== undefined && response.content.length > 0 && step.core.settings.contentPolicy === 'full') normalized.content = response.content;
    if (response.warnings !== undefined) normalized.warnings = response.warnings;
    const tally: MaskTally = { masked: 0 };
    this.#fill(responseAttributes(step, normalized, tally));
    step.addMasked(tally.masked);
    noteAskedToolCalls(step, response.content, performance.now());
  }

  /** Sets the keys the code has not set itself; returns what was set. */
  #fill(attributes: Attributes): Attributes {
    const step = this.#step;
    const keys = wireState(step).keys;
    // An SDK span exposes what was set on it; with another tracer, the wire fills every key.
    const current = (step.span as { readonly attributes?: Attributes }).attributes;
    const filled: Attributes = {};
    for (const key in attributes) {
      const known = keys.includes(key);
      if (current?.[key] !== undefined && !known) continue;
      filled[key] = attributes[key];
      if (!known) keys.push(key);
    }
    setOwnAttributes(step.span, filled);
    markRedactedContent(step.span, step.core.settings.redactor, filled);
    return filled;
  }

  /** The first text, reasoning or tool call of a streamed answer, unless a stream wrapper times it. */
  #firstContent(): void {
    const step = this.#step;
    if (step.streamOpen || !step.recording || step.ended) return;
    const current = (step.span as { readonly attributes?: Attributes }).attributes;
    if (current?.[RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS] !== undefined) return;
    const now = step.core.settings.clock.now();
    step.span.setAttribute(RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS, Math.max(0, now - step.startedAt));
    step.span.addEvent(RuntraceEvents.FIRST_CHUNK);
  }
}
