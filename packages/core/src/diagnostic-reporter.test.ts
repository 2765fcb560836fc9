import { describe, expect, it } from 'vitest';
import { DiagnosticReporter } from './diagnostic-reporter.js';

function setup(options: { quiet?: boolean; intervalMs?: number } = {}) {
  const lines: string[] = [];
  let now = 1_000_000;
  const reporter = new DiagnosticReporter({ sink: (line) => lines.push(line), now: () => now, ...options });
  return { reporter, lines, advance: (ms: number) => (now += ms) };
}

describe('DiagnosticReporter', () => {
  it('writes the first occurrence of a cause at once, prefixed, on one line', () => {
    const { reporter, lines } = setup();
    expect(reporter.report('store-open', '/x.db is a directory:\nremove it')).toBe(true);
    expect(lines).toEqual(['runtrace: /x.db is a directory: remove it']);
  });

  it('writes at most one line per cause per interval and counts what happened in between', () => {
    const { reporter, lines, advance } = setup({ intervalMs: 60_000 });
    reporter.report('store-write', 'write failed (1)');
    reporter.report('store-write', 'write failed (2)');
    reporter.report('otlp-export', 'export failed');
    advance(30_000);
    reporter.report('store-write', 'write failed (3)');
    expect(lines).toEqual(['runtrace: write failed (1)', 'runtrace: export failed']);
    advance(30_000);
    reporter.report('store-write', 'write failed (4)');
    expect(lines.at(-1)).toBe('runtrace: write failed (4) (2 more since the last report)');
    expect(reporter.stats()).toEqual({ causes: { 'store-write': 4, 'otlp-export': 1 }, lines: 3, suppressed: 2 });
  });

  it('flush() writes the occurrences still pending, once', () => {
    const { reporter, lines } = setup();
    reporter.report('otlp-export', 'failed a');
    reporter.report('otlp-export', 'failed b');
    reporter.report('otlp-export', 'failed c');
    reporter.flush();
    reporter.flush();
    expect(lines).toEqual(['runtrace: failed a', 'runtrace: failed c (1 more since the last report)']);
  });

  it('counts but writes nothing when quiet', () => {
    const { reporter, lines } = setup({ quiet: true });
    expect(reporter.report('config:RUNTRACE_CONTENT', 'bad value')).toBe(false);
    reporter.flush();
    expect(lines).toEqual([]);
    expect(reporter.stats()).toEqual({ causes: { 'config:RUNTRACE_CONTENT': 1 }, lines: 0, suppressed: 1 });
  });

  it('never throws when the sink does, and bounds a long message', () => {
    const reporter = new DiagnosticReporter({
      sink: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => reporter.report('a', 'x')).not.toThrow();
    const lines: string[] = [];
    new DiagnosticReporter({ sink: (line) => lines.push(line) }).report('b', 'y'.repeat(5_000));
    expect(lines[0]!.length).toBeLessThanOrEqual(1_000 + 'runtrace: '.length);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });

  it('keeps memory bounded however many causes are reported', () => {
    const { reporter } = setup();
    for (let index = 0; index < 1_000; index++) reporter.report(`cause-${index}`, 'm');
    expect(Object.keys(reporter.stats().causes).length).toBeLessThanOrEqual(257);
  });
});
