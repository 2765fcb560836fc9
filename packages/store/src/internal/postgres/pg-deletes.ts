// Deleting data from a PostgreSQL store: runs with everything recorded under them (SQLite's rule,
// in one transaction), and retention by age.
import { InvalidArgumentError } from '@runtrace/core';
import type { DeleteResult, RetentionOptions, RetentionResult } from '../../query-types.js';
import { toPostgres } from '../query-steps.js';
import { EMPTY_DELETE, addDeletes } from '../retention.js';
import type { SqlParams } from '../run-filters.js';
import type { PgClient } from './pg-client.js';

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
    await client.query('COMMIT');
    return { ...result, spans };
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Bytes the store's tables (with their indexes and TOAST) take in the database. */
async function tableBytes(client: PgClient): Promise<number> {
  const { rows } = await client.query<{ bytes: unknown }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 AS bytes FROM pg_class c
       WHERE c.relkind = 'r' AND c.relname LIKE 'runtrace\\_%' AND c.relnamespace = current_schema()::regnamespace`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

/**
 * Retention on PostgreSQL: runs that started more than `maxAgeMs` ago with everything under them,
 * spans of traces without runs that old, then resources no span names any more. `maxBytes` is a
 * bound on a SQLite file: a PostgreSQL server keeps the space of deleted rows for reuse rather
 * than giving it back, so a size bound would delete every run; it is refused with that reason.
 */
export async function applyRetentionPostgres(client: PgClient, options: RetentionOptions, clock: () => number): Promise<RetentionResult> {
  if (options.maxBytes !== undefined) {
    throw new InvalidArgumentError(
      'maxBytes',
      options.maxBytes,
      'undefined on a PostgreSQL store (the server keeps deleted rows’ space for reuse, so a size bound cannot be reached by deleting): bound it by age with maxAgeMs',
    );
  }
  if (options.maxAgeMs === undefined) throw new InvalidArgumentError('options', options, 'maxAgeMs');
  if (!Number.isFinite(options.maxAgeMs) || options.maxAgeMs < 0) {
    throw new InvalidArgumentError('maxAgeMs', options.maxAgeMs, 'a non-negative number of milliseconds');
  }
  const bytesBefore = await tableBytes(client);
  const cutoff = (options.now ?? clock()) - options.maxAgeMs;
  let total = await deleteRunsPostgres(client, 'start_ms < @cutoff', { cutoff });
  const orphans = await changed(client, 'DELETE FROM spans WHERE start_ms < @cutoff AND trace_id NOT IN (SELECT trace_id FROM runs)', { cutoff });
  total = addDeletes(total, { ...EMPTY_DELETE, spans: orphans });
  if (total.runs + total.spans > 0) {
    const used = ['runs', 'steps', 'attempts', 'tool_calls', 'spans'].map((table) => `SELECT resource_id FROM ${table} WHERE resource_id IS NOT NULL`).join(' UNION ');
    await changed(client, `DELETE FROM resources WHERE resource_id NOT IN (${used})`);
  }
  return { ...total, bytesBefore, bytesAfter: await tableBytes(client) };
}
