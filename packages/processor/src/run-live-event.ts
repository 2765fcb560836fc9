// Live events that RunSpanProcessor publishes to its subscribers.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** Counts of spans ended by a sweep (or at shutdown), by runtrace span kind. */
export interface SweepCounts {
  readonly runs: number;
  readonly steps: number;
  readonly attempts: number;
  readonly tools: number;
}

/**
 * A change that a live view (or the store's in-progress rows) may want to show.
 *
 * `run-start`, `step-start` and `run-update` carry a redacted snapshot of the span still in
 * flight (`ended === false`), taken when `span` is first read — a listener that does not read
 * it costs no copy, and one that reads it later gets the state at that time; `step-end` and
 * `run-end` carry the ended, redacted span (full content, before any destination's content
 * view). `spanId` names the span without taking a snapshot. `sweep` carries what a sweep ended.
 */
export type RunLiveEvent =
  | { readonly type: 'run-start' | 'run-update' | 'run-end' | 'step-start' | 'step-end'; readonly spanId: string; readonly span: ReadableSpan }
  | { readonly type: 'sweep'; readonly counts: SweepCounts };

/** A subscriber of {@link RunLiveEvent}s. A listener that throws is reported and skipped. */
export type RunLiveListener = (event: RunLiveEvent) => void;
