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

/** Opens a database file for reading and writing with the store's pragmas. */
export function openDatabase(path: string, options: { readonly busyTimeoutMs?: number } = {}): SqliteDatabase {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL with NORMAL sync: a commit is durable across application crashes (not power loss)
  // without an fsync per transaction. Per connection, so set on every one.
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  return db;
}
