// Finalizes in-progress rows that a dead or silent process left in a PostgreSQL store, once across every host that asks at the same time.
import type { SweepCountsRow } from '../sweep-stale.js';
import type { PgClient } from './pg-client.js';
import { AGGREGATE_RUNS_SQL, RETRIED_CODES } from './pg-span-writer.js';
import { MARK_CHANGED_SQL } from './pg-schema.js';

/** The advisory lock a sweep holds for its transaction: a host that finds it taken skips its sweep (another is doing it). */
export const SWEEP_LOCK_KEY = 0x72756e73; // "runs"

const MESSAGE = 'no activity before the stale threshold; the recording process stopped';

/** SQLite's sweepStale for a table of children, in PostgreSQL's words. */
function childrenSql(table: string): string {
  return `UPDATE ${table} AS c SET status = 'interrupted', end_ms = greatest(c.start_ms, c.last_activity_ms),
      duration_ms = greatest(c.start_ms, c.last_activity_ms) - c.start_ms
    WHERE c.status = 'in_progress' AND (c.last_activity_ms < $1
      OR EXISTS (SELECT 1 FROM runtrace_runs AS r WHERE r.trace_id = c.trace_id AND r.run_id = c.run_id AND r.stale = 1 AND r.status = 'interrupted'))`;
}

/**
 * Finalizes as interrupted every in-progress row with no activity since `cutoffMs`, and every
 * in-progress child of a run finalized by a sweep, then rolls those runs up — SQLite's rule, in
 * one transaction. Hosts that sweep at the same moment do not do the work twice: the first takes
 * the sweep lock, the others return `undefined` at once. A finished span written afterwards does
 * not replace an interrupted row (a terminal row is final).
 */
export async function sweepPostgres(client: PgClient, cutoffMs: number): Promise<SweepCountsRow | undefined> {
  for (let attempt = 1; ; attempt++) {
    await client.query('BEGIN');
    try {
      const locked = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [SWEEP_LOCK_KEY])).rows[0]?.locked === true;
      if (!locked) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const runs = (
        await client.query<{ trace_id: string; run_id: string }>(
          `UPDATE runtrace_runs SET status = 'interrupted', stale = 1, status_message = coalesce(status_message, $2),
             end_ms = greatest(start_ms, last_activity_ms), duration_ms = greatest(start_ms, last_activity_ms) - start_ms
           WHERE status = 'in_progress' AND last_activity_ms < $1 RETURNING trace_id, run_id`,
          [cutoffMs, MESSAGE],
        )
      ).rows;
      const steps = (await client.query(childrenSql('runtrace_steps'), [cutoffMs])).rowCount ?? 0;
      const attempts = (await client.query(childrenSql('runtrace_attempts'), [cutoffMs])).rowCount ?? 0;
      const toolCalls = (await client.query(childrenSql('runtrace_tool_calls'), [cutoffMs])).rowCount ?? 0;
      if (runs.length > 0) await client.query(AGGREGATE_RUNS_SQL, [runs.map((run) => run.trace_id), runs.map((run) => run.run_id)]);
      if (runs.length + steps + attempts + toolCalls > 0) await client.query(MARK_CHANGED_SQL);
      await client.query('COMMIT');
      return { runs: runs.length, steps, attempts, toolCalls };
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: unknown }).code;
      if (attempt >= 5 || typeof code !== 'string' || !RETRIED_CODES.has(code)) throw error;
    }
  }
}
