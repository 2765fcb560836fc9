// A SpanExporter that writes spans into the local SQLite store from a worker thread, losing none.

import { Worker } from 'node:worker_threads';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DEFAULT_STALE_AFTER_MS, InvalidArgumentError, ShutDownError, StoreWriteError, defaultPricingTable, normalizeModel } from '@runtrace/core';
import { errorMessage, positiveOption } from '@runtrace/core/internal';
import type { StorePricing, StoreSweepResult } from './query-types.js';
import { InProgressSnapshots } from './internal/in-progress-snapshots.js';
import type { SnapshotSource } from './internal/in-progress-snapshots.js';
import { openDatabaseFile, requireFilePath, writerExecArgv, writerScriptUrl } from './internal/open-database-file.js';
import { runtraceKind, spanToOp } from './internal/span-rows.js';
import type { SpanRowContext } from './internal/span-rows.js';
import { SpoolFile, replayOrphanSpools } from './internal/spool-file.js';
import type { SpoolReplay } from './internal/spool-file.js';
import { OpsPacker } from './internal/ops-codec.js';
import type { RowOp } from './internal/row-columns.js';
import type { WriterRequest, WriterResponse, WriterWorkerData } from './internal/writer-protocol.js';
import { NO_SWEEP, sweepStale } from './internal/sweep-stale.js';

/** Options of {@link SqliteSpanExporter}. */
export interface SqliteSpanExporterOptions {
  /** The SQLite file; created (with its directory) when missing. */
  readonly path: string;
  /** Prices model usage for step and run costs. Default: the core default pricing table. */
  readonly pricing?: StorePricing;
  /** Normalizes model names for the `model` filter. Default: the core `normalizeModel`. */
  readonly normalizeModel?: (model: string) => string;
  /**
   * Most spans handed to the writer thread and not yet written. Beyond it (or beyond
   * `maxQueueBytes`) spans wait in the spool file beside the database instead of memory. Default 4,096.
   */
  readonly maxQueueSpans?: number;
  /** Most bytes of packed rows held in memory for the writer thread; see `maxQueueSpans`. Default 8 MiB. */
  readonly maxQueueBytes?: number;
  /**
   * Overflow to the spool file (`<path>-spool-<pid>-<n>`) rather than drop. With `false`, spans
   * beyond the memory bounds are dropped and counted (`queue-full`). Default `true`.
   */
  readonly spool?: boolean;
  /** Most spans per write transaction. Default 2,000. */
  readonly maxBatchSpans?: number;
  /**
   * How long spans handed over one by one ({@link SqliteSpanExporter.write}) may wait to be
   * written together. Default 100 ms. (`export()` batches are handed over at once.)
   */
  readonly flushIntervalMs?: number;
  /**
   * How long a run or step must have been open before {@link SqliteSpanExporter.watchInProgress}
   * writes its in-progress row; work that ends sooner is written once, finished. Default 200 ms.
   */
  readonly inProgressDelayMs?: number;
  /**
   * A cap on the database file's size in bytes: writes that would grow it further fail, are
   * counted as `disk-full` and told to `onWriteError`, as when the disk itself is full. Keep the
   * store under it with retention (`SqliteStore.prune`). The write-ahead log beside the file (up
   * to about 40 MB while writing) is not counted. Default: none.
   */
  readonly maxDatabaseBytes?: number;
  /** How long a write waits for a lock held by another connection. Default 5,000 ms. */
  readonly busyTimeoutMs?: number;
  /** Finalize stale in-progress rows left by a dead process when the exporter opens the file. Default `true`. */
  readonly sweepOnOpen?: boolean;
  /** Idle time after which an in-progress row counts as stale. Default 5 minutes. */
  readonly staleAfterMs?: number;
  /** Clock (epoch ms) for in-progress activity and the open sweep. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Told of every write that failed and every span dropped, with the cause; runtrace's setup
   * reports these on stderr (rate-limited). Never called for spans that were merely delayed. Default: none.
   */
  readonly onWriteError?: (error: StoreWriteError, spanCount: number, cause: StoreLossCause) => void;
}

