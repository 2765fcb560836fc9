// Deleting data from a PostgreSQL store: runs with everything recorded under them (SQLite's rule,
// in one transaction), and retention by age and by size.
import type { DeleteResult, RetentionOptions, RetentionResult } from '../../query-types.js';
import { toPostgres } from '../query-steps.js';
import { EMPTY_DELETE, addDeletes, checkRetentionOptions } from '../retention.js';
import type { SqlParams } from '../run-filters.js';
import type { PgClient } from './pg-client.js';
import { MARK_CHANGED_SQL } from './pg-schema.js';

/** A statement of the shared SQL (SQLite's table names, `@name` parameters) on PostgreSQL: the rows it changed. */
async function changed(client: PgClient, sql: string, params: SqlParams = {}): Promise<number> {
  const { text, values } = toPostgres({ sql, params });
  return (await client.query(text, values)).rowCount ?? 0;
}

/** Deletes the runs `condition` selects with everything recorded under them, in one transaction on `client`. */
export async function deleteRunsPostgres(client: PgClient, condition: string, params: SqlParams): Promise<DeleteResult> {
  await client.query('BEGIN');
  try {
    const runs = await changed(client, `CREATE TEMP TABLE runtrace_doomed ON COMMIT DROP AS SELECT trace_id, run_id FROM runs WHERE ${condition}`, params);
    if (runs === 0) {
      await client.query('ROLLBACK');
      return EMPTY_DELETE;
    }
    const inDoomed = '(trace_id, run_id) IN (SELECT trace_id, run_id FROM runtrace_doomed)';
    const result = {
      runs,
      events: await changed(client, `DELETE FROM events WHERE ${inDoomed}`),
      steps: await changed(client, `DELETE FROM steps WHERE ${inDoomed}`),
      attempts: await changed(client, `DELETE FROM attempts WHERE ${inDoomed}`),
      toolCalls: await changed(client, `DELETE FROM tool_calls WHERE ${inDoomed}`),
    };
    await changed(client, `DELETE FROM runs WHERE ${inDoomed}`);
    // Generic spans go with their trace once no run of that trace is left.
    const spans = await changed(
      client,
      `DELETE FROM spans WHERE trace_id IN (SELECT DISTINCT trace_id FROM runtrace_doomed)
         AND trace_id NOT IN (SELECT trace_id FROM runs WHERE trace_id IN (SELECT trace_id FROM runtrace_doomed))`,
    );
    await client.query(MARK_CHANGED_SQL);
    await client.query('COMMIT');
    return { ...result, spans };
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The store's tables, as the shared SQL names them. */
const TABLES = ['runs', 'steps', 'attempts', 'tool_calls', 'events', 'spans', 'resources'];

/**
 * Bytes of the rows the store holds: the sum of every row's own size (`pg_column_size`, as
 * stored, compression included), without indexes and without the free space of deleted rows,
 * which the server keeps for reuse rather than returning it.
 */
async function rowBytes(client: PgClient): Promise<number> {
  const sum = TABLES.map((table) => `(SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM runtrace_${table} AS t)`).join(' + ');
  const { rows } = await client.query<{ bytes: unknown }>(`SELECT (${sum})::float8 AS bytes`);
  return Number(rows[0]?.bytes ?? 0);
}

async function runCount(client: PgClient): Promise<number> {
  const { rows } = await client.query<{ n: unknown }>('SELECT count(*)::float8 AS n FROM runtrace_runs');
  return Number(rows[0]?.n ?? 0);
}

/**
 * Retention on PostgreSQL, SQLite's rule: runs that started more than `maxAgeMs` ago with
 * everything under them (and spans of traces without runs that old), then the oldest runs until
 * the rows take at most `maxBytes`, then resources no span names any more. The bytes
 * (`bytesBefore`, `bytesAfter`, `maxBytes`) are the rows' own (see {@link rowBytes}); the server
 * reuses the space of deleted rows for new ones instead of shrinking its files.
 */
export async function applyRetentionPostgres(client: PgClient, options: RetentionOptions, clock: () => number): Promise<RetentionResult> {
  checkRetentionOptions(options);
  const bytesBefore = await rowBytes(client);
  let total = EMPTY_DELETE;
  if (options.maxAgeMs !== undefined) {
    const cutoff = (options.now ?? clock()) - options.maxAgeMs;
    total = addDeletes(total, await deleteRunsPostgres(client, 'start_ms < @cutoff', { cutoff }));
    const orphans = await changed(client, 'DELETE FROM spans WHERE start_ms < @cutoff AND trace_id NOT IN (SELECT trace_id FROM runs)', { cutoff });
    total = addDeletes(total, { ...EMPTY_DELETE, spans: orphans });
  }
  if (options.maxBytes !== undefined) {
    while ((await rowBytes(client)) > options.maxBytes) {
      const runs = await runCount(client);
      if (runs > 0) {
        const chunk = Math.max(1, Math.ceil(runs / 10));
        total = addDeletes(total, await deleteRunsPostgres(client, '(trace_id, run_id) IN (SELECT trace_id, run_id FROM runs ORDER BY start_ms, run_id LIMIT @chunk)', { chunk }));
        continue;
      }
      const spans = await changed(client, 'DELETE FROM spans WHERE (trace_id, span_id) IN (SELECT trace_id, span_id FROM spans ORDER BY start_ms LIMIT 1000)');
      if (spans === 0) break;
      total = addDeletes(total, { ...EMPTY_DELETE, spans });
    }
  }
  if (total.runs + total.spans > 0) {
    const used = ['runs', 'steps', 'attempts', 'tool_calls', 'spans'].map((table) => `SELECT resource_id FROM ${table} WHERE resource_id IS NOT NULL`).join(' UNION ');
    await changed(client, `DELETE FROM resources WHERE resource_id NOT IN (${used})`);
  }
  return { ...total, bytesBefore, bytesAfter: await rowBytes(client) };
}
