// Live events: listeners hear runs and steps start, runs change (at most once per microtask) and
// end, and sweeps; a live event's redacted snapshot is taken only when a listener reads it.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanKinds } from '@runtrace/core';
import type { RunLiveEvent, RunLiveListener } from '../run-live-event.js';
import type { ProcessorErrorContext } from '../run-span-processor-options.js';
import { LiveSpanEvent } from './live-span-event.js';
import type { RunGroup } from './run-registry.js';

export class LiveEvents {
  readonly #listeners = new Set<RunLiveListener>();
  readonly #snapshot: (live: ReadableSpan) => ReadableSpan;
  readonly #report: (error: unknown, context: ProcessorErrorContext) => void;

  constructor(snapshot: (live: ReadableSpan) => ReadableSpan, report: (error: unknown, context: ProcessorErrorContext) => void) {
    this.#snapshot = snapshot;
    this.#report = report;
  }

  /** Whether anyone listens (no event is built otherwise). */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  subscribe(listener: RunLiveListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  clear(): void {
    this.#listeners.clear();
  }

  /** A run or step started. */
  started(kind: unknown, span: ReadableSpan, spanId: string): void {
    if (this.#listeners.size === 0) return;
    if (kind === SpanKinds.RUN) this.emit(new LiveSpanEvent('run-start', span, spanId, this.#snapshot));
    else if (kind === SpanKinds.STEP) this.emit(new LiveSpanEvent('step-start', span, spanId, this.#snapshot));
  }

  /** A run was written to: one update per run per microtask, while it is open. */
  runUpdated(group: RunGroup): void {
    if (this.#listeners.size === 0 || group.updatePending) return;
    group.updatePending = true;
    queueMicrotask(() => {
      group.updatePending = false;
      const run = group.run;
      if (run === undefined || run.ended || this.#listeners.size === 0) return;
      try {
        this.emit(new LiveSpanEvent('run-update', run.span, run.span.spanContext().spanId, this.#snapshot));
      } catch (error: unknown) {
        this.#report(error, 'listener');
      }
    });
  }

  /** A run or step ended (with its final, redacted span). */
  ended(kind: unknown, span: ReadableSpan): void {
    if (this.#listeners.size === 0) return;
    if (kind === SpanKinds.RUN) this.emit({ type: 'run-end', spanId: span.spanContext().spanId, span });
    else if (kind === SpanKinds.STEP) this.emit({ type: 'step-end', spanId: span.spanContext().spanId, span });
  }

  emit(event: RunLiveEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error: unknown) {
        this.#report(error, 'listener');
      }
    }
  }
}
