import { describe, expect, it } from 'vitest';
import { formatRunDetail } from './format-run-detail.js';
import { createStyle, stripAnsi } from './style.js';
import { retriedRunDetail, runSummary, T0 } from './__fixtures__/run-detail.js';

const plain = createStyle(false);

describe('formatRunDetail', () => {
  it('draws steps, attempts (with the retry) and tool calls on the run timeline', () => {
    const text = formatRunDetail(retriedRunDetail(), { style: plain, timelineWidth: 20 });
    const lines = text.split('\n');
    const row = (label: string): string => lines.find((line) => line.includes(label)) ?? '';
    expect(row('step 1 stream gpt-4o-mini')).toContain('completed');
    expect(row('├─ attempt 1 POST 429')).toContain('rate_limited, retry in 20ms');
    expect(row('└─ attempt 2 POST 200')).toContain('400ms');
    expect(row('tool get_weather')).toContain('call_weather_1');
    // Step 2 starts at 60% of the run: its bar starts at cell 12 of 20.
    const bar = /│([ █]{20})│/.exec(row('step 2 stream'))?.[1] ?? '';
    expect(bar.indexOf('█')).toBe(12);
    expect(bar.trimEnd().length).toBe(20);
    // Rows keep start order: step 1, its attempts, the tool, step 2.
    const order = ['step 1', 'attempt 1 POST 429', 'attempt 2 POST 200', 'tool get_weather', 'step 2'].map((label) => lines.findIndex((line) => line.includes(label)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('shows the header figures and an unknown cost as unknown', () => {
    const detail = { ...retriedRunDetail(), run: runSummary({ costUsd: null, costUnknown: true }) };
    const text = formatRunDetail(detail, {
      style: plain,
      analytics: { runId: 'x', steps: 2, attempts: 3, retries: 1, timeToFirstTokenMs: 40, tokensPerSecond: 30, longestPauseMs: 100, averageStepDurationMs: 400, toolCalls: 1, uniqueTools: 1, toolErrors: 0, toolFrequency: {} },
    });
    expect(text).toContain('cost         unknown');
    expect(text).toContain('3 attempts (1 retry)');
    expect(text).toContain('tokens       in 154 · out 31 · total 185');
  });

  it('says why a cost is unknown: no usage in an answer, a model without a price', () => {
    const reasons = ['no usage in the response', 'no price for model "my-model"'];
    const detail = { ...retriedRunDetail(), run: runSummary({ costUsd: null, costUnknown: true }), costUnknownReasons: reasons };
    expect(formatRunDetail(detail, { style: plain })).toContain('cost         unknown (no usage in the response; no price for model "my-model")');
  });

  it('prints bodies only when asked, pretty-printing JSON', () => {
    expect(formatRunDetail(retriedRunDetail(), { style: plain })).not.toContain('request body');
    const text = formatRunDetail(retriedRunDetail(), { style: plain, bodies: true });
    expect(text).toContain('step 1 · attempt 1 · POST http://127.0.0.1:4000/v1/chat/completions → 429');
    expect(text).toContain('      "model": "gpt-4o-mini",');
    expect(text).toContain('response body (2.0 KiB)');
    expect(text).toContain('tool get_weather · call_weather_1');
  });

  it('marks in-progress rows and keeps colour codes out when colours are off', () => {
    const detail = retriedRunDetail();
    const live = { ...detail, run: runSummary({ status: 'in_progress', endTimeMs: null, durationMs: null }), steps: [detail.steps[0]!, { ...detail.steps[1]!, status: 'in_progress' as const, endTimeMs: null, durationMs: null }] };
    const text = formatRunDetail(live, { style: plain, now: T0 + 2000 });
    expect(text).toContain('running for 2.00s');
    expect(text).toContain('░');
    expect(text).toBe(stripAnsi(text));
    const coloured = formatRunDetail(live, { style: createStyle(true), now: T0 + 2000 });
    expect(coloured).not.toBe(stripAnsi(coloured));
  });
});
