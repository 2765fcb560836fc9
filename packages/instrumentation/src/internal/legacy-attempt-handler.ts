// A dispatch handler of undici's legacy API (onConnect, onHeaders, onData, onComplete) that records the round trip and forwards every callback.
import type { Duplex } from 'node:stream';
import type { AttemptRecording } from './attempt-recording.js';

/**
 * undici's legacy handler API: the one undici 6 speaks (Node 22's fetch), the one undici 7 (Node
 * 24's fetch) hands to an interceptor and passes straight to its core, and the one undici 8 still
 * accepts through its `Dispatcher1Wrapper`. Returning `false` from `onHeaders` or `onData` pauses
 * the response until `resume` is called.
 */
export interface LegacyDispatchHandler {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void;
  onError?(error: Error): void;
  onUpgrade?(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, headers: Buffer[] | string[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | string[] | null): void;
  onBodySent?(chunk: Buffer | string): void;
  onRequestSent?(): void;
}

/**
 * Records the round trip through an {@link AttemptRecording}, then forwards each callback to the
 * real handler and returns what it returns, so its flow control (pause and resume) is kept. It has
 * no `onRequestStart` on purpose: undici 7 would adapt such a handler to the legacy API with a
 * wrapper that does not pass `onBodySent` on, and a body fetch streams is recorded from that.
 * The recording never throws; the real handler's own errors propagate unchanged.
 */
export class LegacyAttemptHandler implements LegacyDispatchHandler {
  /**
   * Let go once the round trip is over: undici may keep this handler reachable for a while, and
   * it must not keep the recording (and the step behind it) too.
   */
  #recording: AttemptRecording | undefined;
  readonly #inner: LegacyDispatchHandler;

  constructor(recording: AttemptRecording, inner: LegacyDispatchHandler) {
    this.#recording = recording;
    this.#inner = inner;
  }

  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    this.#inner.onConnect?.(abort, context);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.#recording?.upgrade(statusCode);
    this.#recording = undefined;
    this.#inner.onUpgrade?.(statusCode, headers, socket);
  }

  onResponseStarted(): void {
    this.#inner.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: Buffer[] | string[], resume: () => void, statusText: string): boolean {
    this.#recording?.responseStart(statusCode, headers);
    if (this.#inner.onHeaders === undefined) return true;
    return this.#inner.onHeaders(statusCode, headers, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    this.#recording?.data(chunk);
    if (this.#inner.onData === undefined) return true;
    return this.#inner.onData(chunk);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    // Recorded before the caller sees the end, so the step has the answer when the code ends it.
    this.#recording?.end();
    this.#recording = undefined;
    this.#inner.onComplete?.(trailers);
  }

  onError(error: Error): void {
    this.#recording?.fail(error);
    this.#recording = undefined;
    if (this.#inner.onError === undefined) throw error;
    this.#inner.onError(error);
  }

  onBodySent(chunk: Buffer | string): void {
    this.#recording?.bodySent(chunk);
    this.#inner.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    this.#inner.onRequestSent?.();
  }
}
