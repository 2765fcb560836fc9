// Finalizes in-progress rows that a dead or silent process left behind.

import { AGGREGATE_RUN_SQL } from './span-writer.js';
import type { SqliteDatabase } from './sqlite-connection.js';

/** Counts of rows a sweep finalized. */
export interface SweepCountsRow {
  readonly runs: number;
  readonly steps: number;
  readonly attempts: number;
  readonly toolCalls: number;
}

/** What a sweep that did not run finalized. */
export const NO_SWEEP: SweepCountsRow = { runs: 0, steps: 0, attempts: 0, toolCalls: 0 };

/**
 * Finalizes as interrupted every in-progress row with no activity since `cutoffMs`, and every
 * in-progress child of a run finalized by a sweep. Runs first, then their children. (A child of
 * a run that ended normally is left alone: its finished span may still be on its way.)
 */
export function sweepStale(db: SqliteDatabase, cutoffMs: number): SweepCountsRow {
  const message = 'no activity before the stale threshold; the recording process stopped';
  return db.transaction(() => {
    const staleRuns = db
      .prepare(
        `UPDATE runs SET status = 'interrupted', stale = 1, status_message = coalesce(status_message, @message),
           end_ms = max(start_ms, last_activity_ms), duration_ms = max(start_ms, last_activity_ms) - start_ms
         WHERE status = 'in_progress' AND last_activity_ms < @cutoff RETURNING trace_id, run_id`,
      )
      .all({ cutoff: cutoffMs, message }) as { trace_id: string; run_id: string }[];
    const children = (table: string): number =>
      db
        .prepare(
          `UPDATE ${table} SET status = 'interrupted', end_ms = max(start_ms, last_activity_ms),
             duration_ms = max(start_ms, last_activity_ms) - start_ms
           WHERE status = 'in_progress' AND (last_activity_ms < @cutoff
             OR EXISTS (SELECT 1 FROM runs WHERE runs.trace_id = ${table}.trace_id AND runs.run_id = ${table}.run_id AND runs.stale = 1 AND runs.status = 'interrupted'))`,
        )
        .run({ cutoff: cutoffMs }).changes;
    const steps = children('steps');
    const attempts = children('attempts');
    const toolCalls = children('tool_calls');
    const aggregate = db.prepare(AGGREGATE_RUN_SQL);
    for (const run of staleRuns) aggregate.run(run);
    return { runs: staleRuns.length, steps, attempts, toolCalls };
  }).immediate();
}
