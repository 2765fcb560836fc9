// Test helpers: a manual clock and timers, and runtrace-shaped run/step/attempt/tool spans made
// with the real OpenTelemetry SDK (the shapes of the cross-package contract).
import type { Attributes, Span as ApiSpan, Tracer } from '@opentelemetry/api';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { RunStatus } from '@runtrace/core';
import { GenAiAttributes, HttpAttributes, RunStatuses, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { Clock, CostCalculator, Timers } from '../run-span-processor-options.js';

/** 2025-06-01T00:00:00Z: a realistic epoch so span times and the clock agree. */
export const T0 = Date.UTC(2025, 5, 1);

export class ManualClock implements Clock {
  constructor(public ms: number = T0) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

export class ManualTimers implements Timers {
  readonly timers = new Set<{ callback: () => void; intervalMs: number; unrefCalled: boolean; unref(): void }>();

  setInterval(callback: () => void, intervalMs: number): unknown {
    const timer = {
      callback,
      intervalMs,
      unrefCalled: false,
      unref(): void {
        timer.unrefCalled = true;
      },
    };
    this.timers.add(timer);
    return timer;
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as never);
  }

  fire(): void {
    for (const timer of [...this.timers]) timer.callback();
  }
}

/** A pricing table for tests: $1 per million input tokens and $2 per million output tokens for `known-model`. */
export const testPricing: CostCalculator = {
  cost(model, usage) {
    if (model !== 'known-model') return { known: false, model, reason: 'no price' };
    return { known: true, model, usd: ((usage.inputTokens ?? 0) * 1 + (usage.outputTokens ?? 0) * 2) / 1_000_000 };
  },
};

export interface Harness {
  readonly provider: TracerProvider;
  readonly tracer: Tracer;
  readonly clock: ManualClock;
}

export function createProvider(processors: SpanProcessor[], clock: ManualClock = new ManualClock()): Harness {
  const provider = new TracerProvider({ spanProcessors: processors });
  return { provider, tracer: provider.getTracer('runtrace-test'), clock };
}

export function memoryDestination(): { exporter: InMemorySpanExporter; processor: SimpleSpanProcessor } {
  const exporter = new InMemorySpanExporter();
  return { exporter, processor: new SimpleSpanProcessor({ exporter }) };
}

export interface RunOptions {
  readonly kind?: string;
  readonly label?: string;
  readonly model?: string;
  readonly parentRun?: ApiSpan;
}

export function startRun(harness: Harness, options: RunOptions = {}): ApiSpan {
  const attributes: Attributes = {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN,
    [RuntraceAttributes.STATUS]: RunStatuses.IN_PROGRESS,
    [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
    [RuntraceAttributes.RUN_KIND]: options.kind ?? 'chat_turn',
    [GenAiAttributes.CONVERSATION_ID]: 'conversation-1',
    [GenAiAttributes.PROVIDER_NAME]: 'openai',
    [GenAiAttributes.REQUEST_MODEL]: options.model ?? 'known-model',
  };
  if (options.label !== undefined) attributes[RuntraceAttributes.RUN_LABEL] = options.label;
  if (options.parentRun !== undefined) {
    attributes[RuntraceAttributes.RUN_PARENT_RUN_ID] = options.parentRun.spanContext().spanId;
  }
  const parentContext =
    options.parentRun === undefined ? context.active() : trace.setSpan(context.active(), options.parentRun);
  const span = harness.tracer.startSpan(
    `invoke_agent ${options.kind ?? 'chat_turn'}`,
    { attributes, startTime: harness.clock.now(), root: options.parentRun === undefined },
    parentContext,
  );
  span.setAttribute(RuntraceAttributes.RUN_ID, span.spanContext().spanId);
  return span;
}

export interface StepOptions {
  readonly number?: number;
  readonly operation?: 'stream' | 'generate';
  readonly model?: string;
  readonly attributes?: Attributes;
}

export function startStep(harness: Harness, run: ApiSpan, options: StepOptions = {}): ApiSpan {
  const model = options.model ?? 'known-model';
  return harness.tracer.startSpan(
    `chat ${model}`,
    {
      attributes: {
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP,
        [RuntraceAttributes.STATUS]: RunStatuses.IN_PROGRESS,
        [RuntraceAttributes.RUN_ID]: run.spanContext().spanId,
        [GenAiAttributes.OPERATION_NAME]: 'chat',
        [RuntraceAttributes.STEP_NUMBER]: options.number ?? 1,
        [RuntraceAttributes.STEP_OPERATION]: options.operation ?? 'stream',
        [GenAiAttributes.PROVIDER_NAME]: 'openai',
        [GenAiAttributes.REQUEST_MODEL]: model,
        ...options.attributes,
      },
      startTime: harness.clock.now(),
    },
    trace.setSpan(context.active(), run),
  );
}

export function startAttempt(
  harness: Harness,
  run: ApiSpan,
  step: ApiSpan,
  options: { number?: number; method?: string; url?: string } = {},
): ApiSpan {
  const method = options.method ?? 'POST';
  return harness.tracer.startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT,
        [RuntraceAttributes.STATUS]: RunStatuses.IN_PROGRESS,
        [RuntraceAttributes.RUN_ID]: run.spanContext().spanId,
        [RuntraceAttributes.STEP_ID]: step.spanContext().spanId,
        [RuntraceAttributes.ATTEMPT_NUMBER]: options.number ?? 1,
        [HttpAttributes.REQUEST_METHOD]: method,
        [HttpAttributes.URL_FULL]: options.url ?? 'https://api.example.com/v1/chat/completions',
      },
      startTime: harness.clock.now(),
    },
    trace.setSpan(context.active(), step),
  );
}

export function startTool(harness: Harness, run: ApiSpan, parent: ApiSpan, name = 'search'): ApiSpan {
  return harness.tracer.startSpan(
    `execute_tool ${name}`,
    {
      attributes: {
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL,
        [RuntraceAttributes.STATUS]: RunStatuses.IN_PROGRESS,
        [RuntraceAttributes.RUN_ID]: run.spanContext().spanId,
        [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
        [GenAiAttributes.TOOL_NAME]: name,
        [GenAiAttributes.TOOL_CALL_ID]: 'call-1',
      },
      startTime: harness.clock.now(),
    },
    trace.setSpan(context.active(), parent),
  );
}

/** Sets the terminal status the way the instrumentation does, then ends the span at the clock's time. */
export function finish(harness: Harness, span: ApiSpan, status: Exclude<RunStatus, 'in_progress'> = 'completed', message?: string): void {
  span.setAttribute(RuntraceAttributes.STATUS, status);
  if (status === 'error') {
    span.setAttribute(HttpAttributes.ERROR_TYPE, 'Error');
    span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
  }
  span.end(harness.clock.now());
}

export function usage(span: ApiSpan, input: number, output: number, extra: Attributes = {}): void {
  span.setAttributes({
    [GenAiAttributes.USAGE_INPUT_TOKENS]: input,
    [GenAiAttributes.USAGE_OUTPUT_TOKENS]: output,
    [GenAiAttributes.RESPONSE_MODEL]: 'known-model',
    ...extra,
  });
}

export function byKind(spans: readonly ReadableSpan[], kind: string): ReadableSpan[] {
  return spans.filter((span) => span.attributes[RuntraceAttributes.SPAN_KIND] === kind);
}

export function hrToMs(time: readonly [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6;
}
