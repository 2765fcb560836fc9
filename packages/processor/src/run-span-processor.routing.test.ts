import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import {
  byKind,
  createProvider,
  finish,
  ManualClock,
  ManualTimers,
  memoryDestination,
  startAttempt,
  startRun,
  startStep,
  testPricing,
  usage,
} from './__fixtures__/test-spans.js';
import type { Harness } from './__fixtures__/test-spans.js';
import { traceIdFraction } from './internal/router.js';
import { RunSpanProcessor } from './run-span-processor.js';

const SECRET = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh';

/** One run with one step (with messages) and one attempt; `failed` makes the step fail. */
function oneRun(h: Harness, failed: boolean): string {
  const run = startRun(h, { label: 'hi there' });
  const step = startStep(h, run, {
    attributes: { [GenAiAttributes.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', content: `hi ${SECRET}` }]) },
  });
  const attempt = startAttempt(h, run, step);
  attempt.setAttribute(RuntraceAttributes.ATTEMPT_RESPONSE_BODY, '{"choices":[]}');
  attempt.setAttribute(RuntraceAttributes.ATTEMPT_REQUEST_HEADERS, JSON.stringify({ authorization: `Bearer ${SECRET}`, 'Content-Type': 'application/json' }));
  attempt.setAttribute(RuntraceAttributes.ATTEMPT_RESPONSE_HEADERS, JSON.stringify({ 'x-request-id': 'req-1', 'set-cookie': ['a=1', 'b=2'] }));
  finish(h, attempt, failed ? 'error' : 'completed');
  usage(step, 10, 5);
  finish(h, step, failed ? 'error' : 'completed');
  const other = h.tracer.startSpan('db.query', {}, trace.setSpan(context.active(), run));
  other.end();
  finish(h, run, failed ? 'error' : 'completed');
  return run.spanContext().spanId;
}

function runIds(spans: readonly ReadableSpan[]): string[] {
  return byKind(spans, 'run').map((span) => span.spanContext().spanId);
}

describe('RunSpanProcessor destinations', () => {
  it('sends full content to the store and metadata only to OTLP, without one view changing the other', () => {
    const store = memoryDestination();
    const otlp = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      destinations: [
        { processor: store.processor, kind: 'store' },
        { processor: otlp.processor, kind: 'otlp' },
      ],
    });
    const h = createProvider([processor], clock);
    oneRun(h, false);
    const full = store.exporter.getFinishedSpans();
    const meta = otlp.exporter.getFinishedSpans();
    expect(full).toHaveLength(4);
    expect(meta).toHaveLength(4);
    const [fullStep] = byKind(full, 'step');
    const [metaStep] = byKind(meta, 'step');
    expect(String(fullStep!.attributes[GenAiAttributes.INPUT_MESSAGES])).toContain('[REDACTED]');
    expect(String(fullStep!.attributes[GenAiAttributes.INPUT_MESSAGES])).not.toContain(SECRET);
    expect(metaStep!.attributes[GenAiAttributes.INPUT_MESSAGES]).toBeUndefined();
    expect(metaStep!.attributes[RuntraceAttributes.CONTENT_POLICY]).toBe('metadata');
    expect(fullStep!.attributes[RuntraceAttributes.CONTENT_POLICY]).toBeUndefined();
    expect(metaStep!.spanContext()).toEqual(fullStep!.spanContext());
    expect(byKind(meta, 'attempt')[0]!.attributes[RuntraceAttributes.ATTEMPT_RESPONSE_BODY]).toBeUndefined();
    expect(byKind(full, 'attempt')[0]!.attributes[RuntraceAttributes.ATTEMPT_RESPONSE_BODY]).toBe('{"choices":[]}');
    // The OTLP view carries the (redacted) headers as the HTTP conventions' attributes; the store keeps runtrace's compact form.
    const metaAttempt = byKind(meta, 'attempt')[0]!.attributes;
    expect(metaAttempt).toMatchObject({
      'http.request.header.authorization': ['[REDACTED]'],
      'http.request.header.content-type': ['application/json'],
      'http.response.header.x-request-id': ['req-1'],
      'http.response.header.set-cookie': ['[REDACTED]', '[REDACTED]'],
    });
    expect(metaAttempt[RuntraceAttributes.ATTEMPT_REQUEST_HEADERS]).toBeUndefined();
    expect(metaAttempt[RuntraceAttributes.ATTEMPT_RESPONSE_HEADERS]).toBeUndefined();
    const fullAttempt = byKind(full, 'attempt')[0]!.attributes;
    expect(JSON.parse(fullAttempt[RuntraceAttributes.ATTEMPT_REQUEST_HEADERS] as string)).toEqual({ authorization: '[REDACTED]', 'Content-Type': 'application/json' });
    expect(Object.keys(fullAttempt).some((key) => key.startsWith('http.request.header.'))).toBe(false);
    const [metaRun] = byKind(meta, 'run');
    expect(metaRun!.attributes[RuntraceAttributes.RUN_LABEL]).toBeUndefined();
    expect(metaRun!.attributes[RuntraceAttributes.SUMMARY_FIRST_MESSAGE]).toBeUndefined();
    expect(metaRun!.attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(1);
    expect(byKind(full, 'run')[0]!.attributes[RuntraceAttributes.SUMMARY_FIRST_MESSAGE]).toBe('hi there');
  });

  it('keeps only failed runs, with all their spans, for an errors-only destination', () => {
    const all = memoryDestination();
    const errors = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      destinations: [
        { processor: all.processor },
        { processor: errors.processor, sampling: 'errors-only' },
      ],
    });
    const h = createProvider([processor], clock);
    const ok = oneRun(h, false);
    const failed = oneRun(h, true);
    expect(runIds(all.exporter.getFinishedSpans())).toEqual([ok, failed]);
    const kept = errors.exporter.getFinishedSpans();
    expect(runIds(kept)).toEqual([failed]);
    // The failed run's step, attempt and the other span of its trace come with it.
    expect(kept).toHaveLength(4);
    expect(new Set(kept.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(processor.stats().destinations[1]).toEqual({ name: 'destination-1', delivered: 4, sampledOut: 4 });
    expect(processor.stats().heldSpans).toBe(0);
  });

  it('keeps a ratio of successful runs by trace id, plus every failed run', () => {
    const sampled = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      destinations: [{ processor: sampled.processor, sampling: { ratio: 0.25 } }],
    });
    const h = createProvider([processor], clock);
    const expected: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const failed = i % 10 === 0;
      const run = startRun(h);
      const step = startStep(h, run);
      finish(h, step, failed ? 'error' : 'completed');
      finish(h, run, failed ? 'error' : 'completed');
      if (failed || traceIdFraction(run.spanContext().traceId) < 0.25) expected.push(run.spanContext().spanId);
    }
    const kept = sampled.exporter.getFinishedSpans();
    expect(runIds(kept)).toEqual(expected);
    expect(kept).toHaveLength(expected.length * 2);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(120);
  });

  it('releases the oldest held run in full at the held-span cap and counts it', () => {
    const errors = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      maxHeldSpans: 4,
      destinations: [{ processor: errors.processor, sampling: 'errors-only' }],
    });
    const h = createProvider([processor], clock);
    const first = startRun(h);
    for (let i = 0; i < 3; i += 1) finish(h, startStep(h, first, { number: i + 1 }));
    const second = startRun(h);
    for (let i = 0; i < 2; i += 1) finish(h, startStep(h, second, { number: i + 1 }));
    expect(processor.stats().heldSpans).toBeLessThanOrEqual(4);
    expect(processor.stats().forcedReleases).toBe(1);
    expect(errors.exporter.getFinishedSpans()).toHaveLength(3);
    // The released run's own span follows the early decision.
    finish(h, first);
    expect(errors.exporter.getFinishedSpans()).toHaveLength(4);
    finish(h, second);
    expect(errors.exporter.getFinishedSpans()).toHaveLength(4);
    expect(processor.stats().heldSpans).toBe(0);
  });
});

