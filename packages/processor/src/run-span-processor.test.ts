import type { DiagLogger } from '@opentelemetry/api';
import { diag, DiagLogLevel, SpanStatusCode } from '@opentelemetry/api';
import { GenAiAttributes, InvalidArgumentError, RuntraceAttributes, RuntraceEvents, SpanKinds } from '@runtrace/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  byKind,
  createProvider,
  finish,
  hrToMs,
  ManualClock,
  ManualTimers,
  memoryDestination,
  startAttempt,
  startRun,
  startStep,
  startTool,
  T0,
  testPricing,
  usage,
} from './__fixtures__/test-spans.js';
import type { RunLiveEvent } from './run-live-event.js';
import type { RunSpanProcessorOptions } from './run-span-processor-options.js';
import { RunSpanProcessor } from './run-span-processor.js';

const MINUTE = 60_000;

function setup(options: Partial<RunSpanProcessorOptions> = {}) {
  const clock = new ManualClock();
  const timers = new ManualTimers();
  const destination = memoryDestination();
  const processor = new RunSpanProcessor({
    destinations: [{ processor: destination.processor, name: 'memory' }],
    clock,
    timers,
    pricing: testPricing,
    ...options,
  });
  const harness = createProvider([processor], clock);
  return { ...harness, processor, timers, exporter: destination.exporter };
}

function captureDiag(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  const record = (message: string): void => {
    messages.push(message);
  };
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}

afterEach(() => {
  diag.disable();
});

describe('RunSpanProcessor stale sweep', () => {
  it('ends a stream abandoned without being read after staleAfter, children first, at their last activity', () => {
    const { processor, exporter, clock, ...harness } = setup({ staleAfter: 5 * MINUTE });
    const h = { ...harness, clock };
    const run = startRun(h, { label: 'hello' });
    clock.advance(1_000);
    const step = startStep(h, run);
    startAttempt(h, run, step);
    const lastActivity = clock.now();

    clock.advance(5 * MINUTE - 1);
    expect(processor.sweep()).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
    expect(exporter.getFinishedSpans()).toHaveLength(0);

    clock.advance(1);
    expect(processor.sweep()).toEqual({ runs: 1, steps: 1, attempts: 1, tools: 0 });

    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.attributes[RuntraceAttributes.SPAN_KIND])).toEqual(['attempt', 'step', 'run']);
    for (const span of spans) {
      expect(span.attributes[RuntraceAttributes.STATUS]).toBe('interrupted');
      expect(span.attributes[RuntraceAttributes.STALE]).toBe(true);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(hrToMs(span.endTime)).toBe(lastActivity);
    }
    const [runSpan] = byKind(spans, 'run');
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(1);
    expect(processor.stats().swept).toEqual({ runs: 1, steps: 1, attempts: 1, tools: 0 });
    expect(processor.stats().inFlight).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
  });

  it('does not sweep a heartbeating 10-minute stream', () => {
    const { processor, exporter, clock, ...harness } = setup({ staleAfter: 5 * MINUTE });
    const h = { ...harness, clock };
    const run = startRun(h);
    const step = startStep(h, run);
    for (let minute = 0; minute < 10; minute += 1) {
      clock.advance(MINUTE);
      step.addEvent(RuntraceEvents.HEARTBEAT, clock.now());
      expect(processor.sweep()).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
    }
    usage(step, 10, 20);
    finish(h, step);
    finish(h, run);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes[RuntraceAttributes.STATUS]).toBe('completed');
      expect(span.attributes[RuntraceAttributes.STALE]).toBeUndefined();
    }
    expect(hrToMs(spans[1]!.endTime) - hrToMs(spans[1]!.startTime)).toBe(10 * MINUTE);
  });

  it('applies setStaleAfter at once and rejects zero or negative values', () => {
    const { processor, clock, ...harness } = setup();
    startRun({ ...harness, clock });
    clock.advance(2 * MINUTE);
    expect(processor.sweep().runs).toBe(0);
    processor.setStaleAfter(MINUTE);
    expect(processor.staleAfter).toBe(MINUTE);
    expect(processor.sweep().runs).toBe(1);
    expect(() => processor.setStaleAfter(0)).toThrow(InvalidArgumentError);
    expect(() => processor.setStaleAfter(-5)).toThrow(InvalidArgumentError);
    expect(() => new RunSpanProcessor({ staleAfter: 0 })).toThrow(InvalidArgumentError);
    expect(processor.staleAfter).toBe(MINUTE);
  });

  it('sweeps from an unref()ed timer, re-armed when staleAfter changes', () => {
    const { processor, timers, clock, exporter, ...harness } = setup({ staleAfter: 10_000 });
    const [timer] = [...timers.timers];
    expect(timer?.intervalMs).toBe(5_000);
    expect(timer?.unrefCalled).toBe(true);
    processor.setStaleAfter(120_000);
    expect([...timers.timers].map((t) => t.intervalMs)).toEqual([30_000]);
    startRun({ ...harness, clock });
    clock.advance(120_000);
    const events: RunLiveEvent[] = [];
    processor.subscribe((event) => events.push(event));
    timers.fire();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(events).toContainEqual({ type: 'sweep', counts: { runs: 1, steps: 0, attempts: 0, tools: 0 } });
  });

  it('keeps a parent run alive while its sub-run is active, and sweeps the sub-run first', () => {
    const { processor, exporter, clock, ...harness } = setup({ staleAfter: MINUTE });
    const h = { ...harness, clock };
    const parent = startRun(h);
    const child = startRun(h, { kind: 'compaction', parentRun: parent });
    for (let i = 0; i < 3; i += 1) {
      clock.advance(50_000);
      child.addEvent(RuntraceEvents.HEARTBEAT);
      expect(processor.sweep().runs).toBe(0);
    }
    clock.advance(MINUTE);
    expect(processor.sweep().runs).toBe(2);
    const ids = exporter.getFinishedSpans().map((span) => span.spanContext().spanId);
    expect(ids).toEqual([child.spanContext().spanId, parent.spanContext().spanId]);
  });
});

