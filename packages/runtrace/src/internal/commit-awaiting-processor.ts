// The store as a destination whose writes a receiver awaits: a request is answered once its spans are committed.
import type { Context } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { StoreWriteError } from '@runtrace/core';

/**
 * Spans the processor hands over while `capture` runs are collected and written as one batch
 * whose commit the caller awaits; spans that arrive any other way are written at once.
 */
export class CommitAwaitingProcessor implements SpanProcessor {
  readonly #exporter: SpanExporter;
  #capturing: ReadableSpan[] | undefined;

  constructor(exporter: SpanExporter) {
    this.#exporter = exporter;
  }

  /** Runs `feed` (which must call the processor synchronously) and returns the spans it delivered here. */
  capture(feed: () => void): ReadableSpan[] {
    const previous = this.#capturing;
    const batch: ReadableSpan[] = [];
    this.#capturing = batch;
    try {
      feed();
    } finally {
      this.#capturing = previous;
    }
    return batch;
  }

  /** Writes spans; resolves once they are committed, rejects when they cannot be. */
  write(spans: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(result.error ?? new StoreWriteError('store write failed'));
      });
    });
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Only ended spans are written.
  }

  onEnd(span: ReadableSpan): void {
    if (this.#capturing !== undefined) this.#capturing.push(span);
    else this.write([span]).catch(() => undefined); // the exporter counts failed and dropped spans
  }

  forceFlush(): Promise<void> {
    return this.#exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#exporter.shutdown();
  }
}
