// Deleting data: runs with everything recorded under them (by condition, in one transaction),
// and retention by age and by size, which gives the space back to the file system.
import { statSync } from 'node:fs';
import { InvalidArgumentError } from '@runtrace/core';
import type { DeleteResult, RetentionOptions, RetentionResult } from '../query-types.js';
import { numberOrZero } from './row-mappers.js';
import type { SqlParams } from './run-filters.js';
import type { SqliteDatabase } from './sqlite-connection.js';

export const EMPTY_DELETE: DeleteResult = { runs: 0, steps: 0, attempts: 0, toolCalls: 0, events: 0, spans: 0 };

/** The sum of two deletions' counts. */
export function addDeletes(a: DeleteResult, b: DeleteResult): DeleteResult {
  return {
    runs: a.runs + b.runs,
    steps: a.steps + b.steps,
    attempts: a.attempts + b.attempts,
    toolCalls: a.toolCalls + b.toolCalls,
    events: a.events + b.events,
    spans: a.spans + b.spans,
  };
}

function run(db: SqliteDatabase, sql: string, params: SqlParams): number {
  return db.prepare(sql).run(params).changes;
}

/** Checks retention options (either backend's); throws `InvalidArgumentError` naming what is wrong. */
export function checkRetentionOptions(options: RetentionOptions): void {
  if (options.maxAgeMs === undefined && options.maxBytes === undefined) {
    throw new InvalidArgumentError('options', options, 'maxAgeMs, maxBytes or both');
  }
  if (options.maxAgeMs !== undefined && (!Number.isFinite(options.maxAgeMs) || options.maxAgeMs < 0)) {
    throw new InvalidArgumentError('maxAgeMs', options.maxAgeMs, 'a non-negative number of milliseconds');
  }
  if (options.maxBytes !== undefined && (!Number.isFinite(options.maxBytes) || options.maxBytes <= 0)) {
    throw new InvalidArgumentError('maxBytes', options.maxBytes, 'a positive number of bytes');
  }
}

/**
 * Deletes runs that started more than \`maxAgeMs\` ago (and spans of traces without runs that
 * old), then the oldest runs until the file uses at most \`maxBytes\`, then resources no span
 * names any more; gives the space back to the file system.
 */
export function applyRetention(db: SqliteDatabase, path: string, options: RetentionOptions, clock: () => number): RetentionResult {
  checkRetentionOptions(options);
  const bytesBefore = fileBytes(path);
  let total: DeleteResult = EMPTY_DELETE;
  if (options.maxAgeMs !== undefined) {
    const now = options.now ?? clock();
    const cutoff = now - options.maxAgeMs;
    total = addDeletes(total, deleteRuns(db, 'start_ms < @cutoff', { cutoff }));
    const orphans = run(db, 'DELETE FROM spans WHERE start_ms < @cutoff AND trace_id NOT IN (SELECT trace_id FROM runs)', { cutoff });
    total = addDeletes(total, { ...EMPTY_DELETE, spans: orphans });
  }
  if (options.maxBytes !== undefined) {
    const maxBytes = options.maxBytes;
    for (;;) {
      reclaim(db);
      if (usedBytes(db) <= maxBytes) break;
      const runs = numberOrZero((db.prepare('SELECT count(*) AS n FROM runs').get() as { n?: unknown } | undefined)?.n);
      if (runs > 0) {
        const chunk = Math.max(1, Math.ceil(runs / 10));
        total = addDeletes(total, deleteRuns(db, 'rowid IN (SELECT rowid FROM runs ORDER BY start_ms, run_id LIMIT @chunk)', { chunk }));
        continue;
      }
      const spans = run(db, 'DELETE FROM spans WHERE rowid IN (SELECT rowid FROM spans ORDER BY start_ms LIMIT 1000)', {});
      if (spans === 0) break;
      total = addDeletes(total, { ...EMPTY_DELETE, spans });
    }
  }
  // A resource no span names any more goes too (one per process or host a collector heard from).
  if (total.runs + total.spans > 0) {
    const used = ['runs', 'steps', 'attempts', 'tool_calls', 'spans'].map((table) => `SELECT resource_id FROM ${table} WHERE resource_id IS NOT NULL`).join(' UNION ');
    run(db, `DELETE FROM resources WHERE resource_id NOT IN (${used})`, {});
  }
  reclaim(db);
  return { ...total, bytesBefore, bytesAfter: fileBytes(path) };
}

/** Deletes the runs \`condition\` selects with everything recorded under them, in one transaction. */
export function deleteRuns(db: SqliteDatabase, condition: string, params: SqlParams): DeleteResult {
  return db.transaction((): DeleteResult => {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS doomed_runs_v3 (trace_id TEXT NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (trace_id, run_id))');
    db.exec('DELETE FROM doomed_runs_v3');
    const runs = db.prepare(`INSERT INTO doomed_runs_v3 SELECT trace_id, run_id FROM runs WHERE ${condition}`).run(params).changes;
    if (runs === 0) return EMPTY_DELETE;
    const inDoomed = '(trace_id, run_id) IN (SELECT trace_id, run_id FROM doomed_runs_v3)';
    const result: DeleteResult = {
      runs,
      events: db.prepare(`DELETE FROM events WHERE ${inDoomed}`).run().changes,
      steps: db.prepare(`DELETE FROM steps WHERE ${inDoomed}`).run().changes,
      attempts: db.prepare(`DELETE FROM attempts WHERE ${inDoomed}`).run().changes,
      toolCalls: db.prepare(`DELETE FROM tool_calls WHERE ${inDoomed}`).run().changes,
      spans: 0,
    };
    db.prepare(`DELETE FROM runs WHERE ${inDoomed}`).run();
    // Generic spans go with their trace once no run of that trace is left.
    const spans = db
      .prepare(
        `DELETE FROM spans WHERE trace_id IN (SELECT DISTINCT trace_id FROM doomed_runs_v3)
           AND trace_id NOT IN (SELECT trace_id FROM runs WHERE trace_id IN (SELECT trace_id FROM doomed_runs_v3))`,
      )
      .run().changes;
    db.exec('DELETE FROM doomed_runs_v3');
    return { ...result, spans };
  }).immediate();
}

function usedBytes(db: SqliteDatabase): number {
  const pageSize = numberOrZero(db.pragma('page_size', { simple: true }));
  const pages = numberOrZero(db.pragma('page_count', { simple: true }));
  const free = numberOrZero(db.pragma('freelist_count', { simple: true }));
  return (pages - free) * pageSize;
}

function reclaim(db: SqliteDatabase): void {
  db.pragma('incremental_vacuum');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
