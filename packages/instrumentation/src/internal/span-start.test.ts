import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanLimits, SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { setOwnAttributes, startOwnSpan } from './span-start.js';

const OWN: Attributes = {
  'runtrace.span.kind': 'step',
  'runtrace.status': 'in_progress',
  'runtrace.run.id': 'run-1',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o-mini',
  'runtrace.step.number': 3,
  'gen_ai.response.finish_reasons': ['stop'],
  'runtrace.step.implicit': false,
};

function pipeline(spanLimits?: SpanLimits): { provider: TracerProvider; exporter: InMemorySpanExporter; started: Attributes[] } {
  const exporter = new InMemorySpanExporter();
  const started: Attributes[] = [];
  const watcher: SpanProcessor = {
    onStart: (span) => void started.push({ ...span.attributes }),
    onEnd: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new TracerProvider({ spanProcessors: [watcher, new SimpleSpanProcessor({ exporter })], ...(spanLimits === undefined ? {} : { spanLimits }) });
  return { provider, exporter, started };
}

describe('startOwnSpan', () => {
  it('gives processors the identifying attributes at start and every attribute from then on', async () => {
    const { provider, exporter, started } = pipeline();
    const span = startOwnSpan(provider.getTracer('t'), 'chat gpt-4o-mini', {}, OWN, undefined, ROOT_CONTEXT);
    span.setAttribute('late', 1);
    span.end();
    expect(started).toEqual([{ 'runtrace.span.kind': 'step', 'runtrace.status': 'in_progress', 'runtrace.run.id': 'run-1' }]);
    await provider.forceFlush();
    const [ended] = exporter.getFinishedSpans();
    expect(ended?.attributes).toEqual({ ...OWN, late: 1 });
    expect(ended?.droppedAttributesCount).toBe(0);
  });

  it("checks the caller's attributes through the SDK and lets runtrace's win on a clash", async () => {
    const { provider, exporter, started } = pipeline();
    const extra = { 'app.tenant': 'acme', 'gen_ai.request.model': 'not-this', 'app.bad': { nested: () => 1 } } as unknown as Attributes;
    startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, extra, ROOT_CONTEXT).end();
    expect(started[0]).toMatchObject({ 'app.tenant': 'acme', 'runtrace.span.kind': 'step' });
    expect(started[0]).not.toHaveProperty('app.bad');
    await provider.forceFlush();
    const attributes = exporter.getFinishedSpans()[0]?.attributes;
    expect(attributes?.['app.tenant']).toBe('acme');
    expect(attributes?.['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(attributes).not.toHaveProperty('app.bad');
  });

  it('leaves a configured value-length limit to the SDK, which truncates', async () => {
    const { provider, exporter } = pipeline({ attributeValueLengthLimit: 4 });
    startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT).end();
    await provider.forceFlush();
    const attributes = exporter.getFinishedSpans()[0]?.attributes;
    expect(attributes?.['gen_ai.request.model']).toBe('gpt-');
    expect(attributes?.['runtrace.step.number']).toBe(3);
  });

  it('leaves a low attribute-count limit to the SDK, which drops and counts', async () => {
    const { provider, exporter } = pipeline({ attributeCountLimit: 5 });
    startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT).end();
    await provider.forceFlush();
    const [ended] = exporter.getFinishedSpans();
    expect(Object.keys(ended?.attributes ?? {})).toHaveLength(5);
    expect(ended?.droppedAttributesCount).toBe(3);
  });

  it("keeps the SDK's attribute count, so a later write meets the count limit where it would have", async () => {
    const { provider, exporter } = pipeline({ attributeCountLimit: 130 });
    const span = startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT);
    for (let index = 0; index < 130; index++) span.setAttribute(`app.extra.${index}`, index);
    span.end();
    await provider.forceFlush();
    const [ended] = exporter.getFinishedSpans();
    expect(Object.keys(ended?.attributes ?? {})).toHaveLength(130);
    expect(ended?.droppedAttributesCount).toBe(8);
  });

  it('writes through setAttributes on a span that is not the SDK one', () => {
    const written: Attributes[] = [];
    const span = {
      setAttributes: (attributes: Attributes) => void written.push(attributes),
    };
    const tracer = { startSpan: () => span, startActiveSpan: () => undefined } as unknown as Parameters<typeof startOwnSpan>[0];
    expect(startOwnSpan(tracer, 'chat', {}, OWN, undefined, ROOT_CONTEXT)).toBe(span);
    expect(written).toEqual([OWN]);
  });
});

