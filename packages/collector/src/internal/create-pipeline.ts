// The collector's own RunSpanProcessor, with the store (awaited per request) and forwarding as destinations.
import { RunSpanProcessor } from '@runtrace/processor';
import { SqliteSpanExporter } from '@runtrace/store';
import type { CollectorOptions, SpanSink } from '../collector-options.js';
import { createForwardDestination } from '../create-forward-destination.js';
import { StoreDestination } from './store-destination.js';

/** Spans handed to the store in one write, so a huge request never fills the store's queue at once. */
const STORE_CHUNK_SPANS = 5_000;

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
    store = new StoreDestination(new SqliteSpanExporter({ path: options.databasePath, maxQueueSpans: maxPendingSpans + 2 * STORE_CHUNK_SPANS }));
  }
  const processor = new RunSpanProcessor({
    sweepInterval: false,
    ...options.processorOptions,
    destinations: [
      ...(store === undefined ? [] : [{ processor: store, kind: 'store' as const, name: 'store' }]),
      ...(forward === undefined ? [] : [forward]),
    ],
  });
  if (store === undefined) return { processor, sink: (spans) => processor.ingest(spans) };
  const destination = store;
  return {
    processor,
    sink: async (spans) => {
      const batch = destination.capture(() => processor.ingest(spans));
      for (let start = 0; start < batch.length; start += STORE_CHUNK_SPANS) {
        await destination.write(batch.slice(start, start + STORE_CHUNK_SPANS));
      }
    },
  };
}
