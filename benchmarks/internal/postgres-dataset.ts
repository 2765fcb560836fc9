// The query benchmarks' dataset on PostgreSQL: every row of the cached SQLite dataset
// (query-dataset.ts) copied into a database of the store's PostgreSQL schema
// (benchmarks/postgres-queries.ts).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { migratePostgres } from '../../packages/store/dist/internal/postgres/pg-schema.js';
import { Database } from './baseline-sqlite.ts';
import type { Statement } from './baseline-sqlite.ts';

/** The store's tables by their SQLite names; PostgreSQL's carry a `runtrace_` prefix. */
const TABLES = ['resources', 'runs', 'steps', 'attempts', 'tool_calls', 'events', 'spans'] as const;
/** Rows per INSERT: one JSON parameter each, so no limit on parameters applies. */
const BATCH_ROWS = 5_000;

/** What {@link loadPostgresDataset} copied. */
export interface LoadResult {
  readonly rows: number;
  readonly ms: number;
}

/**
 * Makes the store's tables in `url` (an empty database) and copies every row of the SQLite file
 * at `sqlitePath` into them, `BATCH_ROWS` to an INSERT, each batch read from SQLite while the
 * server writes the one before; then VACUUM (ANALYZE). `progress` hears the rows copied so far.
 */
export async function loadPostgresDataset(sqlitePath: string, url: string, progress: (copied: number, total: number, table: string) => void): Promise<LoadResult> {
  const started = performance.now();
  const sqlite = new Database(sqlitePath, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migratePostgres(client, 'benchmark');
    const counts = new Map(TABLES.map((table) => [table, Number(sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get())]));
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    let copied = 0;
    for (const table of TABLES) {
      if (counts.get(table) === 0) continue;
      const columns = (sqlite.prepare(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).pluck().all() as string[]).join(', ');
      // json_populate_recordset casts each field to its column's type, so a value the column
      // cannot hold (a fraction in a BIGINT) fails the load rather than changing silently.
      const insert = `INSERT INTO runtrace_${table} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::runtrace_${table}, $1)`;
      const rows = (sqlite.prepare(`SELECT ${columns} FROM ${table}`) as Statement & { iterate(): IterableIterator<unknown> }).iterate();
      let writing: Promise<unknown> = Promise.resolve();
      for (let batch = take(rows); batch.length > 0; batch = take(rows)) {
        const json = JSON.stringify(batch);
        await writing;
        writing = client.query(insert, [json]).then(() => {
          copied += batch.length;
          progress(copied, total, table);
        });
      }
      await writing;
    }
    // VACUUM as well: it sets the hint bits and visibility map that autovacuum would set on a
    // database in use, so the timed queries neither pay for that nor race autovacuum doing it.
    await client.query('VACUUM (ANALYZE)');
    return { rows: copied, ms: performance.now() - started };
  } finally {
    sqlite.close();
    await client.end();
  }
}

function take(rows: Iterator<unknown>): unknown[] {
  const batch: unknown[] = [];
  for (let next = rows.next(); next.done !== true; next = rows.next()) {
    batch.push(next.value);
    if (batch.length === BATCH_ROWS) break;
  }
  return batch;
}