/** Why spans did not reach the store. */
export type StoreLossCause =
  /** The disk (or the database's page limit) is full. */
  | 'disk-full'
  /** The database file cannot be written (read-only file or directory, gone, locked too long). */
  | 'write-error'
  /** A span could not be turned into rows. */
  | 'conversion'
  /** The memory bounds were reached with the spool off, or the spool file could not be written. */
  | 'queue-full'
  /** Handed over after shutdown. */
  | 'shutdown';

/** Counters of an exporter's work. */
export interface SqliteSpanExporterStats {
  /** Spans written (committed). */
  readonly writtenSpans: number;
  /** Spans waiting or being written (in memory or in the spool file). */
  readonly queuedSpans: number;
  /** Spans that overflowed to the spool file so far (written later, not lost). */
  readonly spooledSpans: number;
  /** Spans refused without a write attempt: memory full with the spool off or failing, or after shutdown. */
  readonly droppedSpans: number;
  /** Spans whose write failed (or could not be converted). */
  readonly failedSpans: number;
  /** Spans lost (dropped or failed), by cause. */
  readonly lostByCause: Readonly<Record<StoreLossCause, number>>;
  /** In-progress rows written (a finished row replaces each). */
  readonly inProgressRows: number;
  /** Spans a dead process had left in its spool file, written when this exporter opened the store. */
  readonly replayedSpans: number;
}

type Completion = (error: Error | undefined) => void;

/** Spans converted before a hand-over to the writer, so a large export is written while it is still being converted. */
const HANDOVER_SPANS = 512;
/**
 * Spans handed over one by one ({@link SqliteSpanExporter.write}) wait, as they are, until this
 * many have come (or until the next hand-over), and are then turned into rows one after the
 * other: converted as each span ended, between a call's network events, the conversion ran with
 * cold caches at about 1.5 times the cost. Few enough that a young-generation collection rarely
 * finds them waiting.
 */
const CONVERT_SPANS = 64;
/** Packed buffers kept for reuse. */
const REUSED_BUFFERS = 4;


interface InFlight {
  readonly size: number;
  /** Bytes held in memory for the writer; 0 when the rows went through the spool file. */
  readonly bytes: number;
  /** Spool file offset past the rows' frame; 0 when they were handed over in memory. */
  readonly spoolEnd: number;
  readonly completions: Completion[];
  readonly done: Promise<void>;
  readonly resolve: () => void;
}



/** The cause of a failed write, from SQLite's or the file system's message. */
function causeOf(message: string): StoreLossCause {
  return /disk is full|SQLITE_FULL|ENOSPC|database or disk is full/i.test(message) ? 'disk-full' : 'write-error';
}

function zeroCauses(): Record<StoreLossCause, number> {
  return { 'disk-full': 0, 'write-error': 0, conversion: 0, 'queue-full': 0, shutdown: 0 };
}

