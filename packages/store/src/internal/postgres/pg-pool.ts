// The connection pool of the PostgreSQL store's exporter and query API: node-postgres loaded on
// first use (it is an optional peer dependency), the store's pool settings, the schema migrated.
import type PgModule from 'pg';
import { StoreWriteError } from '@runtrace/core';
import { errorMessage, maskUrlPassword, positiveOption } from '@runtrace/core/internal';
import type { PgClient } from './pg-client.js';
import { migratePostgres } from './pg-schema.js';

/** What the store needs from node-postgres's Pool. */
export interface PgPool extends PgClient {
  connect(): Promise<PgClient & { release(destroy?: boolean): void }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How to reach a PostgreSQL store: its URL and the pool's settings, checked. */
export interface PgConnection {
  readonly url: string;
  /** The URL without its password, for messages. */
  readonly location: string;
  readonly maxConnections: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** The settings the store's exporter and query API both take; a bad value throws `InvalidArgumentError`. */
export interface PgConnectionOptions {
  readonly url: string;
  readonly maxConnections?: number;
  readonly statementTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** Checks the connection settings of `options`, with the defaults of the caller (`maxConnections`). */
export function pgConnection(options: PgConnectionOptions, defaultMaxConnections: number): PgConnection {
  return {
    url: options.url,
    location: maskUrlPassword(options.url),
    maxConnections: positiveOption('options.maxConnections', options.maxConnections, defaultMaxConnections, { integer: true }),
    statementTimeoutMs: positiveOption('options.statementTimeoutMs', options.statementTimeoutMs, 30_000, { integer: true }),
    connectTimeoutMs: positiveOption('options.connectTimeoutMs', options.connectTimeoutMs, 10_000, { integer: true }),
  };
}

/** Options of {@link openPgPool}. */
export interface PgPoolOptions extends PgConnection {
  /** The error a failed first connection becomes. Default: the driver's own (whose code tells an outage). */
  readonly connectError?: (error: unknown) => unknown;
  /** Work on the first connection, after the migration (a sweep, a replay). */
  readonly onConnect?: (client: PgClient) => Promise<void>;
  /** Make or update runtrace's tables on the first connection. Default `true`; a read-only check passes `false`. */
  readonly migrate?: boolean;
}

/**
 * Loads node-postgres, makes a pool, and on its first connection migrates the schema (and runs
 * `onConnect`). Rejects, with the pool closed, when any of it fails; a missing `pg` package is a
 * `StoreWriteError` that says how to install it.
 */
export async function openPgPool(options: PgPoolOptions): Promise<{ readonly pool: PgPool; readonly pg: typeof PgModule }> {
  let pg: typeof PgModule;
  try {
    pg = (await import('pg')).default;
  } catch (error: unknown) {
    throw new StoreWriteError(`a PostgreSQL store needs the pg package, which cannot be loaded (${errorMessage(error)}): install it beside runtrace (npm install pg)`, options.location, { cause: error });
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  }) as unknown as PgPool;
  // An idle connection the server closes (a restart) is reported on the pool: never to the application; the next use reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect().catch((error: unknown) => {
      throw options.connectError === undefined ? error : options.connectError(error);
    });
    try {
      if (options.migrate !== false) await migratePostgres(client, options.location);
      await options.onConnect?.(client);
    } finally {
      client.release();
    }
  } catch (error: unknown) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { pool, pg };
}