describe('RunSpanProcessor with two processors in one provider', () => {
  it('does not interfere: each wraps, redacts, summarizes, sweeps and routes independently', () => {
    const clock = new ManualClock();
    const a = memoryDestination();
    const b = memoryDestination();
    const first = new RunSpanProcessor({ clock, sweepInterval: false, staleAfter: 60_000, pricing: testPricing, destinations: [{ processor: a.processor }] });
    const second = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      staleAfter: 600_000,
      pricing: testPricing,
      destinations: [{ processor: b.processor, kind: 'otlp', sampling: 'errors-only' }],
    });
    const h = createProvider([first, second], clock);

    oneRun(h, true);
    const abandoned = startRun(h);
    startStep(h, abandoned);
    clock.advance(60_000);
    expect(first.sweep()).toEqual({ runs: 1, steps: 1, attempts: 0, tools: 0 });
    expect(second.stats().inFlight).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
    expect(second.sweep()).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });

    const fromA = a.exporter.getFinishedSpans();
    const fromB = b.exporter.getFinishedSpans();
    expect(fromA).toHaveLength(6);
    // errors-only in B: the failed run (4 spans); the swept run is interrupted, not an error.
    expect(fromB).toHaveLength(4);
    for (const spans of [fromA, fromB]) {
      const [failedRun] = byKind(spans, 'run');
      expect(failedRun!.attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(1);
      expect(failedRun!.attributes[RuntraceAttributes.SUMMARY_INPUT_TOKENS]).toBe(10);
      expect(failedRun!.attributes[RuntraceAttributes.SUMMARY_HAS_ERROR]).toBe(true);
      const [step] = byKind(spans, 'step');
      // Masked once by the first processor; the second finds nothing left and adds nothing.
      expect(step!.attributes[RuntraceAttributes.REDACTION_MASKED_COUNT]).toBe(1);
      expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(SECRET);
    }
    expect(byKind(fromB, 'step')[0]!.attributes[GenAiAttributes.INPUT_MESSAGES]).toBeUndefined();
    expect(byKind(fromA, 'step')[0]!.attributes[GenAiAttributes.INPUT_MESSAGES]).toBeDefined();
    const swept = byKind(fromA, 'run')[1]!;
    expect(swept.attributes[RuntraceAttributes.STALE]).toBe(true);

    // A late write after the end is dropped once, by the outermost wrapper.
    const run = startRun(h);
    finish(h, run);
    run.setAttribute('late', 1);
    expect(first.stats().lateWrites + second.stats().lateWrites).toBe(1);
  });
});