/**
 * Writes spans into the local store. Runtrace spans (runs, steps, attempts, tool calls) go to
 * their tables; every other span is kept generically by trace. Writes happen on a worker
 * thread, batched in transactions, so the host's event loop never waits on the disk.
 *
 * No span is dropped while the disk accepts writes: what the writer has not caught up with
 * waits in memory up to `maxQueueSpans`/`maxQueueBytes`, then in a spool file beside the
 * database that the writer drains (and that the next exporter opening the store replays if
 * the process died first). Losses happen only on write errors, counted by cause.
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
  readonly #maxQueueBytes: number;
  readonly #maxBatchSpans: number;
  readonly #handoverSpans: number;
  readonly #flushIntervalMs: number;
  readonly #worker: Worker;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #spool: SpoolFile | undefined;
  readonly #snapshots: InProgressSnapshots;
  readonly #onWriteError: SqliteSpanExporterOptions['onWriteError'];
  readonly #replay: SpoolReplay;
  /** Rows packed once converted (so they do not linger on the heap while they wait for the writer), and who waits on them. */
  readonly #packer = new OpsPacker();
  /** Ended spans handed over by {@link write}, not yet turned into rows (at most {@link CONVERT_SPANS}). */
  #unconverted: ReadableSpan[] = [];
  #completions: Completion[] = [];
  /** Packed buffers the writer handed back, reused for the next hand-overs. */
  readonly #buffers: ArrayBuffer[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #immediate = false;
  #nextId = 1;
  #queuedSpans = 0;
  #memorySpans = 0;
  #memoryBytes = 0;
  #writtenSpans = 0;
  #spooledSpans = 0;
  #droppedSpans = 0;
  #failedSpans = 0;
  #inProgressRows = 0;
  readonly #lost = zeroCauses();
  #broken: StoreWriteError | undefined;
  #shutdown: Promise<void> | undefined;
  #closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(options: SqliteSpanExporterOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidArgumentError('options.path', options.path, 'a non-empty file path');
    }
    this.path = requireFilePath(options.path);
    this.#maxQueueSpans = positiveOption('options.maxQueueSpans', options.maxQueueSpans, 4_096, { integer: true });
    this.#maxQueueBytes = positiveOption('options.maxQueueBytes', options.maxQueueBytes, 8 * 1024 * 1024, { integer: true });
    this.#maxBatchSpans = positiveOption('options.maxBatchSpans', options.maxBatchSpans, 2_000, { integer: true });
    this.#handoverSpans = Math.min(HANDOVER_SPANS, this.#maxQueueSpans);
    this.#flushIntervalMs = positiveOption('options.flushIntervalMs', options.flushIntervalMs, 100, { integer: true, allowZero: true });
    const inProgressDelayMs = positiveOption('options.inProgressDelayMs', options.inProgressDelayMs, 200, { integer: true, allowZero: true });
    const busyTimeoutMs = positiveOption('options.busyTimeoutMs', options.busyTimeoutMs, 5_000, { integer: true });
    const staleAfterMs = positiveOption('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS, { integer: true });
    const maxDatabaseBytes = options.maxDatabaseBytes === undefined ? undefined : positiveOption('options.maxDatabaseBytes', options.maxDatabaseBytes, 0, { integer: true });
    const now = options.now ?? Date.now;
    this.#onWriteError = options.onWriteError;
    this.#context = {
      pricing: options.pricing ?? defaultPricingTable,
      normalizeModel: options.normalizeModel ?? normalizeModel,
      now,
    };
    this.#spool = options.spool === false || this.path === ':memory:' ? undefined : new SpoolFile(this.path);
    this.#snapshots = new InProgressSnapshots(inProgressDelayMs, now, (span) => this.recordInProgress(span));

    // Migrate, replay what a dead process spooled, and sweep, synchronously once, so the worker
    // only ever sees a current schema.
    const db = openDatabaseFile(this.path, busyTimeoutMs);
    try {
      this.#replay = this.path === ':memory:' ? { files: 0, spans: 0, failedSpans: 0 } : replayOrphanSpools(db, this.path);
      this.openSweep = options.sweepOnOpen === false ? NO_SWEEP : sweepStale(db, now() - staleAfterMs);
    } finally {
      db.close();
    }

    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    const workerData: WriterWorkerData = {
      runtraceSqliteWriter: true,
      path: this.path,
      busyTimeoutMs,
      maxBatchSpans: this.#maxBatchSpans,
      ...(maxDatabaseBytes === undefined ? {} : { maxDatabaseBytes }),
    };
    // A small young generation: the writer makes short-lived strings at a high rate, and V8 would
    // otherwise grow its nursery (and the process's resident memory) by tens of megabytes.
    // No inherited Node flags: `--import runtrace/register` or `--eval` meant for the application would
    // run again in the writer (or break it).
    this.#worker = new Worker(writerScriptUrl(), { workerData, execArgv: writerExecArgv(), resourceLimits: { maxYoungGenerationSizeMb: 8 } });
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
      this.#lose('shutdown', spans.length, new ShutDownError('SqliteSpanExporter'));
      complete(new ShutDownError('SqliteSpanExporter'));
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
    for (const span of spans) {
      const op = this.#rowsOf(span);
      if (op instanceof StoreWriteError) {
        firstError ??= op;
        continue;
      }
      if (op === undefined) continue;
      this.#forgetSnapshot(span);
      this.#packer.add(op);
      this.#queuedSpans += 1;
      added += 1;
      if (this.#packer.count >= this.#handoverSpans) {
        outstanding += 1;
        this.#completions.push(settlePart);
        added = 0;
        this.#flush();
      }
    }
    if (added > 0) {
      outstanding += 1;
      this.#completions.push(settlePart);
      this.#scheduleFlush(true);
    }
    settlePart(undefined);
  }

  /**
   * Hands one ended span to the writer without waiting for it: it is written with the others
   * that end within `flushIntervalMs`. Never throws; what cannot be written is counted in
   * {@link stats} and told to `onWriteError`. {@link forceFlush} waits for it.
   *
   * @example
   * const processor: SpanProcessor = { onStart() {}, onEnd: (span) => exporter.write(span), forceFlush: () => exporter.forceFlush(), shutdown: () => exporter.shutdown() };
   */
  write(span: ReadableSpan): void {
    if (this.#shutdown !== undefined) {
      this.#lose('shutdown', 1, new ShutDownError('SqliteSpanExporter'));
      return;
    }
    try {
      // The span ended: no in-progress row is written for it from now on.
      this.#forgetSnapshot(span);
    } catch {
      // A span whose id cannot be read has no planned row either.
    }
    this.#unconverted.push(span);
    if (this.#unconverted.length >= CONVERT_SPANS) this.#convert();
    else this.#scheduleFlush(false);
  }

  /** Turns the spans {@link write} keeps into rows, in the order they came. */
  #convert(): void {
    const spans = this.#unconverted;
    if (spans.length === 0) return;
    this.#unconverted = [];
    for (const span of spans) {
      const op = this.#rowsOf(span);
      if (op !== undefined && !(op instanceof StoreWriteError)) this.#enqueue(op);
    }
  }

  /** An ended span's write operation; a span that cannot be converted is counted as lost and its error returned. */
  #rowsOf(span: ReadableSpan): RowOp | StoreWriteError | undefined {
    try {
      return spanToOp(span, false, this.#context);
    } catch (error: unknown) {
      const failure = new StoreWriteError(`cannot convert a span: ${errorMessage(error)}`, this.path, { cause: error });
      this.#lose('conversion', 1, failure);
      return failure;
    }
  }

  /**
   * Records a live, not yet ended run, step, attempt or tool span as an `in_progress` row (or
   * refreshes it) now. The finished span replaces the row later; a finished row is never
   * replaced. Other spans are ignored. Never throws.
   *
   * @example
   * exporter.recordInProgress(liveRunSnapshot);
   */
  recordInProgress(span: ReadableSpan): void {
    if (this.#shutdown !== undefined) return;
    try {
      if (runtraceKind(span) === undefined) return;
      const op = spanToOp(span, !span.ended, this.#context);
      if (op === undefined) return;
      this.#inProgressRows += 1;
      this.#enqueue(op);
    } catch {
      // A snapshot that cannot be converted is skipped: the finished span will be written.
    }
  }

  /**
   * Plans an in-progress row for a live span: written once it has been open for
   * `inProgressDelayMs` (and refreshed at the next tick after each `refresh`), never after its
   * finished row is on its way. `snapshot` is called only when a row is written, so work that
   * ends quickly costs no snapshot at all. Never throws.
   *
   * @example
   * processor.subscribe((event) => {
   *   if (event.type === 'run-start' || event.type === 'step-start') exporter.watchInProgress(event.spanId, () => event.span);
   *   if (event.type === 'run-update') exporter.watchInProgress(event.spanId, () => event.span, true);
   * });
   */
  watchInProgress(spanId: string, snapshot: SnapshotSource, refresh = false): void {
    if (this.#shutdown !== undefined) return;
    try {
      this.#snapshots.watch(spanId, snapshot, refresh);
    } catch {
      // Planning a live row must never reach the application.
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

  /** Counters of written, queued, spooled, dropped and failed spans. */
  stats(): SqliteSpanExporterStats {
    return {
      writtenSpans: this.#writtenSpans,
      queuedSpans: this.#queuedSpans + this.#unconverted.length,
      spooledSpans: this.#spooledSpans,
      droppedSpans: this.#droppedSpans,
      failedSpans: this.#failedSpans,
      lostByCause: { ...this.#lost },
      inProgressRows: this.#inProgressRows,
      replayedSpans: this.#replay.spans,
    };
  }

  async #close(): Promise<void> {
    this.#snapshots.clear();
    await this.forceFlush();
    if (this.#broken === undefined) {
      this.#worker.ref();
      this.#worker.postMessage({ type: 'close' } satisfies WriterRequest);
    }
    await this.#closed;
    // Everything in it was written (or counted as failed): nothing left to replay.
    this.#spool?.remove();
    // Nothing more will be packed: the buffers kept for reuse are let go with the writer.
    this.#buffers.length = 0;
  }

  #forgetSnapshot(span: ReadableSpan): void {
    if (this.#snapshots.size > 0) this.#snapshots.forget(span.spanContext().spanId);
  }

  #enqueue(op: RowOp): void {
    this.#packer.add(op);
    this.#queuedSpans += 1;
    if (this.#packer.count >= this.#handoverSpans) this.#flush();
    else this.#scheduleFlush(false);
  }

  /** Hands pending rows over at the next turn of the event loop (`soon`) or after the flush window. */
  #scheduleFlush(soon: boolean): void {
    if (soon || this.#flushIntervalMs === 0) {
      if (this.#immediate) return;
      this.#immediate = true;
      setImmediate(() => {
        this.#immediate = false;
        this.#flush();
      });
      return;
    }
    // Kept referenced: rows handed over before a natural exit are written before it.
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, this.#flushIntervalMs);
  }

  #flush(): void {
    this.#convert();
    if (this.#flushTimer !== undefined) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    const count = this.#packer.count;
    const completions = this.#completions;
    if (count === 0 && completions.length === 0) return;
    this.#completions = [];
    const id = this.#nextId++;
    if (this.#broken !== undefined) {
      this.#packer.finish();
      this.#track(id, count, completions, 0, 0);
      this.#settle(id, this.#broken);
      return;
    }
    const encoded = this.#packer.finish(this.#reusableBuffer(this.#packer.byteLength));
    const bytes = encoded.byteLength;
    const fitsInMemory = this.#memorySpans + count <= this.#maxQueueSpans && this.#memoryBytes + bytes <= this.#maxQueueBytes;
    this.#worker.ref();
    // With nothing held in memory, a batch goes there whatever its size, so writing always progresses.
    if (fitsInMemory || this.#memorySpans === 0) {
      this.#track(id, count, completions, bytes, 0);
      this.#memorySpans += count;
      this.#memoryBytes += bytes;
      try {
        this.#worker.postMessage({ type: 'write', id, ops: encoded } satisfies WriterRequest, [encoded]);
      } catch (error: unknown) {
        this.#settle(id, new StoreWriteError(`cannot hand rows to the store writer: ${errorMessage(error)}`, this.path, { cause: error }));
      }
      return;
    }
    if (this.#spool === undefined) {
      const error = new StoreWriteError(`store write queue is full (${this.#maxQueueSpans} spans or ${this.#maxQueueBytes} bytes) and the spool is off; ${count} spans dropped`, this.path);
      this.#track(id, count, completions, 0, 0);
      this.#settle(id, error, 'queue-full');
      return;
    }
    let end: number;
    try {
      end = this.#spool.append(id, encoded);
    } catch (error: unknown) {
      const message = errorMessage(error);
      this.#track(id, count, completions, 0, 0);
      this.#settle(id, new StoreWriteError(`cannot write the spool file ${this.#spool.path}: ${message}`, this.path, { cause: error }), causeOf(message) === 'disk-full' ? 'disk-full' : 'queue-full');
      return;
    }
    this.#track(id, count, completions, 0, end);
    this.#spooledSpans += count;
    if (this.#buffers.length < REUSED_BUFFERS) this.#buffers.push(encoded);
    this.#worker.postMessage({ type: 'spool', path: this.#spool.path, end } satisfies WriterRequest);
  }

  /** A handed-back buffer of at least `bytes`, if one is free. */
  #reusableBuffer(bytes: number): ArrayBuffer | undefined {
    const index = this.#buffers.findIndex((buffer) => buffer.byteLength >= bytes);
    if (index >= 0) return this.#buffers.splice(index, 1)[0];
    // Room to grow, so the buffer can be reused for the next, slightly larger hand-overs.
    return new ArrayBuffer(Math.max(64 * 1024, Math.ceil(bytes * 1.25)));
  }

  #track(id: number, size: number, completions: Completion[], bytes: number, spoolEnd: number): void {
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    this.#inFlight.set(id, { size, bytes, spoolEnd, completions, done, resolve });
  }

  #onMessage(message: WriterResponse): void {
    switch (message.type) {
      case 'written': {
        const error = message.error === undefined ? undefined : new StoreWriteError(`store write failed: ${message.error}`, this.path);
        const cause = message.error === undefined ? undefined : causeOf(message.error);
        for (const id of message.ids) this.#settle(id, error, cause);
        return;
      }
      case 'buffers':
        for (const buffer of message.buffers) if (this.#buffers.length < REUSED_BUFFERS) this.#buffers.push(buffer);
        return;
      case 'spool-read':
        this.#spoolRead(message.offset, message.error);
        return;
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

  /** The writer read the spool file up to `offset`: whatever in it is still unanswered was lost. */
  #spoolRead(offset: number, error: string | undefined): void {
    const failure = new StoreWriteError(error ?? 'rows in the spool file could not be read back', this.path);
    for (const [id, entry] of this.#inFlight) {
      if (entry.spoolEnd > 0 && (offset < 0 || entry.spoolEnd <= offset)) this.#settle(id, failure, 'write-error');
    }
    if (this.#spool !== undefined && offset === this.#spool.end && offset > 0) {
      try {
        this.#spool.truncate();
        this.#worker.postMessage({ type: 'spool-reset' } satisfies WriterRequest);
      } catch {
        // Left as it is: the writer keeps reading it from where it was.
      }
    }
  }

  #settle(id: number, error: Error | undefined, cause: StoreLossCause = 'write-error'): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    this.#inFlight.delete(id);
    this.#queuedSpans -= entry.size;
    if (entry.bytes > 0) {
      this.#memorySpans -= entry.size;
      this.#memoryBytes -= entry.bytes;
    }
    if (error === undefined) this.#writtenSpans += entry.size;
    else this.#lose(cause, entry.size, error, cause === 'queue-full' || cause === 'shutdown');
    for (const complete of entry.completions) complete(error);
    entry.resolve();
    if (this.#inFlight.size === 0) this.#worker.unref();
  }

  /** Counts lost spans and tells `onWriteError`; `dropped` when no write was attempted. */
  #lose(cause: StoreLossCause, count: number, error: Error, dropped = cause === 'shutdown'): void {
    if (count <= 0) return;
    this.#lost[cause] += count;
    if (dropped) this.#droppedSpans += count;
    else this.#failedSpans += count;
    if (this.#onWriteError === undefined) return;
    try {
      const storeError = error instanceof StoreWriteError ? error : new StoreWriteError(error.message, this.path, { cause: error });
      this.#onWriteError(storeError, count, cause);
    } catch {
      // A throwing hook must not break the writer.
    }
  }

  #fail(error: StoreWriteError): void {
    this.#broken ??= error;
    for (const id of [...this.#inFlight.keys()]) this.#settle(id, this.#broken);
    const count = this.#packer.count;
    const completions = this.#completions;
    this.#packer.finish();
    this.#completions = [];
    this.#queuedSpans -= count;
    this.#lose('write-error', count, this.#broken);
    for (const complete of completions) complete(this.#broken);
  }
}
