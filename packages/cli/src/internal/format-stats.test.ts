import { describe, expect, it } from 'vitest';
import type { Analytics, Overview } from '@runtrace/store';
import { formatStats } from './format-stats.js';
import { createStyle } from './style.js';

const figures = {
  from: null,
  to: null,
  runs: 4,
  costUsd: 0.5,
  costUnknownRuns: 1,
  durationMs: 4000,
  toolCalls: 2,
  byStatus: { in_progress: 0, completed: 3, interrupted: 0, error: 1 },
  successRate: 0.75,
  costByModel: [{ model: 'gpt-4o-mini', provider: 'openai', runs: 4, inputTokens: 300, outputTokens: 60, costUsd: 0.5, costUnknownRuns: 0 }],
  inputTokens: 300,
  outputTokens: 60,
  reasoningTokens: 0,
  cacheReadTokens: 0,
  cacheCreationTokens: 0,
  totalTokens: 360,
};

const buckets = (counts: number[]) => counts.map((count, index) => ({ label: `b${index}`, min: index, max: index + 1, count }));

const analytics: Analytics = {
  from: null,
  to: null,
  totalRuns: 4,
  averageCostUsd: 0.125,
  averageDurationMs: 1000,
  activityByDay: [
    { date: '2026-11-20', runs: 1, errors: 0, totalTokens: 90, costUsd: 0.1 },
    { date: '2026-11-21', runs: 3, errors: 1, totalTokens: 270, costUsd: 0.4 },
  ],
  durationBuckets: buckets([4, 0, 0, 0, 0, 0]),
  costBuckets: buckets([1, 2, 0, 0, 0, 0]),
  costUnknownRuns: 1,
  modelPerformance: [{ model: 'gpt-4o-mini', provider: 'openai', runs: 4, completed: 3, successRate: 0.75, averageCostUsd: 0.125, totalCostUsd: 0.5, averageDurationMs: 1000, averageTokens: 90 }],
  providerBreakdown: [{ provider: 'openai', runs: 4, totalTokens: 360, costUsd: 0.5 }],
  serviceBreakdown: [{ service: 'checkout', runs: 4, errors: 1, totalTokens: 360, costUsd: 0.5, lastRunMs: 0 }],
  topTools: [{ name: 'get_weather', calls: 2, errors: 0, averageDurationMs: 12 }],
};

describe('formatStats', () => {
  it('prints the overview, compares with the previous period, and draws buckets as bars proportional to counts', () => {
    const overview: Overview = { ...figures, previousPeriod: { ...figures, runs: 2, totalTokens: 360, costUsd: 1 } };
    const text = formatStats(overview, analytics, createStyle(false));
    expect(text).toContain('runs         4 (+100%)');
    expect(text).toContain('success rate 75%');
    expect(text).toContain('$0.50 (-50%)');
    expect(text).toContain('previous     2 runs · 360 tokens · $1.00 · 75% success');
    expect(text).toContain('(+ 1 runs of unpriced models)');
    const day = (date: string): number => /█+/.exec(text.split('\n').find((line) => line.includes(date)) ?? '')?.[0].length ?? 0;
    expect(day('2026-11-21')).toBe(30);
    expect(day('2026-11-20')).toBe(10);
    expect(text).toContain('get_weather');
    expect(text).toContain('1 runs with an unknown cost are not counted');
  });

  it('stops after the overview when there are no runs', () => {
    const empty: Overview = { ...figures, runs: 0, costByModel: [], previousPeriod: null };
    const text = formatStats(empty, { ...analytics, activityByDay: [] }, createStyle(false));
    expect(text).toContain('runs         0');
    expect(text).not.toContain('previous ');
    expect(text).not.toContain('duration');
  });
});