describe('RunSpanProcessor.ingest', () => {
  it('redacts a copy, summarizes, samples and forwards spans that ended elsewhere', () => {
    const remoteClock = new ManualClock();
    const remote = memoryDestination();
    const remoteProvider = createProvider([remote.processor], remoteClock);
    oneRun(remoteProvider, false);
    const failedRunId = oneRun(remoteProvider, true);
    const received = remote.exporter.getFinishedSpans();
    expect(JSON.stringify(received.map((span) => span.attributes))).toContain(SECRET);

    const store = memoryDestination();
    const errors = memoryDestination();
    const events: string[] = [];
    const processor = new RunSpanProcessor({
      sweepInterval: false,
      timers: new ManualTimers(),
      pricing: testPricing,
      destinations: [
        { processor: store.processor },
        { processor: errors.processor, sampling: 'errors-only' },
      ],
    });
    processor.subscribe((event) => events.push(event.type));
    // Deliver runs first within the batch: ingest still summarizes children first.
    processor.ingest([...received].reverse());

    const stored = store.exporter.getFinishedSpans();
    expect(stored).toHaveLength(8);
    expect(JSON.stringify(stored.map((span) => span.attributes))).not.toContain(SECRET);
    // The originals are untouched.
    expect(JSON.stringify(received.map((span) => span.attributes))).toContain(SECRET);
    for (const run of byKind(stored, 'run')) {
      expect(run.attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(1);
      expect(run.attributes[RuntraceAttributes.SUMMARY_ENDPOINT] ?? 'none').toMatch(/^(POST \/v1\/chat\/completions|none)$/);
      expect(run.attributes[RuntraceAttributes.SUMMARY_COST_USD]).toBeCloseTo(20 / 1_000_000, 12);
    }
    expect(runIds(errors.exporter.getFinishedSpans())).toEqual([failedRunId]);
    expect(events.filter((type) => type === 'run-end')).toHaveLength(2);
    expect(events.filter((type) => type === 'step-end')).toHaveLength(2);
    expect(processor.stats().ingested).toBe(8);
  });

  it('planIngest slices a batch so that slice by slice it is ingested as one: children first, runs summarized', () => {
    const remote = memoryDestination();
    const remoteProvider = createProvider([remote.processor], new ManualClock());
    oneRun(remoteProvider, false);
    const failedRunId = oneRun(remoteProvider, true);
    const received = remote.exporter.getFinishedSpans();
    const store = memoryDestination();
    const errors = memoryDestination();
    const processor = new RunSpanProcessor({
      sweepInterval: false,
      timers: new ManualTimers(),
      pricing: testPricing,
      destinations: [{ processor: store.processor }, { processor: errors.processor, sampling: 'errors-only' }],
    });
    // Runs first, and slices of one span: the plan still puts every child before every run.
    const slices = processor.planIngest([...received].reverse(), 1);
    expect(slices).toHaveLength(received.length);
    const kinds = slices.map(([span]) => span!.attributes[RuntraceAttributes.SPAN_KIND]);
    expect(kinds.slice(-2)).toEqual(['run', 'run']);
    expect(kinds.slice(0, -2)).not.toContain('run');
    for (const slice of slices) processor.ingest(slice);
    const stored = store.exporter.getFinishedSpans();
    expect(stored).toHaveLength(received.length);
    for (const run of byKind(stored, 'run')) expect(run.attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(1);
    // Spans of the failing run's trace followed its sampling, although its run span came last.
    expect(new Set(errors.exporter.getFinishedSpans().map((span) => span.spanContext().traceId))).toEqual(
      new Set(received.filter((span) => span.spanContext().spanId === failedRunId).map((span) => span.spanContext().traceId)),
    );
    // A small batch is one slice.
    expect(processor.planIngest(received, 1_000)).toEqual([received]);
  });

  it("keeps other libraries' spans with their failing run, in whichever batch they arrive", () => {
    const remote = memoryDestination();
    const remoteProvider = createProvider([remote.processor], new ManualClock());
    const okRunId = oneRun(remoteProvider, false);
    const failedRunId = oneRun(remoteProvider, true);
    const received = remote.exporter.getFinishedSpans();
    const runIdOf = (span: ReadableSpan): string | undefined =>
      received.find(
        (run) => run.attributes[RuntraceAttributes.SPAN_KIND] === 'run' && run.spanContext().traceId === span.spanContext().traceId,
      )?.spanContext().spanId;
    const ofRun = (runId: string): ReadableSpan[] => received.filter((span) => runIdOf(span) === runId);
    const failed = ofRun(failedRunId);
    const other = failed.find((span) => span.attributes[RuntraceAttributes.SPAN_KIND] === undefined)!;
    const runtraceChildren = failed.filter((span) => span !== other && span.attributes[RuntraceAttributes.SPAN_KIND] !== 'run');
    const failedRun = failed.find((span) => span.attributes[RuntraceAttributes.SPAN_KIND] === 'run')!;

    const errors = memoryDestination();
    const processor = new RunSpanProcessor({
      sweepInterval: false,
      timers: new ManualTimers(),
      destinations: [{ processor: errors.processor, sampling: 'errors-only' }],
    });
    // The successful run in one batch; the failing one split so the db span comes first, then the run last.
    processor.ingest(ofRun(okRunId));
    processor.ingest([other, runtraceChildren[0]!]);
    processor.ingest([...runtraceChildren.slice(1), failedRun]);

    const kept = errors.exporter.getFinishedSpans();
    expect(kept.map((span) => span.spanContext().spanId).sort()).toEqual(failed.map((span) => span.spanContext().spanId).sort());
    expect(kept.map((span) => span.name)).toContain('db.query');
    expect(processor.stats().destinations[0]).toMatchObject({ delivered: 4, sampledOut: 4 });
  });

  it('lets a span of another library that ends after its run follow the run', () => {
    const errors = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      destinations: [{ processor: errors.processor, sampling: 'errors-only' }],
    });
    const h = createProvider([processor], clock);
    const run = startRun(h);
    const late = h.tracer.startSpan('fire-and-forget', {}, trace.setSpan(context.active(), run));
    const step = startStep(h, run);
    finish(h, step, 'error');
    finish(h, run, 'error');
    late.end();
    expect(errors.exporter.getFinishedSpans().map((span) => span.name)).toContain('fire-and-forget');
    expect(errors.exporter.getFinishedSpans()).toHaveLength(3);
  });

  it('reports malformed entries without throwing and still forwards the rest of the batch', () => {
    const remote = memoryDestination();
    const remoteProvider = createProvider([remote.processor], new ManualClock());
    oneRun(remoteProvider, false);
    const received = remote.exporter.getFinishedSpans();
    const store = memoryDestination();
    const errors: string[] = [];
    const processor = new RunSpanProcessor({
      sweepInterval: false,
      destinations: [{ processor: store.processor }],
      onError: (_error, where) => errors.push(where),
    });
    const malformed = [null, {}, { attributes: { [RuntraceAttributes.SPAN_KIND]: 'run' } }] as unknown as ReadableSpan[];
    expect(() => processor.ingest([...malformed, ...received])).not.toThrow();
    expect(() => processor.ingest('nope' as unknown as ReadableSpan[])).not.toThrow();
    expect(store.exporter.getFinishedSpans()).toHaveLength(received.length);
    expect(errors).toEqual(['ingest', 'ingest', 'ingest', 'ingest']);
    expect(processor.stats().ingested).toBe(received.length);
  });
});

describe('RunSpanProcessor forceFlush', () => {
  it("waits for a destination's exporter after its processor, for exports already in flight", async () => {
    let releaseExport: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      releaseExport = resolve;
    });
    const order: string[] = [];
    // Like the SDK's BatchSpanProcessor with an export its timer already started: its own
    // forceFlush resolves at once, while the exporter's resolves when the request completes.
    const batching = {
      onStart: () => {},
      onEnd: () => {},
      forceFlush: () => {
        order.push('processor');
        return Promise.resolve();
      },
      shutdown: () => Promise.resolve(),
    };
    const exporter = {
      forceFlush: async () => {
        await inFlight;
        order.push('exporter');
      },
    };
    const processor = new RunSpanProcessor({ destinations: [{ processor: batching, exporter }], sweepInterval: false });
    let flushed = false;
    const flushing = processor.forceFlush().then(() => {
      flushed = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(order).toEqual(['processor']);
    expect(flushed).toBe(false);
    releaseExport();
    await flushing;
    expect(order).toEqual(['processor', 'exporter']);
    await processor.shutdown();
  });
});
