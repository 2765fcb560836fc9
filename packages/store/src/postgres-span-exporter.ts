// A SpanExporter that writes spans into a PostgreSQL database shared by many hosts: the same rows as the SQLite store, batched, retried through outages.
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DEFAULT_STALE_AFTER_MS, ShutDownError, StoreWriteError, defaultPricingTable, normalizeModel } from '@runtrace/core';
import { errorMessage, maskUrlPassword, positiveOption } from '@runtrace/core/internal';
import { InProgressSnapshots } from './internal/in-progress-snapshots.js';
import type { SnapshotSource } from './internal/in-progress-snapshots.js';
import { writeOpOf } from './internal/ops-codec.js';
import type { PgClient } from './internal/postgres/pg-client.js';
import { openPgPool, pgConnection } from './internal/postgres/pg-pool.js';
import type { PgConnection, PgPool } from './internal/postgres/pg-pool.js';
import { PgSpanWriter } from './internal/postgres/pg-span-writer.js';
import { sweepPostgres } from './internal/postgres/pg-sweep.js';
import { PgSpool, replaySpool } from './internal/postgres/pg-spool.js';
import type { WriteOp } from './internal/row-columns.js';
import { runtraceKind, spanToOp } from './internal/span-rows.js';
import type { SpanRowContext } from './internal/span-rows.js';
import type { StorePricing, StoreSweepResult } from './query-types.js';

/** Options of {@link PostgresSpanExporter}. */
export interface PostgresSpanExporterOptions {
  /** The database, `postgres://user:password@host:port/database` (or `postgresql://`). Its tables are made on first use. */
  readonly url: string;
  /** Connections the exporter may hold. Default 2 (one writes at a time, so that rows keep their order). */
  readonly maxConnections?: number;
  /** How long one statement may run before the server cancels it. Default 30,000 ms. */
  readonly statementTimeoutMs?: number;
  /** How long connecting may take. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Spans kept in memory while the database is slow or unreachable; beyond it new spans wait in a
   * spool file (see `spoolDirectory`), in their order. Default 100,000.
   */
  readonly maxQueueSpans?: number;
  /**
   * Where spans beyond `maxQueueSpans` wait on disk (one file per process and database, named after
   * the database without its password). When shutdown gives up on an unreachable database, the
   * spans still waiting are left there, and the next exporter for the same database writes them
   * when it connects. `false`: drop and count them instead (`queue-full`). Default: a
   * `runtrace-postgres-spool-<uid>` directory (readable by this user only) in the system's
   * temporary directory.
   */
  readonly spoolDirectory?: string | false;
  /** Most spans per write transaction. Default 2,000. */
  readonly maxBatchSpans?: number;
  /** How long spans handed over one by one may wait to be written together. Default 100 ms. */
  readonly flushIntervalMs?: number;
  /** How long a run or step must have been open before {@link PostgresSpanExporter.watchInProgress} writes its in-progress row. Default 200 ms. */
  readonly inProgressDelayMs?: number;
  /** Longest wait between two attempts while the database is unreachable. Default 5,000 ms. */
  readonly maxRetryDelayMs?: number;
  /** How long shutdown waits for an unreachable database before it counts what is left as lost. Default 10,000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Prices model usage for step and run costs. Default: the core default pricing table. */
  readonly pricing?: StorePricing;
  /** Normalizes model names for the `model` filter. Default: the core `normalizeModel`. */
  readonly normalizeModel?: (model: string) => string;
  /** Clock (epoch ms) for in-progress activity and sweeps. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * On first connecting, finalize as interrupted the in-progress rows with no activity for
   * `staleAfterMs` (left by processes that died), unless another host is sweeping at that moment.
   * Default `true`.
   */
  readonly sweepOnConnect?: boolean;
  /** Idle time after which an in-progress row counts as stale. Default 5 minutes. */
  readonly staleAfterMs?: number;
  /**
   * Told once when the database becomes unreachable (`unavailable`: spans wait and are retried,
   * not lost), and of every write that failed or span that was dropped, with the cause. Default: none.
   */
  readonly onWriteError?: (error: StoreWriteError, spanCount: number, cause: PostgresLossCause) => void;
  /** Told when the database is reachable again after an outage, with the outage's length. Default: none. */
  readonly onRecovered?: (outageMs: number) => void;
}

