// A real OpenTelemetry SDK pipeline with an in-memory exporter and AsyncLocalStorage context, for tests.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { RecorderClock } from '../recorder-clock.js';

export interface OtelHarness {
  readonly provider: TracerProvider;
  readonly exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  byName(name: string): ReadableSpan[];
  one(name: string): ReadableSpan;
  kind(kind: string): ReadableSpan[];
  /** The one run span of this run kind (run spans are named after the agent, not the kind). */
  run(runKind: string): ReadableSpan;
  close(): Promise<void>;
}

export function createOtelHarness(): OtelHarness {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return {
    provider,
    exporter,
    spans,
    byName: (name) => spans().filter((span) => span.name === name),
    one(name) {
      const found = spans().filter((span) => span.name === name);
      if (found.length !== 1) throw new Error(`expected one span named ${name}, found ${found.length}: ${spans().map((span) => span.name).join(', ')}`);
      return found[0]!;
    },
    kind: (kind) => spans().filter((span) => span.attributes['runtrace.span.kind'] === kind),
    run(runKind) {
      const found = spans().filter((span) => span.attributes['runtrace.span.kind'] === 'run' && span.attributes['runtrace.run.kind'] === runKind);
      if (found.length !== 1) throw new Error(`expected one run of kind ${runKind}, found ${found.length}`);
      return found[0]!;
    },
    async close() {
      context.disable();
      await provider.shutdown();
    },
  };
}

export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export function spanId(span: ReadableSpan): string {
  return span.spanContext().spanId;
}

/** A manual clock: `advance(ms)` moves time and fires due interval callbacks. */
export interface ManualClock extends RecorderClock {
  advance(ms: number): void;
}

export function createManualClock(start = 1_000_000): ManualClock {
  let now = start;
  const timers = new Set<{ callback: () => void; interval: number; next: number }>();
  return {
    now: () => now,
    setInterval(callback, interval) {
      const timer = { callback, interval, next: now + interval };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let due: { callback: () => void; interval: number; next: number } | undefined;
        for (const timer of timers) if (timer.next <= target && (due === undefined || timer.next < due.next)) due = timer;
        if (due === undefined) break;
        now = due.next;
        due.next += due.interval;
        due.callback();
      }
      now = target;
    },
  };
}
