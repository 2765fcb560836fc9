// A SpanExporter that writes spans into the local SQLite store from a worker thread.

import { Worker } from 'node:worker_threads';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DEFAULT_STALE_AFTER_MS, InvalidArgumentError, ShutDownError, StoreWriteError, defaultPricingTable, normalizeModel } from '@runtrace/core';
import type { StorePricing, StoreSweepResult } from './query-types.js';
import { openDatabaseFile, writerScriptUrl } from './internal/open-database-file.js';
import { runtraceKind, spanToOp } from './internal/span-rows.js';
import type { SpanRowContext } from './internal/span-rows.js';
import { NO_SWEEP, encodeOps, sweepStale } from './internal/sqlite-writer.js';
import type { RowOp, WriterRequest, WriterResponse, WriterWorkerData } from './internal/sqlite-writer.js';

/** Options of {@link SqliteSpanExporter}. */
export interface SqliteSpanExporterOptions {
  /** The SQLite file; created (with its directory) when missing. */
  readonly path: string;
  /** Prices model usage for step and run costs. Default: the core default pricing table. */
  readonly pricing?: StorePricing;
  /** Normalizes model names for the `model` filter. Default: the core `normalizeModel`. */
  readonly normalizeModel?: (model: string) => string;
  /** Most spans waiting to be written; beyond it exports fail and spans are counted as dropped. Default 20,000. */
  readonly maxQueueSpans?: number;
  /** Most spans per write transaction. Default 2,000. */
  readonly maxBatchSpans?: number;
  /** How long a write waits for a lock held by another connection. Default 5,000 ms. */
  readonly busyTimeoutMs?: number;
  /** Finalize stale in-progress rows left by a dead process when the exporter opens the file. Default `true`. */
  readonly sweepOnOpen?: boolean;
  /** Idle time after which an in-progress row counts as stale. Default 5 minutes. */
  readonly staleAfterMs?: number;
  /** Clock (epoch ms) for in-progress activity and the open sweep. Default `Date.now`. */
  readonly now?: () => number;
}

/** Counters of an exporter's work. */
export interface SqliteSpanExporterStats {
  /** Spans written (committed). */
  readonly writtenSpans: number;
  /** Spans waiting or being written. */
  readonly queuedSpans: number;
  /** Spans refused because the queue was full or the exporter was shut down. */
  readonly droppedSpans: number;
  /** Spans whose write transaction failed. */
  readonly failedSpans: number;
}

type Completion = (error: Error | undefined) => void;

/**
 * Spans converted before the first hand-over to the writer. Small, so the worker starts writing
 * while the rest of a large export is still being converted on the calling thread.
 */
const HANDOVER_SPANS = 64;

interface Pending {
  readonly ops: RowOp[];
  readonly completions: Completion[];
}

interface InFlight {
  readonly size: number;
  readonly completions: Completion[];
  readonly done: Promise<void>;
  readonly resolve: () => void;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError(name, value, 'a positive integer');
  return value;
}

/**
 * Writes spans into the local store. Runtrace spans (runs, steps, attempts, tool calls) go to
 * their tables; every other span is kept generically by trace. Writes happen on a worker
 * thread, batched in transactions, so the host's event loop never waits on the disk.
 *
 * @example
 * const exporter = new SqliteSpanExporter({ path: '.runtrace/runtrace.db' });
 * const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
 */
export class SqliteSpanExporter implements SpanExporter {
  /** The SQLite file written to. */
  readonly path: string;
  /** What the sweep on open finalized (zeros when it did not run). */
  readonly openSweep: StoreSweepResult;

