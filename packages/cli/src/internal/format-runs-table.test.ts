import { describe, expect, it } from 'vitest';
import { formatRunsTable } from './format-runs-table.js';
import { createStyle } from './style.js';
import { runSummary } from './__fixtures__/run-detail.js';

const plain = createStyle(false);

describe('formatRunsTable', () => {
  it('lists one aligned row per run under a header', () => {
    const text = formatRunsTable([runSummary(), runSummary({ runId: 'aaaabbbbccccdddd', status: 'error', label: 'x'.repeat(80), costUsd: null, costUnknown: true })], plain);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^RUN +STARTED \(UTC\) +STATUS +KIND +MODEL +STEPS +TOKENS +COST +DURATION +LABEL$/);
    expect(lines[1]).toContain('c063140c97b2c0c2  2026-11-21 10:00:00  completed');
    expect(lines[1]).toContain('$0.000023');
    expect(lines[2]).toContain('error');
    expect(lines[2]).toContain('?');
    expect(lines[2]?.endsWith('x…')).toBe(true);
    // Columns line up: the status column starts at the same offset on every line.
    expect(lines[1]?.indexOf('completed')).toBe(lines[0]?.indexOf('STATUS'));
    expect(lines[2]?.indexOf('error')).toBe(lines[0]?.indexOf('STATUS'));
  });

  it('marks a run some of whose steps failed or were interrupted, and says what the mark means', () => {
    const text = formatRunsTable([runSummary({ interruptedStepCount: 1 }), runSummary({ runId: 'aaaabbbbccccdddd' })], plain);
    const lines = text.trimEnd().split('\n');
    expect(lines[1]).toContain('completed!');
    expect(lines[2]).not.toContain('completed!');
    expect(text).toContain('! some of its steps failed or were interrupted');
    expect(formatRunsTable([runSummary()], plain)).not.toContain('! some of its steps');
  });

  it('says so when nothing matches, and prints the next cursor', () => {
    expect(formatRunsTable([], plain)).toBe('no runs match\n');
    expect(formatRunsTable([runSummary({ stale: true, status: 'interrupted' })], plain, 'abc')).toContain('more runs: add --cursor abc');
  });
});
