// The store's SQLite connections: one place that opens a file with the store's pragmas.
// Only better-sqlite3 and node builtins, like everything the writer thread loads.
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** Opens a database file for reading and writing with the store's pragmas. */
export function openDatabase(path: string, options: { readonly busyTimeoutMs?: number } = {}): SqliteDatabase {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL with NORMAL sync: a commit is durable across application crashes (not power loss)
  // without an fsync per transaction. Per connection, so set on every one.
  db.pragma('synchronous = NORMAL');
  return db;
}