/**
 * Why spans did not reach the database: `unavailable` reports an outage (its spans wait and are
 * retried, not lost); `rejected` the database refused the rows; `conversion` a span could not be
 * turned into rows; `queue-full` too many spans were waiting; `shutdown` handed over after
 * shutdown; `gave-up` still waiting for an unreachable database when shutdown's wait ran out.
 */
export type PostgresLossCause = 'unavailable' | 'rejected' | 'conversion' | 'queue-full' | 'shutdown' | 'gave-up';

/** Counters of a PostgreSQL exporter's work. */
export interface PostgresSpanExporterStats {
  /** Spans written (committed). */
  readonly writtenSpans: number;
  /** Spans waiting or being written (in memory or in the spool file). */
  readonly queuedSpans: number;
  /** Spans that overflowed to the spool file so far (written later, not lost). */
  readonly spooledSpans: number;
  /** Spans a dead (or given-up) process had left in its spool file, written when this exporter connected. */
  readonly replayedSpans: number;
  /** Spans left in the spool file when shutdown gave up on the database, for the next process to write. */
  readonly keptSpans: number;
  /** Spans refused without a write attempt: queue full, or handed over after shutdown. */
  readonly droppedSpans: number;
  /** Spans the database rejected, that could not be converted, or that were still waiting when shutdown gave up. */
  readonly failedSpans: number;
  /** Writes tried again after the database could not be reached. */
  readonly retries: number;
  /** Outages seen (the database unreachable, then reachable again or still down). */
  readonly outages: number;
  /** In-progress rows written (a finished row replaces each). */
  readonly inProgressRows: number;
  /** Rows the sweeps this exporter ran finalized as interrupted (runs, steps, attempts and tool calls). */
  readonly sweptRows: number;
}

type Completion = (error: Error | undefined) => void;

interface Queued {
  readonly op: WriteOp;
  readonly done?: Completion;
}

type Pool = PgPool;

/**
 * SQLSTATE classes and socket errors after which the same write can succeed later: the server
 * unreachable, restarting, shutting down, or out of connections.
 */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return /Connection terminated|connect|timeout/i.test(errorMessage(error));
  return code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === '40P01' || code === '40001' || /^E(CONN|HOSTUN|NETUN|PIPE|TIMEDOUT|AI_AGAIN|NOTFOUND)/.test(code);
}

