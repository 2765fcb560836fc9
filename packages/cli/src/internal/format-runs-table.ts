// The `runtrace runs` table: one line per run, newest first.
import type { RunSummary } from '@runtrace/store';
import { formatCost, formatCount, formatDuration, formatTime, oneLine } from './format-values.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** A step of the run failed or was interrupted (the run's own status may still be `completed`). */
function stepsDidNotComplete(run: RunSummary): boolean {
  return run.failedStepCount > 0 || run.interruptedStepCount > 0;
}

/** Renders runs as an aligned table (an explanatory line when there are none). */
export function formatRunsTable(runs: readonly RunSummary[], style: Style, nextCursor: string | null = null): string {
  if (runs.length === 0) return 'no runs match\n';
  const rows = runs.map((run) => [
    style.dim(run.runId),
    formatTime(run.startTimeMs),
    style.status(run.status, `${run.status}${run.stale ? '*' : ''}${stepsDidNotComplete(run) ? '!' : ''}`),
    run.kind ?? '—',
    run.model ?? '—',
    String(run.stepCount),
    formatCount(run.totalTokens),
    formatCost(run.costUsd, run.costUnknown),
    run.endTimeMs === null ? style.cyan(`${formatDuration(Math.max(0, run.lastActivityMs - run.startTimeMs))}…`) : formatDuration(run.durationMs),
    oneLine(run.label, 48),
  ]);
  const table = renderTable(
    [
      { header: 'RUN' },
      { header: 'STARTED (UTC)' },
      { header: 'STATUS' },
      { header: 'KIND', maxWidth: 16 },
      { header: 'MODEL', maxWidth: 24 },
      { header: 'STEPS', align: 'right' },
      { header: 'TOKENS', align: 'right' },
      { header: 'COST', align: 'right' },
      { header: 'DURATION', align: 'right' },
      { header: 'LABEL', maxWidth: 48 },
    ],
    rows,
    style.bold,
  );
  const notes: string[] = [];
  if (runs.some((run) => run.stale)) notes.push('* finalized by a stale sweep (the process stopped reporting)');
  if (runs.some(stepsDidNotComplete)) notes.push('! some of its steps failed or were interrupted (runtrace show <run> tells which)');
  if (nextCursor !== null) notes.push(`more runs: add --cursor ${nextCursor}`);
  return table + notes.map((note) => style.dim(note) + '\n').join('');
}