  readonly #context: SpanRowContext;
  readonly #maxQueueSpans: number;
  readonly #maxBatchSpans: number;
  readonly #handoverSpans: number;
  readonly #worker: Worker;
  readonly #inFlight = new Map<number, InFlight>();
  #pending: Pending = { ops: [], completions: [] };
  #flushScheduled = false;
  #nextId = 1;
  #queuedSpans = 0;
  #writtenSpans = 0;
  #droppedSpans = 0;
  #failedSpans = 0;
  #broken: Error | undefined;
  #shutdown: Promise<void> | undefined;
  #closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(options: SqliteSpanExporterOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidArgumentError('options.path', options.path, 'a non-empty file path');
    }
    this.path = options.path;
    this.#maxQueueSpans = positiveInteger('options.maxQueueSpans', options.maxQueueSpans, 20_000);
    this.#maxBatchSpans = positiveInteger('options.maxBatchSpans', options.maxBatchSpans, 2_000);
    this.#handoverSpans = Math.min(HANDOVER_SPANS, this.#maxBatchSpans);
    const busyTimeoutMs = positiveInteger('options.busyTimeoutMs', options.busyTimeoutMs, 5_000);
    const staleAfterMs = positiveInteger('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS);
    const now = options.now ?? Date.now;
    this.#context = {
      pricing: options.pricing ?? defaultPricingTable,
      normalizeModel: options.normalizeModel ?? normalizeModel,
      now,
    };

    // Migrate (and sweep) synchronously once, so the worker only ever sees a current schema.
    const db = openDatabaseFile(this.path, busyTimeoutMs);
    try {
      this.openSweep = options.sweepOnOpen === false ? NO_SWEEP : sweepStale(db, now() - staleAfterMs);
    } finally {
      db.close();
    }

    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    const workerData: WriterWorkerData = { runtraceSqliteWriter: true, path: this.path, busyTimeoutMs, maxBatchSpans: this.#maxBatchSpans };
    this.#worker = new Worker(writerScriptUrl(), { workerData });
    this.#worker.on('message', (message: WriterResponse) => this.#onMessage(message));
    this.#worker.on('error', (error: Error) => this.#fail(new StoreWriteError(`store writer failed: ${error.message}`, this.path, { cause: error })));
    this.#worker.on('exit', () => {
      this.#fail(new StoreWriteError('store writer stopped', this.path));
      this.#resolveClosed();
    });
    // After the listeners: attaching a 'message' listener refs the worker again, and an idle
    // writer must never keep the host process alive.
    this.#worker.unref();
  }

  /**
   * Writes spans; `resultCallback` is called exactly once, after the spans are committed (or
   * with `FAILED` and a `StoreWriteError`/`ShutDownError` when they cannot be).
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const complete: Completion = (error) => {
      if (called) return;
      called = true;
      try {
        resultCallback(error === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error });
      } catch {
        // A throwing callback is the caller's problem; it must not break the writer.
      }
    };
    if (this.#shutdown !== undefined) {
      this.#droppedSpans += spans.length;
      complete(new ShutDownError('SqliteSpanExporter'));
      return;
    }
    if (this.#broken !== undefined) {
      this.#failedSpans += spans.length;
      complete(this.#broken);
      return;
    }
    if (this.#queuedSpans + spans.length > this.#maxQueueSpans) {
      this.#droppedSpans += spans.length;
      complete(new StoreWriteError(`store write queue is full (${this.#maxQueueSpans} spans); ${spans.length} spans dropped`, this.path));
      return;
    }
    // The export completes once every part of it handed to the writer has settled; the first
    // error wins. `outstanding` starts at one for the conversion itself.
    let outstanding = 1;
    let firstError: Error | undefined;
    const settlePart: Completion = (error) => {
      firstError ??= error;
      if (--outstanding === 0) complete(firstError);
    };
    let added = 0;
    let handedOver = 0;
    try {
      for (const span of spans) {
        const op = spanToOp(span, false, this.#context);
        if (op === undefined) continue;
        this.#pending.ops.push(op);
        this.#queuedSpans += 1;
        added += 1;
        if (this.#pending.ops.length >= this.#handoverSpans) {
          outstanding += 1;
          this.#pending.completions.push(settlePart);
          handedOver += added;
          added = 0;
          this.#flush();
        }
      }
    } catch (error: unknown) {
      // Drop this export's ops that were not handed over yet; parts already handed over are
      // written (ingest is idempotent, so a retried export does no harm).
      this.#pending.ops.length -= added;
      this.#queuedSpans -= added;
      this.#failedSpans += spans.length - handedOver;
      settlePart(new StoreWriteError(`cannot convert spans: ${error instanceof Error ? error.message : String(error)}`, this.path, { cause: error }));
      return;
    }
    if (added > 0) {
      outstanding += 1;
      this.#pending.completions.push(settlePart);
      this.#scheduleFlush();
    }
    settlePart(undefined);
  }

  /**
   * Records a live, not yet ended run, step, attempt or tool span as an `in_progress` row (or
   * refreshes it). The finished span replaces the row later; a finished row is never replaced.
   * Other spans are ignored. Never throws; refused snapshots are counted as dropped.
   *
   * @example
   * processor.subscribe((event) => {
   *   if (event.type === 'run-start' || event.type === 'run-update' || event.type === 'step-start') exporter.recordInProgress(event.span);
   * });
   */
  recordInProgress(span: ReadableSpan): void {
    try {
      if (runtraceKind(span) === undefined) return;
      if (this.#shutdown !== undefined || this.#broken !== undefined || this.#queuedSpans + 1 > this.#maxQueueSpans) {
        this.#droppedSpans += 1;
        return;
      }
      const op = spanToOp(span, !span.ended, this.#context);
      if (op === undefined) return;
      this.#queuedSpans += 1;
      this.#pending.ops.push(op);
      if (this.#pending.ops.length >= this.#handoverSpans) this.#flush();
      else this.#scheduleFlush();
    } catch {
      this.#droppedSpans += 1;
    }
  }

  /** Waits until every span handed over so far is committed (or failed). */
  async forceFlush(): Promise<void> {
    this.#flush();
    await Promise.all([...this.#inFlight.values()].map((entry) => entry.done));
  }

  /** Flushes, then closes the writer; later exports fail with `ShutDownError`. Runs once. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#close();
    return this.#shutdown;
  }

  /** Counters of written, queued, dropped and failed spans. */
  stats(): SqliteSpanExporterStats {
    return {
      writtenSpans: this.#writtenSpans,
      queuedSpans: this.#queuedSpans,
      droppedSpans: this.#droppedSpans,
      failedSpans: this.#failedSpans,
    };
  }

  async #close(): Promise<void> {
    await this.forceFlush();
    if (this.#broken === undefined) {
      this.#worker.ref();
      this.#worker.postMessage({ type: 'close' } satisfies WriterRequest);
    }
    await this.#closed;
  }

  // Exports and snapshots of the same tick travel together.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const pending = this.#pending;
    if (pending.ops.length === 0 && pending.completions.length === 0) return;
    this.#pending = { ops: [], completions: [] };
    const id = this.#nextId++;
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    this.#inFlight.set(id, { size: pending.ops.length, completions: pending.completions, done, resolve });
    if (this.#broken !== undefined) {
      this.#settle(id, this.#broken);
      return;
    }
    this.#worker.ref();
    try {
      const ops = encodeOps(pending.ops);
      this.#worker.postMessage({ type: 'write', id, ops } satisfies WriterRequest, [ops.numbers.buffer, ops.tags.buffer]);
    } catch (error: unknown) {
      this.#settle(id, new StoreWriteError(`cannot hand spans to the store writer: ${error instanceof Error ? error.message : String(error)}`, this.path, { cause: error }));
    }
  }

  #onMessage(message: WriterResponse): void {
    switch (message.type) {
      case 'written': {
        const error = message.error === undefined ? undefined : new StoreWriteError(`store write failed: ${message.error}`, this.path);
        for (const id of message.ids) this.#settle(id, error);
        return;
      }
      case 'open-failed':
        this.#fail(new StoreWriteError(`store writer cannot open ${this.path}: ${message.message}`, this.path));
        return;
      case 'ready':
      case 'closed':
        return;
      default: {
        const unexpected: never = message;
        return unexpected;
      }
    }
  }

  #settle(id: number, error: Error | undefined): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    this.#inFlight.delete(id);
    this.#queuedSpans -= entry.size;
    if (error === undefined) this.#writtenSpans += entry.size;
    else this.#failedSpans += entry.size;
    for (const complete of entry.completions) complete(error);
    entry.resolve();
    if (this.#inFlight.size === 0) this.#worker.unref();
  }

  #fail(error: StoreWriteError): void {
    this.#broken ??= error;
    for (const id of [...this.#inFlight.keys()]) this.#settle(id, this.#broken);
    const pending = this.#pending;
    this.#pending = { ops: [], completions: [] };
    this.#queuedSpans -= pending.ops.length;
    this.#failedSpans += pending.ops.length;
    for (const complete of pending.completions) complete(this.#broken);
  }
}