describe('startOwnSpan on a span whose attribute record cannot grow', () => {
  it('writes through setAttributes instead of throwing', async () => {
    const { provider, exporter } = pipeline();
    const tracer = provider.getTracer('t');
    const sealed = {
      startSpan: (...parameters: Parameters<typeof tracer.startSpan>) => {
        const span = tracer.startSpan(...parameters);
        Object.preventExtensions((span as unknown as { attributes: object }).attributes);
        return span;
      },
    } as unknown as Parameters<typeof startOwnSpan>[0];
    const span = startOwnSpan(sealed, 'chat', {}, OWN, undefined, ROOT_CONTEXT);
    span.end();
    await provider.forceFlush();
    // The SDK's own write throws on such a record; runtrace's start does not.
    expect(exporter.getFinishedSpans().map((ended) => ended.attributes)).toEqual([{ 'runtrace.span.kind': 'step', 'runtrace.status': 'in_progress', 'runtrace.run.id': 'run-1' }]);
  });
});

describe('setOwnAttributes', () => {
  const LATER: Attributes = { 'gen_ai.response.model': 'gpt-4o-mini-2024', 'gen_ai.usage.input_tokens': 12, 'gen_ai.response.finish_reasons': ['stop'], skipped: undefined };

  /** A span whose own setAttributes is wrapped, as RunSpanProcessor's write-once guard wraps it. */
  function wrapped(span: ReturnType<typeof startOwnSpan>): Attributes[] {
    const seen: Attributes[] = [];
    const original = span.setAttributes.bind(span);
    span.setAttributes = (attributes: Attributes) => {
      seen.push({ ...attributes });
      return original(attributes);
    };
    return seen;
  }

  it('writes every defined value, keeps the count, and lets a wrapper on setAttributes see one write with no values', async () => {
    const { provider, exporter } = pipeline({ attributeCountLimit: 130 });
    const span = startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT);
    const seen = wrapped(span);
    setOwnAttributes(span, LATER);
    expect(seen).toEqual([{}]);
    for (let index = 0; index < 130; index++) span.setAttribute(`app.extra.${index}`, index);
    span.end();
    await provider.forceFlush();
    const [ended] = exporter.getFinishedSpans();
    expect(ended?.attributes).toMatchObject({ 'gen_ai.response.model': 'gpt-4o-mini-2024', 'gen_ai.usage.input_tokens': 12, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(ended?.attributes).not.toHaveProperty('skipped');
    // 8 own + 2 new later ones (finish reasons replaced its own value) + 130 extra, 130 kept: the
    // count limit bites where the SDK's own writes would have.
    expect(Object.keys(ended?.attributes ?? {})).toHaveLength(130);
    expect(ended?.droppedAttributesCount).toBe(10);
  });

  it('hands a status to setAttributes, where a processor may refuse it', () => {
    const { provider } = pipeline();
    const span = startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT);
    const seen = wrapped(span);
    setOwnAttributes(span, { 'runtrace.status': 'completed', 'gen_ai.response.id': 'r-1' });
    expect(seen).toEqual([{ 'runtrace.status': 'completed', 'gen_ai.response.id': 'r-1' }]);
    span.end();
  });

  it('writes nothing to an ended span and leaves the refusal to its setAttributes', async () => {
    const { provider, exporter } = pipeline();
    const span = startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT);
    span.end();
    const seen = wrapped(span);
    setOwnAttributes(span, LATER);
    expect(seen).toEqual([LATER]);
    await provider.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual(OWN);
  });

  it('leaves a configured value-length limit to the SDK, which truncates', async () => {
    const { provider, exporter } = pipeline({ attributeValueLengthLimit: 4 });
    const span = startOwnSpan(provider.getTracer('t'), 'chat', {}, OWN, undefined, ROOT_CONTEXT);
    setOwnAttributes(span, LATER);
    span.end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.attributes['gen_ai.response.model']).toBe('gpt-');
  });

  it('never throws, whatever the span does', () => {
    const span = {
      setAttributes: () => {
        throw new Error('refused');
      },
    } as unknown as ReturnType<typeof startOwnSpan>;
    expect(() => setOwnAttributes(span, LATER)).not.toThrow();
  });
});
