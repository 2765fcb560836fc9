import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InvalidArgumentError, RunFinalizedError, RunNotFoundError } from '@runtrace/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, createOtelHarness, parentId, spanId } from './__fixtures__/otel-harness.js';
import type { OtelHarness } from './__fixtures__/otel-harness.js';
import { Recorder, createRecorder } from './recorder.js';

let otel: OtelHarness;

beforeEach(() => {
  otel = createOtelHarness();
});

afterEach(async () => {
  await otel.close();
});

describe('Recorder runs', () => {
  it('names a run span invoke_agent {agent name} with gen_ai.agent.name, and scopes its spans with the package version', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'support_reply', agentName: 'Support agent' }, () => undefined);
    const span = otel.run('support_reply');
    expect(span.name).toBe('invoke_agent Support agent');
    expect(span.attributes['gen_ai.agent.name']).toBe('Support agent');
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(span.instrumentationScope).toEqual({ name: '@runtrace/instrumentation', version: manifest.version });
  });

  it('records a run as the root of a new trace with its identity', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    const outer = otel.provider.getTracer('app').startSpan('http server');
    const result = await context.with(trace.setSpan(context.active(), outer), () =>
      recorder.run(
        {
          kind: 'chat_turn',
          conversationId: 'conv-1',
          rootConversationId: 'root-1',
          parentConversationId: 'parent-1',
          triggerMessageId: 41,
          historyTipMessageId: 40,
          provider: 'openai',
          model: 'gpt-4o-mini',
          label: `  Hello   there\n${'x'.repeat(300)}`,
        },
        (run) => {
          expect(run.status).toBe('in_progress');
          return run.id;
        },
      ),
    );
    outer.end();
    const span = otel.run('chat_turn');
    // Named after the agent, as the GenAI conventions say: bare without a name.
    expect(span.name).toBe('invoke_agent');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(spanId(span)).toBe(result);
    expect(parentId(span)).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(outer.spanContext().traceId);
    expect(span.attributes).toMatchObject({
      'runtrace.span.kind': 'run',
      'runtrace.status': 'completed',
      'runtrace.run.id': result,
      'gen_ai.operation.name': 'invoke_agent',
      'runtrace.run.kind': 'chat_turn',
      'gen_ai.conversation.id': 'conv-1',
      'runtrace.run.root_conversation_id': 'root-1',
      'runtrace.run.parent_conversation_id': 'parent-1',
      'runtrace.run.trigger_message_id': 41,
      'runtrace.run.history_tip_message_id': 40,
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
    });
    const label = span.attributes['runtrace.run.label'] as string;
    expect(label.startsWith('Hello there x')).toBe(true);
    expect(Array.from(label).length).toBeLessThanOrEqual(200);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('sets the kind and in_progress status in the start attributes', async () => {
    const started: Record<string, unknown>[] = [];
    const { TracerProvider } = await import('@opentelemetry/sdk-trace');
    const provider = new TracerProvider({
      spanProcessors: [
        {
          onStart: (span) => started.push({ ...span.attributes }),
          onEnd: () => undefined,
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
    });
    const recorder = new Recorder({ tracerProvider: provider });
    await recorder.run({ kind: 'job' }, (run) => run.step({ operation: 'generate' }, () => undefined));
    expect(started.map((attributes) => [attributes['runtrace.span.kind'], attributes['runtrace.status']])).toEqual([
      ['run', 'in_progress'],
      ['step', 'in_progress'],
    ]);
  });

  it('ends a run as error or interrupted from the callback outcome, and rethrows', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await expect(recorder.run({ kind: 'failing' }, () => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
    await expect(
      recorder.run({ kind: 'aborted' }, () => Promise.reject(new DOMException('stop', 'AbortError'))),
    ).rejects.toThrow('stop');
    const failing = otel.run('failing');
    expect(failing.attributes['runtrace.status']).toBe('error');
    expect(failing.attributes['error.type']).toBe('TypeError');
    expect(failing.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    const aborted = otel.run('aborted');
    expect(aborted.attributes['runtrace.status']).toBe('interrupted');
    expect(aborted.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("ends a run interrupted when the caller's signal aborted, even if the callback returned normally", async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const stopped = new AbortController();
    const answer = await recorder.run({ kind: 'stopped', signal: stopped.signal }, () => {
      stopped.abort();
      return 'partial answer';
    });
    expect(answer).toBe('partial answer');
    const timedOut = AbortSignal.abort(new DOMException('too slow', 'TimeoutError'));
    await recorder.run({ kind: 'timed_out', signal: timedOut }, () => 'late');
    await recorder.run({ kind: 'untouched', signal: new AbortController().signal }, () => 'done');
    expect(otel.run('stopped').attributes['runtrace.status']).toBe('interrupted');
    expect(otel.run('timed_out').attributes['runtrace.status']).toBe('error');
    expect(otel.run('timed_out').attributes['error.type']).toBe('timeout');
    expect(otel.run('untouched').attributes['runtrace.status']).toBe('completed');
  });

  it('finalizes write-once: a second end is a no-op that reports false', () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'handle' });
    expect(run.end({ status: 'interrupted', message: 'user left' })).toBe(true);
    expect(run.end({ error: new Error('late') })).toBe(false);
    expect(run.status).toBe('interrupted');
    const span = otel.run('handle');
    expect(span.attributes['runtrace.status']).toBe('interrupted');
    expect(span.attributes['runtrace.status.message']).toBe('user left');
  });

  it('records a run started inside another run as a sub-agent child in the same trace', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'chat_turn', conversationId: 'parent-conv', rootConversationId: 'root' }, async (run) => {
      await run.tool({ name: 'delegate', callId: 'call_1' }, () =>
        recorder.run({ kind: 'sub_agent', conversationId: 'child-conv' }, (child) => {
          expect(child.parentRunId).toBe(run.id);
        }),
      );
    });
    const parent = otel.run('chat_turn');
    const tool = otel.one('execute_tool delegate');
    const child = otel.run('sub_agent');
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(parentId(child)).toBe(spanId(tool));
    expect(child.attributes).toMatchObject({
      'runtrace.run.parent_run_id': spanId(parent),
      'runtrace.run.parent_conversation_id': 'parent-conv',
      'runtrace.run.root_conversation_id': 'root',
      'runtrace.run.id': spanId(child),
    });
    expect(parentId(tool)).toBe(spanId(parent));
  });

  it('honours parentRun: null to start a new trace inside a run', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'outer' }, () => recorder.run({ kind: 'detached', parentRun: null }, () => undefined));
    expect(otel.run('detached').spanContext().traceId).not.toBe(otel.run('outer').spanContext().traceId);
  });

  it('keeps the active run across await, timers, event emitters and async iterators', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const seen: (string | undefined)[] = [];
    await recorder.run({ kind: 'ctx' }, async (run) => {
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      seen.push(recorder.activeRun()?.id);
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push(recorder.activeRun()?.id);
          resolve();
        }),
      );
      const emitter = new EventEmitter();
      const heard = new Promise<void>((resolve) =>
        emitter.on('ping', () => {
          seen.push(recorder.activeRun()?.id);
          resolve();
        }),
      );
      emitter.emit('ping');
      await heard;
      async function* numbers(): AsyncGenerator<number> {
        await Promise.resolve();
        yield 1;
        seen.push(recorder.activeRun()?.id);
      }
      for await (const _ of numbers()) seen.push(recorder.activeRun()?.id);
      expect(seen).toEqual([run.id, run.id, run.id, run.id, run.id]);
    });
    expect(recorder.activeRun()).toBeUndefined();
  });

  it('does not record when disabled or when the predicate declines, but still runs the work', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, shouldRecord: (params) => params.conversationId === 'opted-in' });
    const declined = await recorder.run({ kind: 'a', conversationId: 'other' }, (run) =>
      run.step({ operation: 'generate' }, (step) => {
        expect(step.recording).toBe(false);
        return 'work done';
      }),
    );
    expect(declined).toBe('work done');
    await recorder.run({ kind: 'b', conversationId: 'opted-in' }, () => undefined);
    recorder.enabled = false;
    await recorder.run({ kind: 'c', conversationId: 'opted-in' }, (run) => expect(run.recording).toBe(false));
    expect(otel.spans().map((span) => span.attributes['runtrace.run.kind'])).toEqual(['b']);
  });

  it('validates options', () => {
    expect(() => new Recorder({ contentPolicy: 'everything' as 'full' })).toThrow(InvalidArgumentError);
    expect(() => new Recorder({ heartbeatIntervalMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => createRecorder().startRun({ kind: '' })).toThrow(InvalidArgumentError);
  });

  it('close() ends every open run as interrupted', () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'open' });
    run.startStep({ operation: 'generate' });
    recorder.close();
    expect(otel.spans().map((span) => span.attributes['runtrace.status'])).toEqual(['interrupted', 'interrupted']);
  });
});

