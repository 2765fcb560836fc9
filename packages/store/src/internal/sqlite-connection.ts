// The store's SQLite connections: one place that opens a file with the store's pragmas.
// Only better-sqlite3 and node builtins, like everything the writer thread loads.
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/**
 * Pages the write-ahead log may hold before a commit folds it into the database file (SQLite's
 * default is 1,000, about 4 MB). A store's rows land on random index pages (span ids are random),
 * so the same pages come back in commit after commit: checkpointing ten times less often copies
 * each of them once instead of many times, and syncs the file ten times less often. The writer
 * thread spent about half of its commit time in checkpoints at the default. The log file is then
 * up to about 40 MB beside the database; SQLite removes it when the last connection closes.
 */
export const WAL_CHECKPOINT_PAGES = 10_000;

/**
 * The writer thread's page cache, in KiB (SQLite's own default; better-sqlite3 builds SQLite with
 * 16,000). A store's rows land on random index pages, so a larger cache saves reads of pages the
 * writer touched a while ago: `benchmarks/store-writer-cache.ts` (420,000 spans into 859 MB files
 * side by side, schema 4) wrote 26.4 µs per span with 2,000 KiB against 22.7 with 8,000 and 22.9
 * with 16,000. The memory is the price, and it stays: glibc keeps a thread's freed memory after
 * the thread ends. In `benchmarks/pipeline-1m.ts`, 8,000 KiB took the peak RSS growth to 250 and
 * 265 MiB (its target is 256) and left +32 and +30 MiB after shutdown, against 239 and 241 MiB,
 * +25 and +22, with 2,000. Connections that read keep the larger cache.
 */
export const WRITER_CACHE_KIB = 2_000;

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  readonly busyTimeoutMs?: number;
  /** The connection's page cache in KiB (SQLite's `cache_size = -N`). Default: the build's (16,000). */
  readonly cacheKiB?: number;
}

/** Opens a database file for reading and writing with the store's pragmas. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL with NORMAL sync: a commit is durable across application crashes (not power loss)
  // without an fsync per transaction. Per connection, so set on every one.
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  if (options.cacheKiB !== undefined) db.pragma(`cache_size = ${-Math.max(1, Math.trunc(options.cacheKiB))}`);
  return db;
}