/** The spool files' name for a database: its URL without the password, hashed (one name per database, nothing secret on disk). */
function spoolKey(url: string): string {
  return `pg-${createHash('sha256').update(maskUrlPassword(url)).digest('hex').slice(0, 16)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Writes runtrace's spans (and other instrumentations' GenAI spans) into PostgreSQL, into the same
 * tables and rows as the SQLite store, so that apps and collectors on many hosts can share one
 * database. Spans are written in batches, one transaction each; while the database cannot be
 * reached they wait in memory (up to `maxQueueSpans`) and are retried with backoff, so a restart
 * of the database loses nothing. The outage is told once to `onWriteError`, the recovery to
 * `onRecovered`. Nothing is thrown to the caller; `pg` (node-postgres) is loaded on first write.
 *
 * @example
 * const exporter = new PostgresSpanExporter({ url: 'postgres://runtrace:…@db:5432/traces' });
 * const processor = new RunSpanProcessor({ destinations: [{ processor: new StoreSpanProcessor(exporter), kind: 'store', content: 'full' }] });
 */
export class PostgresSpanExporter implements SpanExporter {
  /** The database URL with its password masked, for messages. */
  readonly location: string;
  readonly #connection: PgConnection;
  readonly #maxQueueSpans: number;
  readonly #maxBatchSpans: number;
  readonly #flushIntervalMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #shutdownTimeoutMs: number;
  readonly #context: SpanRowContext;
  readonly #onWriteError: PostgresSpanExporterOptions['onWriteError'];
  readonly #onRecovered: PostgresSpanExporterOptions['onRecovered'];
  readonly #snapshots: InProgressSnapshots;
  readonly #now: () => number;
  readonly #staleAfterMs: number;
  readonly #sweepOnConnect: boolean;
  readonly #writer = new PgSpanWriter();
  #queue: Queued[] = [];
  /** Spans past the memory bound, gathered into one frame before they go to the spool file. */
  #overflow: Queued[] = [];
  readonly #spoolDirectory: string | undefined;
  #spool: PgSpool | undefined;
  #spooledSpans = 0;
  #spillScheduled = false;
  #replayedSpans = 0;
  #keptSpans = 0;
  #pool: Promise<Pool> | undefined;
  #pumping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #outageSince: number | undefined;
  #giveUpAt: number | undefined;
  #shutdown: Promise<void> | undefined;
  #writtenSpans = 0;
  #droppedSpans = 0;
  #failedSpans = 0;
  #retries = 0;
  #outages = 0;
  #inProgressRows = 0;
  #sweptRows = 0;

  constructor(options: PostgresSpanExporterOptions) {
    this.#connection = pgConnection(options, 2);
    this.location = this.#connection.location;
    this.#maxQueueSpans = positiveOption('options.maxQueueSpans', options.maxQueueSpans, 100_000, { integer: true });
    this.#maxBatchSpans = positiveOption('options.maxBatchSpans', options.maxBatchSpans, 2_000, { integer: true });
    this.#flushIntervalMs = positiveOption('options.flushIntervalMs', options.flushIntervalMs, 100, { integer: true, allowZero: true });
    this.#maxRetryDelayMs = positiveOption('options.maxRetryDelayMs', options.maxRetryDelayMs, 5_000, { integer: true });
    this.#shutdownTimeoutMs = positiveOption('options.shutdownTimeoutMs', options.shutdownTimeoutMs, 10_000, { integer: true, allowZero: true });
    const inProgressDelayMs = positiveOption('options.inProgressDelayMs', options.inProgressDelayMs, 200, { integer: true, allowZero: true });
    const now = options.now ?? Date.now;
    this.#now = now;
    this.#staleAfterMs = positiveOption('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS, { integer: true });
    this.#sweepOnConnect = options.sweepOnConnect !== false;
    this.#spoolDirectory = options.spoolDirectory === false ? undefined : (options.spoolDirectory ?? join(tmpdir(), `runtrace-postgres-spool-${process.getuid?.() ?? 'user'}`));
    this.#context = { pricing: options.pricing ?? defaultPricingTable, normalizeModel: options.normalizeModel ?? normalizeModel, now };
    this.#onWriteError = options.onWriteError;
    this.#onRecovered = options.onRecovered;
    this.#snapshots = new InProgressSnapshots(inProgressDelayMs, now, (span) => this.recordInProgress(span));
  }

  /** SpanExporter: converts the spans now; `resultCallback` runs once they are committed (or failed). */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown !== undefined) {
      const error = new ShutDownError('postgres span exporter');
      this.#lose('shutdown', spans.length, new StoreWriteError(error.message, this.location, { cause: error }));
      resultCallback({ code: ExportResultCode.FAILED, error });
      return;
    }
    let pending = 0;
    let failure: Error | undefined;
    let handed = false;
    const settle = (): void => {
      if (handed && pending === 0) resultCallback(failure === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: failure });
    };
    const done: Completion = (error) => {
      pending -= 1;
      failure ??= error;
      settle();
    };
    for (const span of spans) {
      this.#forgetSnapshot(span);
      const op = this.#convert(span, false);
      if (op === undefined) continue;
      if (op instanceof StoreWriteError) {
        failure ??= op;
        continue;
      }
      pending += 1;
      if (!this.#enqueue(op, done)) done(new StoreWriteError('the exporter queue is full', this.location));
    }
    handed = true;
    this.#schedule(true);
    settle();
  }

  /** Hands one ended span over, to be written with others within `flushIntervalMs`. Never throws. */
  write(span: ReadableSpan): void {
    if (this.#shutdown !== undefined) {
      const error = new ShutDownError('postgres span exporter');
      this.#lose('shutdown', 1, new StoreWriteError(error.message, this.location, { cause: error }));
      return;
    }
    this.#forgetSnapshot(span);
    const op = this.#convert(span, false);
    if (op !== undefined && !(op instanceof StoreWriteError) && this.#enqueue(op)) this.#schedule(false);
  }

  /** Records a live run, step, attempt or tool span as an `in_progress` row now (see the SQLite exporter's). Never throws. */
  recordInProgress(span: ReadableSpan): void {
    if (this.#shutdown !== undefined) return;
    try {
      if (runtraceKind(span) === undefined) return;
      const op = spanToOp(span, !span.ended, this.#context);
      if (op === undefined) return;
      if (this.#enqueue(writeOpOf(op))) {
        this.#inProgressRows += 1;
        this.#schedule(false);
      }
    } catch {
      // A snapshot that cannot be converted is skipped: the finished span will be written.
    }
  }

  /** Plans an in-progress row for a live span once it has been open for `inProgressDelayMs` (see the SQLite exporter's). Never throws. */
  watchInProgress(spanId: string, snapshot: SnapshotSource, refresh = false): void {
    if (this.#shutdown !== undefined) return;
    try {
      this.#snapshots.watch(spanId, snapshot, refresh);
    } catch {
      // Planning a live row must never reach the application.
    }
  }

  /** Waits until every span handed over so far is committed (or failed); waits through an outage. */
  async forceFlush(): Promise<void> {
    this.#schedule(true);
    while (this.#pumping !== undefined) await this.#pumping;
  }

  /** Flushes (waiting at most `shutdownTimeoutMs` for an unreachable database) and closes the connections. Runs once. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#snapshots.clear();
      this.#giveUpAt = Date.now() + this.#shutdownTimeoutMs;
      await this.forceFlush();
      // Everything in it was written (or, when shutdown gave up, it was closed and kept).
      this.#spool?.close(false);
      if (this.#pool !== undefined) await (await this.#pool.catch(() => undefined))?.end().catch(() => undefined);
    })();
    return this.#shutdown;
  }

  /** Counters of written, queued, dropped and failed spans, retries and outages. */
  stats(): PostgresSpanExporterStats {
    return {
      writtenSpans: this.#writtenSpans,
      queuedSpans: this.#waiting(),
      spooledSpans: this.#spooledSpans,
      replayedSpans: this.#replayedSpans,
      keptSpans: this.#keptSpans,
      droppedSpans: this.#droppedSpans,
      failedSpans: this.#failedSpans,
      retries: this.#retries,
      outages: this.#outages,
      inProgressRows: this.#inProgressRows,
      sweptRows: this.#sweptRows,
    };
  }

  /**
   * Finalizes as interrupted the in-progress rows with no activity for `staleAfterMs` (default:
   * the exporter's), and the in-progress children of the runs it finalizes. Resolves with what it
   * finalized, or `undefined` when another host was sweeping at that moment (the work is not done
   * twice). Rejects when the database cannot be reached.
   *
   * @example
   * const swept = await exporter.sweep({ staleAfterMs: 10 * 60_000 });
   */
  async sweep(options: { readonly staleAfterMs?: number } = {}): Promise<StoreSweepResult | undefined> {
    const staleAfterMs = positiveOption('staleAfterMs', options.staleAfterMs, this.#staleAfterMs, { integer: true });
    const pool = await this.#connectPool();
    const client = await pool.connect();
    try {
      return await this.#sweepWith(client, staleAfterMs);
    } finally {
      client.release();
    }
  }

  async #sweepWith(client: PgClient, staleAfterMs: number): Promise<StoreSweepResult | undefined> {
    const swept = await sweepPostgres(client, this.#now() - staleAfterMs);
    if (swept !== undefined) this.#sweptRows += swept.runs + swept.steps + swept.attempts + swept.toolCalls;
    return swept;
  }

  #forgetSnapshot(span: ReadableSpan): void {
    if (this.#snapshots.size > 0) this.#snapshots.forget(span.spanContext().spanId);
  }

  /** The span's row op; `undefined` for a span with no row; the conversion's error (counted and told) when it cannot be converted. */
  #convert(span: ReadableSpan, inProgress: boolean): WriteOp | StoreWriteError | undefined {
    try {
      const op = spanToOp(span, inProgress, this.#context);
      return op === undefined ? undefined : writeOpOf(op);
    } catch (error: unknown) {
      const failure = new StoreWriteError(`cannot convert a span: ${errorMessage(error)}`, this.location, { cause: error });
      this.#lose('conversion', 1, failure);
      return failure;
    }
  }

  /** Spans waiting: in memory, gathered for the spool, and in it. */
  #waiting(): number {
    return this.#queue.length + this.#overflow.length + (this.#spool?.pendingSpans ?? 0);
  }

  /**
   * Queues one row in memory, or, past the memory bound (and while anything waits on disk, so
   * that rows keep their order), for the spool file; false (and counted as dropped) when neither
   * can take it.
   */
  #enqueue(op: WriteOp, done?: Completion): boolean {
    const entry: Queued = done === undefined ? { op } : { op, done };
    const spilling = this.#overflow.length > 0 || (this.#spool?.pendingSpans ?? 0) > 0;
    if (!spilling && this.#queue.length < this.#maxQueueSpans) {
      this.#queue.push(entry);
      return true;
    }
    if (this.#spoolDirectory === undefined) {
      this.#lose('queue-full', 1, new StoreWriteError(`${this.#maxQueueSpans} spans are already waiting for ${this.location}`, this.location));
      return false;
    }
    this.#overflow.push(entry);
    if (this.#overflow.length >= 512) this.#spill();
    else if (!this.#spillScheduled) {
      // What one turn of the event loop hands over goes to disk as one frame.
      this.#spillScheduled = true;
      setImmediate(() => {
        this.#spillScheduled = false;
        this.#spill();
      });
    }
    return true;
  }

  /** Appends the gathered overflow to the spool file as one frame; on a file error its spans are lost and counted. */
  #spill(): void {
    if (this.#overflow.length === 0) return;
    const spans = this.#overflow;
    this.#overflow = [];
    try {
      this.#spool ??= new PgSpool(this.#spoolDirectory!, spoolKey(this.#connection.url));
      this.#spool.append(spans);
      this.#spooledSpans += spans.length;
    } catch (error: unknown) {
      const failure = new StoreWriteError(`cannot write the spool file for ${this.location}: ${errorMessage(error)}`, this.location, { cause: error });
      this.#lose('queue-full', spans.length, failure);
      this.#complete(spans, failure);
    }
  }

  /** Moves the oldest spans on disk into the memory queue, once it is empty. */
  #refill(): void {
    if (this.#queue.length > 0) return;
    this.#spill();
    const loaded = this.#spool?.load(this.#maxBatchSpans) ?? [];
    for (const span of loaded) this.#queue.push(span.done === undefined ? { op: span.op } : { op: span.op, done: span.done });
  }

  #schedule(soon: boolean): void {
    if (this.#pumping !== undefined) return;
    if (soon || this.#flushIntervalMs === 0) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#startPump();
      return;
    }
    // Kept referenced: rows handed over before a natural exit are written before it.
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#startPump();
    }, this.#flushIntervalMs);
  }

  /** Starts writing the queue, unless nothing waits or it is being written. */
  #startPump(): void {
    if (this.#pumping !== undefined || this.#waiting() === 0) return;
    // Cleared once it has settled (never synchronously, so never before it is set).
    const pumping = this.#pump().finally(() => {
      if (this.#pumping === pumping) this.#pumping = undefined;
      // Spans handed over after the pump found the queue empty, but before it ended, found it still
      // running and started nothing: they are written now (forceFlush waits on the new pump).
      this.#startPump();
    });
    this.#pumping = pumping;
  }

  /** Writes the queue in batches, one at a time, until it is empty; never rejects. */
  async #pump(): Promise<void> {
    let delay = 100;
    for (;;) {
      this.#refill();
      if (this.#queue.length === 0) return;
      const batch = this.#queue.slice(0, this.#maxBatchSpans);
      try {
        await this.#writeBatch(batch.map((entry) => entry.op));
      } catch (error: unknown) {
        if (isTransient(error) && !(this.#giveUpAt !== undefined && Date.now() >= this.#giveUpAt)) {
          this.#unavailable(error);
          this.#retries += 1;
          const wait = this.#giveUpAt === undefined ? delay : Math.min(delay, Math.max(0, this.#giveUpAt - Date.now()));
          await sleep(wait);
          delay = Math.min(this.#maxRetryDelayMs, delay * 2);
          continue;
        }
        if (isTransient(error) && this.#keepForLater()) return;
        this.#queue.splice(0, batch.length);
        const cause: PostgresLossCause = isTransient(error) ? 'gave-up' : 'rejected';
        const failure = new StoreWriteError(`cannot write ${batch.length} spans to ${this.location}: ${errorMessage(error)}`, this.location, { cause: error });
        this.#lose(cause, batch.length, failure);
        this.#complete(batch, failure);
        continue;
      }
      this.#queue.splice(0, batch.length);
      this.#writtenSpans += batch.length;
      delay = 100;
      if (this.#outageSince !== undefined) {
        const outage = Date.now() - this.#outageSince;
        this.#outageSince = undefined;
        try {
          this.#onRecovered?.(outage);
        } catch {
          // A listener's failure is its own.
        }
      }
      this.#complete(batch, undefined);
    }
  }

  /**
   * Shutdown gave up on an unreachable database: everything still waiting goes to the spool file,
   * which is kept for the next exporter of this database to write. False when there is no spool.
   */
  #keepForLater(): boolean {
    if (this.#spoolDirectory === undefined) return false;
    const waiting = [...this.#queue, ...this.#overflow];
    this.#queue = [];
    this.#overflow = [];
    const spool = this.#spool;
    // Behind what already waits on disk, in order: the rows on disk are older.
    for (let start = 0; start < waiting.length; start += 512) {
      this.#overflow = waiting.slice(start, start + 512);
      this.#spill();
    }
    const kept = this.#spool?.pendingSpans ?? 0;
    if (kept === 0 && spool === undefined) return true;
    this.#keptSpans += kept;
    const path = this.#spool?.path ?? '';
    this.#spool?.close(true);
    this.#spool = undefined;
    try {
      this.#onWriteError?.(
        new StoreWriteError(`${this.location} could not be reached before the shutdown timeout: ${kept} spans wait in ${path}, and the next process that writes to this database writes them`, this.location),
        kept,
        'gave-up',
      );
    } catch {
      // A listener's failure is its own.
    }
    return true;
  }

  async #writeBatch(ops: readonly WriteOp[]): Promise<void> {
    const pool = await this.#connectPool();
    const client = await pool.connect();
    let broken = false;
    try {
      await this.#writer.write(client, ops);
    } catch (error: unknown) {
      broken = isTransient(error);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** The pool, made (and the schema migrated) on first use; made again after a failed first attempt. */
  #connectPool(): Promise<Pool> {
    this.#pool ??= openPgPool({
      ...this.#connection,
      onConnect: async (client) => {
        if (this.#sweepOnConnect) await this.#sweepWith(client, this.#staleAfterMs);
        await this.#replayOrphans(client);
      },
    }).then(({ pool }) => pool);
    const made = this.#pool;
    made.catch(() => {
      if (this.#pool === made) this.#pool = undefined;
    });
    return made;
  }

  /** Tells each span's exporter call how its write ended. */
  #complete(batch: readonly Queued[], error: Error | undefined): void {
    for (const entry of batch) {
      try {
        entry.done?.(error);
      } catch {
        // An export callback's failure is its caller's; the queue goes on.
      }
    }
  }

  /** Writes what other processes (dead, or given up at shutdown) left in their spool files for this database. */
  async #replayOrphans(client: PgClient): Promise<void> {
    // Nothing was ever spilled on this machine: no directory to make.
    if (this.#spoolDirectory === undefined || !existsSync(this.#spoolDirectory)) return;
    this.#spool ??= new PgSpool(this.#spoolDirectory, spoolKey(this.#connection.url));
    for (const path of this.#spool.orphans()) {
      this.#replayedSpans += await replaySpool(path, (ops) => this.#writer.write(client, ops));
    }
  }

  #unavailable(error: unknown): void {
    if (this.#outageSince !== undefined) return;
    this.#outageSince = Date.now();
    this.#outages += 1;
    try {
      this.#onWriteError?.(new StoreWriteError(`${this.location} cannot be reached (${errorMessage(error)}); ${this.#queue.length} spans wait and are retried`, this.location, { cause: error }), this.#queue.length, 'unavailable');
    } catch {
      // A listener's failure is its own.
    }
  }

  #lose(cause: PostgresLossCause, count: number, error: StoreWriteError): void {
    if (cause === 'queue-full' || cause === 'shutdown') this.#droppedSpans += count;
    else this.#failedSpans += count;
    try {
      this.#onWriteError?.(error, count, cause);
    } catch {
      // A listener's failure is its own.
    }
  }
}