describe('RunSpanProcessor write-once', () => {
  it('keeps a terminal status against a later setStatus, counts late writes, and logs no per-write warnings', () => {
    const { processor, exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    const step = startStep(h, run);
    const log = captureDiag();

    step.setAttribute(RuntraceAttributes.STATUS, 'error');
    step.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    step.setStatus({ code: SpanStatusCode.OK });
    step.setAttribute(RuntraceAttributes.STATUS, 'completed');
    step.setAttributes({ [RuntraceAttributes.STATUS]: 'interrupted', 'app.note': 'kept' });
    step.end(clock.now());

    for (let i = 0; i < 100; i += 1) {
      step.setAttribute('late', i);
      step.setStatus({ code: SpanStatusCode.OK });
      step.addEvent('late');
    }
    step.end(clock.now() + 5_000);
    log.restore();

    const [exported] = exporter.getFinishedSpans();
    expect(exported?.attributes[RuntraceAttributes.STATUS]).toBe('error');
    expect(exported?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    expect(exported?.attributes[RuntraceAttributes.LATE_WRITES]).toBe(3);
    expect(exported?.attributes['app.note']).toBe('kept');
    expect(exported?.attributes['late']).toBeUndefined();
    expect(hrToMs(exported!.endTime)).toBe(T0);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(processor.stats().lateWrites).toBe(3 + 301);
    expect(log.messages).toEqual([]);
  });

  it('lets the OTel status be set once to match a terminal error', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    finish(h, run, 'error', 'boom');
    expect(exporter.getFinishedSpans()[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(exporter.getFinishedSpans()[0]?.attributes[RuntraceAttributes.LATE_WRITES]).toBeUndefined();
  });

  it('finalizes a runtrace span ended without a terminal status', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    const step = startStep(h, run);
    step.setStatus({ code: SpanStatusCode.ERROR, message: 'x' });
    step.end(clock.now());
    run.end(clock.now());
    expect(exporter.getFinishedSpans().map((span) => span.attributes[RuntraceAttributes.STATUS])).toEqual(['error', 'completed']);
  });

  it('marks a step that starts under an ended run as orphaned', () => {
    const { processor, exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    finish(h, run);
    const step = startStep(h, run);
    finish(h, step);
    const [, exportedStep] = exporter.getFinishedSpans();
    expect(exportedStep?.attributes[RuntraceAttributes.ORPHANED]).toBe(true);
    expect(processor.stats().orphaned).toBe(1);
    expect(processor.stats().inFlight.steps).toBe(0);
  });
});

describe('RunSpanProcessor run summaries', () => {
  it("names the distinct models and providers of the run's steps, in order of first use", () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    const steps = [
      startStep(h, run, { number: 1, model: 'gpt-4o-mini' }),
      startStep(h, run, { number: 2, model: 'claude-sonnet-4', attributes: { [GenAiAttributes.PROVIDER_NAME]: 'anthropic' } }),
      startStep(h, run, { number: 3, model: 'gpt-4o-mini' }),
    ];
    for (const step of steps) finish(h, step);
    finish(h, run);
    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    expect(runSpan!.attributes[RuntraceAttributes.SUMMARY_MODELS]).toEqual(['gpt-4o-mini', 'claude-sonnet-4']);
    expect(runSpan!.attributes[RuntraceAttributes.SUMMARY_PROVIDERS]).toEqual(['openai', 'anthropic']);
    expect(runSpan!.attributes[RuntraceAttributes.SUMMARY_FAILED_STEP_COUNT]).toBeUndefined();
  });

  it('counts the steps that failed or were interrupted, the run keeping its own status', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    finish(h, startStep(h, run, { number: 1 }), 'error');
    finish(h, startStep(h, run, { number: 2 }), 'interrupted');
    finish(h, startStep(h, run, { number: 3 }), 'interrupted');
    finish(h, startStep(h, run, { number: 4 }));
    finish(h, run);
    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    expect(runSpan!.attributes).toMatchObject({
      [RuntraceAttributes.STATUS]: 'completed',
      [RuntraceAttributes.SUMMARY_FAILED_STEP_COUNT]: 1,
      [RuntraceAttributes.SUMMARY_INTERRUPTED_STEP_COUNT]: 2,
      [RuntraceAttributes.SUMMARY_HAS_ERROR]: true,
    });
  });

  it('sums tokens, keeps optional kinds only when > 0, and writes endpoint, first message, tools and cost', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h, { label: 'What is the weather?' });
    const step1 = startStep(h, run, { number: 1 });
    const failed = startAttempt(h, run, step1, { number: 1, url: 'https://api.example.com/v1/first?x=1' });
    clock.advance(10);
    finish(h, failed, 'error');
    const ok = startAttempt(h, run, step1, { number: 2, url: 'https://api.example.com/v1/chat/completions?x=1' });
    clock.advance(10);
    finish(h, ok);
    usage(step1, 100, 50, { 'gen_ai.usage.cache_read.input_tokens': 40 });
    finish(h, step1);
    const tool = startTool(h, run, run);
    finish(h, tool);
    const step2 = startStep(h, run, { number: 2 });
    usage(step2, 200, 10);
    finish(h, step2);
    finish(h, run);

    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    const attributes = runSpan!.attributes;
    expect(attributes[RuntraceAttributes.SUMMARY_STEP_COUNT]).toBe(2);
    expect(attributes[RuntraceAttributes.SUMMARY_INPUT_TOKENS]).toBe(300);
    expect(attributes[RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]).toBe(60);
    expect(attributes[RuntraceAttributes.SUMMARY_TOTAL_TOKENS]).toBe(360);
    expect(attributes[RuntraceAttributes.SUMMARY_CACHE_READ_TOKENS]).toBe(40);
    expect(attributes[RuntraceAttributes.SUMMARY_REASONING_TOKENS]).toBeUndefined();
    expect(attributes[RuntraceAttributes.SUMMARY_CACHE_CREATION_TOKENS]).toBeUndefined();
    expect(attributes[RuntraceAttributes.SUMMARY_HAS_ERROR]).toBe(false);
    expect(attributes[RuntraceAttributes.SUMMARY_ENDPOINT]).toBe('POST /v1/chat/completions');
    expect(attributes[RuntraceAttributes.SUMMARY_FIRST_MESSAGE]).toBe('What is the weather?');
    expect(attributes[RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT]).toBe(1);
    expect(attributes[RuntraceAttributes.SUMMARY_COST_USD]).toBeCloseTo((300 + 60 * 2) / 1_000_000, 12);
    expect(attributes[RuntraceAttributes.SUMMARY_COST_UNKNOWN]).toBeUndefined();
  });

  it('marks the cost unknown when a step model has no price, and has_error when a step failed', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    const step = startStep(h, run, { model: 'mystery-model' });
    step.setAttributes({ 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 5 });
    finish(h, step, 'error');
    finish(h, run);
    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_UNKNOWN]).toBe(true);
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_USD]).toBeUndefined();
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_HAS_ERROR]).toBe(true);
  });
  it('marks the cost unknown, not zero, when a step was answered but reported no usage', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    // A stream cut before its usage chunk: the model answered (response model, first chunk).
    const step = startStep(h, run);
    step.setAttributes({ 'gen_ai.response.model': 'known-model', 'runtrace.step.time_to_first_chunk_ms': 40 });
    finish(h, step, 'error');
    // A step refused before any answer consumed nothing: it alone would keep the cost known.
    const refused = startStep(h, run, { number: 2 });
    finish(h, refused, 'error');
    finish(h, run);
    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_UNKNOWN]).toBe(true);
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_USD]).toBeUndefined();
  });

  it('keeps the cost known (zero) for a step with no model that got no answer, as the store prices it', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    // A request refused before anything named a model (no request model recorded).
    const refused = startStep(h, run, { model: '' });
    finish(h, refused, 'error');
    finish(h, run);
    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_UNKNOWN]).toBeUndefined();
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_USD]).toBe(0);
  });

  it('keeps the cost known (zero) for a run whose only step got no answer', () => {
    const { exporter, clock, ...harness } = setup();
    const h = { ...harness, clock };
    const run = startRun(h);
    const refused = startStep(h, run);
    finish(h, refused, 'error');
    finish(h, run);
    const [runSpan] = byKind(exporter.getFinishedSpans(), 'run');
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_UNKNOWN]).toBeUndefined();
    expect(runSpan?.attributes[RuntraceAttributes.SUMMARY_COST_USD]).toBe(0);
  });
});

