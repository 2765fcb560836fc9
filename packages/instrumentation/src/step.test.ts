import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, createOtelHarness } from './__fixtures__/otel-harness.js';
import type { OtelHarness } from './__fixtures__/otel-harness.js';
import { Recorder } from './recorder.js';
import type { Step } from './step.js';

let otel: OtelHarness;

beforeEach(() => {
  otel = createOtelHarness();
});

afterEach(async () => {
  await otel.close();
});

const finish = { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: { total: 5 }, outputTokens: { total: 2 } } };

async function* parts(items: readonly unknown[], failWith?: Error): AsyncGenerator<unknown> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
  if (failWith !== undefined) throw failWith;
}

function closeKind(name = 'chat m'): unknown {
  return otel.one(name).events.find((event) => event.name === 'runtrace.stream.close')?.attributes?.['runtrace.stream.close.kind'];
}

async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const item of stream) seen.push(item);
  return seen;
}

describe('Step.wrapStream', () => {
  it('keeps the step open until the stream completes, then records the close', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    let step: Step | undefined;
    const stream = await recorder.run({ kind: 'r' }, (run) =>
      run.step({ operation: 'stream', model: 'm' }, (current) => {
        step = current;
        return current.wrapStream(parts([{ type: 'text-delta', id: '1', delta: 'Hi' }, { type: 'text-delta', id: '1', delta: ' there' }, finish]));
      }),
    );
    expect(step!.status).toBe('in_progress');
    expect(otel.kind('step')).toHaveLength(0);
    expect(await drain(stream)).toHaveLength(3);
    expect(step!.status).toBe('completed');
    const span = otel.one('chat m');
    expect(span.attributes).toMatchObject({
      'runtrace.stream.chunk_count': 3,
      'runtrace.stream.text_length': 8,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(closeKind()).toBe('completed');
    // The run waited for its streaming step.
    expect(otel.run('r').attributes['runtrace.status']).toBe('completed');
  });

  it('classifies a stream that ends without a finish as interrupted (upstream-premature)', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'r' });
    const step = run.startStep({ operation: 'stream', model: 'm' });
    await drain(step.wrapStream(parts([{ type: 'text-delta', id: '1', delta: 'Hi' }])));
    expect(step.status).toBe('interrupted');
    expect(closeKind()).toBe('upstream-premature');
  });

  it('classifies an SDK stream that ends quietly after the caller aborted it as interrupted (client-abort)', async () => {
    // Like the OpenAI client's Stream: it owns an AbortController, linked to the caller's signal,
    // and its iterator returns (does not throw) when that signal aborts mid-stream.
    const caller = new AbortController();
    const controller = new AbortController();
    caller.signal.addEventListener('abort', () => controller.abort());
    const sdkStream = {
      controller,
      async *[Symbol.asyncIterator]() {
        yield { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' } }] };
        await Promise.resolve();
        if (controller.signal.aborted) return;
        yield { object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
      },
    };
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'r' });
    const step = run.startStep({ operation: 'stream', model: 'm' });
    const seen: unknown[] = [];
    for await (const chunk of step.wrapStream(sdkStream)) {
      seen.push(chunk);
      caller.abort();
    }
    expect(seen).toHaveLength(1);
    expect(step.status).toBe('interrupted');
    expect(closeKind()).toBe('client-abort');

    // The same stream ending without a finish and without an abort is still upstream-premature.
    const quiet = run.startStep({ operation: 'stream', model: 'n' });
    await drain(quiet.wrapStream({ controller: new AbortController(), [Symbol.asyncIterator]: () => parts([{ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' } }] }]) }));
    expect(quiet.status).toBe('interrupted');
    expect(closeKind('chat n')).toBe('upstream-premature');
  });

  it('classifies an error from the source as error (upstream-error) and an abort as interrupted (client-abort)', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'r' });
    const failing = run.startStep({ operation: 'stream', model: 'm' });
    await expect(drain(failing.wrapStream(parts([{ type: 'text-delta', id: '1', delta: 'x' }], new Error('provider exploded'))))).rejects.toThrow('provider exploded');
    expect(failing.status).toBe('error');
    expect(closeKind()).toBe('upstream-error');
    const aborted = run.startStep({ operation: 'stream', model: 'n' });
    await expect(drain(aborted.wrapStream(parts([], new DOMException('stop', 'AbortError'))))).rejects.toThrow('stop');
    expect(aborted.status).toBe('interrupted');
    expect(closeKind('chat n')).toBe('client-abort');
  });

  it('records an in-band error part as error', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const step = recorder.startRun({ kind: 'r' }).startStep({ operation: 'stream', model: 'm' });
    await drain(step.wrapStream(parts([{ type: 'error', error: new Error('overloaded') }])));
    expect(step.status).toBe('error');
    expect(closeKind()).toBe('upstream-error');
  });

  it('records a consumer that stops after an in-band error part as error, not client-abort', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const step = recorder.startRun({ kind: 'r' }).startStep({ operation: 'stream', model: 'm' });
    for await (const part of step.wrapStream(parts([{ type: 'text-delta', id: '1', delta: 'x' }, { type: 'error', error: new Error('overloaded') }, finish]))) {
      if ((part as { type: string }).type === 'error') break;
    }
    expect(step.status).toBe('error');
    expect(closeKind()).toBe('upstream-error');
    expect(otel.one('chat m').status.message).toBe('overloaded');
  });

  it('wraps a web ReadableStream and records a cancel as client-abort', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const step = recorder.startRun({ kind: 'r' }).startStep({ operation: 'stream', model: 'm' });
    let cancelled: unknown;
    const source = new ReadableStream<string>({
      pull(controller) {
        controller.enqueue('chunk');
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = step.wrapStream(source).getReader();
    expect((await reader.read()).value).toBe('chunk');
    await reader.cancel('user closed the tab');
    expect(cancelled).toBe('user closed the tab');
    expect(step.status).toBe('interrupted');
    expect(closeKind()).toBe('client-abort');
    const close = otel.one('chat m').events.find((event) => event.name === 'runtrace.stream.close');
    expect(close?.attributes).toMatchObject({ 'runtrace.stream.close.event_count': 1, 'runtrace.stream.close.bytes': 5, 'runtrace.stream.close.reason': 'user closed the tab' });
  });

  it('records a client write failure as client-write-failed', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const step = recorder.startRun({ kind: 'r' }).startStep({ operation: 'stream', model: 'm' });
    for await (const _ of step.wrapStream(parts(['a', 'b']))) {
      step.recordClientWriteFailure(new Error('EPIPE'));
      break;
    }
    expect(step.status).toBe('interrupted');
    expect(closeKind()).toBe('client-write-failed');
  });

  it('re-enters the step context on every pull when the stream is read outside the run', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const seenInSource: (string | undefined)[] = [];
    async function* source(): AsyncGenerator<string> {
      await Promise.resolve();
      seenInSource.push(recorder.activeStep()?.id);
      yield 'a';
      seenInSource.push(recorder.activeStep()?.id);
      yield 'b';
    }
    let stepId = '';
    // The generator object is created inside the run, but iterated after the run's callback returned.
    const stream = await recorder.run({ kind: 'r' }, (run) =>
      run.step({ operation: 'stream', model: 'm' }, (step) => {
        stepId = step.id;
        return step.wrapStream(source());
      }),
    );
    expect(recorder.activeStep()).toBeUndefined();
    await drain(stream);
    expect(seenInSource).toEqual([stepId, stepId]);
  });

  it('heartbeats while chunks flow and while a pull is pending, never for an abandoned stream', async () => {
    const clock = createManualClock();
    const recorder = new Recorder({ tracerProvider: otel.provider, heartbeatIntervalMs: 100, clock });
    const run = recorder.startRun({ kind: 'r' });
    const abandoned = run.startStep({ operation: 'stream', model: 'abandoned' });
    abandoned.wrapStream(parts(['never read']));
    const step = run.startStep({ operation: 'stream', model: 'm' });
    let release: () => void = () => undefined;
    async function* slow(): AsyncGenerator<string> {
      yield 'first';
      clock.advance(150);
      yield 'second';
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield 'third';
    }
    const iterator = step.wrapStream(slow())[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const pending = iterator.next();
    await Promise.resolve();
    clock.advance(250);
    release();
    await pending;
    await iterator.return?.(undefined);
    run.end({ status: 'interrupted' });
    const beats = (name: string): number => otel.one(name).events.filter((event) => event.name === 'runtrace.heartbeat').length;
    // Ticks at 100 (pull pending inside the generator), then 200, 300, 400 while the third pull waits.
    expect(beats('chat m')).toBe(4);
    expect(beats('chat abandoned')).toBe(0);
    expect(otel.one('chat m').events.find((event) => event.name === 'runtrace.first_chunk')).toBeDefined();
  });

  it('returns the source unchanged when the step does not record', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, enabled: false });
    await recorder.run({ kind: 'r' }, (run) =>
      run.step({ operation: 'stream' }, (step) => {
        const source = parts([]);
        expect(step.wrapStream(source)).toBe(source);
      }),
    );
  });
});
