// The store as a span processor: each ended span goes straight to the exporter's write window.
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** What the processor hands spans to: `SqliteSpanExporter` and `PostgresSpanExporter` fit. */
export interface SpanWriteTarget {
  /** Takes one ended span, to be written with others; never throws. */
  write(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Feeds ended spans to a store's exporter (`SqliteSpanExporter`, `PostgresSpanExporter`) one by one, without the per-span export
 * promise and callback of the SDK's `SimpleSpanProcessor`: the exporter batches them over its
 * flush window itself, and never drops one while the disk accepts writes.
 *
 * @example
 * const exporter = store.createExporter();
 * const processor = new RunSpanProcessor({ destinations: [{ processor: new StoreSpanProcessor(exporter), kind: 'store', content: 'full' }] });
 */
export class StoreSpanProcessor implements SpanProcessor {
  readonly #exporter: SpanWriteTarget;

  constructor(exporter: SpanWriteTarget) {
    this.#exporter = exporter;
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Nothing to do until the span ends.
  }

  onEnd(span: ReadableSpan): void {
    this.#exporter.write(span);
  }

  /** Waits until every span handed over is written. */
  forceFlush(): Promise<void> {
    return this.#exporter.forceFlush();
  }

  /** Flushes and closes the exporter. */
  shutdown(): Promise<void> {
    return this.#exporter.shutdown();
  }
}
