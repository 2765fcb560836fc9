// The store as a destination: opening it (a SQLite file, or a PostgreSQL database by URL), its exporter, its in-progress rows and its problem reports, in one place.
import type { DiagnosticReporter } from '@runtrace/core/internal';
import { maskUrlPassword, storeUrlScheme } from '@runtrace/core/internal';
import type { DestinationOptions, RunSpanProcessor } from '@runtrace/processor';
import { PostgresStore, StoreSpanProcessor, openStore } from '@runtrace/store';
import type { PostgresSpanExporter, RunStore, SqliteSpanExporter, SqliteSpanExporterOptions, SqliteStore } from '@runtrace/store';
import { CommitAwaitingProcessor } from './commit-awaiting-processor.js';
import { describePostgresWriteError, describeStoreOpenError, describeStoreWriteError } from './describe-store-problem.js';
import type { StorePathSetting } from './describe-store-problem.js';

/** Options of {@link createStoreDestination}. */
export interface StoreDestinationOptions {
  /** The store file, absolute, or a `postgres://` URL (password included: it is masked in every message). */
  readonly path: string;
  /** Which setting chose `path` (the fix in a report names it). */
  readonly setting: StorePathSetting;
  /** Idle time after which an in-progress row counts as stale. Default: the store's. */
  readonly staleAfterMs?: number;
  /** Where open and write problems are reported. */
  readonly reporter: DiagnosticReporter;
  /** Throw the store's own error when it cannot open, instead of reporting it. */
  readonly strict: boolean;
  /** How long shutdown may wait for a PostgreSQL database that cannot be reached. */
  readonly shutdownTimeoutMs: number;
  /**
   * For a receiver of ended spans: `commit` is offered, and the exporter's in-memory queue holds
   * `maxQueueSpans` (what the receiver lets wait). Default: recording, with in-progress rows.
   */
  readonly ingest?: { readonly maxQueueSpans: number };
}

/** The local store, wired as a destination of the RunSpanProcessor. */
export interface StoreDestination {
  /** The query API: a SqliteStore, or a PostgresStore (its answers are promises). */
  readonly store: RunStore;
  readonly exporter: SqliteSpanExporter | PostgresSpanExporter;
  readonly destination: DestinationOptions;
  /** Makes live runs visible in the store before they end: writes in-progress rows on the processor's live events. */
  connect(processor: Pick<RunSpanProcessor, 'subscribe'>): void;
  /**
   * With `ingest`: runs `feed` (which must call the processor synchronously) and resolves once
   * the spans it delivered to the store are committed; rejects when they cannot be.
   */
  readonly commit: ((feed: () => void) => Promise<void>) | undefined;
  /** Whether everything handed to the store so far was written (nothing failed or was dropped). */
  complete(): boolean;
  /** Closes the query connection (after the processor shut the exporter down). */
  close(): Promise<void>;
}

/**
 * Opens the store and builds its destination. When the file cannot be used, reports one line with
 * the cause and the fix and returns `undefined` (the caller records without a local store), or
 * throws the store's error when `strict`.
 */
export function createStoreDestination(options: StoreDestinationOptions): StoreDestination | undefined {
  const scheme = storeUrlScheme(options.path);
  if (scheme === 'postgres' || scheme === 'postgresql') return postgresDestination(options);
  const { path, reporter } = options;
  let store: SqliteStore | undefined;
  let exporter: SqliteSpanExporter;
  try {
    store = openStore({ path, ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }) });
    const exporterOptions: Omit<SqliteSpanExporterOptions, 'path'> = {
      ...(options.ingest === undefined ? {} : { maxQueueSpans: options.ingest.maxQueueSpans }),
      onWriteError: (error, spanCount, cause) => {
        reporter.report(`store-write:${cause}`, describeStoreWriteError(path, error, spanCount, cause));
      },
    };
    exporter = store.createExporter(exporterOptions);
  } catch (error: unknown) {
    try {
      store?.close();
    } catch {
      // Closing what half-opened must not hide the reason it failed.
    }
    if (options.strict) throw error;
    reporter.report('store-open', describeStoreOpenError(path, error, options.setting));
    return undefined;
  }
  const opened = store;
  return wire(opened, exporter, options.ingest !== undefined);
}

/** The destination around a store's exporter: in-progress rows when recording, awaited commits when receiving. */
function wire(store: RunStore, exporter: SqliteSpanExporter | PostgresSpanExporter, ingest: boolean): StoreDestination {
  const awaited = ingest ? new CommitAwaitingProcessor(exporter) : undefined;
  return {
    store,
    exporter,
    destination: { processor: awaited ?? new StoreSpanProcessor(exporter), kind: 'store', content: 'full', name: 'store' },
    commit: awaited === undefined ? undefined : (feed) => awaited.write(awaited.capture(feed)),
    connect(processor) {
      // Received spans have ended already: there is nothing in progress to show.
      if (awaited !== undefined) return;
      // Rows for work still open after the exporter's delay only: short work is written once, finished.
      processor.subscribe((event) => {
        if (event.type === 'run-start' || event.type === 'step-start') exporter.watchInProgress(event.spanId, () => event.span);
        else if (event.type === 'run-update') exporter.watchInProgress(event.spanId, () => event.span, true);
      });
    },
    complete() {
      const stats = exporter.stats();
      return stats.failedSpans === 0 && stats.droppedSpans === 0;
    },
    close: async () => {
      await store.close();
    },
  };
}

/**
 * A PostgreSQL database as the store: its query API and its exporter. Both connect on first use,
 * so nothing fails here; an unreachable database is reported once and its spans wait (see
 * `PostgresSpanExporter`).
 */
function postgresDestination(options: StoreDestinationOptions): StoreDestination {
  const { reporter } = options;
  const location = maskUrlPassword(options.path);
  const store = new PostgresStore({ url: options.path, ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }) });
  const exporter = store.createExporter({
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    ...(options.ingest === undefined ? {} : { maxQueueSpans: Math.max(100_000, options.ingest.maxQueueSpans) }),
    onWriteError: (error, spanCount, cause) => {
      reporter.report(`store-write:${cause}`, describePostgresWriteError(location, error, spanCount, cause));
    },
    onRecovered: (outageMs) => {
      reporter.report('store-recovered', `${location} is reachable again after ${Math.round(outageMs / 1000)} s; the spans that waited are being written`);
    },
  });
  // The exporter closes its connections when the processor shuts it down; close() the store's.
  return wire(store, exporter, options.ingest !== undefined);
}
