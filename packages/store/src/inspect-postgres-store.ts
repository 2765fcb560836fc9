// A read-only look at a PostgreSQL store, for `runtrace doctor`: reachable, runtrace's schema, what it holds.
import { maskUrlPassword } from '@runtrace/core/internal';
import { openPgPool } from './internal/postgres/pg-pool.js';
import { PG_SCHEMA_VERSION } from './internal/postgres/pg-schema.js';

/** What {@link inspectPostgresStore} found. */
export interface PostgresStoreInspection {
  /** runtrace's schema version in the database; `null` when its tables are not there yet (they are made on the first write). */
  readonly schemaVersion: number | null;
  /** The newest schema version this code reads and writes. */
  readonly supportedVersion: number;
  /** Runs stored, and of them in progress (0 without tables). */
  readonly runs: number;
  readonly inProgress: number;
}

/**
 * Connects to a PostgreSQL store and reads what it holds, changing nothing (no tables are made).
 * Rejects when the database cannot be reached (`pg`'s error, or a `StoreWriteError` when the `pg`
 * package is missing).
 *
 * @example
 * const found = await inspectPostgresStore('postgres://runtrace@db.internal/traces', { connectTimeoutMs: 2_000 });
 * if (found.schemaVersion === null) console.log('no runtrace tables yet');
 */
export async function inspectPostgresStore(url: string, options: { readonly connectTimeoutMs?: number } = {}): Promise<PostgresStoreInspection> {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const { pool } = await openPgPool({ url, location: maskUrlPassword(url), maxConnections: 1, connectTimeoutMs: timeoutMs, statementTimeoutMs: Math.max(timeoutMs, 5_000), migrate: false });
  try {
    const schema = await pool.query<{ present: boolean }>("SELECT to_regclass('runtrace_schema') IS NOT NULL AS present");
    if (schema.rows[0]?.present !== true) return { schemaVersion: null, supportedVersion: PG_SCHEMA_VERSION, runs: 0, inProgress: 0 };
    const version = Number((await pool.query<{ version: unknown }>('SELECT version FROM runtrace_schema')).rows[0]?.version ?? 0);
    const counts = (await pool.query<{ runs: unknown; open: unknown }>("SELECT count(*)::float8 AS runs, (count(*) FILTER (WHERE status = 'in_progress'))::float8 AS open FROM runtrace_runs")).rows[0];
    return { schemaVersion: version, supportedVersion: PG_SCHEMA_VERSION, runs: Number(counts?.runs ?? 0), inProgress: Number(counts?.open ?? 0) };
  } finally {
    await pool.end().catch(() => undefined);
  }
}