describe('Recorder steps', () => {
  it('records steps as children of the run with request attributes', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    await recorder.run({ kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini' }, async (run) => {
      await run.step(
        {
          operation: 'generate',
          request: {
            messages: [
              { role: 'system', parts: [{ type: 'text', text: 'be brief' }] },
              { role: 'user', parts: [{ type: 'text', text: 'hello' }] },
            ],
            tools: [{ name: 'weather', description: 'get weather', parameters: { type: 'object' } }],
            options: { maxOutputTokens: 100, temperature: 0.2, topP: 0.9, topK: 40, seed: 7, frequencyPenalty: 0.5, presencePenalty: -0.5, stopSequences: ['END'] },
          },
        },
        (step) => {
          step.setResponse({
            content: [{ type: 'text', text: 'hi!' }],
            finishReason: 'stop',
            model: 'gpt-4o-mini-2024',
            id: 'resp-1',
            usage: { inputTokens: 10, outputTokens: 3, reasoningTokens: 1, cacheReadTokens: 4, cacheCreationTokens: 2 },
            warnings: ['seed ignored'],
          });
        },
      );
    });
    const run = otel.run('chat_turn');
    const step = otel.one('chat gpt-4o-mini');
    expect(parentId(step)).toBe(spanId(run));
    // A model call is a CLIENT span, its request options gen_ai.request.* attributes.
    expect(step.kind).toBe(SpanKind.CLIENT);
    expect(step.attributes).toMatchObject({
      'gen_ai.request.top_k': 40,
      'gen_ai.request.seed': 7,
      'gen_ai.request.frequency_penalty': 0.5,
      'gen_ai.request.presence_penalty': -0.5,
      'gen_ai.request.stop_sequences': ['END'],
    });
    expect(step.attributes).toMatchObject({
      'runtrace.span.kind': 'step',
      'runtrace.status': 'completed',
      'runtrace.run.id': spanId(run),
      'gen_ai.operation.name': 'chat',
      'runtrace.step.number': 1,
      'runtrace.step.operation': 'generate',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.response.model': 'gpt-4o-mini-2024',
      'gen_ai.response.id': 'resp-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.reasoning.output_tokens': 1,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.cache_creation.input_tokens': 2,
    });
    expect(JSON.parse(step.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
      { role: 'user', parts: [{ type: 'text', content: 'hello' }] },
    ]);
    expect(JSON.parse(step.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'hi!' }], finish_reason: 'stop' },
    ]);
    expect(JSON.parse(step.attributes['gen_ai.tool.definitions'] as string)).toEqual([
      { type: 'function', name: 'weather', description: 'get weather', parameters: { type: 'object' } },
    ]);
    expect(JSON.parse(step.attributes['runtrace.step.request_options'] as string)).toEqual({ maxOutputTokens: 100, temperature: 0.2, topP: 0.9, topK: 40, seed: 7, frequencyPenalty: 0.5, presencePenalty: -0.5, stopSequences: ['END'] });
    expect(JSON.parse(step.attributes['runtrace.step.warnings'] as string)).toEqual(['seed ignored']);
  });

  it('records only shapes and counts under the none policy', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'none' });
    await recorder.run({ kind: 'quiet', label: 'secret plans' }, (run) =>
      run.step(
        {
          operation: 'generate',
          request: {
            messages: [{ role: 'user', parts: [{ type: 'text', text: 'my secret plans' }, { type: 'tool-call', id: 'c1', name: 'x', arguments: { a: 'private' } }] }],
            tools: [{ name: 'x' }],
          },
        },
        async (step) => {
          step.setResponse({ content: [{ type: 'text', text: 'private answer' }], finishReason: 'stop' });
          await run.tool({ name: 'x', callId: 'c1', arguments: { a: 'private' } }, () => ({ b: 'private result' }));
        },
      ),
    );
    const everything = JSON.stringify(otel.spans().map((span) => span.attributes));
    expect(everything).not.toContain('secret plans');
    expect(everything).not.toContain('private');
    const step = otel.kind('step')[0]!;
    // No message content under `none`: the shape under runtrace's own attribute, not gen_ai.input.messages.
    expect(step.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(JSON.parse(step.attributes['runtrace.step.input_shapes'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', length: 15 }, { type: 'tool_call', id: 'c1' }] },
    ]);
    expect(JSON.parse(step.attributes['runtrace.step.output_shapes'] as string)).toEqual([{ role: 'assistant', parts: [{ type: 'text', length: 14 }], finish_reason: 'stop' }]);
    expect(step.attributes['gen_ai.tool.definitions']).toBeUndefined();
  });

  it('numbers 256 concurrent steps 1..256 exactly once', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    await recorder.run({ kind: 'fanout' }, async (run) => {
      await Promise.all(
        Array.from({ length: 256 }, (_, index) =>
          run.step({ operation: 'generate', model: 'm' }, async () => {
            await new Promise<void>((resolve) => setTimeout(resolve, index % 3));
          }),
        ),
      );
    });
    const numbers = otel.kind('step').map((span) => span.attributes['runtrace.step.number'] as number);
    expect(numbers).toHaveLength(256);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, index) => index + 1));
  });

  it('throws RunFinalizedError ("already finalized") for a step on a finalized run', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'done' });
    run.end();
    expect(() => run.startStep({ operation: 'generate' })).toThrow(RunFinalizedError);
    await expect(run.step({ operation: 'generate' }, () => undefined)).rejects.toThrow(/already finalized/);
    await expect(recorder.step({ runId: run.id, operation: 'generate' }, () => undefined)).rejects.toThrow(RunFinalizedError);
  });

  it('throws RunNotFoundError for an unknown or mismatched run', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const other = new Recorder({ tracerProvider: otel.provider });
    await expect(recorder.step({ runId: '0123456789abcdef', operation: 'generate' }, () => undefined)).rejects.toThrow(RunNotFoundError);
    expect(() => recorder.startStep({ operation: 'generate' })).toThrow(RunNotFoundError);
    await other.run({ kind: 'foreign' }, async () => {
      await expect(recorder.step({ operation: 'generate' }, () => undefined)).rejects.toThrow(/another recorder/);
    });
    const first = recorder.startRun({ kind: 'first' });
    const second = recorder.startRun({ kind: 'second' });
    const step = first.startStep({ operation: 'generate' });
    expect(() => second.startTool({ name: 'x', step })).toThrow(RunNotFoundError);
    const error = (() => {
      try {
        second.startTool({ name: 'x', step });
      } catch (caught: unknown) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RunNotFoundError);
    expect(error).not.toBeInstanceOf(RunFinalizedError);
  });

  it('uses the active run for recorder.step, and ends open steps as interrupted when the run ends', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider });
    const run = recorder.startRun({ kind: 'handle' });
    await run.with(() => recorder.step({ operation: 'generate', model: 'a' }, () => undefined));
    const open = run.startStep({ operation: 'generate', model: 'b' });
    run.end();
    expect(open.status).toBe('interrupted');
    expect(open.end()).toBe(false);
    expect(otel.one('chat a').attributes['runtrace.status']).toBe('completed');
    expect(otel.one('chat b').attributes['runtrace.status']).toBe('interrupted');
  });

  it('records tool calls under the active step or the run', async () => {
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    await recorder.run({ kind: 'tools' }, async (run) => {
      await run.step({ operation: 'generate', model: 'm' }, () =>
        run.tool({ name: 'inner', callId: 'c1', arguments: '{"q":"x"}' }, () => ({ hits: 2 })),
      );
      const tool = run.startTool({ name: 'outer' });
      tool.end({ error: new RangeError('bad input') });
      expect(tool.end()).toBe(false);
    });
    const run = otel.run('tools');
    const step = otel.one('chat m');
    const inner = otel.one('execute_tool inner');
    const outer = otel.one('execute_tool outer');
    expect(parentId(inner)).toBe(spanId(step));
    expect(inner.attributes).toMatchObject({
      'runtrace.span.kind': 'tool',
      'runtrace.status': 'completed',
      'runtrace.run.id': spanId(run),
      'runtrace.step.id': spanId(step),
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'inner',
      'gen_ai.tool.call.id': 'c1',
      'gen_ai.tool.call.arguments': '{"q":"x"}',
      'gen_ai.tool.call.result': '{"hits":2}',
    });
    expect(parentId(outer)).toBe(spanId(run));
    expect(outer.attributes['runtrace.status']).toBe('error');
    expect(outer.attributes['error.type']).toBe('RangeError');
  });

  it('heartbeats busy steps and their run at most once per interval', async () => {
    const clock = createManualClock();
    const recorder = new Recorder({ tracerProvider: otel.provider, staleAfterMs: 1000, clock });
    let release: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => {
      release = resolve;
    });
    const idle = recorder.startRun({ kind: 'idle' });
    const done = recorder.run({ kind: 'long' }, (run) => run.step({ operation: 'generate', model: 'slow' }, () => waiting));
    clock.advance(499);
    clock.advance(1);
    clock.advance(1600);
    release();
    await done;
    idle.end();
    const step = otel.one('chat slow');
    const run = otel.run('long');
    const beats = (span: typeof step): number => span.events.filter((event) => event.name === 'runtrace.heartbeat').length;
    expect(beats(step)).toBe(4);
    expect(beats(run)).toBe(4);
    expect(beats(otel.run('idle'))).toBe(0);
    expect(step.attributes['runtrace.last_activity_ms']).toBe(1_002_000);
  });
});
