// A dispatch handler of undici's current API (undici 8) that records the round trip and forwards every callback.
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { AttemptRecording } from './attempt-recording.js';

/**
 * Records the round trip through an {@link AttemptRecording}, then forwards each callback to the
 * real handler. The recording never throws; the real handler's own errors propagate unchanged.
 */
export class AttemptHandler implements Dispatcher.DispatchHandler {
  /**
   * Let go once the round trip is over: undici may keep this handler reachable for a while, and
   * it must not keep the recording (and the step behind it) too.
   */
  #recording: AttemptRecording | undefined;
  readonly #inner: Dispatcher.DispatchHandler;

  constructor(recording: AttemptRecording, inner: Dispatcher.DispatchHandler) {
    this.#recording = recording;
    this.#inner = inner;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: Duplex): void {
    this.#recording?.upgrade(statusCode);
    this.#recording = undefined;
    this.#inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    this.#recording?.responseStart(statusCode, headers);
    this.#inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#recording?.data(chunk);
    this.#inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    // Recorded before the caller sees the end, so the step has the answer when the code ends it.
    this.#recording?.end();
    this.#recording = undefined;
    this.#inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#recording?.fail(error);
    this.#recording = undefined;
    if (this.#inner.onResponseError === undefined) throw error;
    this.#inner.onResponseError(controller, error);
  }

  onBodySent(chunk: Buffer): void {
    this.#recording?.bodySent(chunk);
    this.#inner.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    this.#inner.onRequestSent?.();
  }

  onResponseStarted(): void {
    this.#inner.onResponseStarted?.();
  }
}
