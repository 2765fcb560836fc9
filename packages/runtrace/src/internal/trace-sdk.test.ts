import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeSdkReason, startTraceSdk } from './trace-sdk.js';
import type { StartedSdk, TraceSdkConfiguration } from './trace-sdk.js';

const VARIABLES = ['OTEL_PROPAGATORS', 'OTEL_SDK_DISABLED', 'OTEL_NODE_RESOURCE_DETECTORS', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_EVENT_COUNT_LIMIT'];

describe('startTraceSdk', () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  let started: StartedSdk | undefined;
  beforeEach(() => {
    for (const name of VARIABLES) delete process.env[name];
  });
  afterEach(async () => {
    await started?.shutdown();
    started = undefined;
    trace.disable();
    context.disable();
    propagation.disable();
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  const processors = new Map<InMemorySpanExporter, SimpleSpanProcessor>();
  // The exporter's spans, once its processor has exported them (it waits for the detected
  // resource's asynchronous attributes, such as the host id, first).
  const finished = async (exporter: InMemorySpanExporter): Promise<ReturnType<InMemorySpanExporter['getFinishedSpans']>> => {
    await processors.get(exporter)?.forceFlush();
    return exporter.getFinishedSpans();
  };
  const configuration = (exporter: InMemorySpanExporter, more: Partial<TraceSdkConfiguration> = {}): TraceSdkConfiguration => {
    const processor = new SimpleSpanProcessor({ exporter });
    processors.set(exporter, processor);
    return {
      spanProcessors: [processor],
      instrumentations: [],
      metricsFromEnv: false,
      logsFromEnv: false,
      ...more,
    };
  };

  it('asks for NodeSDK only when something needs more than traces', () => {
    const exporter = new InMemorySpanExporter();
    expect(nodeSdkReason(configuration(exporter))).toBeUndefined();
    expect(nodeSdkReason(configuration(exporter, { metricsFromEnv: true }))).toBe('OTEL_METRICS_EXPORTER');
    expect(nodeSdkReason(configuration(exporter, { logsFromEnv: true }))).toBe('OTEL_LOGS_EXPORTER');
    process.env['OTEL_PROPAGATORS'] = 'tracecontext,baggage';
    expect(nodeSdkReason(configuration(exporter))).toBeUndefined();
    process.env['OTEL_PROPAGATORS'] = 'tracecontext,b3multi';
    expect(nodeSdkReason(configuration(exporter))).toBe('OTEL_PROPAGATORS');
    delete process.env['OTEL_PROPAGATORS'];
    process.env['OTEL_NODE_RESOURCE_DETECTORS'] = 'env';
    expect(nodeSdkReason(configuration(exporter))).toBe('OTEL_NODE_RESOURCE_DETECTORS');
    delete process.env['OTEL_NODE_RESOURCE_DETECTORS'];
    process.env['OTEL_SDK_DISABLED'] = 'true';
    expect(nodeSdkReason(configuration(exporter))).toBe('OTEL_SDK_DISABLED');
  });

  it('for traces alone: the global provider, context across awaits, W3C propagation, the detected resource and the span limits of the environment', async () => {
    process.env['OTEL_ATTRIBUTE_COUNT_LIMIT'] = '2';
    const exporter = new InMemorySpanExporter();
    started = startTraceSdk(configuration(exporter, { serviceName: 'support-bot' }));
    expect(started.kind).toBe('traces');
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('outer', async (outer) => {
      await sleep(1);
      expect(trace.getActiveSpan()).toBe(outer);
      tracer.startSpan('inner', { attributes: { a: 1, b: 2, c: 3 } }).end();
      outer.end();
    });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    const [inner, outer] = await finished(exporter);
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(Object.keys(inner?.attributes ?? {})).toHaveLength(2);
    expect(inner?.resource.attributes).toMatchObject({ 'service.name': 'support-bot', 'process.pid': process.pid, 'telemetry.sdk.language': 'nodejs' });
    expect(Object.keys(inner?.resource.attributes ?? {})).toEqual(expect.arrayContaining(['service.instance.id', 'host.name', 'os.type', 'process.runtime.name']));
  });

  it('OTEL_PROPAGATORS picks among the W3C propagators; none sets none', async () => {
    process.env['OTEL_PROPAGATORS'] = 'baggage';
    started = startTraceSdk(configuration(new InMemorySpanExporter()));
    expect(propagation.fields()).toEqual(['baggage']);
    await started.shutdown();
    propagation.disable();
    process.env['OTEL_PROPAGATORS'] = 'none';
    started = startTraceSdk(configuration(new InMemorySpanExporter()));
    expect(propagation.fields()).toEqual([]);
  });

  it('starts NodeSDK when asked for more, with the same processors', async () => {
    process.env['OTEL_PROPAGATORS'] = 'tracecontext,b3';
    const exporter = new InMemorySpanExporter();
    started = startTraceSdk(configuration(exporter, { serviceName: 'support-bot' }));
    expect(started.kind).toBe('node-sdk');
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'b3']));
    trace.getTracer('test').startSpan('one').end();
    expect((await finished(exporter)).map((span) => [span.name, span.resource.attributes['service.name']])).toEqual([['one', 'support-bot']]);
  });
});
