import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import { defaultRedactor } from '@runtrace/core';
import { isMarkedRedacted } from '@runtrace/core/internal';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness, parentId, spanId } from '../__fixtures__/otel-harness.js';
import type { OtelHarness } from '../__fixtures__/otel-harness.js';
import { installFetchInstrumentation } from '../install-fetch-instrumentation.js';
import { Recorder } from '../recorder.js';
import type { RecorderOptions } from '../recorder.js';

let otel: OtelHarness;
let server: MockOpenAIServer;
let uninstall: (() => void) | undefined;

beforeEach(async () => {
  otel = createOtelHarness();
  server = await startMockOpenAIServer();
});
afterEach(async () => {
  uninstall?.();
  uninstall = undefined;
  await server.close();
  await otel.close();
});

/** A recorder whose model calls outside any run become runs of their own (or not, with `implicit: false`). */
function setUp(options: RecorderOptions = {}, implicit = true): Recorder {
  const recorder = new Recorder({ tracerProvider: otel.provider, ...options });
  uninstall = installFetchInstrumentation(implicit ? { recorder } : {});
  return recorder;
}

function client(maxRetries = 2): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries });
}

const messages = [{ role: 'user' as const, content: 'What is 2 + 2?' }];
/** A span time in milliseconds. */
const ms = (time: readonly [number, number]): number => time[0] * 1000 + time[1] / 1e6;

