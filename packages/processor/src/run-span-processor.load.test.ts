import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import {
  createProvider,
  finish,
  ManualClock,
  memoryDestination,
  startRun,
  startStep,
  testPricing,
  usage,
} from './__fixtures__/test-spans.js';
import { RunSpanProcessor } from './run-span-processor.js';

/** A destination that only counts what it receives, so a million spans cost no memory here. */
function countingDestination(): SpanProcessor & { count: number } {
  return {
    count: 0,
    onStart() {},
    onEnd() {
      this.count += 1;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

describe('RunSpanProcessor under load', () => {
  it('summarizes 1,000 concurrent runs of 5 steps each on one event loop, losing and duplicating nothing', async () => {
    const clock = new ManualClock();
    const destination = memoryDestination();
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      pricing: testPricing,
      destinations: [{ processor: destination.processor }],
    });
    const h = createProvider([processor], clock);

    const runOne = async (index: number): Promise<string> => {
      const run = startRun(h, { label: `run ${index}` });
      for (let number = 1; number <= 5; number += 1) {
        const step = startStep(h, run, { number });
        await nextTurn();
        usage(step, index + number, number);
        await nextTurn();
        finish(h, step);
      }
      finish(h, run);
      return run.spanContext().spanId;
    };
    const ids = await Promise.all(Array.from({ length: 1_000 }, (_, index) => runOne(index)));
    await processor.forceFlush();

    const spans = destination.exporter.getFinishedSpans();
    expect(spans).toHaveLength(6_000);
    expect(new Set(spans.map((span) => span.spanContext().spanId)).size).toBe(6_000);
    const runs = new Map<string, ReadableSpan>();
    for (const span of spans) {
      if (span.attributes[RuntraceAttributes.SPAN_KIND] === 'run') runs.set(span.spanContext().spanId, span);
    }
    ids.forEach((id, index) => {
      const attributes = runs.get(id)?.attributes;
      expect(attributes?.[RuntraceAttributes.SUMMARY_FIRST_MESSAGE]).toBe(`run ${index}`);
      expect(attributes?.[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(5);
      expect(attributes?.[RuntraceAttributes.SUMMARY_INPUT_TOKENS]).toBe(5 * index + 15);
      expect(attributes?.[RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]).toBe(15);
      expect(attributes?.[RuntraceAttributes.SUMMARY_COST_USD]).toBeCloseTo((5 * index + 15 + 30) / 1_000_000, 12);
    });
    expect(processor.stats().inFlight).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
  });

  it('keeps the registry and held spans within their caps with a million spans passing through, some abandoned', { timeout: 90_000 }, () => {
    const clock = new ManualClock();
    const all = countingDestination();
    const errorsOnly = countingDestination();
    const maxInFlight = 2_000;
    const maxHeldSpans = 1_000;
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      staleAfter: 60_000,
      maxInFlight,
      maxHeldSpans,
      pricing: false,
      destinations: [
        { processor: all, name: 'all' },
        { processor: errorsOnly, name: 'errors', sampling: 'errors-only' },
      ],
    });
    const h = createProvider([processor], clock);
    const runs = 200_000;
    let ended = 0;
    let peakInFlight = 0;
    let peakHeld = 0;
    const open: ReturnType<typeof startRun>[] = [];
    for (let index = 0; index < runs; index += 1) {
      const run = startRun(h);
      const abandoned = index % 100 === 0;
      for (let number = 1; number <= 4; number += 1) {
        const step = startStep(h, run, { number });
        if (abandoned && number === 4) break;
        finish(h, step, index % 7 === 0 && number === 2 ? 'error' : 'completed');
        ended += 1;
      }
      if (abandoned) open.push(run);
      else {
        finish(h, run);
        ended += 1;
      }
      if (index % 1_000 === 0) {
        const stats = processor.stats();
        const inFlight = stats.inFlight.runs + stats.inFlight.steps + stats.inFlight.attempts + stats.inFlight.tools;
        peakInFlight = Math.max(peakInFlight, inFlight);
        peakHeld = Math.max(peakHeld, stats.heldSpans);
        clock.advance(1_000);
        if (index % 20_000 === 0) {
          const swept = processor.sweep();
          ended += swept.runs + swept.steps;
        }
      }
    }
    clock.advance(60_000);
    const swept = processor.sweep();
    ended += swept.runs + swept.steps;
    const stats = processor.stats();

    expect(runs * 5).toBe(1_000_000);
    expect(peakInFlight).toBeLessThanOrEqual(maxInFlight);
    expect(peakHeld).toBeLessThanOrEqual(maxHeldSpans);
    expect(stats.inFlight).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
    expect(stats.heldSpans).toBe(0);
    expect(stats.heldRuns).toBe(0);
    // Every span that ended reached the 'all' destination exactly once; the sampled one saw each once too.
    expect(ended).toBe(1_000_000);
    expect(all.count).toBe(ended);
    const [, errors] = stats.destinations;
    expect(errors!.delivered + errors!.sampledOut).toBe(ended);
    expect(errors!.delivered).toBe(errorsOnly.count);
    expect(errorsOnly.count).toBeGreaterThan(0);
    expect(stats.untracked + stats.swept.runs + stats.swept.steps).toBeGreaterThan(0);
    expect(open).toHaveLength(2_000);
  });
});
