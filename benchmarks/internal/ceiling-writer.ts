// The ceiling of benchmarks/store-ingest.ts: the store exporter's own work — each ReadableSpan
// converted to its row by the store's conversion, then written by the store's SpanWriter (its
// upserts, events and run re-aggregation), one transaction per batch — done synchronously on
// the calling thread. It uses the store's built modules, so it cannot drift from what the
// exporter does; what it leaves out is exactly the exporter's overhead: its queue, the packing of
// rows for the worker, the hop to the worker thread and back, and the completion callbacks.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { defaultPricingTable, normalizeModel } from '@runtrace/core';
import { spanToOp } from '../../packages/store/dist/internal/span-rows.js';
import type { SpanRowContext } from '../../packages/store/dist/internal/span-rows.js';
import { writeOpOf } from '../../packages/store/dist/internal/ops-codec.js';
import type { WriteOp } from '../../packages/store/dist/internal/row-columns.js';
import { SpanWriter } from '../../packages/store/dist/internal/span-writer.js';
import { openDatabase } from '../../packages/store/dist/internal/sqlite-connection.js';

/** The exporter's defaults. */
const CONTEXT: SpanRowContext = { pricing: defaultPricingTable, normalizeModel, now: Date.now };

/** Converts a finished span as the exporter does. */
export function toWriteOp(span: ReadableSpan): WriteOp {
  const op = spanToOp(span, false, CONTEXT);
  if (op === undefined) throw new Error(`${span.name}: the store writes every finished span, yet it made no row`);
  return writeOpOf(op);
}

/** Converts and writes spans with the store's writer, one transaction per call, on this thread. */
export class CeilingWriter {
  readonly #writer: SpanWriter;

  /** Opens `path` (already migrated) with the store's connection settings. */
  constructor(path: string) {
    this.#writer = new SpanWriter(openDatabase(path));
  }

  /** One batch: convert each span, then write them all in one transaction. */
  write(spans: readonly ReadableSpan[]): void {
    this.#writer.write(spans.map(toWriteOp));
  }

  close(): void {
    this.#writer.database.close();
  }
}
