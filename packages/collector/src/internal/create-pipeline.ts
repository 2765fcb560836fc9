// The collector's own RunSpanProcessor, with the store (awaited per request) and forwarding as destinations.
import { RunSpanProcessor } from '@runtrace/processor';
import { SqliteSpanExporter } from '@runtrace/store';
import type { CollectorOptions, SpanSink } from '../collector-options.js';
import { createForwardDestination } from '../create-forward-destination.js';
import { StoreDestination } from './store-destination.js';

/**
 * Spans ingested (and handed to the store) at a time: a large request is processed in slices
 * with the event loop free between them, so other requests are never held up for long.
 */
const INGEST_SLICE_SPANS = 2_000;

export interface Pipeline {
  readonly processor: RunSpanProcessor;
  readonly sink: SpanSink;
}

/** The pipeline for `databasePath` and/or `forward`; `maxPendingSpans` sizes the store's queue. */
export function createPipeline(options: CollectorOptions, maxPendingSpans: number): Pipeline {
  const forward = options.forward === undefined ? undefined : createForwardDestination(options.forward);
  let store: StoreDestination | undefined;
  if (options.databasePath !== undefined) {
    // Room for every span the collector lets wait, plus one chunk of a request let through alone.
    store = new StoreDestination(new SqliteSpanExporter({ path: options.databasePath, maxQueueSpans: maxPendingSpans + 2 * INGEST_SLICE_SPANS }));
  }
  const processor = new RunSpanProcessor({
    sweepInterval: false,
    ...options.processorOptions,
    destinations: [
      ...(store === undefined ? [] : [{ processor: store, kind: 'store' as const, name: 'store' }]),
      ...(forward === undefined ? [] : [forward]),
    ],
  });
  if (store === undefined) {
    return {
      processor,
      sink: async (spans) => {
        const slices = processor.planIngest(spans, INGEST_SLICE_SPANS);
        for (const [index, slice] of slices.entries()) {
          if (index > 0) await new Promise((resolve) => setImmediate(resolve));
          processor.ingest(slice);
        }
      },
    };
  }
  const destination = store;
  return {
    processor,
    sink: async (spans) => {
      // Each slice is committed before the next is processed (its write lets other requests in).
      for (const slice of processor.planIngest(spans, INGEST_SLICE_SPANS)) {
        await destination.write(destination.capture(() => processor.ingest(slice)));
      }
    },
  };
}
