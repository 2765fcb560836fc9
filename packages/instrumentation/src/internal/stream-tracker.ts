// Follows one wrapped stream: first chunk, counts, heartbeats, response pieces, and the single close classification.
import { GenAiAttributes, RuntraceAttributes, RuntraceEvents, StreamCloseEventAttributes, classifyOutcome, truncateText } from '@runtrace/core';
import type { StreamCloseKind, TokenUsage } from '@runtrace/core';
import type { MessagePart, NormalizedResponse } from '../gen-ai-types.js';
import type { StreamChunkInfo } from '../stream-chunk-info.js';
import { MAX_STREAM_TEXT_BYTES } from './bounds.js';
import type { Outcome, StepState } from './recorder-core.js';
import { applyResponse } from './step-attributes.js';

const PREMATURE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'EPIPE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
const PREMATURE_MESSAGE = /terminated|other side closed|premature|socket hang up|ECONNRESET|connection (was )?(closed|reset)/i;

/** Whether an error (or one of its causes) says the upstream connection closed before the end. */
function isPrematureClose(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    const message = (current as { message?: unknown }).message;
    if (typeof code === 'string' && PREMATURE_CODES.has(code)) return true;
    if (typeof message === 'string' && PREMATURE_MESSAGE.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function messageOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return undefined;
}

interface ToolCallAccumulator {
  id: string;
  name: string;
  arguments: string;
}

/** Tracks one stream of a step and finalizes the step when the stream closes. */
export class StreamTracker {
  readonly #step: StepState;
  readonly #inspect: (chunk: unknown) => StreamChunkInfo | undefined;
  #chunkCount = 0;
  #bytes = 0;
  #textLength = 0;
  #text = '';
  #textBytes = 0;
  #textTruncated = false;
  #reasoning = '';
  #finishReason: string | undefined;
  #usage: TokenUsage | undefined;
  #model: string | undefined;
  #id: string | undefined;
  #inBandError: unknown;
  #structured = false;
  readonly #toolCalls = new Map<string, ToolCallAccumulator>();
  #closed = false;

  constructor(step: StepState, inspect: (chunk: unknown) => StreamChunkInfo | undefined) {
    this.#step = step;
    this.#inspect = inspect;
    step.streamOpen = true;
  }

  onChunk(chunk: unknown): void {
    if (this.#closed) return;
    try {
      const step = this.#step;
      const now = step.core.settings.clock.now();
      this.#chunkCount += 1;
      if (this.#chunkCount === 1 && step.recording && !step.ended) {
        step.span.setAttribute(RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS, Math.max(0, now - step.startedAt));
        step.span.addEvent(RuntraceEvents.FIRST_CHUNK);
      }
      step.touch(now);
      const info = this.#inspect(chunk);
      if (info === undefined) return;
      if (typeof chunk === 'object' && chunk !== null && !(chunk instanceof Uint8Array)) this.#structured = true;
      if (info.bytes !== undefined) this.#bytes += info.bytes;
      if (info.text !== undefined && info.text !== '') this.#addText(info.text);
      if (info.reasoning !== undefined && this.#reasoning.length < MAX_STREAM_TEXT_BYTES) this.#reasoning += info.reasoning;
      if (info.finishReason !== undefined) this.#finishReason = info.finishReason;
      if (info.usage !== undefined) this.#usage = info.usage;
      if (info.model !== undefined) this.#model = info.model;
      if (info.id !== undefined) this.#id = info.id;
      if (info.error !== undefined) this.#inBandError = info.error;
      if (info.toolCall !== undefined) {
        this.#toolCalls.set(`id:${info.toolCall.id}`, { ...info.toolCall, arguments: info.toolCall.arguments ?? '' });
      }
      if (info.toolCallDelta !== undefined) {
        const key = `index:${info.toolCallDelta.index}`;
        const call = this.#toolCalls.get(key) ?? { id: '', name: '', arguments: '' };
        if (info.toolCallDelta.id !== undefined) call.id = info.toolCallDelta.id;
        if (info.toolCallDelta.name !== undefined) call.name += info.toolCallDelta.name;
        if (info.toolCallDelta.arguments !== undefined && call.arguments.length < MAX_STREAM_TEXT_BYTES) call.arguments += info.toolCallDelta.arguments;
        this.#toolCalls.set(key, call);
      }
    } catch {
      // Inspection must never break the application's stream.
    }
  }

  #addText(text: string): void {
    this.#textLength += text.length;
    if (this.#textTruncated) return;
    const size = Buffer.byteLength(text);
    if (this.#textBytes + size <= MAX_STREAM_TEXT_BYTES) {
      this.#text += text;
      this.#textBytes += size;
      return;
    }
    let remaining = MAX_STREAM_TEXT_BYTES - this.#textBytes;
    for (const point of text) {
      const pointSize = Buffer.byteLength(point);
      if (pointSize > remaining) break;
      this.#text += point;
      remaining -= pointSize;
    }
    this.#textTruncated = true;
  }

  /**
   * The source ended by itself. `signal` is the source's own abort signal, when it has one: an SDK
   * stream that swallows the caller's abort (the OpenAI client ends its iterator quietly) ends
   * early with that signal aborted, which is the caller's cancellation, not a premature upstream close.
   */
  ended(signal?: AbortSignal): void {
    if (this.#inBandError !== undefined) {
      this.#close('upstream-error', classifyOutcome(this.#inBandError), messageOf(this.#inBandError));
    } else if (this.#finishReason !== undefined || !this.#structured) {
      this.#close('completed', { status: 'completed' }, undefined);
    } else if (signal?.aborted === true) {
      const outcome = classifyOutcome(undefined, { signal });
      const message = outcome.message ?? messageOf(signal.reason) ?? 'the caller aborted the stream';
      this.#close(outcome.status === 'interrupted' ? 'client-abort' : 'upstream-error', { ...outcome, message }, message);
    } else {
      this.#close('upstream-premature', { status: 'interrupted', message: 'stream ended without a finish' }, 'stream ended without a finish');
    }
  }

  /** The consumer stopped reading (break, return, cancel). */
  consumerStopped(reason?: unknown): void {
    if (this.#inBandError !== undefined) {
      // The stream had already reported an error (a consumer stops, or retries, because of it): that error is the outcome.
      this.#close('upstream-error', classifyOutcome(this.#inBandError), messageOf(this.#inBandError));
      return;
    }
    if (this.#step.clientWriteError !== undefined) {
      const message = messageOf(this.#step.clientWriteError) ?? 'writing to the client failed';
      this.#close('client-write-failed', { status: 'interrupted', message }, message);
      return;
    }
    const message = messageOf(reason) ?? 'consumer stopped reading';
    this.#close('client-abort', { status: 'interrupted', message }, message);
  }

  /** The source threw. */
  failed(error: unknown): void {
    if (this.#step.clientWriteError !== undefined) {
      const message = messageOf(this.#step.clientWriteError);
      this.#close('client-write-failed', { status: 'interrupted', message: message ?? 'writing to the client failed' }, message);
      return;
    }
    const outcome = classifyOutcome(error);
    if (outcome.status === 'interrupted') {
      this.#close('client-abort', outcome, outcome.message);
    } else {
      this.#close(isPrematureClose(error) ? 'upstream-premature' : 'upstream-error', outcome, outcome.message);
    }
  }

  #close(kind: StreamCloseKind, outcome: Outcome, reason: string | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    const step = this.#step;
    if (step.ended) return;
    try {
      if (step.recording) {
        const settings = step.core.settings;
        const content: MessagePart[] = [];
        if (this.#reasoning !== '') content.push({ type: 'reasoning', text: this.#reasoning });
        if (this.#text !== '') content.push({ type: 'text', text: this.#text });
        for (const call of this.#toolCalls.values()) {
          content.push({ type: 'tool-call', id: call.id, name: call.name, arguments: call.arguments });
        }
        const response: { -readonly [K in keyof NormalizedResponse]: NormalizedResponse[K] } = {};
        if (content.length > 0) response.content = content;
        if (this.#finishReason !== undefined) response.finishReason = this.#finishReason;
        if (this.#usage !== undefined) response.usage = this.#usage;
        if (this.#model !== undefined) response.model = this.#model;
        if (this.#id !== undefined) response.id = this.#id;
        applyResponse(step, response);
        step.span.setAttribute(RuntraceAttributes.STREAM_CHUNK_COUNT, this.#chunkCount);
        step.span.setAttribute(RuntraceAttributes.STREAM_TEXT_LENGTH, this.#textLength);
        step.span.setAttribute(RuntraceAttributes.STREAM_CLOSE_KIND, kind);
        if (settings.contentPolicy === 'full' && this.#text !== '') {
          const redacted = settings.redactor.redactText(this.#text);
          step.addMasked(redacted.maskedCount);
          step.span.setAttribute(
            RuntraceAttributes.STREAM_TEXT,
            this.#textTruncated ? `${redacted.value}…[truncated, ${this.#textLength} chars]` : redacted.value,
          );
        }
        const eventAttributes: Record<string, string | number> = {
          [StreamCloseEventAttributes.KIND]: kind,
          [StreamCloseEventAttributes.EVENT_COUNT]: this.#chunkCount,
          [StreamCloseEventAttributes.BYTES]: this.#bytes,
        };
        if (reason !== undefined) eventAttributes[StreamCloseEventAttributes.REASON] = truncateText(settings.redactor.redactText(reason).value, 1000);
        step.span.addEvent(RuntraceEvents.STREAM_CLOSE, eventAttributes);
        if (this.#finishReason === undefined && outcome.status !== 'completed') {
          step.span.setAttribute(GenAiAttributes.RESPONSE_FINISH_REASONS, [outcome.status]);
        }
      }
    } catch {
      // Recording must never throw into the application.
    }
    step.finish(outcome);
  }
}
