import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, REDACTED, Redactor, RuntraceAttributes, defaultRedactor } from '@runtrace/core';
import { markRedacted } from '@runtrace/core/internal';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createProvider, finish, ManualClock, memoryDestination, startRun, startStep } from './__fixtures__/test-spans.js';
import { RunSpanProcessor } from './run-span-processor.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const OPENAI_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh';
const BEARER = 'Bearer tok_live_0123456789abcdefghijklmnop';
const MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `my key is ${OPENAI_KEY}, use it` }] }]);

/** Every string anywhere in what the exporter received. */
function everyString(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    status: span.status,
    events: span.events.map((event) => event.attributes),
    links: span.links.map((link) => link.attributes),
  });
}

function expectClean(span: ReadableSpan): void {
  const text = everyString(span);
  expect(text).not.toContain(JWT);
  expect(text).not.toContain(OPENAI_KEY);
  expect(text).not.toContain('tok_live_0123456789abcdefghijklmnop');
}

describe('RunSpanProcessor redaction', () => {
  it('skips only values marked as the same redactor\'s output, and redacts a marked key the application overwrote', () => {
    const destination = memoryDestination();
    const processor = new RunSpanProcessor({ destinations: [{ processor: destination.processor }], sweepInterval: false });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const span = provider.getTracer('app').startSpan('POST');
    const clean = JSON.stringify({ authorization: REDACTED, accept: 'application/json' });
    span.setAttribute('runtrace.attempt.request.headers', clean);
    markRedacted(span, defaultRedactor, 'runtrace.attempt.request.headers', clean);
    // Marked, then overwritten with a secret: the mark no longer matches, so it is redacted.
    span.setAttribute('runtrace.attempt.response.headers', JSON.stringify({ 'x-api-key': 'k-123' }));
    markRedacted(span, defaultRedactor, 'runtrace.attempt.response.headers', '{}');
    // The mark is trusted: a marked value is not redacted again (only the instrumentation marks, with its own output).
    span.setAttribute('runtrace.trusted', 'token=abc');
    markRedacted(span, defaultRedactor, 'runtrace.trusted', 'token=abc');
    span.end();
    const [ended] = destination.exporter.getFinishedSpans();
    expect(ended!.attributes['runtrace.trusted']).toBe('token=abc');
    expect(ended!.attributes['runtrace.attempt.request.headers']).toBe(clean);
    expect(ended!.attributes['runtrace.attempt.response.headers']).toBe(JSON.stringify({ 'x-api-key': REDACTED }));
    expect(ended!.attributes[RuntraceAttributes.REDACTION_MASKED_COUNT]).toBe(1);
  });

  it('masks an Authorization header, a JWT in url.full and an OpenAI key in gen_ai.input.messages on a hand-made span', () => {
    const destination = memoryDestination();
    const processor = new RunSpanProcessor({ destinations: [{ processor: destination.processor }], sweepInterval: false });
    const resource = resourceFromAttributes({ 'service.name': 'app', 'app.build': 'abc' });
    const provider = new TracerProvider({ spanProcessors: [processor], resource });
    const span = provider.getTracer('other-library').startSpan(`POST https://api.example.com/v1?token=${JWT}`, {
      attributes: {
        'http.request.header.authorization': [BEARER],
        'url.full': `https://api.example.com/v1/chat?access_token=${JWT}`,
        [GenAiAttributes.INPUT_MESSAGES]: MESSAGES,
        'http.request.method': 'POST',
      },
    });
    span.addEvent('exception', { 'exception.message': `request with ${BEARER} failed` });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `upstream rejected key ${OPENAI_KEY}` });
    span.end();

    const [exported] = destination.exporter.getFinishedSpans();
    expect(exported).toBeDefined();
    expectClean(exported!);
    expect(exported!.attributes['http.request.header.authorization']).toEqual([REDACTED]);
    expect(String(exported!.attributes['url.full'])).toContain('https://api.example.com/v1/chat?access_token=');
    expect(JSON.parse(String(exported!.attributes[GenAiAttributes.INPUT_MESSAGES]))).toHaveLength(1);
    expect(exported!.attributes['http.request.method']).toBe('POST');
    expect(exported!.attributes[RuntraceAttributes.REDACTION_MASKED_COUNT]).toBeGreaterThanOrEqual(6);
    expect(exported!.status.code).toBe(SpanStatusCode.ERROR);
    // The resource is shared, never rewritten.
    expect(exported!.resource).toBe(resource);
    expect(resource.attributes).toEqual({ 'service.name': 'app', 'app.build': 'abc' });
    expect(processor.stats().redactedSpans).toBe(1);
  });

  it('masks the same secrets on a real undici span from @opentelemetry/instrumentation-undici', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, auth: req.headers.authorization === BEARER }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    const destination = memoryDestination();
    const processor = new RunSpanProcessor({ destinations: [{ processor: destination.processor }], sweepInterval: false });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    // Created enabled (its config's `enabled` also gates each request), then pointed at our provider.
    const instrumentation = new UndiciInstrumentation({
      headersToSpanAttributes: { requestHeaders: ['authorization'] },
      requestHook: (span) => {
        span.setAttribute(GenAiAttributes.INPUT_MESSAGES, MESSAGES);
      },
    });
    instrumentation.setTracerProvider(provider);
    try {
      const response = await request(`http://127.0.0.1:${port}/v1/chat/completions?access_token=${JWT}`, {
        method: 'POST',
        headers: { authorization: BEARER, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await response.body.json()).toEqual({ ok: true, auth: true });
      await processor.forceFlush();
    } finally {
      instrumentation.disable();
      server.close();
    }

    const spans = destination.exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span!.instrumentationScope.name).toContain('undici');
    expect(span!.attributes['http.request.header.authorization']).toEqual([REDACTED]);
    expect(String(span!.attributes['url.full'])).toContain(`127.0.0.1:${port}/v1/chat/completions`);
    expectClean(span!);
    expect(span!.attributes[RuntraceAttributes.REDACTION_MASKED_COUNT]).toBeGreaterThanOrEqual(3);
  });

  it('redacts runtrace spans too, adding to a masked count already on the span', () => {
    const destination = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({ destinations: [{ processor: destination.processor }], clock, sweepInterval: false });
    const h = createProvider([processor], clock);
    const run = startRun(h, { label: `please use ${OPENAI_KEY}` });
    const step = startStep(h, run, {
      attributes: { [GenAiAttributes.INPUT_MESSAGES]: MESSAGES, [RuntraceAttributes.REDACTION_MASKED_COUNT]: 2 },
    });
    finish(h, step);
    finish(h, run);
    const [exportedStep, exportedRun] = destination.exporter.getFinishedSpans();
    expect(exportedStep!.attributes[RuntraceAttributes.REDACTION_MASKED_COUNT]).toBe(3);
    expectClean(exportedRun!);
    expect(String(exportedRun!.attributes[RuntraceAttributes.SUMMARY_FIRST_MESSAGE])).toContain(REDACTED);
  });

  it('scans a long value once when a live snapshot already redacted it, and again when it changed', () => {
    class CountingRedactor extends Redactor {
      readonly seen: string[] = [];

      override redactAttribute(key: string, value: string): ReturnType<Redactor['redactAttribute']> {
        if (key === GenAiAttributes.INPUT_MESSAGES) this.seen.push(value);
        return super.redactAttribute(key, value);
      }
    }
    const long = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `key ${OPENAI_KEY} ${'lorem ipsum '.repeat(100)}` }] }]);
    const redactor = new CountingRedactor();
    const destination = memoryDestination();
    const clock = new ManualClock();
    const processor = new RunSpanProcessor({ clock, sweepInterval: false, redactor, destinations: [{ processor: destination.processor }] });
    const snapshots: ReadableSpan[] = [];
    processor.subscribe((event) => {
      if (event.type === 'step-start') snapshots.push(event.span);
    });
    const h = createProvider([processor], clock);
    const run = startRun(h);
    const unchanged = startStep(h, run, { attributes: { [GenAiAttributes.INPUT_MESSAGES]: long } });
    finish(h, unchanged);
    const changed = startStep(h, run, { attributes: { [GenAiAttributes.INPUT_MESSAGES]: long } });
    changed.setAttribute(GenAiAttributes.INPUT_MESSAGES, `${long.slice(0, -1)},{"role":"assistant","content":"${OPENAI_KEY}"}]`);
    finish(h, changed);
    finish(h, run);

    // Step 1: snapshot + end share one scan. Step 2: its start value is the same string (a hit);
    // the changed value is scanned.
    expect(redactor.seen).toHaveLength(2);
    expect(snapshots).toHaveLength(2);
    const exported = destination.exporter.getFinishedSpans();
    expect(exported).toHaveLength(3);
    for (const span of [...exported, ...snapshots]) expectClean(span);
    for (const span of exported.filter((span) => span.attributes[RuntraceAttributes.SPAN_KIND] === 'step')) {
      expect(span.attributes[RuntraceAttributes.REDACTION_MASKED_COUNT]).toBeGreaterThan(0);
    }
  });
});