describe('RunSpanProcessor shutdown', () => {
  it('exports the run, step and attempt of an active stream as interrupted, then shuts the destinations down', async () => {
    const { processor, exporter, clock, provider, ...harness } = setup();
    const h = { ...harness, provider, clock };
    const run = startRun(h);
    const step = startStep(h, run);
    step.addEvent(RuntraceEvents.FIRST_CHUNK);
    startAttempt(h, run, step);
    clock.advance(3_000);
    const before = [...exporter.getFinishedSpans()];
    await provider.shutdown();
    expect(before).toHaveLength(0);
    // The in-memory exporter clears itself on shutdown: read what it received before that through the stats.
    expect(processor.stats().interruptedAtShutdown).toEqual({ runs: 1, steps: 1, attempts: 1, tools: 0 });
    expect(processor.stats().destinations[0]?.delivered).toBe(3);
  });

  it('ends in-flight spans as interrupted at the shutdown time, children first', async () => {
    const clock = new ManualClock();
    const received: { kind: unknown; status: unknown; stale: unknown; end: number }[] = [];
    let shutdowns = 0;
    const processor = new RunSpanProcessor({
      clock,
      sweepInterval: false,
      destinations: [
        {
          processor: {
            onStart: () => {},
            onEnd: (span) =>
              received.push({
                kind: span.attributes[RuntraceAttributes.SPAN_KIND],
                status: span.attributes[RuntraceAttributes.STATUS],
                stale: span.attributes[RuntraceAttributes.STALE],
                end: hrToMs(span.endTime),
              }),
            forceFlush: () => Promise.resolve(),
            shutdown: () => {
              shutdowns += 1;
              return Promise.resolve();
            },
          },
        },
      ],
    });
    const h = createProvider([processor], clock);
    const run = startRun(h);
    const step = startStep(h, run, { operation: 'stream' });
    startAttempt(h, run, step);
    clock.advance(3_000);
    await Promise.all([processor.shutdown(), processor.shutdown()]);
    await processor.shutdown();
    expect(received).toEqual([
      { kind: 'attempt', status: 'interrupted', stale: undefined, end: T0 + 3_000 },
      { kind: 'step', status: 'interrupted', stale: undefined, end: T0 + 3_000 },
      { kind: 'run', status: 'interrupted', stale: undefined, end: T0 + 3_000 },
    ]);
    expect(shutdowns).toBe(1);
    // After shutdown nothing new is tracked or forwarded.
    finish(h, startRun(h));
    expect(received).toHaveLength(3);
    expect(processor.stats().droppedAfterShutdown).toBe(1);
  });
});

