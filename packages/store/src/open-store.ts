// Opening the store: a SQLite file by path, a PostgreSQL database by URL, with one query API.
import { InvalidArgumentError } from '@runtrace/core';
import { storeUrlScheme } from '@runtrace/core/internal';
import { PostgresStore } from './postgres-store.js';
import type { PostgresStoreOptions } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { SqliteStoreOptions } from './sqlite-store.js';

/**
 * A store of either backend. Their query methods are the same; SQLite's answer at once and
 * PostgreSQL's with promises, so code written for both awaits every answer.
 */
export type RunStore = SqliteStore | PostgresStore;

/**
 * Opens the store. With `path`: a SQLite file, created and migrated when needed; by default
 * rows left in progress by a process that died are finalized. Throws `StoreSchemaError` for a
 * file written by a newer runtrace. With `url` (`postgres://…`): a PostgreSQL database, connected
 * (and its tables made) on the first query; its methods return promises.
 *
 * @example
 * const store = openStore({ path: '.runtrace/runtrace.db' });
 * console.log(store.openSweep.runs, 'runs were left in progress by a crashed process');
 * const team = openStore({ url: 'postgres://runtrace@db.internal/traces' });
 * const { runs } = await team.listRuns({ status: 'error' });
 */
export function openStore(options: SqliteStoreOptions): SqliteStore;
export function openStore(options: PostgresStoreOptions): PostgresStore;
export function openStore(options: SqliteStoreOptions | PostgresStoreOptions): RunStore;
export function openStore(options: SqliteStoreOptions | PostgresStoreOptions): RunStore {
  if ('url' in options && options.url !== undefined) return new PostgresStore(options);
  return new SqliteStore(options as SqliteStoreOptions);
}

/**
 * Opens the store a location names, as `RUNTRACE_DB` and `--db` do: a `postgres://` or
 * `postgresql://` URL is a PostgreSQL database, anything else a SQLite file path.
 */
export function openStoreAt(location: string, options: Omit<SqliteStoreOptions, 'path'> & Omit<PostgresStoreOptions, 'url'> = {}): RunStore {
  if (typeof location !== 'string' || location === '') throw new InvalidArgumentError('location', location, 'a file path or a postgres:// URL');
  const scheme = storeUrlScheme(location);
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { sweepOnOpen: _sweep, busyTimeoutMs: _busy, ...rest } = options;
    return new PostgresStore({ ...rest, url: location });
  }
  const { maxConnections: _connections, statementTimeoutMs: _statement, connectTimeoutMs: _connect, ...rest } = options;
  return new SqliteStore({ ...rest, path: location });
}