describe('model calls made outside any step', () => {
  it('outside any run: a run of kind llm_call with one step and its attempt, usage and model from the wire', async () => {
    setUp({ contentPolicy: 'full' });
    server.enqueue({ usage: { promptTokens: 12, completionTokens: 4 } });
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock server.');
    const [run] = otel.kind('run');
    const [step] = otel.kind('step');
    const [attempt] = otel.kind('attempt');
    expect(otel.spans()).toHaveLength(3);
    expect(run!.name).toBe('invoke_agent');
    expect(run!.attributes).toMatchObject({
      'runtrace.run.kind': 'llm_call',
      'runtrace.status': 'completed',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': '127.0.0.1',
      'runtrace.run.label': 'What is 2 + 2?',
    });
    expect(step!.name).toBe('chat gpt-4o-mini');
    expect(parentId(step!)).toBe(spanId(run!));
    expect(parentId(attempt!)).toBe(spanId(step!));
    expect(step!.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.step.implicit': true,
      'runtrace.step.operation': 'generate',
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 4,
    });
  });

  it('a 429 then a 200 stays one run with one step and two attempts', async () => {
    setUp();
    server.enqueue({ status: 429, headers: { 'retry-after-ms': '5' } }, { usage: { promptTokens: 30, completionTokens: 3 } });
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(otel.kind('run')).toHaveLength(1);
    expect(otel.kind('step')).toHaveLength(1);
    const attempts = otel.kind('attempt');
    expect(attempts.map((attempt) => attempt.attributes['http.response.status_code']).sort()).toEqual([200, 429]);
    expect(attempts.every((attempt) => parentId(attempt) === spanId(otel.kind('step')[0]!))).toBe(true);
    expect(otel.kind('step')[0]!.attributes).toMatchObject({ 'runtrace.status': 'completed', 'gen_ai.usage.input_tokens': 30 });
    expect(otel.kind('run')[0]!.attributes['runtrace.status']).toBe('completed');
  });

  it('a 400 ends the step and its run as an error at once', async () => {
    setUp();
    server.enqueue({ status: 400 });
    await expect(client().chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toThrow();
    expect(otel.kind('step')[0]!.attributes).toMatchObject({ 'runtrace.status': 'error', 'error.type': '400' });
    expect(otel.kind('run')[0]!.attributes).toMatchObject({ 'runtrace.status': 'error' });
  });

  it('streamed: the step is a stream, ended by the end of the answer on the wire', async () => {
    setUp();
    const stream = await client().chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the mock server.');
    expect(otel.kind('step')[0]!.attributes).toMatchObject({
      'runtrace.step.operation': 'stream',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.output_tokens': 5,
    });
    expect(otel.kind('run')[0]!.attributes['runtrace.status']).toBe('completed');
  });

  it('inside a run but outside a step: a step of that run, with no recorder option needed', async () => {
    const recorder = setUp({}, false);
    await recorder.run({ kind: 'chat_turn' }, async () => {
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    });
    expect(otel.kind('run')).toHaveLength(1);
    const steps = otel.kind('step');
    expect(steps.map((step) => step.attributes['runtrace.step.number'])).toEqual([1, 2]);
    expect(steps.every((step) => parentId(step) === spanId(otel.kind('run')[0]!))).toBe(true);
    expect(otel.kind('run')[0]!.attributes['runtrace.run.kind']).toBe('chat_turn');
  });

  it('without a recorder, a call outside any run is not recorded; other requests never are', async () => {
    setUp({}, false);
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    await fetch(`${server.url}/v1/models`);
    expect(otel.spans()).toHaveLength(0);
  });

  it('a recorder that is disabled records nothing', async () => {
    const recorder = setUp();
    recorder.enabled = false;
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(otel.spans()).toHaveLength(0);
  });

  describe('a tool loop with no run: the results of one call\'s tool calls in the next call\'s request', () => {
    const weatherCall = { id: 'call_weather_1', name: 'weather', arguments: '{"city":"Oslo"}' };
    const asked = [{ role: 'user' as const, content: 'Weather in Oslo?' }];
    const answered = [
      ...asked,
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_weather_1', type: 'function' as const, function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_weather_1', content: '4 °C' },
    ];

    it('the first call\'s run gets the tool call and ends when the results are sent; both runs share a conversation', async () => {
      setUp({ contentPolicy: 'full' });
      server.enqueue({ toolCalls: [weatherCall] }, { reply: 'It is 4 °C in Oslo.' });
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages: asked });
      // The first run waits for the results of its tool call.
      expect(otel.kind('run')).toHaveLength(0);
      expect(otel.kind('step')).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages: answered });
      const runs = otel.kind('run');
      expect(runs).toHaveLength(2);
      const steps = otel.kind('step');
      const [tool] = otel.kind('tool');
      expect(tool).toBeDefined();
      expect(tool!.attributes).toMatchObject({
        'gen_ai.tool.name': 'weather',
        'gen_ai.tool.call.id': 'call_weather_1',
        'runtrace.tool.from_wire': true,
        'runtrace.status': 'completed',
        'gen_ai.tool.call.result': '"4 °C"',
      });
      // The tool call belongs to the step that asked for it, in the first call's run.
      const askingStep = steps.find((step) => spanId(step) === parentId(tool!))!;
      expect(askingStep).toBeDefined();
      const firstRun = runs.find((run) => spanId(run) === parentId(askingStep))!;
      const secondRun = runs.find((run) => run !== firstRun)!;
      expect(tool!.attributes['runtrace.run.id']).toBe(spanId(firstRun));
      expect(firstRun.attributes).toMatchObject({ 'runtrace.status': 'completed', 'gen_ai.conversation.id': spanId(firstRun) });
      expect(secondRun.attributes).toMatchObject({ 'runtrace.status': 'completed', 'gen_ai.conversation.id': spanId(firstRun), 'runtrace.run.root_conversation_id': spanId(firstRun) });
      // From the answer that asked for it to the request that carried its result; the run ends with
      // it (each span converts times with its own clock offset: a millisecond of slack).
      const secondStep = steps.find((step) => step !== askingStep)!;
      expect(ms(tool!.startTime)).toBeGreaterThan(ms(askingStep.startTime));
      expect(Math.abs(ms(tool!.startTime) - ms(askingStep.endTime))).toBeLessThan(50);
      expect(ms(tool!.endTime) - ms(tool!.startTime)).toBeGreaterThanOrEqual(15);
      expect(ms(tool!.endTime)).toBeLessThanOrEqual(ms(secondStep.startTime) + 5);
      expect(ms(firstRun.endTime)).toBeGreaterThanOrEqual(ms(tool!.endTime) - 1);
      // Content set from the redactor's output is marked so, for the processor to skip it.
      for (const [span, key] of [[askingStep, 'gen_ai.input.messages'], [askingStep, 'gen_ai.output.messages'], [secondStep, 'gen_ai.input.messages'], [tool!, 'gen_ai.tool.call.result']] as const) {
        expect({ key, marked: isMarkedRedacted(span, defaultRedactor, key, span.attributes[key]) }).toEqual({ key, marked: true });
      }
    });

    it('a call that carries no result of it leaves the first run waiting; closing the recorder ends it as its step ended', async () => {
      const recorder = setUp();
      server.enqueue({ toolCalls: [weatherCall] }, {});
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages: asked });
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(otel.kind('run')).toHaveLength(1);
      expect(otel.kind('run')[0]!.attributes['gen_ai.conversation.id']).toBeUndefined();
      recorder.close();
      const runs = otel.kind('run');
      expect(runs).toHaveLength(2);
      expect(runs.map((run) => run.attributes['runtrace.status'])).toEqual(['completed', 'completed']);
      const waiting = runs[1]!;
      const step = otel.kind('step').find((candidate) => parentId(candidate) === spanId(waiting))!;
      expect(ms(waiting.endTime)).toBeCloseTo(ms(step.endTime), -1);
      expect(otel.kind('tool')).toHaveLength(0);
    });

    it('with no call carrying the results within the heartbeat interval, the run ends as its step did', async () => {
      setUp({ heartbeatIntervalMs: 40 });
      server.enqueue({ toolCalls: [weatherCall] });
      await client().chat.completions.create({ model: 'gpt-4o-mini', messages: asked });
      expect(otel.kind('run')).toHaveLength(0);
      const deadline = Date.now() + 2_000;
      while (otel.kind('run').length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const [run] = otel.kind('run');
      expect(run!.attributes['runtrace.status']).toBe('completed');
      expect(ms(run!.endTime)).toBeCloseTo(ms(otel.kind('step')[0]!.endTime), -1);
    });
  });
});

