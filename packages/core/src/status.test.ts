import { describe, expect, it } from 'vitest';
import { ALL_STATUSES, isRunStatus, isTerminal, statusPriority, worstStatus } from './status.js';

describe('statuses', () => {
  it('has one non-terminal status', () => {
    expect(ALL_STATUSES.filter((s) => !isTerminal(s))).toEqual(['in_progress']);
  });

  it('orders priorities so terminal statuses outrank in_progress and the worst outcome wins', () => {
    expect(statusPriority('in_progress')).toBeLessThan(statusPriority('completed'));
    expect(statusPriority('completed')).toBeLessThan(statusPriority('interrupted'));
    expect(statusPriority('interrupted')).toBeLessThan(statusPriority('error'));
    expect(worstStatus(['completed', 'error', 'interrupted'])).toBe('error');
    expect(worstStatus([])).toBe('completed');
  });

  it('recognizes only the four statuses', () => {
    expect(isRunStatus('completed')).toBe(true);
    expect(isRunStatus('done')).toBe(false);
    expect(isRunStatus('toString')).toBe(false);
    expect(isRunStatus(3)).toBe(false);
  });
});