describe('RunSpanProcessor registry cap', () => {
  it('does not track spans beyond maxInFlight, counts them, and still finalizes and forwards them', () => {
    const { processor, exporter, clock, ...harness } = setup({ maxInFlight: 3 });
    const h = { ...harness, clock };
    const runs = [startRun(h), startRun(h), startRun(h), startRun(h)];
    expect(processor.stats().inFlight.runs).toBe(3);
    expect(processor.stats().untracked).toBe(1);
    for (const run of runs) run.end(clock.now());
    expect(exporter.getFinishedSpans()).toHaveLength(4);
    expect(exporter.getFinishedSpans().every((span) => span.attributes[RuntraceAttributes.STATUS] === 'completed')).toBe(true);
    expect(processor.stats().inFlight.runs).toBe(0);
  });
});

describe('RunSpanProcessor live events', () => {
  it('publishes run-start, step-start, run-update, step-end, run-end and survives a throwing listener', async () => {
    const errors: unknown[] = [];
    const { processor, clock, ...harness } = setup({ onError: (error) => errors.push(error) });
    const h = { ...harness, clock };
    const events: RunLiveEvent[] = [];
    processor.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = processor.subscribe((event) => events.push(event));
    const run = startRun(h, { label: 'key sk-proj-abcdefghijklmnopqrstuvwx' });
    run.addEvent(RuntraceEvents.HEARTBEAT);
    run.setAttribute('app.x', 1);
    await Promise.resolve();
    const step = startStep(h, run);
    finish(h, step);
    finish(h, run);
    unsubscribe();
    finish(h, startRun(h));
    expect(events.map((event) => event.type)).toEqual(['run-start', 'run-update', 'step-start', 'step-end', 'run-end']);
    const start = events[0];
    expect(start?.type === 'run-start' && start.span.ended).toBe(false);
    expect(start?.type === 'run-start' && String(start.span.attributes[RuntraceAttributes.RUN_LABEL])).not.toContain('sk-proj');
    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(processor.stats().internalErrors).toBe(errors.length);
  });
});

describe('RunSpanProcessor options', () => {
  it('rejects invalid options', () => {
    expect(() => new RunSpanProcessor({ maxInFlight: 0 })).toThrow(InvalidArgumentError);
    expect(() => new RunSpanProcessor({ sweepInterval: -1 })).toThrow(InvalidArgumentError);
    const { processor } = memoryDestination();
    expect(() => new RunSpanProcessor({ destinations: [{ processor, sampling: { ratio: 2 } }] })).toThrow(InvalidArgumentError);
    expect(() => new RunSpanProcessor({ destinations: [{ processor, content: 'everything' as 'full' }] })).toThrow(
      InvalidArgumentError,
    );
  });

  it('leaves spans other than runtrace spans untracked but still forwards them', () => {
    const { processor, exporter, tracer } = setup();
    const span = tracer.startSpan('GET');
    expect(processor.stats().inFlight).toEqual({ runs: 0, steps: 0, attempts: 0, tools: 0 });
    span.end();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(exporter.getFinishedSpans()[0]?.attributes[RuntraceAttributes.SPAN_KIND]).toBeUndefined();
    expect(SpanKinds.RUN).toBe('run');
  });
});
